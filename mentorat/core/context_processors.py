from django.conf import settings

from mentorat.core import navigation as nav


def navigation(request):
    """``nav_items`` for the current user's roles, and which one is active."""
    user = getattr(request, "user", None)
    items = nav.items_for(request) if user is not None and user.is_authenticated else []
    path = request.path
    matching = [item.url for item in items if path.startswith(item.url) and (item.url != "/" or path == "/")]
    active = max(matching, key=len, default=None)
    return {"nav_items": items, "nav_entries": nav.entries(items, active), "nav_active": active, "LANGUAGES": settings.LANGUAGES,
            "OIDC_ENABLED": settings.OIDC_ENABLED}
