"""Sections of the home page, contributed by each app in ``AppConfig.ready`` (the core never
imports the apps above it). ``provider(request) -> list[dict]``, each dict with a ``template``
and whatever that template reads (as ``section``); an empty list shows nothing.

``order`` places a provider's sections: what a role has to act on (the coordinator's to-do, the
executive's and the sponsor's figures) comes before a participant's own (100, the default);
providers of the same order keep the order they registered in."""

from collections.abc import Callable

from django.template.loader import render_to_string
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
    """The sections, rendered. Not cached: each provider reads what it shows in a query or two (or
    from values cached under their scopes, ``mentorat.core.scopes``), so the page is cheap by
    design and a change shows at once."""
    return mark_safe("".join(render_to_string(section["template"], {"section": section})
                             for section in sections_for(request)))
