"""A user's own values: the navigation every page shows and a participant's home sections, cached
per user under the scopes they depend on (``mentorat.core.scopes``), never as whole pages.

What a user's pages depend on is their **reach**: their own scope ``("user", pk)`` (their account,
directory record, applications, pairs, sponsorships, delegations, coordinator assignments and concern
contacts all touch it, their models say so), the programme list ``("catalogue",)``, the directory,
and what each app adds through ``REACH_PROVIDERS`` (the pairs and programmes they are in, the seniors
they book for). The reach is itself cached under the user's scope: a new pair or application touches
the user, so the next request reads the new reach.

Keys carry the language, the time zone and the date; values that move with the clock (sessions falling
due, surveys opening) also have a short timeout (``HOME_TIMEOUT``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone, translation

from mentorat.core import scopes

# ``provider(user) -> list[Scope]``: scopes (besides the user's own) that the user's pages read.
REACH_PROVIDERS: list[Callable] = []
REACH_TIMEOUT = 24 * 3600
NAV_TIMEOUT = 3600
HOME_TIMEOUT = 60  # the home's "what is due" follows the clock: a session starting shows as to log within a minute


def register_reach(provider: Callable) -> Callable:
    if provider not in REACH_PROVIDERS:
        REACH_PROVIDERS.append(provider)
    return provider


def _reach(user) -> list:
    def compute():
        found = set()
        for provider in REACH_PROVIDERS:
            found.update(tuple(scope) for scope in provider(user))
        return sorted(found, key=repr)

    # The directory too: an account linked to its record (or a senior's, for a delegate) changes the reach.
    return scopes.cached("user-reach", (user.pk, timezone.localdate()), compute, scopes=[("user", user.pk), ("directory",)],
                         timeout=REACH_TIMEOUT)


def _own_scopes(user_pk) -> list:
    """What every value of a user depends on, whatever their reach."""
    return [("user", user_pk), ("catalogue",), ("directory",)]


def prefetch_for(user_pk) -> None:
    """Before the session's user is read: the tokens of every scope the user's values will check this
    request, in the same round trip as the user's own (from this process's last reach of theirs;
    checked like any other value before anything is served from it)."""
    hint = scopes.peek("user-reach", (user_pk, timezone.localdate())) or []
    scopes.prefetch([*_own_scopes(user_pk), *hint])


def user_scopes(request) -> list:
    """The scopes the request's user's own values depend on, read once per request."""
    found = getattr(request, "_mentorat_user_scopes", None)
    if found is None:
        user = request.user
        found = request._mentorat_user_scopes = [*_own_scopes(user.pk), *_reach(user)]
    return found


def cached_for(request, name: str, compute: Callable, *, timeout: int, parts: tuple = ()):
    """``compute()`` for the request's user, cached under their scopes, per language, time zone and day
    (and ``parts``: which object of theirs)."""
    user = request.user
    parts = (user.pk, translation.get_language(), timezone.get_current_timezone_name(), timezone.localdate(), *parts)
    return scopes.cached(name, parts, compute, scopes=user_scopes(request), timeout=timeout)


def in_reach(request, scope) -> bool:
    """Whether a write to ``scope`` reaches the request's user's cached values (one of their pairs)."""
    return tuple(scope) in user_scopes(request)
