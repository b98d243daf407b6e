"""Reads on sessions, scoped to the user. Members (and the senior's delegate for scheduling) see
their pair's sessions; coordinators see metadata only — never notes, never log content."""

from __future__ import annotations

import copy
import datetime
from collections import defaultdict
from typing import NamedTuple

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from binomes.models import Pair
from binomes.selectors import pairs_of_user
from mentorat.core import scopes
from mentorat.core.models import User
from mentorat.core.selectors import employee_of
from programmes.models import Application, Programme
from programmes.selectors import coordinates, programme_milestones
from sessions.models import Commitment, Concern, Delegate, GoalChange, LearningGoal, MentoringSession, PrivateNote


class SessionRow(NamedTuple):
    starts_at: datetime.datetime
    status: str
    cancelled_by: str


SESSION_RELATED = ["pair__programme", "pair__mentor__employee", "pair__mentee__employee"]
MEMBER_PAIR_STATES = [Pair.Status.ACTIVE, Pair.Status.COMPLETED, Pair.Status.ENDED]


def pairs_with_sessions(*, user: User) -> QuerySet[Pair]:
    """Pairs whose sessions the user may see as a member or as a senior's delegate."""
    # Through the applications (indexed lookups), not an OR across joins on both members, which made
    # PostgreSQL scan every pair and application on each page.
    employee = employee_of(user)
    own = Application.objects.filter(employee=employee) if employee is not None else Application.objects.none()
    delegated = Application.objects.filter(employee__in=delegations_in_force(user=user).values("senior"))
    return Pair.objects.filter(Q(mentor__in=own.values("pk")) | Q(mentee__in=own.values("pk"))
                               | Q(mentee__in=delegated.values("pk")), status__in=MEMBER_PAIR_STATES)


def pair_for_member(*, user: User, pk: int) -> Pair:
    """The pair workspace: its two members only; 404 for anyone else (coordinators included: they
    have the follow-up view, which shows metadata only; the senior's delegate has the list of the
    senior's sessions, ``delegated_sessions``, without goals, commitments, themes or notes)."""
    pair = (Pair.objects.select_related("programme", "mentor__employee__department", "mentee__employee__department")
            .filter(pk=pk).first())
    employee = employee_of(user)
    if (pair is None or employee is None or pair.role_of(employee) is None or not may_see_sessions(user=user, pair=pair)):
        raise Http404
    return pair


def session_get_for_user(*, user: User, pk: int, related: tuple = tuple(SESSION_RELATED)) -> MentoringSession:
    session = MentoringSession.objects.select_related("pair__mentor", "pair__mentee", *related).filter(pk=pk).first()
    if session is None or not may_see_sessions(user=user, pair=session.pair):
        raise Http404
    return session


def may_see_sessions(*, user: User, pair: Pair) -> bool:
    """``pairs_with_sessions`` for one pair already read (with its members): the object first, then
    the check, a primary-key read instead of a search through every pair."""
    if pair.status not in MEMBER_PAIR_STATES:
        return False
    employee = employee_of(user)
    if employee is not None and employee.pk in (pair.mentor.employee_id, pair.mentee.employee_id):
        return True
    return delegations_in_force(user=user).filter(senior_id=pair.mentee.employee_id).exists()


def is_senior(*, user: User) -> bool:
    """Whether the user is a senior who may name a delegate for their sessions: the mentee of an
    active pair. Not a junior mentor, not a mentee whose pairs are all proposed or over."""
    employee = employee_of(user)
    return employee is not None and Pair.objects.filter(mentee__employee=employee, status=Pair.Status.ACTIVE).exists()


def delegations_in_force(*, user: User) -> QuerySet[Delegate]:
    """The user's delegations, none once the delegate's own leave date has come (the delegate
    record may outlive their account by a day: the nightly deactivation)."""
    return Delegate.objects.filter(user=user, user__is_active=True).exclude(
        user__employee__leave_date__lte=timezone.localdate())


