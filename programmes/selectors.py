"""Reads on programmes and applications, scoped to the user asking. Out of scope answers 404."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from mentorat.core import scopes
from mentorat.core.models import User
from mentorat.core.permissions import is_coordinator, is_executive, is_hr_lead
from mentorat.core.selectors import employee_of
from programmes.models import (
    Application,
    ApplicationDomain,
    CoordinatorAssignment,
    LearningDomain,
    ManagerAcknowledgement,
    Milestone,
    Programme,
    ProgrammeSponsor,
    Role,
    TrainingCompletion,
    TrainingModule,
)

VISIBLE_TO_EMPLOYEES = [Programme.Status.ENROLMENT, Programme.Status.PAIRING, Programme.Status.RUNNING]


def coordinated_programme_ids(user: User) -> frozenset[int] | None:
    """The programmes this user runs as a coordinator: ``None`` for an HR lead (all of them); for a
    coordinator, those they created, are assigned to, or whose entity they are assigned to; empty
    for anyone else. One query, memoised on the user object (one request)."""
    if not is_coordinator(user):
        return frozenset()
    if is_hr_lead(user):
        return None
    memo = getattr(user, "_coordinated_programme_ids", None)
    if memo is None:
        entities = CoordinatorAssignment.objects.filter(user=user, department__isnull=False).values("department_id")
        memo = frozenset(Programme.objects.filter(
            Q(created_by=user) | Q(coordinator_assignments__user=user) | Q(entity__in=entities)
        ).values_list("pk", flat=True).distinct())
        user._coordinated_programme_ids = memo
    return memo


def coordinates(user: User, programme: Programme | int | None) -> bool:
    """Whether the user runs this programme as a coordinator (an HR lead runs all of them)."""
    ids = coordinated_programme_ids(user)
    if ids is None:
        return True
    pk = programme if isinstance(programme, int) or programme is None else programme.pk
    return pk in ids


def coordinated_programmes(user: User) -> QuerySet[Programme]:
    """The programmes the user runs as a coordinator (none for others)."""
    ids = coordinated_programme_ids(user)
    return Programme.objects.all() if ids is None else Programme.objects.filter(pk__in=ids)


def programme_coordinators(programme: Programme) -> list[User]:
    """Who runs this programme, for its alerts and digests: its own coordinators (its creator,
    those assigned to it or to its entity) or, when it has none, the HR leads. Active users only."""
    own = Q(is_coordinator=True) & (
        Q(pk=programme.created_by_id) | Q(coordinator_assignments__programme=programme)
        | (Q(coordinator_assignments__department_id=programme.entity_id) if programme.entity_id else Q(pk__in=[])))
    users = list(User.objects.filter(own, is_active=True).distinct().order_by("pk"))
    return users or list(User.objects.filter(is_hr_lead=True, is_active=True).order_by("pk"))


MILESTONES_TIMEOUT = 3600


def programme_milestones(programme_ids) -> dict[int, list[Milestone]]:
    """Each programme's milestones (its programme joined), in date order, cached under the programme's
    scope (a milestone or programme written touches it): the participants' homes read them without
    a query. Shared objects: callers do not change them."""
    ids = sorted(set(programme_ids))

    def compute(parts):
        return list(Milestone.objects.filter(programme_id=parts[0]).select_related("programme"))

    values = scopes.cached_many("programme-milestones", [((pk,), [("programme", pk)]) for pk in ids], compute,
                                timeout=MILESTONES_TIMEOUT)
    return dict(zip(ids, values, strict=True))


def coordinated_filter(user: User, field: str = "programme") -> Q:
    """A filter on ``field`` (a programme foreign key) keeping the rows of programmes the user runs."""
    ids = coordinated_programme_ids(user)
    return Q() if ids is None else Q(**{f"{field}__in": ids})


def programme_list_for_user(*, user: User) -> QuerySet[Programme]:
    """HR leads and executives: every programme. Others (a coordinator too): those open, pairing or
    running, plus any they applied to, sponsor or coordinate."""
    qs = Programme.objects.all()
    if is_hr_lead(user) or is_executive(user):
        return qs
    employee = employee_of(user)
    scope = Q(status__in=VISIBLE_TO_EMPLOYEES) | Q(sponsors__user=user)
    if is_coordinator(user):
        scope |= Q(pk__in=coordinated_programme_ids(user))
    if employee is not None:
        scope |= Q(applications__employee=employee)
    return qs.filter(scope).distinct()


def programme_get_for_user(*, user: User, slug: str) -> Programme:
    """The programme page: 404 for a draft (to non-coordinators) or anything out of the user's scope."""
    try:
        return programme_list_for_user(user=user).get(slug=slug)
    except Programme.DoesNotExist:
        raise Http404 from None


def programme_get_for_coordinator(*, user: User, slug: str) -> Programme:
    """A programme the user runs: 403 for non-coordinators, 404 for a programme run by others."""
    if not is_coordinator(user):
        raise PermissionDenied
    try:
        return coordinated_programmes(user).get(slug=slug)
    except Programme.DoesNotExist:
        raise Http404 from None


def programme_roles(*, user: User, programme: Programme) -> set[str]:
    """The user's roles in this programme: coordinator, executive, sponsor, mentor, mentee."""
    roles = set()
    if coordinates(user, programme):
        roles.add("coordinator")
    if is_executive(user):
        roles.add("executive")
    if ProgrammeSponsor.objects.filter(programme=programme, user=user).exists():
        roles.add("sponsor")
    employee = employee_of(user)
    if employee is not None:
        role = (
            Application.objects.filter(programme=programme, employee=employee, status=Application.Status.APPROVED)
            .values_list("role", flat=True).first()
        )
        if role:
            roles.add(role)
    return roles


