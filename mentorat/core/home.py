"""Sections of the home page, contributed by each app in ``AppConfig.ready`` (the core never
imports the apps above it). ``provider(request) -> list[dict]``, each dict with a ``template``
and whatever that template reads (as ``section``); an empty list shows nothing."""

from collections.abc import Callable

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from mentorat.core import datacache

# The sections also change with the clock (a session starts, a survey opens): a minute at most.
SECTIONS_TTL = 60

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
    """The sections, rendered: the most visited page costs one cache read while the data is unchanged
    (``datacache``), and a change to the data shows at once."""
    user = request.user

    def render() -> str:
        return "".join(render_to_string(section["template"], {"section": section}) for section in sections_for(request))

    key = ("home", user.pk, get_language(), timezone.get_current_timezone_name(), timezone.localdate().isoformat())
    return mark_safe(datacache.cached(key, render, timeout=SECTIONS_TTL))
