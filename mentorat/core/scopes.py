"""Scoped read caches with explicit invalidation.

A cached value names the **scopes** it depends on: ``("programme", 12)`` (a programme, its
applications and pairs), ``("sessions", 12)`` (its sessions and their logs), ``("goals", 12)`` (its
pairs' goals and commitments), ``("results", 12)`` (the survey figures it has released),
``("pair", 40)`` (a pair's sessions, goals, logs and its members' answers), ``("directory",)`` (the
employees, their departments, sites and leave dates), ``("user", 7)`` (what decides a user's own pages:
their account, directory record, applications, pairs, sponsorships, delegations, coordinator
assignments and concern contacts), ``("catalogue",)`` (the programmes as a list: any programme's
status or dates) and ``("followup", 12)`` (what only the coordinator's follow-up counts: survey
responses, concerns raised and handled — counts, never their content). Every write touches the
scopes of the rows it changed (each model declares them, below); the touch takes effect when its
transaction commits (at once outside one). Each scope has a token in the shared cache; a value
is stored with the tokens of its scopes as they were *before* it was computed, and is served only while
they are all unchanged — so a write that commits while a value is being computed is never hidden by it.

While this connection has touched a scope and not yet committed, values depending on it are computed
and neither read from nor stored in the cache: nothing computed from data that may be rolled back is
shared. A touch left by a rolled-back transaction only makes later reads skip the cache until the next
read outside a transaction (the safe direction). Within one request, each scope's token is read once
(``_request_tokens``): a request's values are as fresh as its first read.

Every value also has a ``timeout``: figures that move with the clock (due sessions, "today") and the
rare write that no service makes (a database console) are bounded by it.

The tokens live in Django's default cache, shared by every process (Redis in production, files under
``var/cache`` for ``make run``); keys carry the database's name so the test and development databases
never mix. Nothing here reads SQL or Django's private internals.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import connections, models, transaction
from django.dispatch import receiver
from django.utils import timezone

Scope = tuple
SCOPE_TTL = 7 * 24 * 3600
KINDS = ("programme", "sessions", "goals", "results", "pair", "directory", "user", "catalogue", "followup")

_local = threading.local()


def _db() -> str:
    return str(connections["default"].settings_dict.get("NAME"))


def _scope_key(scope: Scope) -> str:
    if not scope or scope[0] not in KINDS:
        raise ValueError(f"unknown scope {scope!r}: one of {KINDS}")
    return _hashed_scope_key(_db(), tuple(scope))


@lru_cache(maxsize=8192)
def _hashed_scope_key(db: str, scope: tuple) -> str:
    return "scope:" + hashlib.sha1(repr((db, scope)).encode()).hexdigest()


def _value_key(name: str, parts: tuple) -> str:
    return "value:" + hashlib.sha1(repr((_db(), name, parts)).encode()).hexdigest()


def _pending() -> set:
    """Scopes this thread's connection touched in a transaction not yet committed."""
    pending = getattr(_local, "pending", None)
    if pending is None:
        pending = _local.pending = set()
    if pending and not connections["default"].in_atomic_block:
        pending.clear()  # left by a transaction that rolled back
    return pending


def clear_pending() -> None:
    _local.pending = set()


@receiver(request_started)
def _new_request(**kwargs) -> None:
    # Touches pending from an earlier transaction are dropped by ``_pending()`` as soon as no
    # transaction is open; inside a test's transaction (never committed) they stay, so the test's
    # own writes are never hidden by a value cached before them.
    _local.request_tokens = {}


@receiver(request_finished)
def _request_done(**kwargs) -> None:
    _local.request_tokens = None


def _request_tokens() -> dict | None:
    """Tokens already read during this request (one round trip per scope per request, not per value):
    a value checked later in the same request against a token read earlier in it is as fresh as
    one read at that earlier instant. None outside a request (tasks, commands): always read."""
    return getattr(_local, "request_tokens", None)


# Every touch, for tests that check a service touched what it changed.
_listeners: list[Callable[[tuple], None]] = []


def bump(scopes: Iterable[Scope]) -> None:
    """Give each scope a new token now: every value that depends on one of them is recomputed."""
    keys = {_scope_key(tuple(scope)): secrets.token_hex(8) for scope in scopes}
    if keys:
        cache.set_many(keys, SCOPE_TTL)
        if (known := _request_tokens()) is not None:
            known.update(keys)


