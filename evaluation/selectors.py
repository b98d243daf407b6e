"""Reads of the evaluation, scoped to the user.

Participants see their own surveys and their own progress. Dashboards aggregate in SQL with a
fixed number of queries whatever the data: the operational counts are grouped by programme,
and each figure about answers comes from one *family* of cells (``anonymity.Groups``) over every
programme, so the anonymity rule compares a group with every filter that contains it, whoever
looks. Nobody reads an individual answer here: only counts and sums leave the database.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from binomes.models import Pair
from binomes.selectors import pair_counts, pairs_of_user
from evaluation import kpis
from evaluation.anonymity import Cell, Groups
from evaluation.models import Answer, Question, RatingRelease, Response, Survey, Testimonial
from mentorat.core import outbox, scopes
from mentorat.core.models import Department, JobLevelChange, Notification, Site, User
from mentorat.core.permissions import is_coordinator, is_executive, is_hr_lead
from mentorat.core.selectors import employee_of
from programmes.models import Application, LearningDomain, Milestone, Objective, Programme, add_months
from programmes.selectors import application_counts, coordinated_filter, coordinates, programme_milestones
from sessions.models import Commitment, LearningGoal, MentoringSession, SessionRating
from sessions.selectors import pair_home_states, programme_followup

DASHBOARD_TTL = 5 * 60
MEMBER_STATES = [Pair.Status.ACTIVE, Pair.Status.COMPLETED, Pair.Status.ENDED]
PAIRED_STATES = [Pair.Status.PUBLISHED, Pair.Status.ACTIVE, Pair.Status.COMPLETED, Pair.Status.ENDED]


def threshold() -> int:
    return kpis.threshold_of(settings.MENTORAT_ANONYMITY_THRESHOLD)


# --- When a survey is open ------------------------------------------------------------------------

def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(0, 0)))


def review_opening(survey: Survey, milestones: dict | None = None) -> datetime.date:
    """Mid-point and final reviews open on ``opens_on``, else on the programme's matching
    milestone, else half-way through / two weeks before the end."""
    if survey.opens_on:
        return survey.opens_on
    programme = survey.programme
    if milestones is None:
        milestones = {m.kind: m.date for m in programme.milestones.filter(kind__in=["midpoint", "final"])}
    if survey.moment in milestones:
        return milestones[survey.moment]
    if survey.moment == Survey.Moment.MIDPOINT:
        return programme.start_date + (programme.end_date - programme.start_date) / 2
    return programme.end_date - datetime.timedelta(days=14)


def survey_window(*, survey: Survey, pair: Pair | None = None, session: MentoringSession | None = None,
                  milestones: dict | None = None) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """(opens, closes) of the survey for this pair (and session, for a pulse); (None, None) when it
    never opens for them (pair not active yet, session not held, survey switched off)."""
    if not survey.is_active:
        return None, None
    length = datetime.timedelta(days=survey.days_open)
    if survey.moment == Survey.Moment.BASELINE:
        opens = pair.activated_at if pair is not None else None
    elif survey.moment == Survey.Moment.PULSE:
        opens = session.starts_at if session is not None and session.status == MentoringSession.Status.HELD else None
    else:
        opens = _start_of(review_opening(survey, milestones))
        if pair is not None and (pair.activated_at is None or pair.activated_at > opens + length):
            return None, None
    if opens is None:
        return None, None
    return opens, opens + length


# --- The participant's surveys ----------------------------------------------------------------------

SURVEYS_TIMEOUT = 3600


def programme_surveys(programme_ids) -> dict[int, list[Survey]]:
    """Each programme's active surveys (its programme joined), cached under the programme's scopes
    (a survey or the programme written touches them). Shared objects: callers do not change them."""
    ids = sorted(set(programme_ids))

    def compute(parts):
        return list(Survey.objects.filter(programme_id=parts[0], is_active=True).select_related("programme"))

    values = scopes.cached_many("programme-surveys", [((pk,), [("results", pk), ("programme", pk)]) for pk in ids],
                                compute, timeout=SURVEYS_TIMEOUT)
    return dict(zip(ids, values, strict=True))


def surveys_for_user(*, user: User, now: datetime.datetime | None = None, pairs: list[Pair] | None = None) -> list[dict]:
    """Open surveys of the user's pairs, answered or not, soonest closing first; five queries
    (four given ``pairs``, the user's as ``binomes.selectors.pairs_of_user`` reads them)."""
    now = now or timezone.now()
    employee = employee_of(user)
    if employee is None:
        return []
    if pairs is None:
        pairs = pairs_of_user(user=user)
    pairs = [pair for pair in pairs if pair.status in MEMBER_STATES]
    if not pairs:
        return []
    programme_ids = {p.programme_id for p in pairs}
    surveys = [survey for surveys in programme_surveys(programme_ids).values() for survey in surveys]
    milestones = defaultdict(dict)
    for programme_id, items in programme_milestones(programme_ids).items():
        for m in items:
            if m.kind in (Milestone.Kind.MIDPOINT, Milestone.Kind.FINAL):
                milestones[programme_id][m.kind] = m.date
    answered = {(survey, session): released is not None for survey, session, released in
                Response.objects.filter(respondent=employee).values_list("survey_id", "session_id", "released_in_id")}
    # The pairs' held sessions from the home's cached pair state (sessions.selectors), no query when warm.
    since = now - datetime.timedelta(days=120)
    held = {pair.pk: [session for session in state["sessions"]
                      if session.status == MentoringSession.Status.HELD and session.starts_at >= since]
            for pair, state in zip(pairs, pair_home_states([pair.pk for pair in pairs]), strict=True)}
    items = []
    for pair in pairs:
        role = pair.role_of(employee)
        for survey in surveys:
            if survey.programme_id != pair.programme_id or survey.audience != role:
                continue
            sessions = held[pair.pk] if survey.moment == Survey.Moment.PULSE else [None]
            for session in sessions:
                opens, closes = survey_window(survey=survey, pair=pair, session=session, milestones=milestones[pair.programme_id])
                if opens is None or not opens <= now < closes:
                    continue
                key = (survey.pk, session.pk if session else None)
                items.append({"survey": survey, "pair": pair, "session": session, "closes": closes,
                              "answered": key in answered, "released": answered.get(key, False)})
    return sorted(items, key=lambda item: (item["answered"], item["closes"]))


def survey_entry_for_user(*, user: User, survey_pk: int, session_pk: int | None = None) -> dict:
    """The survey a user may answer (or edit): their pair, session and current response. 404 otherwise."""
    employee = employee_of(user)
    if employee is None:
        raise Http404
    survey = Survey.objects.select_related("programme").filter(pk=survey_pk).first()
    if survey is None:
        raise Http404
    pair = (Pair.objects.filter(Q(mentor__employee=employee) | Q(mentee__employee=employee), programme=survey.programme,
                                status__in=MEMBER_STATES)
            .select_related("programme", "mentor__employee", "mentee__employee").order_by("-activated_at").first())
    if pair is None or pair.role_of(employee) != survey.audience:
        raise Http404
    session = None
    if survey.moment == Survey.Moment.PULSE:
        session = MentoringSession.objects.filter(pk=session_pk, pair=pair).first() if session_pk else None
        if session is None:
            raise Http404
    elif session_pk:
        raise Http404
    response = Response.objects.filter(survey=survey, respondent=employee, session=session).prefetch_related("answers").first()
    opens, closes = survey_window(survey=survey, pair=pair, session=session)
    return {"survey": survey, "pair": pair, "session": session, "response": response, "opens": opens, "closes": closes,
            "questions": list(survey.questions.all()), "domains": domains_for(pair)}


def domains_for(pair: Pair) -> list[LearningDomain]:
    """The domains a skill question asks about: the senior's priorities, else the programme's."""
    from programmes.models import ApplicationDomain

    ids = ApplicationDomain.objects.filter(application=pair.mentee).values_list("domain_id", flat=True)
    return list(LearningDomain.objects.filter(pk__in=ids)) or list(pair.programme.domains.all())


# --- Who sees which dashboard ---------------------------------------------------------------------

def sees_every_programme(user: User) -> bool:
    """Executives and HR leads read the figures of every programme (the roll-up)."""
    return is_executive(user) or is_hr_lead(user)


def dashboard_programmes(*, user: User) -> QuerySet[Programme]:
    """Executives and HR leads: every programme past its draft. Coordinators: those they run, and
    those they sponsor. Sponsors: theirs. Others: 403."""
    if sees_every_programme(user):
        return Programme.objects.exclude(status=Programme.Status.DRAFT)
    mine = Q(sponsors__user=user)
    if is_coordinator(user):
        mine |= coordinated_filter(user, "pk")
    visible = Programme.objects.filter(mine).exclude(status=Programme.Status.DRAFT).distinct()
    if user.is_authenticated and (is_coordinator(user) or visible.exists()):
        return visible
    raise PermissionDenied


def can_see_dashboard(user: User) -> bool:
    if not user.is_authenticated:
        return False
    return sees_every_programme(user) or is_coordinator(user) or Programme.objects.filter(sponsors__user=user).exists()


@dataclass
class Filters:
    programme: int | None = None
    cohort: int | None = None
    department: int | None = None
    site: int | None = None

    def constraints(self) -> dict:
        return {k: v for k, v in {"programme": self.programme, "cohort": self.cohort, "department": self.department,
                                  "site": self.site}.items() if v is not None}


def dashboard_options(*, user: User) -> dict:
    programmes = list(dashboard_programmes(user=user).order_by("start_date", "name"))
    return {"programmes": programmes, "cohorts": sorted({p.start_date.year for p in programmes}),
            "departments": list(Department.objects.order_by("name")), "sites": list(Site.objects.order_by("name"))}


# --- Families of answers (one query each, over every programme) -------------------------------------

DIMS = ("programme", "cohort", "department", "site", "moment", "role", "step")
# Blocks of respondents follow this order: whole moments and roles first (the dashboard's cards
# read the final review of both roles), then cohorts, programmes, departments and sites.
HIERARCHY = ("moment", "role", "cohort", "programme", "department", "site")


def _cohorts() -> dict[int, int]:
    return {pk: start.year for pk, start in Programme.objects.values_list("pk", "start_date")}


def _cells(rows, cohorts, sums: tuple[str, ...], extra: tuple[str, ...] = ()) -> list[Cell]:
    cells = []
    for row in rows:
        key = (row["programme"], cohorts.get(row["programme"]), row["department"], row["site"], row["moment"], row["role"],
               row.get("step"))
        key += tuple(row[name] for name in extra)
        cells.append(Cell(key, row["n"], tuple(row[name] or 0 for name in sums)))
    return cells


# Only released responses count (``ResultRelease``): each release is a step of its own.
_RESPONSE_DIMS = {"programme": F("response__survey__programme_id"), "department": F("response__department_id"),
                  "site": F("response__site_id"), "moment": F("response__survey__moment"), "role": F("response__role"),
                  "step": F("response__released_in_id")}
_RELEASED = Q(response__released_in__isnull=False)


def _family_scale(answers: QuerySet, cohorts, domain: bool = False) -> tuple:
    dims = dict(_RESPONSE_DIMS, **({"dom": F("domain_id")} if domain else {}))
    rows = answers.filter(_RELEASED).values(**dims).annotate(n=Count("response", distinct=True), total=Sum("value"),
                                                             count=Count("id"))
    return DIMS + (("domain",) if domain else ()), _cells(rows, cohorts, ("total", "count"), ("dom",) if domain else ())


def _family_cells(programme_id: int, cohorts: dict[int, int]) -> dict[str, tuple]:
    """{family: (dimensions, cells)} of one programme's released answers and ratings: six grouped
    queries. They change only when the programme releases a step (``ResultRelease``,
    ``RatingRelease``), its questions or its dates change: the ``("results", pk)`` scope."""
    answers = Answer.objects.filter(response__survey__programme_id=programme_id)
    families = {
        "satisfaction": _family_scale(answers.filter(question__measures="satisfaction", value__isnull=False), cohorts),
        "skill_self": _family_scale(answers.filter(question__kind=Question.Kind.SKILL_SELF, domain__isnull=False,
                                                   value__isnull=False), cohorts, domain=True),
        "skill_mentor": _family_scale(answers.filter(question__kind=Question.Kind.SKILL_MENTOR, domain__isnull=False,
                                                     value__isnull=False), cohorts, domain=True),
    }
    rows = (answers.filter(_RELEASED, question__kind=Question.Kind.RECOMMEND, value__isnull=False).values(**_RESPONSE_DIMS)
            .annotate(n=Count("response", distinct=True), promoters=Count("id", filter=Q(value__gte=9)),
                      passives=Count("id", filter=Q(value__in=[7, 8])), detractors=Count("id", filter=Q(value__lte=6))))
    families["recommend"] = (DIMS, _cells(rows, cohorts, ("promoters", "passives", "detractors")))
    # The same senior's baseline answer on the same domain, found through the pair (it survives erasure).
    # Baseline response first (index on pair and role), then its answer (index on response):
    # letting the database start from the domain instead scans every answer of that domain.
    # The baseline must be released too, or its edits would move a published figure.
    baseline = Response.objects.filter(pair=OuterRef(OuterRef("response__pair")), role=OuterRef(OuterRef("response__role")),
                                       survey__moment=Survey.Moment.BASELINE, released_in__isnull=False).values("pk")[:1]
    before = Answer.objects.filter(response_id=Subquery(baseline), domain=OuterRef("domain"),
                                   question__kind=Question.Kind.SKILL_SELF, value__isnull=False).values("value")[:1]
    rows = (answers.filter(_RELEASED, question__kind=Question.Kind.SKILL_SELF,
                           response__survey__moment=Survey.Moment.FINAL, domain__isnull=False, value__isnull=False,
                                  response__pair__isnull=False)
            .annotate(before=Subquery(before)).filter(before__isnull=False).values(**_RESPONSE_DIMS)
            .annotate(n=Count("response", distinct=True),
                      gained=Count("response", distinct=True, filter=Q(value__gt=F("before")))))
    families["skill_gain"] = (DIMS, _cells(rows, cohorts, ("gained",)))
    rater = {"programme": F("session__pair__programme_id"), "moment": Value("session", output_field=CharField()),
             "department": Case(When(role="mentor", then=F("session__pair__mentor__employee__department_id")),
                                default=F("session__pair__mentee__employee__department_id")),
             "site": Case(When(role="mentor", then=F("session__pair__mentor__employee__site_id")),
                          default=F("session__pair__mentee__employee__site_id"))}
    # A rating counts once released (``RatingRelease``): its step is the first release covering its id.
    step = (RatingRelease.objects.filter(programme=OuterRef("session__pair__programme"), up_to__gte=OuterRef("pk"))
            .order_by("up_to").values("pk")[:1])
    rows = (SessionRating.objects.filter(session__pair__programme_id=programme_id).annotate(step=Subquery(step)).filter(step__isnull=False).values("role", "step", **rater)
            .annotate(n=Count("session__pair", distinct=True), total=Sum("score"), count=Count("id")))
    families["rating"] = (DIMS, _cells(rows, cohorts, ("total", "count")))
    return families


FAMILIES = ("satisfaction", "skill_self", "skill_mentor", "recommend", "skill_gain", "rating")
# Released figures change only with a release step: the scope says when; this bounds the rest.
RESULTS_TTL = 3600


def _scope_of(user: User) -> dict:
    """What a user's figures are computed over: every programme, or those they run or sponsor."""
    if sees_every_programme(user):
        return {}
    return {"programme": frozenset(dashboard_programmes(user=user).values_list("pk", flat=True))}


def answer_families(*, scope: dict) -> dict[str, Groups]:
    """Satisfaction, recommendation, skills (self and mentor view), skill gain and session ratings,
    as ``Groups`` over the user's scope: blocks of respondents computed from that whole scope, each
    release step on its own, each domain on its own. The cells are the same for everyone: each
    programme's are cached under its ``("results", pk)`` scope, which only a release step, a
    question or a date change touches. The blocks are computed from them on each read, over the
    whole scope, so a cached value cannot show what the rule hides. The built ``Groups`` are kept in
    this process under the same scopes (``shared=False``): rebuilding the blocks costs more than
    the queries."""
    cohorts = _cohorts()
    ids = sorted(scope["programme"]) if "programme" in scope else sorted(cohorts)
    # The directory too: the ratings' cells group raters by their current department and site.
    return scopes.cached("answer-groups", (2, tuple(ids), tuple(sorted(scope)), threshold()),
                         lambda: _answer_groups(scope, ids, cohorts), scopes=[*(("results", pk) for pk in ids), ("directory",)],
                         timeout=RESULTS_TTL, shared=False)


def _answer_groups(scope: dict, ids: list[int], cohorts: dict[int, int]) -> dict[str, Groups]:
    parts = scopes.cached_many("evaluation-cells", [((1, pk), [("results", pk), ("directory",)]) for pk in ids],
                               lambda parts: _family_cells(parts[1], cohorts), timeout=RESULTS_TTL)
    merged: dict[str, tuple] = {}
    for part in parts:
        for name, (dims, rows) in part.items():
            merged.setdefault(name, (dims, []))[1].extend(rows)
    families = {}
    for name in FAMILIES:
        dims, rows = merged.get(name, (DIMS + (("domain",) if name in ("skill_self", "skill_mentor") else ()), []))
        separate = ("step", "domain") if "domain" in dims else ("step",)
        families[name] = Groups(dims, rows, threshold(), scope, hierarchy=HIERARCHY, separate=separate)
    return families


def _mean(figure: dict) -> float | None:
    if not figure["shown"]:
        return None
    total, count = figure["sums"]
    return round(total / count, 2) if count else None


def _nps(figure: dict) -> dict:
    if not figure["shown"]:
        return {"nps": None, "recommendation_rate": None}
    nps = kpis.Nps(*figure["sums"])
    return {"nps": nps.score, "recommendation_rate": nps.recommendation_rate}


def answer_figures(families: dict[str, Groups], constraints: dict) -> dict:
    """The answer-based KPIs of one group, each with its respondents and whether it is shown."""
    final = dict(constraints, moment=Survey.Moment.FINAL)
    satisfaction = families["satisfaction"].figure(final)
    recommend = families["recommend"].figure(final)
    gain = families["skill_gain"].figure(dict(constraints, moment=Survey.Moment.FINAL, role="mentee"))
    rating = families["rating"].figure(constraints)
    return {
        "satisfaction": {"value": _mean(satisfaction), "respondents": satisfaction["respondents"],
                         "shown": satisfaction["shown"]},
        "recommendation_rate": {"value": _nps(recommend)["recommendation_rate"], "respondents": recommend["respondents"],
                                "shown": recommend["shown"]},
        "nps": {"value": _nps(recommend)["nps"], "respondents": recommend["respondents"], "shown": recommend["shown"]},
        "skill_gain_rate": {"value": kpis.rate(gain["sums"][0], gain["respondents"]) if gain["shown"] else None,
                            "respondents": gain["respondents"], "shown": gain["shown"]},
        "session_rating": {"value": _mean(rating), "respondents": rating["respondents"], "shown": rating["shown"]},
    }


# --- Operational counts (grouped by programme, filters in SQL) -----------------------------------------

def _people_q(prefix: str, filters: Filters) -> Q:
    q = Q()
    if filters.department:
        q &= Q(**{f"{prefix}department_id": filters.department})
    if filters.site:
        q &= Q(**{f"{prefix}site_id": filters.site})
    return q


def _pair_q(filters: Filters, prefix: str = "") -> Q:
    """A pair is in a department (site) when either member is."""
    if not (filters.department or filters.site):
        return Q()
    return _people_q(f"{prefix}mentor__employee__", filters) | _people_q(f"{prefix}mentee__employee__", filters)


OPERATIONAL_DIMS = ("programme", "cohort", "department", "site")
OPERATIONAL_HIERARCHY = ("cohort", "programme", "department", "site")


def _pair_key(row: dict, cohorts: dict, prefix: str = "") -> tuple:
    """A pair is in a department (site) when either member is: the key holds both."""
    programme = row[f"{prefix}programme_id"]
    return (programme, cohorts.get(programme),
            frozenset([row[f"{prefix}mentor__employee__department_id"], row[f"{prefix}mentee__employee__department_id"]]),
            frozenset([row[f"{prefix}mentor__employee__site_id"], row[f"{prefix}mentee__employee__site_id"]]))


def _pair_dims(prefix: str = "") -> list[str]:
    return [f"{prefix}programme_id", f"{prefix}mentor__employee__department_id", f"{prefix}mentee__employee__department_id",
            f"{prefix}mentor__employee__site_id", f"{prefix}mentee__employee__site_id"]


def _person_key(row: dict, cohorts: dict, prefix: str) -> tuple:
    programme = row["programme_id"]
    return (programme, cohorts.get(programme), row[f"{prefix}department_id"], row[f"{prefix}site_id"])


# The operational measures come in parts, each read from its own tables and cached under the scopes
# those tables touch: a session logged recomputes "sessions" and "engagement", not the applications.
OPERATIONAL_PARTS = {
    "people": (("applications", "pairs"), ("programme",)),
    "sessions": (("sessions", "engagement"), ("programme", "sessions")),
    "goals": (("goals", "commitments"), ("programme", "goals")),
    "outcomes": (("promotions", "retention_6", "retention_12"), ("programme",)),
}


def _operational_cells(*, programme_ids: list[int], now: datetime.datetime,
                       parts: tuple[str, ...] = tuple(OPERATIONAL_PARTS)) -> dict[str, list[Cell]]:
    """Per measure of ``parts``, its own population in cells over every programme of the scope,
    whatever the filter: applicants (and the people of pairs), pairs, pairs with sessions, goals or
    commitments due, active and completed mentors. Eight queries for every part."""
    today = timezone.localdate(now)
    cohorts = _cohorts()
    cells: dict[str, dict[tuple, list]] = defaultdict(dict)

    def add(measure: str, key: tuple, n: int, sums: dict) -> None:
        entry = cells[measure].setdefault(key, [0, defaultdict(int)])
        entry[0] += n
        for name, value in sums.items():
            entry[1][name] += value or 0

    for row in (Application.objects.filter(programme_id__in=programme_ids if "people" in parts else [])
                .values("programme_id", "role", "status", "employee__department_id", "employee__site_id")
                .annotate(n=Count("pk"))):
        approved = row["n"] if row["status"] == Application.Status.APPROVED else 0
        add("applications", _person_key(row, cohorts, "employee__"), row["n"],
            {f"applications_{row['role']}": row["n"], "applications": row["n"], f"approved_{row['role']}": approved,
             "approved": approved})
    for row in (Pair.objects.filter(programme_id__in=programme_ids if "people" in parts else []).values("status", *_pair_dims())
                .annotate(n=Count("pk"))):
        status = row["status"]
        paired = row["n"] if status in PAIRED_STATES else 0
        add("pairs", _pair_key(row, cohorts), row["n"], {
            "active_pairs": row["n"] if status == Pair.Status.ACTIVE else 0,
            "completed_pairs": row["n"] if status == Pair.Status.COMPLETED else 0,
            # Cross-silo links: a pair whose members work in different departments (sites).
            "paired_pairs": paired,
            "cross_department": paired if row["mentor__employee__department_id"] != row["mentee__employee__department_id"] else 0,
            "cross_site": paired if row["mentor__employee__site_id"] != row["mentee__employee__site_id"] else 0})
        # The people of pairs count with the applicants (each with their own department and site).
        for side in ("mentor", "mentee"):
            add("applications", _person_key(row, cohorts, f"{side}__employee__"), 0,
                {"paired": row["n"] if status in PAIRED_STATES else 0,
                 "active_people": row["n"] if status == Pair.Status.ACTIVE else 0,
                 "completed_people": row["n"] if status == Pair.Status.COMPLETED else 0})
    held, cancelled = MentoringSession.Status.HELD, MentoringSession.Status.CANCELLED
    if "sessions" in parts:
        # Grouped by pair (the session table's own index, no join to the people), then each pair's
        # departments and sites from the pairs read once: the mentors' engagement comes with it.
        pairs = {row["pk"]: row for row in Pair.objects.filter(programme_id__in=programme_ids, status__in=MEMBER_STATES)
                 .values("pk", "status", *_pair_dims())}
        recent = {}
        for row in (MentoringSession.objects.filter(pair__programme_id__in=programme_ids, pair__status__in=MEMBER_STATES)
                    .values("pair_id")
                    .annotate(due=Count("pk", filter=Q(starts_at__lt=now)), held=Count("pk", filter=Q(status=held)),
                              by_mentor=Count("pk", filter=Q(status=cancelled, cancelled_by="mentor")),
                              by_mentee=Count("pk", filter=Q(status=cancelled, cancelled_by="mentee")),
                              by_coordinator=Count("pk", filter=Q(status=cancelled, cancelled_by="coordinator")),
                              recent=Count("pk", filter=Q(status=held, starts_at__gte=now - datetime.timedelta(days=60))))):
            recent[row["pair_id"]] = row["recent"]
            add("sessions", _pair_key(pairs[row["pair_id"]], cohorts), 1,
                {f"sessions_{key}": row[key] for key in ("due", "held", "by_mentor", "by_mentee", "by_coordinator")})
        for pk, pair in pairs.items():
            if pair["status"] == Pair.Status.ACTIVE:
                add("engagement", _person_key(pair, cohorts, "mentor__employee__"), 1,
                    {"mentors_active": 1, "mentors_engaged": 1 if recent.get(pk) else 0})
    for row in (LearningGoal.objects.filter(pair__programme_id__in=programme_ids if "goals" in parts else []).exclude(status=LearningGoal.Status.DROPPED)
                .values(*_pair_dims("pair__"))
                .annotate(n=Count("pair", distinct=True), total=Count("pk"),
                          achieved=Count("pk", filter=Q(status=LearningGoal.Status.ACHIEVED)))):
        add("goals", _pair_key(row, cohorts, "pair__"), row["n"], {"goals": row["total"], "goals_achieved": row["achieved"]})
    for row in (Commitment.objects.filter(~Q(status=Commitment.Status.OPEN) | Q(due_date__lt=today),
                                          pair__programme_id__in=programme_ids if "goals" in parts else [])
                .values(*_pair_dims("pair__"))
                .annotate(n=Count("pair", distinct=True), due=Count("pk"),
                          kept=Count("pk", filter=Q(status=Commitment.Status.KEPT)))):
        add("commitments", _pair_key(row, cohorts, "pair__"), row["n"],
            {"commitments_due": row["due"], "commitments_kept": row["kept"]})
    promoted = JobLevelChange.objects.filter(employee=OuterRef("mentor__employee"), to_level__gt=F("from_level"),
                                             changed_on__gte=OuterRef("activated_at__date"))
    for row in (Pair.objects.filter(programme_id__in=programme_ids if "outcomes" in parts else [], status=Pair.Status.COMPLETED)
                .annotate(promoted=Exists(promoted))
                .values("programme_id", "ended_at", "mentor__employee__leave_date", "promoted",
                        "mentor__employee__department_id", "mentor__employee__site_id")):
        key = _person_key(row, cohorts, "mentor__employee__")
        add("promotions", key, 1, {"mentors_completed": 1, "mentors_promoted": 1 if row["promoted"] else 0})
        ended = timezone.localdate(row["ended_at"]) if row["ended_at"] else None
        if ended is None:
            continue
        left = row["mentor__employee__leave_date"]
        for months in (6, 12):
            mark = add_months(ended, months)
            if mark <= today:
                add(f"retention_{months}", key, 1, {f"retention_{months}_base": 1,
                                                    f"retention_{months}_kept": 1 if left is None or left > mark else 0})
    return {measure: [Cell(key, n, tuple(sorted(sums.items()))) for key, (n, sums) in rows.items()]
            for measure, rows in cells.items()}


OPERATIONAL_TTL = DASHBOARD_TTL


def operational_groups(*, programme_ids: list[int], now: datetime.datetime) -> dict[str, tuple[tuple, Groups]]:
    """The operational measures as (count names, ``Groups``) over the user's whole scope
    (``programme_ids``), each over its own people: a filter's figure of a measure is shown only
    when those people are a union of blocks of at least the threshold, as for answers, so a
    department with one pair shows nothing of it, nor does the rest of its programme.

    Each part of the measures (``OPERATIONAL_PARTS``) is cached per programme under the scopes of
    the tables it reads (a session logged touches ``("sessions", pk)``: the session counts and the
    mentors' engagement of that programme are read again, nothing else) and the directory's
    (departments, sites, leave dates), for at most OPERATIONAL_TTL seconds since some counts move
    with the clock (sessions due, retention marks). Each part's built ``Groups`` are kept in this
    process under the same scopes."""
    groups = {}
    for part, (measures, kinds) in OPERATIONAL_PARTS.items():
        its = [(kind, pk) for pk in programme_ids for kind in kinds] + [("directory",)]
        groups.update(scopes.cached("operational-groups", (2, part, tuple(programme_ids), threshold()),
                                    lambda part=part, measures=measures, kinds=kinds:
                                    _operational_part(part, measures, kinds, programme_ids, now),
                                    scopes=its, timeout=OPERATIONAL_TTL, shared=False))
    return groups


def _operational_part(part: str, measures: tuple[str, ...], kinds: tuple[str, ...], programme_ids: list[int],
                      now: datetime.datetime) -> dict[str, tuple[tuple, Groups]]:
    found = scopes.cached_many(
        "operational-cells", [((2, part, pk), [*((kind, pk) for kind in kinds), ("directory",)]) for pk in programme_ids],
        lambda parts: _operational_cells(programme_ids=[parts[2]], now=now, parts=(part,)), timeout=OPERATIONAL_TTL)
    cells: dict[str, list] = defaultdict(list)
    for one in found:
        for measure, rows in one.items():
            cells[measure].extend(rows)
    groups = {}
    for measure in measures:
        rows = cells.get(measure, [])
        names = tuple(sorted({name for cell in rows for name, _v in cell.sums}))
        normal = [Cell(cell.key, cell.n, tuple(dict(cell.sums).get(name, 0) for name in names)) for cell in rows]
        groups[measure] = (names, Groups(OPERATIONAL_DIMS, normal, threshold(), hierarchy=OPERATIONAL_HIERARCHY))
    return groups


def _counts(groups: dict[str, tuple[tuple, Groups]], constraints: dict) -> dict:
    """{count name: value} of every measure shown for this filter, and "<measure>_shown"."""
    counts = {}
    for measure, (names, group) in groups.items():
        figure = group.figure(constraints)
        if figure["shown"]:
            counts.update(zip(names, figure["sums"], strict=True))
            counts[f"{measure}_shown"] = True
    return counts


def figures_of(counts: dict) -> dict:
    """The operational KPIs of one filter's counts (``_counts``): None where the measure is hidden."""
    c = defaultdict(int, counts)

    def when(measure: str, value):
        return value if counts.get(f"{measure}_shown") else None

    paired = min(c["paired"], c["approved"])
    return {
        "applications": when("applications", c["applications"]),
        "applications_mentor": when("applications", c["applications_mentor"]),
        "applications_mentee": when("applications", c["applications_mentee"]), "approved": when("applications", c["approved"]),
        "approved_mentor": when("applications", c["approved_mentor"]),
        "approved_mentee": when("applications", c["approved_mentee"]),
        "pairing_rate": when("applications", kpis.rate(paired, c["approved"])),
        "active_pairs": when("pairs", c["active_pairs"]), "completed_pairs": when("pairs", c["completed_pairs"]),
        "cross_department_rate": when("pairs", kpis.rate(c["cross_department"], c["paired_pairs"])),
        "cross_site_rate": when("pairs", kpis.rate(c["cross_site"], c["paired_pairs"])),
        "sessions_held": when("sessions", c["sessions_held"]), "sessions_due": when("sessions", c["sessions_due"]),
        "session_completion": when("sessions", kpis.completion(min(c["sessions_held"], c["sessions_due"]), c["sessions_due"])),
        "cancellations": {"mentor": when("sessions", c["sessions_by_mentor"]),
                          "mentee": when("sessions", c["sessions_by_mentee"]),
                          "coordinator": when("sessions", c["sessions_by_coordinator"])},
        "goals_achieved": when("goals", kpis.rate(c["goals_achieved"], c["goals"])),
        "commitments_kept": when("commitments", kpis.rate(c["commitments_kept"], c["commitments_due"])),
        "mentor_engagement": when("engagement", kpis.rate(c["mentors_engaged"], c["mentors_active"])),
        "mentor_retention_6m": when("retention_6", kpis.retention(c["retention_6_kept"], c["retention_6_base"])),
        "mentor_retention_12m": when("retention_12", kpis.retention(c["retention_12_kept"], c["retention_12_base"])),
        "mentor_promotions": when("promotions", kpis.rate(c["mentors_promoted"], c["mentors_completed"])),
        "funnel": [when("applications", v) for v in (c["applications"], c["approved"], paired,
                                                       c["active_people"] + c["completed_people"], c["completed_people"])],
    }


def _sessions_by_month_of(programme_id: int, filters: Filters) -> list[tuple[str, int, int]]:
    """(month, planned, held) of one programme's pairs in the filter's department and site."""
    rows = (MentoringSession.objects.filter(_pair_q(filters, "pair__"), pair__programme_id=programme_id,
                                            pair__status__in=MEMBER_STATES)
            .values_list(ExtractYear("starts_at"), ExtractMonth("starts_at"))  # numbers: no datetime per row
            .annotate(planned=Count("pk"), held=Count("pk", filter=Q(status=MentoringSession.Status.HELD))))
    return [(f"{year:04d}-{month:02d}", planned, held) for year, month, planned, held in rows]


def sessions_by_month(*, programme_ids: list[int], filters: Filters, now: datetime.datetime) -> list[dict]:
    """Sessions planned (every session scheduled, cancelled ones included) and held, per month. Each
    programme's months for this department and site are cached under its scope; a pair is in a
    department (site) when either member is (``_pair_q``)."""
    zone = timezone.get_current_timezone_name()
    only = Filters(department=filters.department, site=filters.site)
    parts = scopes.cached_many(
        "sessions-by-month", [((2, pk, zone, only.department, only.site), [("programme", pk), ("sessions", pk), ("directory",)])
                              for pk in programme_ids],
        lambda parts: _sessions_by_month_of(parts[1], only), timeout=OPERATIONAL_TTL)
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for rows in parts:
        for month, planned, held in rows:
            months[month][0] += planned
            months[month][1] += held
    return [{"month": month, "planned": planned, "held": held} for month, (planned, held) in sorted(months.items())]


def _links_of(programme_id: int) -> list[tuple]:
    """(mentor's department, mentee's department, mentor's site, mentee's site, pairs) of one
    programme's pairs offered or confirmed."""
    return [tuple(row) for row in Pair.objects.filter(programme_id=programme_id, status__in=PAIRED_STATES)
            .values_list("mentor__employee__department_id", "mentee__employee__department_id",
                         "mentor__employee__site_id", "mentee__employee__site_id").annotate(n=Count("pk"))]


def department_links(*, programme_ids: list[int], filters: Filters, shown: bool) -> dict:
    """The department × department links the pairs created: per unordered couple of different
    departments, how many pairs join them; only couples of at least the threshold are given, and
    when the ones held back add up to fewer than the threshold, the smallest given ones are held
    back too (so the total across silos minus the given cells never singles out a few pairs).
    ``links`` counts the couples joined by at least one pair; nothing when ``shown`` is false
    (the pairs measure is hidden for this filter)."""
    parts = scopes.cached_many("department-links", [((1, pk), [("programme", pk), ("directory",)]) for pk in programme_ids],
                               lambda parts: _links_of(parts[1]), timeout=OPERATIONAL_TTL)
    counts: dict[tuple, int] = defaultdict(int)
    for rows in parts:
        for mentor_department, mentee_department, mentor_site, mentee_site, n in rows:
            if mentor_department is None or mentee_department is None or mentor_department == mentee_department:
                continue
            if filters.department and filters.department not in (mentor_department, mentee_department):
                continue
            if filters.site and filters.site not in (mentor_site, mentee_site):
                continue
            counts[tuple(sorted((mentor_department, mentee_department)))] += n
    names = dict(Department.objects.values_list("pk", "name"))  # read whatever is shown: a flat query count
    if not shown:
        return {"links": None, "cells": [], "held_back": None}
    given, held = kpis.hold_back_small(counts, threshold())
    cells = sorted(({"a": names.get(a, "?"), "b": names.get(b, "?"), "pairs": n} for (a, b), n in given.items()),
                   key=lambda cell: (-cell["pairs"], cell["a"], cell["b"]))
    return {"links": len(counts), "cells": cells, "held_back": held}


OBJECTIVE_KPIS = {
    Objective.Kpi.SKILL_GAIN: "skill_gain_rate", Objective.Kpi.SATISFACTION: "satisfaction",
    Objective.Kpi.RECOMMENDATION: "recommendation_rate", Objective.Kpi.NPS: "nps",
    Objective.Kpi.COMPLETION: "session_completion", Objective.Kpi.PAIRING_RATE: "pairing_rate",
    Objective.Kpi.GOALS: "goals_achieved", Objective.Kpi.COMMITMENTS: "commitments_kept",
    Objective.Kpi.RETENTION: "mentor_retention_12m", Objective.Kpi.APPLICATIONS: "applications",
    Objective.Kpi.CROSS_DEPARTMENT: "cross_department_rate", Objective.Kpi.CROSS_SITE: "cross_site_rate",
}


def _value(figure):
    """A KPI's value, whether about answers (a dict with its respondents) or a plain count or rate."""
    return figure["value"] if isinstance(figure, dict) else figure


def dashboard(*, user: User, filters: Filters, now: datetime.datetime | None = None) -> dict:
    """Everything the executive and sponsor dashboard shows, in a fixed number of queries."""
    now = now or timezone.now()
    programmes = list(dashboard_programmes(user=user).order_by("start_date", "name"))
    allowed = {p.pk for p in programmes}
    if filters.programme is not None and filters.programme not in allowed:
        raise Http404
    shown = [p for p in programmes if (filters.programme in (None, p.pk)) and (filters.cohort in (None, p.start_date.year))]
    ids = [p.pk for p in shown]
    scope = {} if sees_every_programme(user) else {"programme": frozenset(allowed)}
    constraints = filters.constraints()
    groups = operational_groups(programme_ids=sorted(allowed), now=now)
    families = answer_families(scope=scope)
    total = figures_of(_counts(groups, constraints))
    total.update(answer_figures(families, constraints))
    columns = []
    for programme in shown:
        figures = figures_of(_counts(groups, dict(constraints, programme=programme.pk)))
        figures.update(answer_figures(families, dict(constraints, programme=programme.pk)))
        columns.append({"programme": programme, "figures": figures})
    limit = threshold()
    months = sessions_by_month(programme_ids=ids, filters=filters, now=now)  # read even when hidden: flat query count
    links = department_links(programme_ids=ids, filters=filters, shown=total["cross_department_rate"] is not None)
    objectives = []
    by_programme = {c["programme"].pk: c["figures"] for c in columns}
    for objective in Objective.objects.filter(programme_id__in=ids).select_related("programme"):
        actual = _value(by_programme[objective.programme_id].get(OBJECTIVE_KPIS.get(objective.kpi)))
        status = kpis.objective_status(actual, float(objective.target))
        objectives.append({"objective": objective, "actual": actual, "status": status,
                           "verdict": kpis.objective_verdict(status, closed=objective.programme.status == Programme.Status.CLOSED)})
    return {
        "programmes": shown, "total": total, "columns": columns, "objectives": objectives, "threshold": limit,
        "links": links,
        "charts": {
            "sessions": months if groups["sessions"][1].visible(constraints) else [],
            "trend": _trend(families, constraints, shown),
            "skills": _skills(families, constraints),
            "funnel": total["funnel"],
            "retention": [total["mentor_retention_6m"], total["mentor_retention_12m"], total["mentor_promotions"]],
        },
    }


def _trend(families, constraints, programmes) -> list[dict]:
    """Satisfaction and NPS per programme (oldest first) at the mid-point and final reviews."""
    points = []
    for programme in programmes:
        for moment in (Survey.Moment.MIDPOINT, Survey.Moment.FINAL):
            where = dict(constraints, programme=programme.pk, moment=moment)
            satisfaction = families["satisfaction"].figure(where)
            recommend = families["recommend"].figure(where)
            if not satisfaction["shown"] and not recommend["shown"]:
                continue
            points.append({"label": f"{programme.name} · {Survey.Moment(moment).label}", "satisfaction": _mean(satisfaction),
                           "nps": _nps(recommend)["nps"] if moment == Survey.Moment.FINAL else None,
                           "respondents": satisfaction["respondents"]})
    return points


def _skills(families, constraints) -> list[dict]:
    """Per domain: seniors' self-rating before and after, and the mentors' view at the end."""
    domains = {d.pk: d for d in LearningDomain.objects.all()}
    seen = {cell.key[-1] for cell in families["skill_self"].cells} | {cell.key[-1] for cell in families["skill_mentor"].cells}
    # (the families' cells are already limited to the user's scope)
    rows = []
    for pk in sorted(seen, key=lambda pk: domains[pk].name if pk in domains else ""):
        if pk not in domains:
            continue
        before = families["skill_self"].figure(dict(constraints, domain=pk, moment=Survey.Moment.BASELINE, role="mentee"))
        after = families["skill_self"].figure(dict(constraints, domain=pk, moment=Survey.Moment.FINAL, role="mentee"))
        mentor = families["skill_mentor"].figure(dict(constraints, domain=pk, moment=Survey.Moment.FINAL, role="mentor"))
        if not (before["shown"] or after["shown"] or mentor["shown"]):
            continue
        rows.append({"domain": domains[pk].name, "before": _mean(before), "after": _mean(after), "mentor": _mean(mentor),
                     "respondents": max(before["respondents"] or 0, after["respondents"] or 0) or None})
    return rows


# --- Survey results (aggregate only) ----------------------------------------------------------------

def survey_results(*, user: User, survey: Survey) -> dict:
    """Per question (and domain): the distribution, mean or comments of the released responses
    (``ResultRelease``), only for enough people. Each release step counts for a question only
    when at least the threshold of its people answered that question, so the figures before and
    after a step differ by that many people at least; a question that feeds a dashboard figure is
    shown only when this survey's group is a union of the dashboard's blocks (``anonymity``).
    Counts of hidden groups are not given. Comments come sorted, without name, date or language.
    A fixed number of queries."""
    if survey.programme_id not in set(dashboard_programmes(user=user).values_list("pk", flat=True)):
        raise Http404
    limit = threshold()
    questions = list(survey.questions.all())
    released = Q(response__survey=survey, response__released_in__isnull=False)
    # People are counted through their pair (it survives erasure; a pulse has one response per
    # session, so responses would over-count people); the survey fixes the role.
    step_people = {row["released_in"]: row["n"] for row in Response.objects.filter(survey=survey, released_in__isnull=False)
                   .values("released_in").annotate(n=Count("pair", distinct=True))}
    respondents = sum(n for n in step_people.values() if n >= limit)
    people = defaultdict(dict)  # (question, domain) → {step: people}
    for row in (Answer.objects.filter(released).values("question_id", "domain_id", step=F("response__released_in_id"))
                .annotate(n=Count("response__pair", distinct=True))):
        people[(row["question_id"], row["domain_id"])][row["step"]] = row["n"]
    included = {key: {step for step, n in steps.items() if n >= limit} for key, steps in people.items()}
    values = defaultdict(lambda: defaultdict(int))
    answers = defaultdict(int)
    for row in (Answer.objects.filter(released, question__kind__in=Question.NUMERIC + [Question.Kind.SINGLE])
                .values("question_id", "domain_id", "value", step=F("response__released_in_id")).annotate(n=Count("pk"))):
        key = (row["question_id"], row["domain_id"])
        if row["step"] in included.get(key, ()):
            values[key][row["value"]] += row["n"]
            answers[key] += row["n"]
    picked = defaultdict(int)
    texts = defaultdict(list)
    for question_id, step, choices, text in (Answer.objects.filter(released, question__kind__in=[Question.Kind.MULTIPLE,
                                                                                               Question.Kind.TEXT])
                                             .values_list("question_id", "response__released_in_id", "choices", "text")):
        if step not in included.get((question_id, None), ()):
            continue
        for key in choices or []:
            picked[(question_id, key)] += 1
        if text:
            texts[question_id].append(text)
    domains = {d.pk: d.name for d in LearningDomain.objects.all()}
    families = answer_families(scope=_scope_of(user))
    group = {"programme": survey.programme_id, "moment": survey.moment, "role": survey.audience}
    results = []
    for question in questions:
        keys = sorted((k for k in people if k[0] == question.pk), key=lambda k: domains.get(k[1], ""))
        rows = []
        for key in keys or [(question.pk, None)]:
            n = sum(people.get(key, {}).get(step, 0) for step in included.get(key, ()))
            shown = n >= limit
            family = _family_of(question)
            if shown and family is not None:
                # A dashboard figure's question: this survey's group must be whole blocks there too.
                shown = families[family].visible(dict(group, **({"domain": key[1]} if key[1] else {})))
            row = {"label": domains.get(key[1], ""), "respondents": n if shown else None, "shown": shown}
            if row["shown"]:
                counts = values[key]
                if question.kind in Question.NUMERIC:
                    row["mean"] = round(sum(v * c for v, c in counts.items()) / max(1, answers[key]), 2)
                    row["distribution"] = [(v, counts.get(v, 0)) for v in question_scale(question)]
                if question.kind == Question.Kind.RECOMMEND:
                    nps = kpis.Nps(sum(counts[v] for v in (9, 10)), sum(counts[v] for v in (7, 8)),
                                   sum(counts[v] for v in range(7)))
                    row.update(nps=nps.score, recommendation_rate=nps.recommendation_rate)
                if question.kind == Question.Kind.SINGLE:
                    row["choices"] = [(label, counts[int(k)]) for k, label in question.choice_list()]
                if question.kind == Question.Kind.MULTIPLE:
                    row["choices"] = [(label, picked[(question.pk, k)]) for k, label in question.choice_list()]
                if question.kind == Question.Kind.TEXT:
                    row["comments"] = sorted(texts[question.pk], key=str.casefold)
            rows.append(row)
        results.append({"question": question, "rows": rows})
    return {"survey": survey, "respondents": respondents if respondents >= limit else None, "threshold": limit,
            "results": results}


def _family_of(question: Question) -> str | None:
    if question.measures == "satisfaction":
        return "satisfaction"
    return {Question.Kind.RECOMMEND: "recommend", Question.Kind.SKILL_SELF: "skill_self",
            Question.Kind.SKILL_MENTOR: "skill_mentor"}.get(question.kind)


# --- The coordinator's operational view ---------------------------------------------------------------

def survey_response_rates(*, programme: Programme, now: datetime.datetime | None = None) -> list[dict]:
    """Per survey of the programme: responses over the people it went to (members of activated
    pairs for baseline and reviews once open; held sessions for a pulse). Four queries. The
    responses are not counted when fewer than the anonymity threshold were invited, or when those
    who answered, or those who did not, are between one and the threshold."""
    now = now or timezone.now()
    limit = threshold()
    answered = dict(Response.objects.filter(survey__programme=programme).values("survey_id")
                    .annotate(n=Count("pk")).values_list("survey_id", "n"))
    members = programme.pairs.filter(status__in=MEMBER_STATES).count()  # one mentor and one mentee each
    held = MentoringSession.objects.filter(pair__programme=programme, status=MentoringSession.Status.HELD).count()
    milestones = {m.kind: m.date for m in programme.milestones.filter(kind__in=["midpoint", "final"])}
    rates = []
    for survey in programme.surveys.all():
        if survey.moment == Survey.Moment.PULSE:
            invited = held
        elif survey.moment == Survey.Moment.BASELINE:
            invited = members
        else:
            invited = members if _start_of(review_opening(survey, milestones)) <= now else 0
        responses = min(answered.get(survey.pk, 0), invited)
        if invited < limit or any(0 < part < limit for part in (responses, invited - responses)):
            # "1 / 1" says who answered, "1 / 6" or "5 / 6" counts a group of one: no count, no rate.
            rates.append({"survey": survey, "invited": invited, "responses": None, "rate": None})
            continue
        rates.append({"survey": survey, "invited": invited, "responses": responses,
                      "rate": kpis.rate(min(responses, invited), invited) if invited else None})
    return rates


def operations(*, user: User, programme: Programme, now: datetime.datetime | None = None) -> dict:
    """Pipeline, pairs at risk with the reason, overdue logs, survey response rates, outbox failures."""
    if not is_coordinator(user):
        raise PermissionDenied
    if not coordinates(user, programme):
        raise Http404
    now = now or timezone.now()

    def compute() -> dict:
        rows = programme_followup(user=user, programme=programme, now=now)
        return {
            "applications": application_counts(programme=programme), "pairs": pair_counts(programme=programme),
            "at_risk": [row for row in rows if row["risks"]],
            "unconfirmed": list(programme.pairs.filter(status=Pair.Status.PUBLISHED,
                                                       published_at__lt=now - datetime.timedelta(days=7))
                                .select_related("mentor__employee", "mentee__employee")),
            "overdue": [row for row in rows if row["unlogged"]], "survey_rates": survey_response_rates(programme=programme, now=now),
            "testimonials": list(programme.testimonials.select_related("author").order_by("status", "-created_at")[:50]),
        }

    # The same for every coordinator of the programme (access is checked above, for each request):
    # cached under the programme's scopes, its follow-up's and the directory's; what moves with the
    # clock alone (a session falling due) may lag by OPERATIONAL_TTL, as on the dashboard.
    its = [(kind, programme.pk) for kind in ("programme", "sessions", "goals", "results", "followup")] + [("directory",)]
    # Kept in this process only: hundreds of rows of model instances cost more to pickle than to keep.
    figures = scopes.cached("operations", (programme.pk, get_language(), timezone.get_current_timezone_name()), compute,
                            scopes=its, timeout=OPERATIONAL_TTL, shared=False)
    return {
        "programme": programme, **figures,
        "outbox_failed": Notification.objects.filter(status=Notification.Status.FAILED)
        .exclude(kind__in=[name for name, kind in outbox.KINDS.items() if kind.discreet]).count(),
    }


# --- The participant's own progress ---------------------------------------------------------------------

def progress_for_user(*, user: User) -> dict:
    """The user's own goals, own ratings over time and own skills before/after; nobody else's answers."""
    employee = employee_of(user)
    pairs = [] if employee is None else list(
        Pair.objects.filter(Q(mentor__employee=employee) | Q(mentee__employee=employee), status__in=MEMBER_STATES)
        .annotate(met=held_a_session())
        .select_related("programme", "mentor__employee", "mentee__employee").order_by("-activated_at"))
    if not pairs:
        return {"pairs": [], "goals": [], "ratings": [], "skills": []}
    roles = {pair.pk: pair.role_of(employee) for pair in pairs}
    ratings = [r for r in SessionRating.objects.filter(session__pair__in=pairs).select_related("session").order_by("session__starts_at")
               if r.role == roles[r.session.pair_id]]
    skills = defaultdict(dict)
    for answer in (Answer.objects.filter(response__respondent=employee, question__kind=Question.Kind.SKILL_SELF,
                                         domain__isnull=False).select_related("domain", "response__survey")):
        skills[answer.domain.name][answer.response.survey.moment] = answer.value
    return {
        "pairs": pairs,
        "goals": list(LearningGoal.objects.filter(pair__in=pairs).select_related("domain", "pair__programme")),
        "ratings": [{"date": timezone.localtime(r.session.starts_at).date().isoformat(), "score": r.score} for r in ratings],
        "skills": [{"domain": name, "before": moments.get("baseline"), "after": moments.get("final")}
                   for name, moments in sorted(skills.items())],
        "certificates": [pair for pair in pairs if pair.status == Pair.Status.COMPLETED and pair.met],  # certified_pairs
        # Skills before/after are the mentees' self-ratings; a mentor's baseline asks other questions.
        "is_mentee": "mentee" in roles.values(),
        "baseline_answered": Response.objects.filter(respondent=employee, survey__moment=Survey.Moment.BASELINE).exists(),
    }


def held_a_session() -> Exists:
    """For a query on pairs: whether the pair held at least one session (an EXISTS, so no join
    repeats a pair)."""
    return Exists(MentoringSession.objects.filter(pair=OuterRef("pk"), status=MentoringSession.Status.HELD))


def certified_pairs(pairs: QuerySet) -> QuerySet:
    """The pairs that earn a certificate of participation: completed, and met at least once (a
    completed pair with no session held gets none). The one rule the closing, its e-mail, the
    certificate page and the participant's progress page all read."""
    return pairs.filter(status=Pair.Status.COMPLETED).annotate(met=held_a_session()).filter(met=True)


def certificate_for_user(*, user: User, pk: int) -> dict:
    """A certified pair's certificate (completed, at least one session held): its two members, and
    coordinators. 404 for anyone else, and for a pair that never met."""
    pair = (certified_pairs(Pair.objects.filter(pk=pk))
            .select_related("programme", "mentor__employee", "mentee__employee").first())
    if pair is None:
        raise Http404
    employee = employee_of(user)
    if not coordinates(user, pair.programme_id) and (employee is None or pair.role_of(employee) is None):
        raise Http404
    sessions = pair.sessions.filter(status=MentoringSession.Status.HELD)
    held = sessions.count()
    minutes = sessions.aggregate(m=Sum("duration_minutes"))["m"] or 0
    domains = domains_for(pair)
    return {"pair": pair, "held": held, "hours": round(minutes / 60, 1), "domains": domains}


# --- Testimonials -------------------------------------------------------------------------------------------

def published_testimonials(*, programme: Programme) -> list[Testimonial]:
    return list(programme.testimonials.filter(status=Testimonial.Status.PUBLISHED, consent=True)
                .select_related("author").order_by("-published_at"))


def testimonial_get_for_coordinator(*, user: User, pk: int) -> Testimonial:
    if not is_coordinator(user):
        raise PermissionDenied
    testimonial = Testimonial.objects.select_related("programme").filter(pk=pk).first()
    if testimonial is None or not coordinates(user, testimonial.programme_id):
        raise Http404
    return testimonial


# --- Homes: the coordinator's to-do, the executive's headline, the sponsor's programmes ---------------------

TODO_TTL = OPERATIONAL_TTL  # "overdue" and "inactive" move with the clock
CLOSING_DAYS = 7
RUNNING_STATES = [Programme.Status.ENROLMENT, Programme.Status.PAIRING, Programme.Status.RUNNING]


def _todo_of(programme_ids: list[int], now: datetime.datetime) -> dict:
    """Applications to review and the follow-up's pairs at risk and logs to write, per programme:
    four queries, whatever the number of programmes, pairs and sessions."""
    from sessions.selectors import followup_todo

    to_review = dict(Application.objects.filter(programme_id__in=programme_ids, status=Application.Status.SUBMITTED)
                     .values_list("programme_id").annotate(n=Count("pk")))
    followup = followup_todo(programme_ids=programme_ids, now=now)
    return {pk: {"to_review": to_review.get(pk, 0), **followup[pk]} for pk in programme_ids}


def surveys_closing(*, programme_ids: list[int], now: datetime.datetime | None = None,
                    days: int = CLOSING_DAYS) -> list[tuple[Survey, datetime.datetime]]:
    """(survey, closes) of the mid-point and final reviews open now that close within ``days``,
    soonest first: one query (each survey's milestone date comes with it). Baseline and pulse
    surveys open and close per pair and per session: none of them "closes" for a programme."""
    now = now or timezone.now()
    milestone = Milestone.objects.filter(programme=OuterRef("programme"), kind=OuterRef("moment")).order_by("date")
    surveys = (Survey.objects.filter(programme_id__in=programme_ids, is_active=True,
                                     moment__in=[Survey.Moment.MIDPOINT, Survey.Moment.FINAL])
               .annotate(milestone_date=Subquery(milestone.values("date")[:1])).select_related("programme"))
    found = []
    for survey in surveys:
        milestones = {survey.moment: survey.milestone_date} if survey.milestone_date else {}
        opens = _start_of(review_opening(survey, milestones))
        closes = opens + datetime.timedelta(days=survey.days_open)
        if opens <= now < closes <= now + datetime.timedelta(days=days):
            found.append((survey, closes))
    return sorted(found, key=lambda item: (item[1], item[0].pk))


def coordinator_todo(*, user: User, now: datetime.datetime | None = None) -> dict | None:
    """What waits for a coordinator in the programmes they run (an HR lead: all of them), enrolling,
    pairing or running: per programme, applications to review, pairs at risk, session logs overdue
    and surveys closing within a week; ``total`` adds them up. None for someone who coordinates
    nothing. Counts and names only, never a log, note or answer. The per-programme counts are
    cached under the programmes' scopes (applications and pairs, sessions) and the directory's
    (names) for at most TODO_TTL seconds; the surveys are read each time (a milestone's date moves
    them and touches no scope). Three queries when cached."""
    if not is_coordinator(user):
        return None
    now = now or timezone.now()
    programmes = list(Programme.objects.filter(coordinated_filter(user, "pk"), status__in=RUNNING_STATES)
                      .order_by("start_date", "name"))
    ids = [p.pk for p in programmes]
    its = [(kind, pk) for pk in ids for kind in ("programme", "sessions")] + [("directory",)]
    todo = scopes.cached("home-todo", (1, tuple(ids)), lambda: _todo_of(ids, now), scopes=its, timeout=TODO_TTL) if ids else {}
    closing = defaultdict(list)
    for survey, closes in surveys_closing(programme_ids=ids, now=now):
        closing[survey.programme_id].append({"survey": survey, "closes": closes})
    rows = []
    for programme in programmes:
        row = {"programme": programme, **todo[programme.pk], "closing": closing[programme.pk]}
        if row["to_review"] or row["at_risk"] or row["overdue"] or row["closing"]:
            rows.append(row)
    total = {"programmes": len(programmes), "to_review": sum(r["to_review"] for r in rows),
             "at_risk": sum(len(r["at_risk"]) for r in rows), "overdue": sum(r["overdue"] for r in rows),
             "closing": sum(len(r["closing"]) for r in rows)}
    return {"rows": rows, "total": total, "every_programme": is_hr_lead(user)}


def dashboard_total(*, user: User, now: datetime.datetime | None = None) -> dict | None:
    """The dashboard's figures for the user's whole scope with no filter (its cards' ``total``),
    from the same cached cells and under the same anonymity rule; None for someone who sees no
    dashboard. Two queries when the cells are cached."""
    if not can_see_dashboard(user):
        return None
    now = now or timezone.now()
    allowed = sorted(dashboard_programmes(user=user).values_list("pk", flat=True))
    scope = {} if sees_every_programme(user) else {"programme": frozenset(allowed)}
    total = figures_of(_counts(operational_groups(programme_ids=allowed, now=now), {}))
    total.update(answer_figures(answer_families(scope=scope), {}))
    return total


def sponsored_glance(*, user: User, now: datetime.datetime | None = None) -> list[dict]:
    """For each programme the user sponsors (past its draft): the programme, its dashboard column's
    figures (the same cached cells and anonymity rule as the dashboard the sponsor opens) and its
    next milestone. Five queries when the cells are cached, whatever the number of programmes."""
    now = now or timezone.now()
    sponsored = list(Programme.objects.filter(sponsors__user=user).exclude(status=Programme.Status.DRAFT)
                     .distinct().order_by("-start_date", "name"))
    if not sponsored:
        return []
    allowed = sorted(dashboard_programmes(user=user).values_list("pk", flat=True))
    scope = {} if sees_every_programme(user) else {"programme": frozenset(allowed)}
    groups = operational_groups(programme_ids=allowed, now=now)
    families = answer_families(scope=scope)
    upcoming = {}
    for milestone in Milestone.objects.filter(programme__in=sponsored, date__gte=timezone.localdate(now)).order_by("date", "pk"):
        upcoming.setdefault(milestone.programme_id, milestone)
    rows = []
    for programme in sponsored:
        figures = figures_of(_counts(groups, {"programme": programme.pk}))
        figures.update(answer_figures(families, {"programme": programme.pk}))
        rows.append({"programme": programme, "figures": figures, "next_milestone": upcoming.get(programme.pk)})
    return rows


# --- Site × site links, survey answer scales (added for the results charts) ------------------------

def question_scale(question: Question) -> range:
    """The values a numeric question's answers take, for its distribution."""
    return kpis.answer_scale(question.kind)


def site_links(*, programme_ids: list[int], filters: Filters, shown: bool) -> dict:
    """The site × site links the pairs created, as ``department_links`` gives departments: per
    unordered couple of different sites, the pairs joining them, couples of fewer than the
    threshold held back with complementary suppression (``kpis.hold_back_small``); the filters
    apply as to the department links (a pair is in a department or site when either member is).
    Nothing when ``shown`` is false (the pairs measure is hidden for this filter). Reads the same
    cached rows as the department links, and the sites' names: one query."""
    parts = scopes.cached_many("department-links", [((1, pk), [("programme", pk), ("directory",)]) for pk in programme_ids],
                               lambda parts: _links_of(parts[1]), timeout=OPERATIONAL_TTL)
    counts: dict[tuple, int] = defaultdict(int)
    for rows in parts:
        for mentor_department, mentee_department, mentor_site, mentee_site, n in rows:
            if mentor_site is None or mentee_site is None or mentor_site == mentee_site:
                continue
            if filters.department and filters.department not in (mentor_department, mentee_department):
                continue
            if filters.site and filters.site not in (mentor_site, mentee_site):
                continue
            counts[tuple(sorted((mentor_site, mentee_site)))] += n
    names = dict(Site.objects.values_list("pk", "name"))  # read whatever is shown: a flat query count
    if not shown:
        return {"links": None, "cells": [], "held_back": None}
    given, held = kpis.hold_back_small(counts, threshold())
    cells = []
    for couple, n in given.items():
        a, b = sorted((names.get(pk, "?") for pk in couple), key=str.casefold)  # each couple in reading order
        cells.append({"a": a, "b": b, "pairs": n})
    cells.sort(key=lambda cell: (-cell["pairs"], cell["a"].casefold(), cell["b"].casefold()))
    return {"links": len(counts), "cells": cells, "held_back": held}


def cross_silo_links(*, data: dict, filters: Filters) -> dict:
    """The dashboard's links across silos for ``data`` (``dashboard``, same user and filters):
    department × department (``data["links"]``) and site × site, each with its heat-map matrix
    (``kpis.link_matrix``) of the couples given — held-back couples read as couples without pairs."""
    sites = site_links(programme_ids=[p.pk for p in data["programmes"]], filters=filters,
                       shown=data["total"]["cross_site_rate"] is not None)
    return {"department": dict(data["links"], matrix=kpis.link_matrix(data["links"]["cells"])),
            "site": dict(sites, matrix=kpis.link_matrix(sites["cells"]))}