def workspace(*, user: User, pair: Pair, now: datetime.datetime | None = None) -> dict:
    """Everything the pair page shows to a member. Notes only for the two members (not a delegate)."""
    now = now or timezone.now()
    sessions = list(pair.sessions.select_related("log").prefetch_related("ratings").order_by("starts_at"))
    employee = employee_of(user)
    role = pair.role_of(employee) if employee else None
    return {
        "role": role,
        "sessions": sessions,
        "upcoming": [s for s in sessions if s.starts_at >= now and s.status == MentoringSession.Status.PLANNED],
        "to_log": [s for s in sessions if s.starts_at < now and s.status == MentoringSession.Status.PLANNED],
        # The "word for your partner" of each rating, for the other member (the word, not the score).
        "partner_words": [(s, r) for s in reversed(sessions) for r in s.ratings.all()
                          if role and r.role != role and r.comment],
        "goals": list(pair.goals.select_related("domain").prefetch_related(
            Prefetch("changes", queryset=GoalChange.objects.select_related("changed_by")))),
        "commitments": list(pair.commitments.all()),
        "notes": list(pair.private_notes.select_related("author")) if role else [],
        "concerns": list(pair.concerns.filter(raised_by=user)) if role == "mentor" else [],
        "concern_contacts": concern_contacts_of(programme=pair.programme) if role == "mentor" else [],
    }


def cancellations(sessions) -> dict:
    """Cancellations by side, and whether the senior's pattern puts the pair at risk: two in a row
    among the senior's last sessions, or a third of the sessions due so far."""
    by_side = {"mentor": 0, "mentee": 0, "coordinator": 0}
    streak = worst = 0
    due = 0
    for session in sessions:
        if session.status == MentoringSession.Status.CANCELLED:
            by_side[session.cancelled_by] = by_side.get(session.cancelled_by, 0) + 1
            streak = streak + 1 if session.cancelled_by == "mentee" else 0
            worst = max(worst, streak)
            due += 1
        elif session.status in (MentoringSession.Status.HELD, MentoringSession.Status.MISSED):
            streak = 0
            due += 1
    at_risk = worst >= 2 or (due >= 3 and by_side["mentee"] * 3 >= due)
    return {"by_side": by_side, "senior_at_risk": at_risk}