def touch(*scopes: Scope) -> None:
    """The caller changed what these scopes cover: values depending on them are recomputed after the
    transaction commits (at once outside a transaction), and skip the cache until then on this
    connection. Touching with no scope is a no-op; an unknown kind raises."""
    scopes = tuple({tuple(scope) for scope in scopes if scope})
    for scope in scopes:
        _scope_key(scope)  # validates
    for listener in _listeners:
        listener(scopes)
    if not scopes:
        return
    connection = connections["default"]
    if not connection.in_atomic_block:
        bump(scopes)
        return
    pending = _pending()
    pending.update(scopes)

    def committed():
        bump(scopes)
        pending.difference_update(scopes)

    transaction.on_commit(committed)


def prefetch(scopes: Iterable[Scope]) -> None:
    """Read these scopes' tokens now, in one round trip, for the values this request will read next
    (within a request only: outside one, each read fetches its own)."""
    known = _request_tokens()
    if known is None:
        return
    keys = [key for key in {_scope_key(tuple(scope)) for scope in scopes} if key not in known]
    if keys:
        found = cache.get_many(keys)
        _tokens(keys, found)
        known.update((key, found[key]) for key in keys)


def peek(name: str, parts: tuple) -> Any:
    """This process's last value for ``name`` and ``parts``, whatever its scopes say since: a hint
    of what to prefetch, never something to show (None when there is none)."""
    with _memo_lock:
        entry = _memo.get(_value_key(name, parts))
    return None if entry is None else entry[1]


def _tokens(keys: list[str], found: dict) -> tuple:
    missing = [key for key in keys if found.get(key) is None]
    for key in missing:
        token = secrets.token_hex(8)
        if not cache.add(key, token, SCOPE_TTL):
            token = cache.get(key) or token
        found[key] = token
    return tuple(found[key] for key in keys)


# Values read in this process, by key: (tokens, value, until). A hit here is checked against the shared
# tokens like any other (one round trip for them) and saves reading and unpickling the value: the
# dashboard's cells are thousands of tuples. Bounded; values served from it must not be mutated.
MEMO_SIZE = 2048
_memo: OrderedDict = OrderedDict()
_memo_lock = threading.Lock()


def _memo_get(key: str, tokens: tuple, now) -> tuple[bool, Any]:
    with _memo_lock:
        entry = _memo.get(key)
        if entry is None or entry[0] != tokens or not now < entry[2]:
            return False, None
        _memo.move_to_end(key)
        return True, entry[1]


def _memo_put(key: str, entry: tuple) -> None:
    with _memo_lock:
        _memo[key] = entry
        _memo.move_to_end(key)
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)


def clear_memo() -> None:
    with _memo_lock:
        _memo.clear()


def cached(name: str, parts: tuple, compute: Callable[[], Any], *, scopes: Iterable[Scope], timeout: int,
           shared: bool = True, single_flight: bool = False) -> Any:
    """``compute()``, or what it returned for the same ``name`` and ``parts`` while none of ``scopes``
    was touched since, for at most ``timeout`` seconds. ``shared=False`` keeps it in this process
    only (objects costlier to pickle than to rebuild from shared parts), still checked against the
    shared tokens. ``single_flight``: when another process is already computing the same value, wait
    for it (``SINGLE_FLIGHT_WAIT`` at most) rather than compute it a second time — for a value many
    readers ask for at once right after a write (the executives' dashboard)."""
    [value] = cached_many(name, [(parts, list(scopes))], lambda _parts: compute(), timeout=timeout, shared=shared,
                          single_flight=single_flight)
    return value


SINGLE_FLIGHT_WAIT = 2.0  # seconds a reader waits for another process's computation before doing it itself
SINGLE_FLIGHT_POLL = 0.01


def _computed_elsewhere(key: str, tokens: tuple) -> tuple[bool, Any]:
    """``(True, entry)`` once another process has stored this value for these tokens; ``(False,
    None)`` when this process is to compute it (it then holds the lock, released by the caller), or
    when the other process finished or gave up without storing it."""
    lock = "computing:" + key
    if cache.add(lock, 1, int(SINGLE_FLIGHT_WAIT * 5)):
        return False, None
    deadline = time.monotonic() + SINGLE_FLIGHT_WAIT
    while time.monotonic() < deadline:
        time.sleep(SINGLE_FLIGHT_POLL)
        found = cache.get_many([key, lock])
        entry = found.get(key)
        if entry is not None and entry[0] == tokens and timezone.now() < entry[2]:
            return True, entry
        if lock not in found:
            break
    return False, None


