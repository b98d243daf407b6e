"""Reading settings from the environment, loudly.

Every helper raises ``ImproperlyConfigured`` naming the variable and the value it could not
use, so a typo in a deployment fails at start-up instead of running with a silent default.
"""

from __future__ import annotations

import os
import zoneinfo
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "", environ=None) -> str:
    environ = os.environ if environ is None else environ
    return environ.get(name, default)


def env_bool(name: str, default: bool, environ=None) -> bool:
    environ = os.environ if environ is None else environ
    if name not in environ:
        return default
    value = environ[name].strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={environ[name]!r} is not a boolean (use 1/0, true/false, yes/no, on/off).")


def env_int(name: str, default: int, *, minimum: int | None = None, environ=None) -> int:
    environ = os.environ if environ is None else environ
    if name not in environ or environ[name].strip() == "":
        return default
    try:
        value = int(environ[name])
    except ValueError:
        raise ImproperlyConfigured(f"{name}={environ[name]!r} is not an integer.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str], environ=None) -> list[str]:
    environ = os.environ if environ is None else environ
    if name not in environ:
        return list(default)
    return [item.strip() for item in environ[name].split(",") if item.strip()]


def env_timezone(name: str, default: str, environ=None) -> str:
    value = env_str(name, default, environ) or default
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name}={value!r} is not a known time zone (e.g. Europe/Paris).") from None
    return value


def parse_database_url(url: str, *, base_dir: Path, conn_max_age: int) -> dict:
    """Turn ``sqlite:///path`` or ``postgres://user:pass@host:port/name`` into a DATABASES entry.

    A relative SQLite path is taken from the project folder. Any other scheme, or a PostgreSQL
    URL without a database name, is refused.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///var/db.sqlite3 is relative to the project, sqlite:////abs/db.sqlite3 absolute.
        raw = unquote(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else ""
        if not raw:
            raise ImproperlyConfigured(f"DATABASE_URL={url!r} has no file path (use sqlite:///var/db.sqlite3).")
        path = Path(raw)
        if not path.is_absolute():
            path = base_dir / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": {"timeout": 20},
        }
    if scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(f"DATABASE_URL={url!r} names no database (postgres://user@host:5432/NAME).")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"DATABASE_URL={url!r} has an invalid port.") from None
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": conn_max_age,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL={url!r}: unsupported scheme {parts.scheme!r} (use sqlite:///path or postgres://…)."
    )


def check_redis_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
        raise ImproperlyConfigured(f"REDIS_URL={url!r} is not a redis:// or rediss:// URL with a host.")
    return url


def cache_url_for(redis_url: str, db: int = 1) -> str:
    """The Redis URL of the cache: the broker's server, another database number."""
    parts = urlsplit(check_redis_url(redis_url))
    return parts._replace(path=f"/{db}").geturl()
