"""The home's sections for the roles that run and watch the programmes (registered in
``EvaluationConfig.ready``, the app that sees every other): the coordinator's to-do, the
executive's headline figures and the sponsor's programmes at a glance. Each reads a fixed number
of queries whatever the data (``evaluation.selectors``: ``coordinator_todo``, ``dashboard_total``,
``sponsored_glance``); the figures are the dashboard's, under its anonymity rule."""

from __future__ import annotations

from django.urls import reverse

from evaluation import definitions, selectors
from mentorat.core import navigation
from mentorat.core.permissions import is_executive

# The executive's headline: the programme's reach, its rhythm, what participants say, the silos joined.
HEADLINE = ("active_pairs", "session_completion", "satisfaction", "nps", "cross_department_rate")
AT_RISK_SHOWN = 5


def coordinator_section(request) -> list[dict]:
    todo = selectors.coordinator_todo(user=request.user)
    if todo is None:
        return []
    for row in todo["rows"]:
        row["at_risk_shown"], row["at_risk_more"] = row["at_risk"][:AT_RISK_SHOWN], max(len(row["at_risk"]) - AT_RISK_SHOWN, 0)
    return [{"template": "evaluation/_home_coordinator.html", **todo}]


def executive_section(request) -> list[dict]:
    if not is_executive(request.user):
        return []
    total = selectors.dashboard_total(user=request.user)
    if total is None:
        return []
    cards = {card["key"]: card for card in definitions.cards(total)}
    return [{"template": "evaluation/_home_executive.html", "cards": [cards[key] for key in HEADLINE],
             "threshold": selectors.threshold()}]


def sponsor_section(request) -> list[dict]:
    # The navigation (read once per request, and shown on the page anyway) already knows whether the
    # user sees a dashboard: a participant who sponsors nothing costs no query here.
    dashboard = reverse("evaluation:dashboard")
    if not any(item.url == dashboard for item in navigation.items_for(request)):
        return []
    rows = selectors.sponsored_glance(user=request.user)
    if not rows:
        return []
    for row in rows:
        cards = {card["key"]: card for card in definitions.cards(row["figures"])}
        row["satisfaction"] = cards["satisfaction"]
        row["active_pairs"] = row["figures"]["active_pairs"]
        row["held"], row["due"] = row["figures"]["sessions_held"], row["figures"]["sessions_due"]
    return [{"template": "evaluation/_home_sponsor.html", "rows": rows, "threshold": selectors.threshold()}]
