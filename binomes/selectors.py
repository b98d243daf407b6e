"""Reads on pairs, scoped to the user. Members see their own pairs once published; coordinators
see everything; sponsors and executives see counts only."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from binomes import chemistry, matching
from binomes.models import ChemistryMeeting, Pair, PairingRunReport, Shortlist
from binomes.services import chemistry_holidays, forbidden_of, pairing_settings, person_of, reason_text, rules_of
from mentorat.core.models import User
from mentorat.core.permissions import is_coordinator
from mentorat.core.selectors import employee_of
from programmes.models import Application, Programme

PAIR_RELATED = ["programme", "mentor__employee__department", "mentor__employee__site",
                "mentee__employee__department", "mentee__employee__site"]


def pairs_of_user(*, user: User) -> QuerySet[Pair]:
    employee = employee_of(user)
    if employee is None:
        return Pair.objects.none()
    # Through the member's applications (an indexed lookup), not a join on both sides: the OR of
    # two joins made PostgreSQL scan every pair and application on each page; their ids as a list
    # (a person has a few), so the OR is two index lookups instead of a scan of the pairs.
    own = list(Application.objects.filter(employee=employee).values_list("pk", flat=True))
    return (
        Pair.objects.filter(Q(mentor__in=own) | Q(mentee__in=own), status__in=Pair.VISIBLE_TO_MEMBERS)
        .select_related(*PAIR_RELATED)
    )


def member_pairs(request) -> list[Pair]:
    """The pairs the request's user is a member of (every state a member sees), with their
    programme and people: read once per request for every home section that needs them."""
    pairs = getattr(request, "_member_pairs", None)
    if pairs is None:
        user = request.user
        pairs = request._member_pairs = list(pairs_of_user(user=user)) if user.is_authenticated else []
    return pairs


def pair_get_for_user(*, user: User, pk: int) -> Pair:
    """A pair page: its two members (once published) and coordinators; 404 for anyone else."""
    qs = Pair.objects.select_related(*PAIR_RELATED).prefetch_related("mentor__domain_items__domain", "mentee__domain_items__domain")
    if not is_coordinator(user):
        qs = qs.filter(pk__in=pairs_of_user(user=user).values("pk"))
    try:
        return qs.get(pk=pk)
    except Pair.DoesNotExist:
        raise Http404 from None


def pairing_board(*, user: User, programme: Programme) -> dict:
    """Everything the coordinator's pairing board shows, in a fixed number of queries."""
    if not is_coordinator(user):
        raise PermissionDenied
    pairs = list(
        programme.pairs.exclude(status=Pair.Status.DISCARDED).select_related(*PAIR_RELATED).order_by("status", "-score", "pk")
    )
    report = PairingRunReport.objects.filter(programme=programme).first()
    unpaired = []
    if report:
        apps = Application.objects.select_related("employee").in_bulk([u["application"] for u in report.unpaired])
        live = {p.mentee_id for p in pairs if p.status in Pair.LIVE} | {p.mentor_id for p in pairs if p.status in Pair.LIVE}
        for item in report.unpaired:
            application = apps.get(item["application"])
            if application is not None and application.pk not in live:
                unpaired.append({**item, "application": application})
    approved = list(Application.objects.filter(programme=programme, status=Application.Status.APPROVED)
                    .select_related("employee").prefetch_related("domain_items__domain"))
    _attach_alternatives(programme, pairs, [a for a in approved if a.role == "mentor"],
                         {a.pk: a for a in approved if a.role == "mentee"})
    for item in unpaired:
        item["reason_text"] = reason_text(item["reason"])
    return {
        "pairs": pairs, "report": report, "unpaired": unpaired,
        "mentors": [a for a in approved if a.role == "mentor"], "mentees": [a for a in approved if a.role == "mentee"],
        "shortlists": list(Shortlist.objects.filter(programme=programme, closed_at__isnull=True).select_related("mentee__employee")),
    }


def _attach_alternatives(programme: Programme, pairs: list[Pair], mentors: list[Application],
                         mentees: dict[int, Application]) -> None:
    """Give each draft proposal its three best other eligible mentors (``pair.alternatives``):
    what the coordinator weighs when locking or forbidding. No query per pair."""
    proposed = [pair for pair in pairs if pair.status == Pair.Status.PROPOSED and pair.mentee_id in mentees]
    if not proposed or not mentors:
        return
    people = [person_of(a) for a in mentors]
    by_id = {a.pk: a for a in mentors}
    weights, rules, forbidden = pairing_settings(programme).weights(), rules_of(programme), forbidden_of(programme)
    for pair in proposed:
        options = matching.alternatives(person_of(mentees[pair.mentee_id]), people, rules, weights, forbidden,
                                        exclude=[pair.mentor_id])
        pair.alternatives = [(by_id[o.mentor], o.score) for o in options]


def shortlist_options(*, shortlist: Shortlist) -> list[tuple[Application, dict]]:
    """The mentors offered by a shortlist, with their score and breakdown, in the offered order."""
    mentors = (Application.objects.select_related("employee__department", "employee__site")
               .prefetch_related("domain_items__domain").in_bulk([o["mentor"] for o in shortlist.options]))
    return [(mentors[o["mentor"]], o) for o in shortlist.options if o["mentor"] in mentors]


def pair_counts(*, programme: Programme) -> dict[str, int]:
    """How many pairs in each state: what sponsors and executives see of the pairing."""
    counts = {status: 0 for status in Pair.Status.values}
    for row in programme.pairs.values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def shortlist_get_for_user(*, user: User, pk: int) -> Shortlist:
    employee = employee_of(user)
    try:
        return Shortlist.objects.select_related("programme", "mentee__employee").get(pk=pk, mentee__employee=employee)
    except Shortlist.DoesNotExist:
        raise Http404 from None


def shortlists_of_user(*, user: User) -> QuerySet[Shortlist]:
    employee = employee_of(user)
    return Shortlist.objects.filter(mentee__employee=employee, closed_at__isnull=True).select_related("programme")


def chemistry_help(*, pair: Pair, now: datetime.datetime | None = None) -> dict:
    """What helps a published pair book its chemistry meeting: the weekly slots both declared
    (labels, Monday morning first; empty when none), a proposed time (the next working-day
    occurrence of the first of them, at least two working days ahead; None without one), the
    meeting already sent and not withdrawn, if any, and the time to fill the form with."""
    from programmes.models import slot_label

    now = now or timezone.now()
    today = timezone.localdate(now)
    slots = chemistry.common_slots(pair.mentor.availability, pair.mentee.availability)
    holidays = chemistry_holidays(pair, today, today + datetime.timedelta(days=60))
    proposed = chemistry.proposed_time(slots, today=today, holidays=holidays, tz=timezone.get_default_timezone())
    meeting = ChemistryMeeting.objects.filter(pair=pair).first()
    current = meeting if meeting is not None and not meeting.cancelled else None
    from mentorat.core.outbox import when

    return {"slots": [slot_label(s) for s in slots], "proposed": proposed, "meeting": current,
            "initial": current.starts_at if current else proposed,
            "proposed_text": when(proposed) if proposed else "", "meeting_text": when(current.starts_at) if current else ""}
