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
        from mentorat.core import demo, home, navigation
        from mentorat.core.registries import enlist, enlist_privacy
        from programmes import privacy
        from programmes.demo import seed

        navigation.register(nav_items)
        home.register(home_section)
        enlist((demo.SEEDERS, seed))
        enlist_privacy(privacy)


def nav_items(request):
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from mentorat.core.navigation import NavItem

    return [NavItem(_("Programmes"), reverse("programmes:list"), 10)]


def home_section(request):
    """Open programmes the employee may still apply to, with the roles they may apply for."""
    from programmes.selectors import programmes_open_to

    rows = programmes_open_to(user=request.user)
    return [{"template": "programmes/_home.html", "rows": rows}] if rows else []
