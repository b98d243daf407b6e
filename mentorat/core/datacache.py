"""Read caches that are never stale: values are stored under a version of the data, and any write
to the database moves the version on.

Every SQL statement goes through an execute wrapper installed on each new connection. An
``INSERT``, ``UPDATE``, ``DELETE`` or ``TRUNCATE`` on a table that pages show moves the version on:
at once in autocommit, or when the transaction commits. ``QuerySet.update()``, ``bulk_create()``,
raw SQL, the admin, migrations, Celery tasks: all are seen, because nothing escapes the wrapper.
Writes to tables no cached page shows (the outbox, the audit trail, login sessions and attempts)
leave the version alone, or every e-mail sent would empty the caches.

While a connection holds uncommitted writes, reads through it skip the cache (they compute and
store nothing): a value computed from data that may still be rolled back is never shared.

The version lives in Django's default cache, which every process must share: Redis when
``REDIS_URL`` is set, otherwise files under ``var/cache`` (the web server and the Celery worker of
``make run`` are separate processes). Keys also carry the database's name, so the test database
and the development one never mix.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.utils import timezone

VERSION_KEY = "datacache:version"
VERSION_TTL = 24 * 3600

# Tables whose writes change nothing a cached value shows.
QUIET_TABLES = {"core_notification", "core_auditentry", "django_session", "django_admin_log"}
QUIET_PREFIXES = ("axes_",)

_WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+[`"\[]?(\w+)', re.IGNORECASE)


def written_table(sql: str) -> str | None:
    """The table a statement writes, or None for a read (or anything else)."""
    match = _WRITE.match(sql)
    return match.group(1).lower() if match else None


def is_quiet(table: str) -> bool:
    return table in QUIET_TABLES or table.startswith(QUIET_PREFIXES)


def bump() -> str:
    """Move the version on: every value stored so far becomes unreachable."""
    token = secrets.token_hex(8)
    cache.set(VERSION_KEY, token, VERSION_TTL)
    return token


def version() -> str:
    token = cache.get(VERSION_KEY)
    if token is None:
        token = secrets.token_hex(8)
        if not cache.add(VERSION_KEY, token, VERSION_TTL):
            token = cache.get(VERSION_KEY) or token
    return token


def has_uncommitted_writes(using: str = "default") -> bool:
    connection = connections[using]
    return connection.in_atomic_block and getattr(connection, "datacache_dirty", False)


def _committed(connection) -> Callable[[], None]:
    def callback():
        connection.datacache_dirty = False
        bump()
    callback.datacache = True
    return callback


def note_write(connection) -> None:
    if not connection.in_atomic_block:
        connection.datacache_dirty = False
        bump()
        return
    connection.datacache_dirty = True
    if not any(getattr(entry[1], "datacache", False) for entry in connection.run_on_commit):
        transaction.on_commit(_committed(connection), using=connection.alias)


class _Watcher:
    def __init__(self, connection):
        self.connection = connection

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        table = written_table(sql) if isinstance(sql, str) else None
        if table is not None and not is_quiet(table):
            note_write(self.connection)
        return result


@receiver(connection_created)
def _watch(sender, connection, **kwargs):
    if not any(isinstance(wrapper, _Watcher) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.append(_Watcher(connection))


def _key(parts: tuple) -> str:
    name = str(connections["default"].settings_dict.get("NAME"))
    return "datacache:" + hashlib.sha1(repr((name, parts)).encode()).hexdigest()


def _lookup(parts: tuple) -> tuple[str | None, str, tuple | None]:
    """``(key, version, entry)``, the entry being ``(version, value, until)`` as stored, whatever its
    version, if not expired; one cache round trip."""
    if has_uncommitted_writes():
        return None, "", None
    key = _key(parts)
    found = cache.get_many([VERSION_KEY, key])
    token = found.get(VERSION_KEY) or version()
    entry = found.get(key)
    return key, token, entry if entry is not None and timezone.now() < entry[2] else None


def fetch(parts: tuple) -> tuple[str | None, str, Any]:
    """``(key, version, value)``: the value stored for ``parts`` under the current version of the
    data and not yet expired, else None; one cache round trip. The key is None while this
    connection holds uncommitted writes: read nothing, store nothing. Compute a missing value
    *after* this call and ``store`` it with the version returned here: if the data changes
    meanwhile, it is stored under the old version, which nobody reads."""
    key, token, entry = _lookup(parts)
    if entry is not None and entry[0] == token:
        _note(entry[2])
        return key, token, entry[1]
    return key, token, None


def store(key: str | None, token: str, value: Any, until: datetime) -> None:
    """Keep ``value`` for ``key`` under the version ``token`` (a ``fetch`` result) until ``until``."""
    _note(until)
    seconds = int((until - timezone.now()).total_seconds())
    if key is not None and seconds > 0 and not has_uncommitted_writes():
        cache.set(key, (token, value, until), seconds)


# A value built from other cached values (a whole page from its sections) must not outlive the
# one that expires first: ``expiries()`` collects the expiry of every value read or stored meanwhile.
_expiries: ContextVar[list | None] = ContextVar("datacache_expiries", default=None)


def _note(until: datetime) -> None:
    seen = _expiries.get()
    if seen is not None:
        seen.append(until)


@contextmanager
def expiries():
    seen: list[datetime] = []
    token = _expiries.set(seen)
    try:
        yield seen
    finally:
        _expiries.reset(token)


COMPUTING_TTL = 60


def cached(parts: tuple, compute: Callable[[], Any], *, timeout: int = 300, one_at_a_time: bool = False) -> Any:
    """``compute()``, or what it returned last time for the same ``parts`` and the same data, for
    at most ``timeout`` seconds (and no longer than any cached value it was built from).

    ``one_at_a_time``, for a value that is expensive to compute (the dashboard): after a write,
    the first request computes the new value; the others arriving meanwhile get the previous one
    (computed before that write, still within ``timeout``) instead of all computing it at once and
    holding every worker. Whatever is built from such a previous value is not kept. With no
    previous value, or when the computing request has not finished within COMPUTING_TTL seconds,
    each request computes."""
    key, token, entry = _lookup(parts)
    if entry is not None and entry[0] == token:
        _note(entry[2])
        return entry[1]
    computing = None
    if one_at_a_time and key is not None and entry is not None:
        computing = key + ":computing"
        if not cache.add(computing, token, COMPUTING_TTL):
            _note(timezone.now())  # the previous data's value: nothing built from it is kept
            return entry[1]
    try:
        with expiries() as seen:
            value = compute()
        store(key, token, value, min([timezone.now() + timedelta(seconds=timeout), *seen]))
    finally:
        if computing:
            cache.delete(computing)
    return value
