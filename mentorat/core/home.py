"""Sections of the home page, contributed by each app in ``AppConfig.ready`` (the core never
imports the apps above it). ``provider(request) -> list[dict]``, each dict with a ``template``
and whatever that template reads; an empty list shows nothing."""

from collections.abc import Callable

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