def cached_many(name: str, items: list[tuple[tuple, list[Scope]]], compute: Callable[[tuple], Any], *,
                timeout: int, shared: bool = True, single_flight: bool = False) -> list[Any]:
    """Several values at once (``items``: their parts and scopes); ``compute(parts)`` for each one
    missing. One cache round trip for the scopes' tokens; the values found in this process's memo
    are not read again, the others in one more round trip."""
    pending = _pending()
    items = [(parts, [tuple(scope) for scope in its]) for parts, its in items]
    scope_keys = sorted({_scope_key(scope) for _parts, its in items for scope in its})
    known = _request_tokens()
    found = {key: known[key] for key in scope_keys if known and key in known}
    if missing := [key for key in scope_keys if key not in found]:
        found.update(cache.get_many(missing))
        _tokens(missing, found)
        if known is not None:
            known.update((key, found[key]) for key in missing)
    now = timezone.now()
    keys = [_value_key(name, parts) for parts, _its in items]
    tokens = [tuple(found[_scope_key(scope)] for scope in its) for _parts, its in items]
    skip = [any(scope in pending for scope in its) for _parts, its in items]
    results: list = [None] * len(items)
    wanted = []
    for n, key in enumerate(keys):
        if skip[n]:
            continue
        hit, value = _memo_get(key, tokens[n], now)
        if hit:
            results[n] = value
        else:
            wanted.append(n)
    stored = cache.get_many([keys[n] for n in wanted]) if wanted and shared else {}
    fresh, locks = {}, []
    for n, (parts, its) in enumerate(items):
        if n not in wanted and not skip[n]:
            continue
        entry = stored.get(keys[n])
        if not skip[n] and entry is not None and entry[0] == tokens[n] and now < entry[2]:
            results[n] = entry[1]
            _memo_put(keys[n], entry)
            continue
        if single_flight and shared and not skip[n]:
            done, entry = _computed_elsewhere(keys[n], tokens[n])
            if done:
                results[n] = entry[1]
                _memo_put(keys[n], entry)
                continue
            locks.append("computing:" + keys[n])
        try:
            value = results[n] = compute(parts)
        except BaseException:
            cache.delete_many(locks)  # the others compute it themselves rather than wait for nothing
            raise
        if not any(scope in _pending() for scope in its):
            entry = (tokens[n], value, now + timedelta(seconds=timeout))
            fresh[keys[n]] = entry
            _memo_put(keys[n], entry)
    if fresh and shared:
        cache.set_many(fresh, timeout)
    if locks:
        cache.delete_many(locks)
    return results


# --- What each model's rows belong to ---------------------------------------------------------------
#
# A model read by a cached value declares, as ``SCOPED_BY``, the scopes its rows belong to: a kind
# and the field path giving its id (``{"pair": "pair_id", "programme": "pair__programme_id"}``;
# ``None`` for a scope without id, ``("directory",)``; a tuple of paths for a row in several scopes of
# one kind, a pair's two members). Its manager is built from ``ScopedQuerySet``,
# so ``update()``, ``delete()``, ``bulk_create()`` and ``bulk_update()`` touch the scopes of the rows
# they write; ``save()`` and ``delete()`` of an instance touch its own (``connect_models``). The
# service that writes does not have to remember: the model says what it belongs to, once. Models that
# no cached value reads are listed in ``UNSCOPED`` with the reason (``tests/core/test_scopes.py``
# fails on a model of ours in neither).


_NOT_CACHED = "no cached value reads it: pages read it for each request"
_RELEASED_ONLY = ("cached figures count only released rows; a release is a scoped row (ResultRelease, RatingRelease) "
                  "written in the same transaction, and a released row can no longer change")
UNSCOPED = {
    "core.DirectoryImport": _NOT_CACHED, "core.AuditEntry": _NOT_CACHED, "core.Notification": _NOT_CACHED,
    "core.NotificationPreference": _NOT_CACHED, "core.PendingEmailChange": _NOT_CACHED, "core.ErasedEmployee": _NOT_CACHED,
    "programmes.Charter": _NOT_CACHED, "programmes.TrainingModule": _NOT_CACHED,
    "programmes.TrainingCompletion": _NOT_CACHED, "programmes.ApplicationDomain": _NOT_CACHED,
    "programmes.ManagerAcknowledgement": _NOT_CACHED, "binomes.PairingSettings": _NOT_CACHED,
    "binomes.ForbiddenPair": _NOT_CACHED, "binomes.PairingRunReport": _NOT_CACHED,
    "mentoring_sessions.PrivateNote": _NOT_CACHED + " (never: encrypted)", "mentoring_sessions.GoalChange": _NOT_CACHED,
    "mentoring_sessions.CalendarFeed": _NOT_CACHED, "mentoring_sessions.ReminderTiming": _NOT_CACHED,
    "mentoring_sessions.SharedLearning": _NOT_CACHED, "evaluation.Answer": _RELEASED_ONLY, "api.ApiToken": _NOT_CACHED,
}


