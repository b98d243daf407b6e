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
        from binomes import demo, services
        from mentorat.core import demo as core_demo
        from mentorat.core import home
        from programmes import services as programme_services

        if services.on_withdraw not in programme_services.WITHDRAW_HOOKS:
            programme_services.WITHDRAW_HOOKS.append(services.on_withdraw)
        if services.unapprove_guard not in programme_services.UNAPPROVE_GUARDS:
            programme_services.UNAPPROVE_GUARDS.append(services.unapprove_guard)
        from binomes import privacy
        from mentorat.core import privacy as core_privacy

        for registry, item in [(core_privacy.EXPORTERS, privacy.export), (core_privacy.ERASERS, privacy.erase),
                               (core_privacy.RETENTION, privacy.purge)]:
            if item not in registry:
                registry.append(item)
        home.register(home_section)
        if programme_panel not in programme_services.PROGRAMME_PANELS:
            programme_services.PROGRAMME_PANELS.append(programme_panel)
        if demo.seed not in core_demo.SEEDERS:
            core_demo.SEEDERS.append(demo.seed)


def home_section(request):
    from binomes.selectors import pairs_of_user, shortlists_of_user

    pairs = list(pairs_of_user(user=request.user).filter(status__in=["published", "active"]))
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
