"""Single sign-on through the company's OpenID Connect provider (mozilla-django-oidc).

Off unless ``OIDC_RP_CLIENT_ID`` is set. The provider proves who someone is; the directory
decides whether they have an account: a verified e-mail claim is matched, case-insensitively,
to an active account whose employee has not left. No account is ever created from the claims.
"""

from django.db.models import Q
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend


class DirectoryOIDCBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims):
        # Some providers send email_verified: a claim saying False is refused.
        return bool(claims.get("email")) and claims.get("email_verified", True) is not False

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email:
            return self.UserModel.objects.none()
        today = timezone.localdate()
        return self.UserModel.objects.filter(
            Q(employee__leave_date__isnull=True) | Q(employee__leave_date__gt=today) | Q(employee__isnull=True),
            email__iexact=email, is_active=True)

    def get_user(self, user_id):
        """The session's user, with its directory record (the per-request leave check costs no query
        of its own); None once deactivated or left, as with the password backend."""
        from mentorat.core.auth import has_left

        user = self.UserModel.objects.select_related("employee").filter(pk=user_id).first()
        return user if user is not None and user.is_active and not has_left(user) else None

    def create_user(self, claims):  # never: accounts come from the directory (OIDC_CREATE_USER is off too)
        return None
