"""The role-dependent navigation. Each app registers a provider in its ``AppConfig.ready``,
so the core never imports the apps above it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    """``when``: shown only if this queryset has a row (every item's condition is read in one
    query for the whole navigation), or a plain bool. ``menu``: items with the same menu label
    are shown together in one drop-down menu (at the place of the first), so an HR lead's
    navigation fits on one line."""

    label: str
    url: str
    order: int = 100
    when: object = True
    menu: str = ""


_providers: list[Callable] = []


def results_menu() -> str:
    """The menu of the figures: dashboard, operations, commitment themes, organisation."""
    from django.utils.translation import gettext

    return gettext("Results")


def admin_menu() -> str:
    """The menu of the HR tools: directory, import, roles, outbox, audit, API tokens."""
    from django.utils.translation import gettext

    return gettext("HR admin")


def register(provider: Callable) -> Callable:
    """``provider(request) -> list[NavItem]``; called for authenticated requests only."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def items_for(request) -> list[NavItem]:
    """Every page shows the navigation: read once per request, cached per user under their scopes
    (``mentorat.core.personal``): a role given or taken, a pair formed, a delegation named touches
    the user's scope, so it shows on the next page."""
    from mentorat.core import personal

    items = getattr(request, "_mentorat_nav", None)
    if items is None:
        items = request._mentorat_nav = personal.cached_for(request, "nav", lambda: _compute(request),
                                                            timeout=personal.NAV_TIMEOUT)
    return items


def _compute(request) -> list[NavItem]:
    items = []
    for provider in _providers:
        items.extend(provider(request))
    # Conditions decided: what is cached holds no query.
    return [replace(item, when=True) for item in sorted(_shown(request.user, items), key=lambda item: item.order)]


def entries(items: list[NavItem], active: str | None) -> list[dict]:
    """The items as the template lays them out: ``{"item": …}`` alone, or ``{"menu": label,
    "items": […], "active": bool}`` for a drop-down menu, at the place of its first item."""
    out, menus = [], {}
    for item in items:
        if not item.menu:
            out.append({"item": item})
        elif item.menu in menus:
            menus[item.menu]["items"].append(item)
        else:
            menus[item.menu] = {"menu": item.menu, "items": [item]}
            out.append(menus[item.menu])
    for menu in menus.values():
        menu["active"] = any(item.url == active for item in menu["items"])
    return out


def _shown(user, items: list[NavItem]) -> list[NavItem]:
    """The items whose condition holds: every queryset condition in one ``SELECT EXISTS(…), …``."""
    from django.db.models import Exists

    from mentorat.core.models import User

    conditions = {f"c{n}": Exists(item.when) for n, item in enumerate(items) if not isinstance(item.when, bool)}
    found = User.objects.filter(pk=user.pk).values(**conditions).first() if conditions else {}
    found = found or {}
    return [item for n, item in enumerate(items) if (item.when if isinstance(item.when, bool) else found.get(f"c{n}"))]


def core_items(request) -> list[NavItem]:
    from django.utils.translation import gettext as _

    from mentorat.core.permissions import is_coordinator, is_executive, is_hr_lead

    user = request.user
    items = [NavItem(_("Home"), reverse("core:home"), 0)]
    admin = admin_menu()
    if is_coordinator(user):
        items.append(NavItem(_("Directory"), reverse("core:directory"), 50, menu=admin))
        items.append(NavItem(_("API tokens"), reverse("api:tokens"), 62, menu=admin))
    if is_hr_lead(user):
        items.append(NavItem(_("Import"), reverse("core:import_upload"), 51, menu=admin))
        items.append(NavItem(_("Roles"), reverse("programmes:roles"), 53, menu=admin))
        items.append(NavItem(_("Outbox"), reverse("core:outbox"), 60, menu=admin))
        items.append(NavItem(_("Audit"), reverse("core:audit"), 61, menu=admin))
    if is_executive(user):
        items.append(NavItem(_("Organisation"), reverse("core:organisation"), 52, menu=results_menu()))
    if user.is_superuser:
        items.append(NavItem(_("Administration"), reverse("admin:index"), 900))
    return items