def programmes_open_to(*, user: User, today: datetime.date | None = None) -> list[dict]:
    """Programmes whose enrolment is open that this employee may apply to and has not applied to:
    ``[{"programme", "roles"}]``, the roles by the rules of ``eligibility_errors`` (job levels; not a
    sponsor; not someone who has left). Not shown to someone taking part in a programme that is
    pairing or running: their pair is what is due (the next cohort is on the programmes page).
    Three queries, whatever the number of programmes."""
    employee = employee_of(user)
    if employee is None or employee.has_left(today or timezone.localdate()):
        return []
    if employee.applications.filter(status=Application.Status.APPROVED,
                                    programme__status__in=[Programme.Status.PAIRING, Programme.Status.RUNNING]).exists():
        return []
    programmes = (Programme.objects.filter(status=Programme.Status.ENROLMENT)
                  .exclude(applications__employee=employee).exclude(sponsors__user=user).distinct().order_by("start_date", "name"))
    rows = []
    for programme in programmes:
        roles = [role for role, allowed in (
            (Role.MENTOR, programme.mentor_max_level is None or employee.job_level <= programme.mentor_max_level),
            (Role.MENTEE, programme.mentee_min_level is None or employee.job_level >= programme.mentee_min_level)) if allowed]
        if roles:
            rows.append({"programme": programme, "roles": roles})
    return rows


def sponsored_programmes(*, user: User) -> QuerySet[Programme]:
    return Programme.objects.filter(sponsors__user=user).distinct()


def application_counts(*, programme: Programme) -> dict:
    """``{status: {role: n}}`` plus totals, in one grouped query. Counts only: no motivations."""
    counts = {status: {Role.MENTOR: 0, Role.MENTEE: 0} for status in Application.Status.values}
    for row in programme.applications.values("status", "role").annotate(n=Count("pk")):
        counts[row["status"]][row["role"]] = row["n"]
    totals = {status: sum(by_role.values()) for status, by_role in counts.items()}
    return {"by_status": counts, "totals": totals, "all": sum(totals.values())}


def application_own(*, user: User, programme: Programme) -> Application | None:
    employee = employee_of(user)
    if employee is None:
        return None
    return (
        Application.objects.filter(programme=programme, employee=employee)
        .prefetch_related(Prefetch("domain_items", queryset=ApplicationDomain.objects.select_related("domain")))
        .first()
    )


def _training_done_annotation(programme: Programme):
    """True when the applicant completed every module meant for their role (no module: True)."""
    missing = TrainingModule.objects.filter(programme=programme).filter(
        Q(audience=TrainingModule.Audience.BOTH) | Q(audience=OuterRef("role"))
    ).exclude(
        Exists(TrainingCompletion.objects.filter(module=OuterRef("pk"), employee=OuterRef(OuterRef("employee"))))
    )
    return ~Exists(missing)


def application_queue(*, user: User, programme: Programme, role: str = "", status: str = "",
                      department: int | None = None, training: str = "") -> QuerySet[Application]:
    """The coordinator's review queue with the applicant, their department, manager
    acknowledgement and whether training is done; a fixed number of queries whatever its length."""
    if not is_coordinator(user):
        raise PermissionDenied
    if not coordinates(user, programme):
        raise Http404
    qs = (
        programme.applications.select_related("employee__department", "employee__site", "employee__manager", "charter")
        .prefetch_related(Prefetch("domain_items", queryset=ApplicationDomain.objects.select_related("domain")))
        .annotate(training_done=_training_done_annotation(programme))
        .annotate(ack_at=ManagerAcknowledgement.objects.filter(application=OuterRef("pk")).values("acknowledged_at")[:1])
        .annotate(ack_requested=Exists(ManagerAcknowledgement.objects.filter(application=OuterRef("pk"))))
        .order_by("status", "employee__last_name", "employee__first_name")
    )
    if role:
        qs = qs.filter(role=role)
    if status:
        qs = qs.filter(status=status)
    if department:
        qs = qs.filter(employee__department_id=department)
    if training == "done":
        qs = qs.filter(training_done=True)
    elif training == "missing":
        qs = qs.filter(training_done=False)
    return qs


def application_get_for_coordinator(*, user: User, programme: Programme, pk: int) -> Application:
    if not is_coordinator(user):
        raise PermissionDenied
    try:
        return application_queue(user=user, programme=programme).get(pk=pk)
    except Application.DoesNotExist:
        raise Http404 from None


def training_for_user(*, user: User, programme: Programme) -> tuple[list[TrainingModule], set[int]]:
    """The modules meant for the user's role in this programme and the ids they completed."""
    application = application_own(user=user, programme=programme)
    if application is None:
        raise Http404
    modules = [m for m in programme.training_modules.all() if m.is_for(application.role)]
    done = set(
        TrainingCompletion.objects.filter(employee=application.employee, module__programme=programme)
        .values_list("module_id", flat=True)
    )
    return modules, done


def domain_catalogue(*, user: User) -> QuerySet[LearningDomain]:
    """The whole catalogue for coordinators, retired domains included (last), each with
    ``programme_count``, the programmes that offer it; one query. Others: 403."""
    if not is_coordinator(user):
        raise PermissionDenied
    return (LearningDomain.objects.annotate(programme_count=Count("programmes", distinct=True))
            .order_by(F("retired_at").asc(nulls_first=True), "slug"))


def domain_get_for_coordinator(*, user: User, slug: str) -> LearningDomain:
    """One domain of the catalogue by its code: 403 for non-coordinators, 404 for an unknown code."""
    if not is_coordinator(user):
        raise PermissionDenied
    try:
        return LearningDomain.objects.get(slug=slug)
    except LearningDomain.DoesNotExist:
        raise Http404 from None
