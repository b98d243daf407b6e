from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """People directory, org chart, accounts and site-wide roles: what every other app uses."""

    name = "mentorat.core"
    label = "core"
    verbose_name = _("Directory")

    def ready(self):
        from mentorat.core import navigation

        navigation.register(navigation.core_items)


class MentoratAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "mentorat.core.admin_site.MentoratAdminSite"
