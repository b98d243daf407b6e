"""Who may call what: a token reads everything its coordinator reads (the API exposes no private
content at all); it writes only within its scope. And how often: per token."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions, throttling

from mentorat.api.models import ApiToken
from mentorat.core.permissions import is_coordinator, is_hr_lead


class TokenScope(permissions.BasePermission):
    """Reads need a live token (its coordinator checked at authentication); writes need the scope the
    view names in ``write_scope`` (``directory`` or ``programme``). A read-only token writes nothing;
    a directory token writes only while its creator is an HR lead."""

    message = _("This token's scope does not allow this call.")

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken) or not is_coordinator(request.user):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        wanted = getattr(view, "write_scope", None)
        if wanted == ApiToken.Scope.DIRECTORY and not is_hr_lead(request.user):
            return False  # the directory is the whole company's: its HR leads write it
        return token.scope == wanted


class IsCoordinator(permissions.BasePermission):
    """The schema and its docs: a coordinator in the browser, or a live token (which acts as one)."""

    def has_permission(self, request, view):
        return is_coordinator(request.user)


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """``MENTORAT_API_RATE`` calls per token (``N/second|minute|hour|day``), counted in the shared
    cache under the token's prefix (random, so a fresh test database never inherits a count)."""

    scope = "api"

    def get_rate(self):
        return settings.MENTORAT_API_RATE

    def get_cache_key(self, request, view):
        token = request.auth
        ident = token.prefix if isinstance(token, ApiToken) else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