def programme_followup(*, user: User, programme: Programme, now: datetime.datetime | None = None) -> list[dict]:
    """The coordinator's view of each pair: counts, risk, how many concerns are open and when the
    last was raised. No content: no notes, no log, no concern's text — and no rating: a pair has
    two raters, so a per-pair figure (or a "low ratings" flag) is one person's score, and each new
    one shows by before/after. Ratings reach coordinators only through the dashboards' release
    steps and blocks."""
    if not coordinates(user, programme):
        raise Http404
    now = now or timezone.now()
    # Only what the follow-up, its e-mails and pages show: the names, the state and its dates (a
    # programme has hundreds of pairs, each five objects; their other fields are never read here).
    pairs = list(
        programme.pairs.filter(status__in=MEMBER_PAIR_STATES)
        .select_related("mentor__employee", "mentee__employee")
        .only("status", "activated_at", "programme_id", "mentor__employee__first_name", "mentor__employee__last_name",
              "mentee__employee__first_name", "mentee__employee__last_name")
        .annotate(open_concerns=Count("concerns", filter=Q(concerns__handled_at__isnull=True), distinct=True),
                  last_concern_at=Max("concerns__created_at"))
    )
    # Counted per pair in SQL (a programme of hundreds of pairs has thousands of sessions); the
    # senior's cancellation streak needs the order, read only for pairs with two or more of them.
    cancelled, held_ = MentoringSession.Status.CANCELLED, MentoringSession.Status.HELD
    past, ahead = Q(starts_at__lt=now), Q(starts_at__gte=now)
    counts = {row["pair_id"]: row for row in (
        MentoringSession.objects.filter(pair__programme=programme, pair__status__in=MEMBER_PAIR_STATES).values("pair_id")
        .annotate(held=Count("pk", filter=past & Q(status=held_)),
                  due=Count("pk", filter=past & ~Q(status=cancelled)),
                  unlogged=Count("pk", filter=past & Q(status=MentoringSession.Status.PLANNED)),
                  counted=Count("pk", filter=past & Q(status__in=[cancelled, held_, MentoringSession.Status.MISSED])),
                  last_held=Max("starts_at", filter=past & Q(status=held_)),
                  next=Min("starts_at", filter=ahead & Q(status=MentoringSession.Status.PLANNED))))}
    sides: dict[int, dict] = {pair.pk: {"mentor": 0, "mentee": 0, "coordinator": 0} for pair in pairs}
    for pair_id, side, n in (MentoringSession.objects.filter(past, pair__programme=programme, status=cancelled,
                                                             pair__status__in=MEMBER_PAIR_STATES)
                             .values_list("pair_id", "cancelled_by").annotate(n=Count("pk"))):
        sides[pair_id][side] = n
    streaks = [pk for pk, by in sides.items() if by["mentee"] >= 2]
    sequences: dict[int, list[SessionRow]] = defaultdict(list)
    for pair_id, *fields in (MentoringSession.objects.filter(past, pair_id__in=streaks).order_by("pair_id", "starts_at")
                             .values_list("pair_id", "starts_at", "status", "cancelled_by")):
        sequences[pair_id].append(SessionRow(*fields))
    rows = []
    for pair in pairs:
        row = counts.get(pair.pk, {"held": 0, "due": 0, "unlogged": 0, "counted": 0, "last_held": None, "next": None})
        by_side = sides[pair.pk]
        if pair.pk in sequences:
            at_risk = cancellations(sequences[pair.pk])["senior_at_risk"]
        else:  # no two senior cancellations: only the share can put the pair at risk
            at_risk = row["counted"] >= 3 and by_side["mentee"] * 3 >= row["counted"]
        last_held = row["last_held"]
        inactive = pair.status == Pair.Status.ACTIVE and (now - (last_held or pair.activated_at or now)).days > 14 * programme.cadence_weeks
        reasons = []
        if at_risk:
            reasons.append("senior_cancellations")
        if inactive:
            reasons.append("inactive")
        rows.append({"pair": pair, "held": row["held"], "due": row["due"], "unlogged": row["unlogged"], "cancelled": by_side,
                     "next": row["next"], "risks": reasons, "open_concerns": pair.open_concerns,
                     "last_concern_at": pair.last_concern_at})
    return rows


def concerns_for_contact(*, user: User) -> QuerySet[Concern]:
    """The concerns this user may read: sent to them (they were a named HR contact of the programme
    when the junior wrote, so the junior saw their name) and they still are one. Nobody else — not
    another coordinator, not a superuser."""
    if not user.is_authenticated or not user.is_active:
        return Concern.objects.none()
    # Nor someone named before they applied to the programme: they may be the senior it is about.
    return (Concern.objects.filter(recipients=user, pair__programme__concern_contacts=user)
            .exclude(pair__programme__applications__employee__user=user)
            .select_related("pair__programme", "pair__mentor__employee", "pair__mentee__employee").distinct())


def concern_get_for_contact(*, user: User, pk: int) -> Concern:
    concern = concerns_for_contact(user=user).filter(pk=pk).first()
    if concern is None:
        raise Http404
    return concern


def concern_contacts_of(*, programme: Programme) -> list[User]:
    """The named contacts who can read a concern now: able to log in, and not taking part in the
    programme (naming refuses participants, but a contact may apply afterwards)."""
    return list(programme.concern_contacts.filter(is_active=True)
                .exclude(employee__applications__programme=programme).order_by("last_name", "first_name", "email"))


def note_get_for_author(*, user: User, pk: int) -> PrivateNote:
    """A private note its author may change: written by this user, in a pair they are still a member
    of. 404 for the other member and for anyone else."""
    employee = employee_of(user)
    note = (PrivateNote.objects.select_related("pair__mentor", "pair__mentee").filter(pk=pk, author=user).first()
            if employee is not None else None)
    if note is None or note.pair.role_of(employee) is None or note.pair.status not in MEMBER_PAIR_STATES:
        raise Http404
    return note