def _resolve(instance, path: str | None):
    if path is None:
        return None
    value = instance
    for name in path.split("__"):
        value = getattr(value, name, None)
        if value is None:
            return None
    return value


def _paths(spec: dict) -> list[tuple[str, str]]:
    """``(kind, path)`` for every path of a ``SCOPED_BY`` (a kind may name a tuple of them)."""
    return [(kind, path) for kind, paths in spec.items() if paths is not None
            for path in (paths if isinstance(paths, tuple) else (paths,))]


def scopes_of_instance(instance) -> list[Scope]:
    spec = getattr(type(instance), "SCOPED_BY", None) or {}
    found = [(kind,) for kind, path in spec.items() if path is None]
    for kind, path in _paths(spec):
        value = _resolve(instance, path)
        if value is not None:
            found.append((kind, value))
    return found


def _scopes_of_rows(queryset) -> list[Scope]:
    # A migration's historical model has the manager (``use_in_migrations``) but not the declaration.
    spec = getattr(queryset.model, "SCOPED_BY", None) or {}
    constant = [(kind,) for kind, path in spec.items() if path is None]
    paths = _paths(spec)
    if not paths:
        return constant
    rows = queryset.order_by().values_list(*[path for _kind, path in paths]).distinct()
    return constant + [(kind, value) for row in rows for (kind, _path), value in zip(paths, row, strict=True)
                       if value is not None]


class ScopedQuerySet(models.QuerySet):
    """Bulk writes touch the scopes of the rows they change (found before the write, touched after
    it, so that outside a transaction no reader can store the old rows under the new token)."""

    def update(self, **kwargs):
        found = _scopes_of_rows(self)
        count = super().update(**kwargs)
        # A row moved to another pair or programme belongs to the new one too.
        moved = [(kind, kwargs[path]) for kind, path in _paths(getattr(self.model, "SCOPED_BY", None) or {})
                 if path in kwargs and not hasattr(kwargs[path], "resolve_expression")]
        if count:
            touch(*found, *moved)
        return count

    def delete(self):
        found = _scopes_of_rows(self)
        result = super().delete()
        touch(*found)
        return result

    def _scopes_of_objects(self, objs) -> list[Scope]:
        """The scopes of written objects: from their rows in one query per thousand when a path
        crosses a relation (never one query per object), else from the objects themselves."""
        objs = list(objs)
        if all("__" not in path for _kind, path in _paths(getattr(self.model, "SCOPED_BY", None) or {})) or any(o.pk is None for o in objs):
            return [scope for obj in objs for scope in scopes_of_instance(obj)]
        pks = [obj.pk for obj in objs]
        return [scope for start in range(0, len(pks), 1000)
                for scope in _scopes_of_rows(self.model._default_manager.filter(pk__in=pks[start:start + 1000]))]

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        touch(*self._scopes_of_objects(created))
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        count = super().bulk_update(objs, fields, *args, **kwargs)
        touch(*self._scopes_of_objects(objs))
        return count


def _instance_written(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):  # fixtures: loaddata
        return
    touch(*scopes_of_instance(instance))


def scoped_models() -> list:
    from django.apps import apps

    return [model for model in apps.get_models() if getattr(model, "SCOPED_BY", None)]


def _links_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """A many-to-many link added, removed or cleared (a programme's concern contacts): the scopes of
    the rows on both sides."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if action == "pre_clear":  # the links about to go: read them while they are there
        source = next(f for f in sender._meta.fields if f.related_model is type(instance))
        target = next(f for f in sender._meta.fields if f.related_model is model and f is not source)
        pk_set = set(sender.objects.filter(**{source.name: instance.pk}).values_list(target.attname, flat=True))
    found = scopes_of_instance(instance) if getattr(type(instance), "SCOPED_BY", None) else []
    if getattr(model, "SCOPED_BY", None) and pk_set:
        found += _scopes_of_rows(model._default_manager.filter(pk__in=pk_set))
    touch(*found)


def connect_models() -> None:
    """``save()`` and ``delete()`` of a scoped model's instance touch its scopes, and so do the links
    of its many-to-many fields (called once, from the core's ``AppConfig.ready``)."""
    for model in scoped_models():
        models.signals.post_save.connect(_instance_written, sender=model, dispatch_uid=f"scopes-save-{model._meta.label}")
        models.signals.post_delete.connect(_instance_written, sender=model, dispatch_uid=f"scopes-delete-{model._meta.label}")
        for field in model._meta.local_many_to_many:
            models.signals.m2m_changed.connect(_links_changed, sender=field.remote_field.through,
                                               dispatch_uid=f"scopes-links-{model._meta.label}-{field.name}")
