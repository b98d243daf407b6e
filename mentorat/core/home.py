"""Sections of the home page, contributed by each app in ``AppConfig.ready`` (the core never
imports the apps above it). ``provider(request) -> list[dict]``, each dict with a ``template``
and whatever that template reads (as ``section``); an empty list shows nothing.

``order`` places a provider's sections: what a role has to act on (the coordinator's to-do, the
executive's and the sponsor's figures) comes before a participant's own (100, the default);
providers of the same order keep the order they registered in."""

from collections.abc import Callable

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

_providers: list[tuple[int, Callable]] = []


def register(provider: Callable, order: int = 100) -> Callable:
    if all(known is not provider for _order, known in _providers):
        _providers.append((order, provider))
        _providers.sort(key=lambda item: item[0])  # stable: same order, registration order
    return provider


def sections_for(request) -> list[dict]:
    sections = []
    for _order, provider in _providers:
        sections.extend(provider(request))
    return sections


def sections_html(request) -> str:
    """The sections, rendered. A participant's (no site role, sponsoring nothing, booking for nobody)
    are cached per user under their scopes (``mentorat.core.personal``: their pairs, programmes,
    applications, answers, the programme list), for a minute at most since what is due follows the
    clock. The roles' sections (to-do, figures) are computed for each request from their own cached
    values."""
    from mentorat.core import personal

    if is_participant_only(request):
        html = personal.cached_for(request, "home-sections", lambda: _render(request), timeout=personal.HOME_TIMEOUT)
    else:
        html = _render(request)
    return mark_safe(html)  # the sections' own templates, escaped as they rendered


def _render(request) -> str:
    return "".join(render_to_string(section["template"], {"section": section}) for section in sections_for(request))


# Names of the navigation entries that give a user a section of their own (a sponsor's figures, a
# delegate's bookings): those users' sections are not cached. Registered by the apps.
ROLE_URLS: list[str] = []


def is_participant_only(request) -> bool:
    from mentorat.core import navigation

    user = request.user
    if user.is_coordinator or user.is_hr_lead or user.is_executive or user.is_superuser:
        return False
    urls = {reverse(name) for name in ROLE_URLS}
    return not any(item.url in urls for item in navigation.items_for(request))
