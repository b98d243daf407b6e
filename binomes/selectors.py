"""Reads on pairs, scoped to the user. Members see their own pairs once published; coordinators
see the pairs of the programmes they run (``programmes.selectors.coordinates``: 404 elsewhere);
sponsors and executives see counts only."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from binomes import chemistry, matching
from binomes.models import ChemistryMeeting, ForbiddenPair, Pair, PairingRunReport, Shortlist
from binomes.services import (
    CERTIFICATE_FILTERS,
    chemistry_holidays,
    forbidden_of,
    pairing_settings,
    person_of,
    rules_of,
    unpaired_text,
)
from mentorat.core.models import User
from mentorat.core.selectors import employee_of
from programmes.models import Application, Programme
from programmes.selectors import coordinates

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
    """A pair page: its two members (once published) and the coordinators of its programme; 404
    for anyone else, a coordinator of another programme included."""
    pair = (Pair.objects.select_related(*PAIR_RELATED)
            .prefetch_related("mentor__domain_items__domain", "mentee__domain_items__domain").filter(pk=pk).first())
    if pair is None:
        raise Http404
    if coordinates(user, pair.programme_id):
        return pair
    employee = employee_of(user)
    if employee is not None and pair.status in Pair.VISIBLE_TO_MEMBERS and pair.role_of(employee) is not None:
        return pair
    raise Http404


def pairing_board(*, user: User, programme: Programme) -> dict:
    """Everything the coordinator's pairing board shows, in a fixed number of queries: the pairs
    (each draft with its best alternatives, each certified one marked ``certified``), who is
    unpaired and why (``reason_text``, as recomputed after the last change), the forbidden pairs
    and the open shortlists. 404 for anyone who does not run this programme."""
    if not coordinates(user, programme):
        raise Http404
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
        item["reason_text"] = unpaired_text(item)
    _mark_certified(programme, pairs)
    forbidden = list(ForbiddenPair.objects.filter(programme=programme).select_related("mentor", "mentee", "created_by")
                     .order_by("-created_at", "-pk"))
    return {
        "pairs": pairs, "report": report, "unpaired": unpaired, "forbidden": forbidden,
        "certified": [pair for pair in pairs if pair.certified],
        "mentors": [a for a in approved if a.role == "mentor"], "mentees": [a for a in approved if a.role == "mentee"],
        "shortlists": list(Shortlist.objects.filter(programme=programme, closed_at__isnull=True).select_related("mentee__employee")),
    }


def _mark_certified(programme: Programme, pairs: list[Pair]) -> None:
    """``pair.certified``: the pair earned a certificate (the rule is the evaluation app's, through
    ``CERTIFICATE_FILTERS``: completed and met). One query, only when a pair is completed."""
    completed = [pair.pk for pair in pairs if pair.status == Pair.Status.COMPLETED]
    certified: set[int] = set()
    if completed:
        for keep in CERTIFICATE_FILTERS:
            certified = set(keep(programme.pairs.filter(pk__in=completed)).values_list("pk", flat=True))
    for pair in pairs:
        pair.certified = pair.pk in certified


def pair_get_for_board(*, programme: Programme, pk: int) -> Pair:
    """A pair of this programme for a board action (the caller fetched the programme for its
    coordinator): 404 for a pair of another programme."""
    pair = programme.pairs.select_related("programme", "mentor__employee", "mentee__employee").filter(pk=pk).first()
    if pair is None:
        raise Http404
    return pair


def forbidden_get_for_board(*, programme: Programme, pk: int) -> ForbiddenPair:
    """A forbidden pair of this programme: 404 for one of another programme."""
    forbidden = programme.forbidden_pairs.select_related("mentor", "mentee").filter(pk=pk).first()
    if forbidden is None:
        raise Http404
    return forbidden


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