def delegated_sessions(*, user: User) -> list[MentoringSession] | None:
    """The sessions of the seniors this user is the delegate of (active pairs), for booking: None
    when the user is nobody's delegate. The page shows what booking needs: date, length, place, status."""
    seniors = list(delegations_in_force(user=user).values_list("senior", flat=True))
    if not seniors:
        return None
    return list(MentoringSession.objects.filter(pair__mentee__employee__in=seniors, pair__status=Pair.Status.ACTIVE)
                .select_related("pair__mentee__employee").order_by("starts_at"))


def feed_sessions(*, user: User) -> QuerySet[MentoringSession]:
    """What a personal calendar feed lists: the sessions of the user's pairs (members only)."""
    employee = employee_of(user)
    if employee is None:
        return MentoringSession.objects.none()
    own = Application.objects.filter(employee=employee).values("pk")
    # The pair ids first: given a subquery, PostgreSQL hashed every session instead of using the index.
    pairs = list(Pair.objects.filter(Q(mentor__in=own) | Q(mentee__in=own), status__in=MEMBER_PAIR_STATES)
                 .values_list("pk", flat=True))
    return (MentoringSession.objects.filter(pair__in=pairs)
            .select_related(*SESSION_RELATED).order_by("starts_at"))


# What else is due, from the apps above (evaluation: surveys to answer), for the home's "What is due":
# ``hook(request) -> list[dict]``, each ``{"label", "url"}``. Filled in their ``AppConfig.ready``.
DUE_HOOKS: list = []


def _milestones_ahead(programme_ids, today: datetime.date, limit: int = 4) -> list:
    """The next milestones of these programmes, soonest first (from the cached programme milestones)."""
    ahead = [m for ms in programme_milestones(programme_ids).values() for m in ms if m.date >= today]
    return sorted(ahead, key=lambda m: (m.date, m.pk))[:limit]


# A pair's sessions (with the sides that rated each), open commitments and goals change only by writes
# that touch the pair's scope (their models say so): the participant's home reads them without a
# query until one of them is written. The time-dependent split (next, to log) is made per request.
PAIR_HOME_TIMEOUT = 3600


def pair_home_states(pair_ids: list[int]) -> list[dict]:
    """Per pair id: ``{"sessions", "commitments", "goals"}``, cached under the pair's scope."""
    def compute(parts):
        (pair_id,) = parts
        sessions = list(MentoringSession.objects.filter(pair_id=pair_id).order_by("starts_at", "pk").prefetch_related("ratings"))
        for session in sessions:
            session.rated_roles = frozenset(rating.role for rating in session.ratings.all())
            session._prefetched_objects_cache = {}
        return {"sessions": sessions,
                "commitments": list(Commitment.objects.filter(pair_id=pair_id, status=Commitment.Status.OPEN)),
                "goals": list(LearningGoal.objects.filter(pair_id=pair_id).exclude(status="dropped")[:6])}

    return scopes.cached_many("pair-home", [((pk,), [("pair", pk)]) for pk in pair_ids], compute,
                              timeout=PAIR_HOME_TIMEOUT)


def due_for_user(*, user: User, now: datetime.datetime | None = None, pairs: list[Pair] | None = None) -> dict:
    """The participant home: next session, sessions to log, sessions to rate, open commitments.
    ``pairs``: the user's, as ``binomes.selectors.pairs_of_user`` reads them, if already read."""
    now = now or timezone.now()
    employee = employee_of(user)
    if employee is None:
        return {}
    # The member's pairs are read once per request for every home section (``member_pairs``); each
    # session gets its pair from them instead of joining it again.
    if pairs is None:
        pairs = pairs_of_user(user=user)
    active = {pair.pk: pair for pair in pairs if pair.status == Pair.Status.ACTIVE}
    states = pair_home_states(sorted(active))
    sessions, role_of, commitments, goals = [], {}, [], []
    for pair_id, state in zip(sorted(active), states, strict=True):
        pair = active[pair_id]
        for cached_session in state["sessions"]:
            session = copy.copy(cached_session)  # the cached object is shared: the pair is this request's
            session.pair = pair
            sessions.append(session)
            role_of[session.pk] = "mentor" if pair.mentor.employee_id == employee.pk else "mentee"
        if pair.mentee.employee_id == employee.pk:
            commitments += state["commitments"]
        goals += state["goals"]
    sessions.sort(key=lambda session: (session.starts_at, session.pk))
    upcoming = [s for s in sessions if s.starts_at >= now and s.status == MentoringSession.Status.PLANNED]
    return {
        "next": upcoming[0] if upcoming else None,
        "to_log": [s for s in sessions if s.starts_at < now and s.status == MentoringSession.Status.PLANNED],
        "to_rate": [s for s in sessions if s.status == MentoringSession.Status.HELD
                    and role_of[s.pk] not in s.rated_roles][-3:],
        "commitments": commitments,
        "pairs": list({s.pair_id: s.pair for s in sessions}.values()),
        "goals": goals[:6],
        "milestones": _milestones_ahead({s.pair.programme_id for s in sessions}, timezone.localdate(now)),
    }


