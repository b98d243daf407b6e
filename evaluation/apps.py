from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self):
        from binomes import services as pairing
        from evaluation import demo, privacy, services
        from evaluation import notifications as app_notifications
        from mentorat.core import demo as core_demo
        from mentorat.core import home, navigation, outbox
        from mentorat.core.registries import enlist, enlist_privacy
        from programmes import services as programme_services

        for kind in app_notifications.KINDS:
            outbox.register(kind)
        from evaluation import closing

        outbox.register(closing.KIND)
        enlist(*((programme_services.CLOSE_HOOKS, step) for step in closing.steps()))
        from evaluation.selectors import certified_pairs

        enlist((pairing.ACTIVATION_HOOKS, services.on_pair_activated),
               (pairing.CERTIFICATE_FILTERS, certified_pairs),
               (programme_services.PROGRAMME_PANELS, programme_panel),
               (programme_services.COPY_HOOKS, services.on_programme_copied),
               (core_demo.SEEDERS, demo.seed))
        enlist_privacy(privacy)
        home.register(home_section)
        from evaluation import homes

        for order, provider in enumerate((homes.coordinator_section, homes.executive_section, homes.sponsor_section)):
            home.register(provider, order=10 + order)
        navigation.register(nav_items)
        home.ROLE_URLS.append("evaluation:dashboard")  # a sponsor's figures on the home
        from sessions.selectors import DUE_HOOKS
        from sessions.services import RATING_LOCKS

        enlist((RATING_LOCKS, services.rating_is_released))

        enlist((DUE_HOOKS, surveys_due))


def nav_items(request):
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from mentorat.core import navigation
    from mentorat.core.navigation import NavItem
    from mentorat.core.permissions import is_coordinator, is_executive
    from programmes.models import Application, Programme

    user = request.user
    full = is_executive(user) or is_coordinator(user)
    approved = Application.objects.filter(employee__user=user, status="approved")
    results = navigation.results_menu()
    return [NavItem(_("Dashboard"), reverse("evaluation:dashboard"), 30, menu=results,
                    when=True if full else Programme.objects.filter(sponsors__user=user)),
            NavItem(_("Operations"), reverse("evaluation:operations"), 31, when=is_coordinator(user), menu=results),
            NavItem(_("My surveys"), reverse("evaluation:my_surveys"), 24, when=approved),
            NavItem(_("My progress"), reverse("evaluation:progress"), 25, when=approved)]


def pending_surveys(request) -> list[dict]:
    """The user's open surveys not answered yet, read once per request (the home's two sections)."""
    from evaluation.selectors import surveys_for_user

    if not hasattr(request, "_pending_surveys"):
        from binomes.selectors import member_pairs

        request._pending_surveys = [item for item in surveys_for_user(user=request.user, pairs=member_pairs(request))
                                    if not item["answered"]]
    return request._pending_surveys


def surveys_due(request) -> list[dict]:
    from django.urls import reverse
    from django.utils.translation import ngettext

    count = len(pending_surveys(request))
    if not count:
        return []
    return [{"label": ngettext("%(n)s survey to answer", "%(n)s surveys to answer", count) % {"n": count},
             "url": reverse("evaluation:my_surveys")}]


def home_section(request):
    items = pending_surveys(request)
    if not items:
        return []
    return [{"template": "evaluation/_home.html", "items": items}]


def programme_panel(request, programme, roles):
    from evaluation.selectors import published_testimonials

    panels = []
    stories = published_testimonials(programme=programme)
    if stories or roles & {"mentor", "mentee"}:
        panels.append({"template": "evaluation/_testimonials.html", "testimonials": stories,
                       "can_share": bool(roles & {"mentor", "mentee"})})
    if roles & {"coordinator", "sponsor", "executive"}:
        panels.append({"template": "evaluation/_programme_links.html", "can_manage": "coordinator" in roles})
    return panels
