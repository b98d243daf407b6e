"""Whole pages of a logged-in user, kept under the data's version (``datacache``).

The most visited pages (home, a session's page, the dashboard) are read far more often than the
data behind them changes. ``@cached_page`` keeps the HTML a view returned for a ``GET``, keyed by
the user, the full path, the language, the time zone and the date, and serves it again until any
write moves the data's version on, or the page's own deadline passes:

- ``timeout`` bounds how long the clock can be ignored (a session starting, a survey opening);
- a view that knows the exact moment its page changes sets ``response.cache_until`` (an aware
  datetime) and the page is not kept beyond it;
- nor beyond any cached part it was built from (the home sections, the dashboard body): a part
  filled earlier by another request does not get a second lease of life inside the page.

Only what is the same for every request of that user is kept:

- the CSRF token is taken out and a fresh one is put back in each copy served, so forms on a cached
  page post as usual and the CSRF cookie is set as on any page;
- a request with messages to show, and a view that queues one, a ``POST``, a response other than a
  200 HTML page, or one that sets a cookie, are never kept; nor is a page whose query string has
  a parameter the view did not declare (``query``), so a user cannot fill the cache with copies;
- the view's access check runs on **every** request, hit or miss (``access``: a callable given the
  request and the view's arguments, which raises ``Http404``/``PermissionDenied`` as the view would
  and returns what the page's scope depends on, part of the key), and the user's site-wide roles
  are part of the key: a role or membership changed out of band (a script, another database
  client: nothing that moves the data's version on) is seen on the next request, not when the copy
  expires.

The cache holds the page in clear: never decorate a page that shows what is encrypted at rest
(private notes, concerns: the pair's workspace). Home, a session's page and the dashboard show none.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import wraps

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import get_language

from mentorat.core import datacache

PLACEHOLDER = "\x00csrf-token\x00"
# What ``get_token`` returns: 64 characters of CSRF_ALLOWED_CHARS (a masked secret).
_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")


def _unmask(token: str) -> str:
    # The inverse of django.middleware.csrf._mask_cipher_secret, kept here rather than importing
    # a private function: the first half is the mask, the second the masked secret.
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH

    mask, token = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    chars = CSRF_ALLOWED_CHARS
    pairs = zip((chars.index(x) for x in token), (chars.index(x) for x in mask))
    return "".join(chars[x - y] for x, y in pairs)


def strip_csrf(html: str, secret: str | None) -> str | None:
    """``html`` with every CSRF token of this request's ``secret`` replaced by a placeholder, or None
    when the page cannot be kept (a placeholder already in it)."""
    if PLACEHOLDER in html:
        return None
    if not secret:
        return html

    def replace(match: re.Match) -> str:
        token = match.group(0)
        return PLACEHOLDER if constant_time_compare(_unmask(token), secret) else token

    return _TOKEN.sub(replace, html)


def _has_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _until(response, timeout: int) -> datetime:
    until = timezone.now() + timedelta(seconds=timeout)
    own: datetime | None = getattr(response, "cache_until", None)
    return until if own is None else min(until, own)


def _keepable(request, response) -> bool:
    return (
        isinstance(response, HttpResponse)
        and not response.streaming
        and response.status_code == 200
        and response.get("Content-Type", "").startswith("text/html")
        and not response.cookies
        and not _has_messages(request)
    )


def _roles(user) -> tuple:
    return (user.is_active, user.is_superuser, user.is_staff, getattr(user, "is_coordinator", False),
            getattr(user, "is_executive", False))


def cached_page(view=None, *, timeout: int = 60, query: tuple[str, ...] = (), access=None):
    """Keep the page ``view`` returns for a logged-in user's ``GET`` (see the module). A query
    string with a parameter outside ``query``, or one given twice, is served but never kept: the
    number of copies a user can make stays bounded. ``access(request, *args, **kwargs)`` runs
    before any copy is served, on every request: it raises as the view would deny, and what it
    returns scopes the copy."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if (request.method != "GET" or not user.is_authenticated or _has_messages(request)
                    or any(name not in query or len(values) > 1 for name, values in request.GET.lists())):
                return view(request, *args, **kwargs)
            scope = access(request, *args, **kwargs) if access is not None else None
            key, token, kept = datacache.fetch((
                "page", view.__module__, view.__qualname__, user.pk, _roles(user), scope, request.get_full_path(),
                get_language(), timezone.get_current_timezone_name(), timezone.localdate().isoformat()))
            if kept is not None:
                return _serve(request, kept)
            with datacache.expiries() as seen:  # the cached parts the page is built from
                response = view(request, *args, **kwargs)
            if key and _keepable(request, response):
                html = strip_csrf(response.content.decode(response.charset), request.META.get("CSRF_COOKIE"))
                if html is not None:
                    headers = [(name, value) for name, value in response.items() if name.lower() != "content-length"]
                    datacache.store(key, token, {"html": html, "headers": headers},
                                    min([_until(response, timeout), *seen]))
            return response

        wrapper.page_cached = True
        return wrapper

    return decorator(view) if view is not None else decorator


def _serve(request, kept: dict) -> HttpResponse:
    html = kept["html"]
    if PLACEHOLDER in html:
        html = html.replace(PLACEHOLDER, get_token(request))
    response = HttpResponse(html)
    for name, value in kept["headers"]:
        response[name] = value
    response.page_cache_hit = True
    return response
