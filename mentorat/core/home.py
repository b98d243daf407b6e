"""Sections of the home page, contributed by each app in ``AppConfig.ready`` (the core never
imports the apps above it). ``provider(request) -> list[dict]``, each dict with a ``template``
and whatever that template reads (as ``section``); an empty list shows nothing."""

from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

_providers: list[Callable] = []


def register(provider: Callable) -> Callable:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def sections_for(request) -> list[dict]:
    sections = []
    for provider in _providers:
        sections.extend(provider(request))
    return sections


def sections_html(request) -> str:
    """The sections, rendered. Not cached: each provider reads what it shows in a query or two, so
    the page is cheap by design and a change shows at once."""
    return mark_safe("".join(render_to_string(section["template"], {"section": section})
                             for section in sections_for(request)))
