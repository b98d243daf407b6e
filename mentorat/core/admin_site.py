from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class MentoratAdminSite(admin.AdminSite):
    """The Django admin, for superusers only (coordinators work in the product's own pages)."""

    site_header = _("Mentorat administration")
    site_title = _("Mentorat")

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser
