import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from mentorat.env import check_redis_url, env_bool, env_int, env_list, env_timezone, parse_database_url

BASE = Path("/srv/app")


class TestDatabaseUrl:
    def test_relative_and_absolute_sqlite(self):
        assert parse_database_url("sqlite:///var/db.sqlite3", base_dir=BASE, conn_max_age=0)["NAME"] == "/srv/app/var/db.sqlite3"
        assert parse_database_url("sqlite:////tmp/x.db", base_dir=BASE, conn_max_age=0)["NAME"] == "/tmp/x.db"

    def test_postgres_with_credentials_and_persistent_connections(self):
        db = parse_database_url("postgres://bob:p%40ss@db.local:6543/mentorat?sslmode=require", base_dir=BASE, conn_max_age=60)
        assert db["ENGINE"] == "django.db.backends.postgresql"
        assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == ("bob", "p@ss", "db.local", "6543", "mentorat")
        assert db["CONN_MAX_AGE"] == 60 and db["OPTIONS"] == {"sslmode": "require"}

    @pytest.mark.parametrize("url", ["mysql://x@y/z", "postgres://x@y:5432/", "sqlite://", "nonsense"])
    def test_it_refuses_what_it_cannot_use(self, url):
        with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
            parse_database_url(url, base_dir=BASE, conn_max_age=0)


class TestScalars:
    def test_booleans(self):
        assert env_bool("X", False, {"X": "yes"}) is True
        assert env_bool("X", True, {"X": "0"}) is False
        assert env_bool("X", True, {}) is True
        with pytest.raises(ImproperlyConfigured, match="X='maybe'"):
            env_bool("X", False, {"X": "maybe"})

    def test_integers(self):
        assert env_int("N", 5, environ={"N": "12"}) == 12
        with pytest.raises(ImproperlyConfigured, match="N='12s'"):
            env_int("N", 5, environ={"N": "12s"})
        with pytest.raises(ImproperlyConfigured, match="at least 0"):
            env_int("N", 5, minimum=0, environ={"N": "-1"})

    def test_lists_and_time_zones(self):
        assert env_list("H", [], {"H": "a.example, b.example,"}) == ["a.example", "b.example"]
        assert env_timezone("TZ", "Europe/Paris", {}) == "Europe/Paris"
        with pytest.raises(ImproperlyConfigured, match="Mars/Olympus"):
            env_timezone("TZ", "Europe/Paris", {"TZ": "Mars/Olympus"})

    def test_redis_url(self):
        assert check_redis_url("redis://127.0.0.1:6379/0")
        with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
            check_redis_url("http://127.0.0.1:6379")


def settings_in_subprocess(env):
    """Import the settings with a clean environment, as a deployment would."""
    code = "import mentorat.settings as s; print(s.DEBUG, s.CELERY_BROKER_URL, s.DATABASES['default']['ENGINE'])"
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "mentorat.settings"}
    return subprocess.run([sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])


class TestSettingsModule:
    def test_defaults_are_sqlite_and_the_filesystem_broker(self):
        result = settings_in_subprocess({})
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["True", "filesystem://", "django.db.backends.sqlite3"]

    def test_redis_and_postgres_by_environment(self):
        result = settings_in_subprocess({"REDIS_URL": "redis://127.0.0.1:6379/3", "DATABASE_URL": "postgres://u@h/db"})
        assert result.returncode == 0, result.stderr
        assert result.stdout.split()[1:] == ["redis://127.0.0.1:6379/3", "django.db.backends.postgresql"]

    def test_production_without_secret_key_fails_loudly(self):
        result = settings_in_subprocess({"DEBUG": "0"})
        assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr

    def test_production_needs_a_valid_notes_key(self):
        key = "k" * 60
        result = settings_in_subprocess({"DEBUG": "0", "SECRET_KEY": key})
        assert result.returncode != 0 and "MENTORAT_NOTES_KEY must be set" in result.stderr
        result = settings_in_subprocess({"DEBUG": "0", "SECRET_KEY": key, "MENTORAT_NOTES_KEY": "short"})
        assert result.returncode != 0 and "not a Fernet key" in result.stderr
        from cryptography.fernet import Fernet

        good = Fernet.generate_key().decode()
        result = settings_in_subprocess({"DEBUG": "0", "SECRET_KEY": key, "MENTORAT_NOTES_KEY": good})
        assert result.returncode == 0, result.stderr

    def test_a_bad_value_names_the_variable(self):
        result = settings_in_subprocess({"CONN_MAX_AGE": "forever"})
        assert result.returncode != 0 and "CONN_MAX_AGE='forever'" in result.stderr


def test_deploy_checks_pass_with_production_settings():
    """``manage.py check --deploy --fail-level WARNING`` exits 0 with DEBUG off."""
    import secrets

    from cryptography.fernet import Fernet

    root = Path(__file__).resolve().parents[2]
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(64),
           "MENTORAT_NOTES_KEY": Fernet.generate_key().decode(), "ALLOWED_HOSTS": "mentorat.example.com",
           "MENTORAT_VAR_DIR": str(root / "var")}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True, cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


OIDC_ENV = {"OIDC_RP_CLIENT_ID": "mentorat", "OIDC_RP_CLIENT_SECRET": "s3cret",
            "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example/authorize", "OIDC_OP_TOKEN_ENDPOINT": "https://idp.example/token",
            "OIDC_OP_USER_ENDPOINT": "https://idp.example/userinfo", "OIDC_OP_JWKS_ENDPOINT": "https://idp.example/jwks"}


def test_single_sign_on_is_off_by_default_and_complete_when_on():
    code = "import mentorat.settings as s; print(s.OIDC_ENABLED, s.AUTHENTICATION_BACKENDS[-1])"
    base = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "mentorat.settings"}
    root = Path(__file__).resolve().parents[2]
    off = subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True, cwd=root)
    assert off.stdout.split() == ["False", "mentorat.core.auth.DirectoryModelBackend"]
    on = subprocess.run([sys.executable, "-c", code], env={**base, **OIDC_ENV}, capture_output=True, text=True, cwd=root)
    assert on.stdout.split() == ["True", "mentorat.core.oidc.DirectoryOIDCBackend"], on.stderr
    partial = {k: v for k, v in OIDC_ENV.items() if k != "OIDC_OP_JWKS_ENDPOINT"}
    broken = subprocess.run([sys.executable, "-c", code], env={**base, **partial}, capture_output=True, text=True, cwd=root)
    assert broken.returncode != 0 and "OIDC_OP_JWKS_ENDPOINT must be set" in broken.stderr


@pytest.mark.django_db
def test_single_sign_on_matches_the_directory_by_email_and_creates_no_account(org, settings):
    import datetime

    for key, value in OIDC_ENV.items():
        setattr(settings, key, value)
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    from mentorat.core.oidc import DirectoryOIDCBackend

    backend = DirectoryOIDCBackend()
    junior = org["junior_a"]
    assert list(backend.filter_users_by_claims({"email": junior.email.upper()})) == [junior.user]
    assert not backend.filter_users_by_claims({"email": "stranger@elsewhere.example"}).exists()
    assert backend.create_user({"email": "stranger@elsewhere.example"}) is None
    assert not backend.verify_claims({"email": junior.email, "email_verified": False})
    junior.leave_date = datetime.date(2020, 1, 1)
    junior.save()
    assert not backend.filter_users_by_claims({"email": junior.email}).exists()
