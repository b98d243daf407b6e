from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Programmes")

    def ready(self):
        from mentorat.core import outbox
        from programmes import notifications as app_notifications

        for kind in app_notifications.KINDS:
            outbox.register(kind)
        from mentorat.core import demo, navigation
        from programmes.demo import seed

        navigation.register(nav_items)
        if seed not in demo.SEEDERS:
            demo.SEEDERS.append(seed)
        from mentorat.core import privacy as core_privacy
        from programmes import privacy

        for registry, item in [(core_privacy.EXPORTERS, privacy.export), (core_privacy.ERASERS, privacy.erase),
                               (core_privacy.RETENTION, privacy.purge)]:
            if item not in registry:
                registry.append(item)


def nav_items(request):
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from mentorat.core.navigation import NavItem

    return [NavItem(_("Programmes"), reverse("programmes:list"), 10)]
