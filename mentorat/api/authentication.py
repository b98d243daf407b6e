"""``Authorization: Bearer mnt_<prefix>_<secret>``: the call acts as the coordinator who created
the token. A revoked, unknown or malformed token, or one whose creator is no longer an active
coordinator (or has left), answers 401."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from mentorat.api.services import api_token_authenticate
from mentorat.core.auth import has_left
from mentorat.core.permissions import is_coordinator


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header: give “Bearer <token>”."))
        try:
            raw = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = api_token_authenticate(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        user = token.created_by
        if not is_coordinator(user) or has_left(user):
            raise exceptions.AuthenticationFailed(_("The token's owner is no longer an active coordinator."))
        request._api_token = token
        return user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "mentorat.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "mnt_<prefix>_<secret>",
                "description": "A token created by a coordinator under API tokens; its scope limits what it writes."}
