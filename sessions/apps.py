from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsConfig(AppConfig):
    """Our mentoring sessions. The label avoids a clash with ``django.contrib.sessions``."""

    name = "sessions"
    label = "mentoring_sessions"
    verbose_name = _("Sessions")

    def ready(self):
        from mentorat.core import outbox
        from sessions import notifications as app_notifications

        for kind in app_notifications.KINDS:
            outbox.register(kind)
        from binomes import notifications as pairing_notifications
        from binomes import services as pairing
        from mentorat.core import demo as core_demo
        from mentorat.core import home, navigation
        from mentorat.core.registries import enlist, enlist_privacy
        from programmes import services as programme_services
        from sessions import demo, privacy, services

        enlist((pairing_notifications.PAIR_WATCHERS, pair_delegates),
               (pairing.ACTIVATION_HOOKS, services.sessions_schedule_pair),
               (pairing.END_HOOKS, services.on_pair_end),
               (programme_services.PROGRAMME_PANELS, programme_panel),
               (programme_services.DATE_GUARDS, services.date_guard),
               (programme_services.CLOSE_HOOKS, programme_services.ClosingStep(
                   order=10, preview=services.closing_preview, run=services.on_programme_closed)),
               (core_demo.SEEDERS, demo.seed))
        from mentorat.core import services as core_services

        enlist((core_services.HELD_LOGIN_PROVIDERS, delegate_users))
        enlist_privacy(privacy)
        home.register(home_section)
        home.register(delegate_section)
        from mentorat.core import personal

        personal.register_reach(reach)
        navigation.register(nav_items)
        home.ROLE_URLS.append("sessions:delegated")  # a delegate's bookings on the home
        from sessions import learning_privacy, learnings

        enlist_privacy(learning_privacy)
        navigation.register(learnings.nav_items)


def delegate_users() -> set[int]:
    """Users named as a senior's delegate: the core keeps their login from following the directory
    silently (they book the senior's sessions)."""
    from sessions.models import Delegate

    return set(Delegate.objects.values_list("user_id", flat=True))


def pair_delegates(pair):
    """The senior's delegate, while in force: told when the pair ends (nothing to book any more)."""
    from django.utils import timezone

    from sessions.models import Delegate

    return [d.user for d in Delegate.objects.filter(senior_id=pair.mentee.employee_id, user__is_active=True)
            .exclude(user__employee__leave_date__lte=timezone.localdate()).select_related("user")]


def reach(user) -> list:
    """The seniors the user books for: their pairs decide the delegate's calendar."""
    from sessions.models import Delegate

    return [("user", pk) for pk in Delegate.objects.filter(user=user, senior__user__isnull=False)
            .values_list("senior__user_id", flat=True)]


def nav_items(request):
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from mentorat.core.navigation import NavItem
    from sessions.selectors import delegations_in_force, pairs_with_sessions

    user = request.user
    return [NavItem(_("My calendar"), reverse("sessions:calendar"), 20, when=pairs_with_sessions(user=user)),
            NavItem(_("Sessions I book"), reverse("sessions:delegated"), 21, when=delegations_in_force(user=user)),
            NavItem(_("Concerns"), reverse("sessions:concerns"), 32, when=user.concern_programmes.all())]


def home_section(request):
    from binomes.selectors import member_pairs
    from sessions.selectors import DUE_HOOKS, due_for_user

    due = due_for_user(user=request.user, pairs=member_pairs(request))
    if not due or not due.get("pairs"):
        return []
    # "All up to date" only when nothing is due anywhere: the other apps' items join the list.
    elsewhere = [item for hook in DUE_HOOKS for item in hook(request)]
    return [{"template": "sessions/_home.html", **due, "elsewhere": elsewhere}]


def delegate_section(request):
    """For a senior's delegate: the senior's sessions ahead, to book or move (booking data only)."""
    from django.urls import reverse
    from django.utils import timezone

    from mentorat.core import navigation
    from sessions.models import MentoringSession
    from sessions.selectors import delegated_sessions

    # The navigation (read once per request, shown on the page anyway) already knows whether the user
    # is a delegate ("Sessions I book"): nobody else pays a query for this section.
    if not any(item.url == reverse("sessions:delegated") for item in navigation.items_for(request)):
        return []
    rows = delegated_sessions(user=request.user)
    if rows is None:
        return []
    now = timezone.now()
    ahead = [s for s in rows if s.status == MentoringSession.Status.PLANNED and s.starts_at >= now]
    return [{"template": "sessions/_home_delegated.html", "sessions": ahead[:5], "more": max(len(ahead) - 5, 0)}]


def programme_panel(request, programme, roles):
    if "coordinator" in roles:
        return [{"template": "sessions/_programme_followup.html"}]
    return []
