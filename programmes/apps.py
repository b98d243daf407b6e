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
        from mentorat.core import personal

        personal.register_reach(reach)
        from mentorat.core import services as core_services

        enlist((demo.SEEDERS, seed), (core_services.HELD_LOGIN_PROVIDERS, concern_contact_users))
        enlist_privacy(privacy)


def concern_contact_users() -> set[int]:
    """Users named to read a programme's concerns: the core keeps their login from following the
    directory silently, as for pair members."""
    from programmes.models import Programme

    return set(Programme.concern_contacts.through.objects.values_list("user_id", flat=True))


def nav_items(request):
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from mentorat.core.navigation import NavItem

    return [NavItem(_("Programmes"), reverse("programmes:list"), 10)]


def reach(user) -> list:
    """The programmes the user applied to: their milestones, surveys and status show on the user's pages.
    Not their released figures (``results``): a release step changes no participant's page, only the
    responses it covers (which touch their respondents)."""
    from programmes.models import Application

    ids = set(Application.objects.filter(employee__user=user).values_list("programme_id", flat=True))
    return [("programme", pk) for pk in ids]


def home_section(request):
    """Open programmes the employee may still apply to, with the roles they may apply for."""
    from programmes.selectors import programmes_open_to

    rows = programmes_open_to(user=request.user)
    return [{"template": "programmes/_home.html", "rows": rows}] if rows else []