class PairAtRisk(NamedTuple):
    pair_id: int
    programme_id: int
    mentor: str
    mentee: str
    reasons: tuple[str, ...]


def followup_todo(*, programme_ids: list[int], now: datetime.datetime | None = None) -> dict[int, dict]:
    """The coordinator's to-do from the follow-up, for several programmes at once (the caller has
    already kept those the user runs): ``{programme id: {"at_risk": [PairAtRisk], "overdue": n}}``,
    ``overdue`` counting the past sessions still to log. The same pairs and the same rules as
    ``programme_followup`` (its "at risk" and "to log" columns), in three queries whatever the
    number of programmes and pairs (two when no senior cancelled twice). Names only: no content."""
    now = now or timezone.now()
    result = {pk: {"at_risk": [], "overdue": 0} for pk in programme_ids}
    if not programme_ids:
        return result
    cancelled, held_ = MentoringSession.Status.CANCELLED, MentoringSession.Status.HELD
    past = Q(starts_at__lt=now)
    counts = {row["pair_id"]: row for row in (
        MentoringSession.objects.filter(pair__programme_id__in=programme_ids, pair__status__in=MEMBER_PAIR_STATES)
        .values("pair_id")
        .annotate(unlogged=Count("pk", filter=past & Q(status=MentoringSession.Status.PLANNED)),
                  counted=Count("pk", filter=past & Q(status__in=[cancelled, held_, MentoringSession.Status.MISSED])),
                  by_mentee=Count("pk", filter=past & Q(status=cancelled, cancelled_by="mentee")),
                  last_held=Max("starts_at", filter=past & Q(status=held_))))}
    pairs = list(Pair.objects.filter(programme_id__in=programme_ids, status__in=MEMBER_PAIR_STATES)
                 .values_list("pk", "programme_id", "status", "activated_at", "programme__cadence_weeks",
                              "mentor__employee__first_name", "mentor__employee__last_name",
                              "mentee__employee__first_name", "mentee__employee__last_name")
                 .order_by("programme_id", "mentee__employee__last_name", "pk"))
    streaks = [pk for pk, row in counts.items() if row["by_mentee"] >= 2]
    sequences: dict[int, list[SessionRow]] = defaultdict(list)
    if streaks:
        for pair_id, *fields in (MentoringSession.objects.filter(past, pair_id__in=streaks).order_by("pair_id", "starts_at")
                                 .values_list("pair_id", "starts_at", "status", "cancelled_by")):
            sequences[pair_id].append(SessionRow(*fields))
    empty = {"unlogged": 0, "counted": 0, "by_mentee": 0, "last_held": None}
    for pk, programme_id, status, activated_at, cadence, *names in pairs:
        row = counts.get(pk, empty)
        result[programme_id]["overdue"] += row["unlogged"]
        if pk in sequences:
            at_risk = cancellations(sequences[pk])["senior_at_risk"]
        else:
            at_risk = row["counted"] >= 3 and row["by_mentee"] * 3 >= row["counted"]
        inactive = status == Pair.Status.ACTIVE and (now - (row["last_held"] or activated_at or now)).days > 14 * cadence
        reasons = (("senior_cancellations",) if at_risk else ()) + (("inactive",) if inactive else ())
        if reasons:
            result[programme_id]["at_risk"].append(PairAtRisk(pk, programme_id, f"{names[0]} {names[1]}",
                                                              f"{names[2]} {names[3]}", reasons))
    return result


