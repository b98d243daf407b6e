from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BinomesConfig(AppConfig):
    name = "binomes"
    verbose_name = _("Pairs")

    def ready(self):
        from binomes import notifications as app_notifications
        from mentorat.core import outbox

        for kind in app_notifications.KINDS:
            outbox.register(kind)
        from binomes import demo, privacy, services
        from mentorat.core import demo as core_demo
        from mentorat.core import home
        from mentorat.core import services as core_services
        from mentorat.core.registries import enlist, enlist_privacy
        from programmes import services as programme_services

        enlist((core_services.PAIR_MEMBER_PROVIDERS, pair_member_employees))
        enlist((programme_services.WITHDRAW_HOOKS, services.on_withdraw),
               (programme_services.UNAPPROVE_GUARDS, services.unapprove_guard),
               (programme_services.PROGRAMME_PANELS, programme_panel),
               (programme_services.COPY_HOOKS, services.on_programme_copied),
               (programme_services.CLOSE_HOOKS, programme_services.ClosingStep(
                   order=20, preview=services.closing_preview, run=services.on_programme_closed)),
               (core_demo.SEEDERS, demo.seed))
        enlist_privacy(privacy)
        home.register(home_section)
        from mentorat.core import personal

        personal.register_reach(reach)


def pair_member_employees() -> set[int]:
    """Employees (pks) in a pair whose private space exists (every status but discarded): the
    core keeps their login from following the directory silently."""
    from binomes.models import Pair

    rows = Pair.objects.exclude(status=Pair.Status.DISCARDED).values_list("mentor__employee_id", "mentee__employee_id")
    return {pk for row in rows for pk in row if pk is not None}


def reach(user) -> list:
    """The user's pairs as members see them (their sessions, goals and answers show on the members'
    pages; a pair published later touches its members' scopes, so the reach is read again)."""
    from binomes.selectors import pairs_of_user

    return [("pair", pk) for pk in pairs_of_user(user=user).values_list("pk", flat=True)]


def home_section(request):
    from binomes.selectors import member_pairs, shortlists_of_user

    pairs = [pair for pair in member_pairs(request) if pair.status in ("published", "active")]
    shortlists = list(shortlists_of_user(user=request.user))
    if not pairs and not shortlists:
        return []
    return [{"template": "binomes/_home.html", "pairs": pairs, "shortlists": shortlists}]


def programme_panel(request, programme, roles):
    """Pairs on the programme page: counts for the programme team, sponsors and executives; the
    member's own pair for participants."""
    from binomes.selectors import pair_counts, pairs_of_user

    panels = []
    if roles & {"coordinator", "sponsor", "executive"}:
        panels.append({"template": "binomes/_programme_counts.html", "counts": pair_counts(programme=programme),
                       "can_manage": "coordinator" in roles})
    own = list(pairs_of_user(user=request.user).filter(programme=programme))
    if own:
        panels.append({"template": "binomes/_programme_own.html", "pairs": own})
    return panels
