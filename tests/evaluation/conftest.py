import datetime

import pytest
from django.utils import timezone, translation

from binomes.models import Pair
from evaluation.models import Answer, Response
from evaluation.services import results_release_due, surveys_ensure
from programmes.models import Application, ApplicationDomain, LearningDomain, Programme
from sessions.models import MentoringSession, SessionRating
from tests.factories import DepartmentFactory, EmployeeFactory, SiteFactory


@pytest.fixture(autouse=True)
def _english_messages():
    with translation.override("en"):
        yield


def at(day: datetime.date, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def make_pairs(programme: Programme, count: int, *, status=Pair.Status.COMPLETED, departments=("Opérations",),
               prefix="W") -> list[Pair]:
    """``count`` pairs, members spread over ``departments`` (mentor and mentee of pair i share one)."""
    site = SiteFactory(name="Paris")
    domain = LearningDomain.objects.get(slug="generative-ai")
    pairs = []
    for i in range(count):
        department = DepartmentFactory(name=departments[i % len(departments)])
        junior = EmployeeFactory(employee_id=f"{prefix}J{i}", job_level=1, department=department, site=site)
        senior = EmployeeFactory(employee_id=f"{prefix}S{i}", job_level=5, department=department, site=site)
        mentor = Application.objects.create(programme=programme, employee=junior, role="mentor", status="approved")
        mentee = Application.objects.create(programme=programme, employee=senior, role="mentee", status="approved")
        ApplicationDomain.objects.create(application=mentee, domain=domain, weight=3)
        start = at(programme.start_date)
        pairs.append(Pair.objects.create(programme=programme, mentor=mentor, mentee=mentee, status=status,
                                         activated_at=start, published_at=start,
                                         ended_at=at(programme.end_date) if status == Pair.Status.COMPLETED else None))
    return pairs


def answer(survey, pair, role, values: dict, when=None, domain_values: dict | None = None):
    """values: {question kind or measures: value}; domain_values: {domain: value} for skill questions."""
    employee = pair.mentor.employee if role == "mentor" else pair.mentee.employee
    response = Response.objects.create(survey=survey, respondent=employee, pair=pair, role=role,
                                       department_id=employee.department_id, site_id=employee.site_id,
                                       submitted_at=when or timezone.now())
    for question in survey.questions.all():
        key = question.measures or question.kind
        if question.kind in ("skill_self", "skill_mentor"):
            for domain, value in (domain_values or {}).items():
                Answer.objects.create(response=response, question=question, domain=domain, value=value)
        elif key in values:
            value = values[key]
            if isinstance(value, str):
                Answer.objects.create(response=response, question=question, text=value)
            else:
                Answer.objects.create(response=response, question=question, value=value)
    return response


@pytest.fixture
def closed_programme(db, coordinator):
    from programmes.services import programme_create

    programme = programme_create(actor=coordinator, name="Pilote 2025", slug="pilote-2025",
                                 start_date=datetime.date(2025, 1, 13), duration_months=9, cadence_weeks=3)
    Programme.objects.filter(pk=programme.pk).update(status=Programme.Status.CLOSED)
    programme.refresh_from_db()
    return programme


@pytest.fixture
def world(closed_programme):
    """Six completed pairs of the pilot with known answers (see the expected figures in the tests)."""
    programme = closed_programme
    pairs = make_pairs(programme, 6)
    surveys = {(s.moment, s.audience): s for s in surveys_ensure(programme=programme)}
    domain = LearningDomain.objects.get(slug="generative-ai")
    mentee_recommend = [10, 10, 9, 8, 6, 3]
    mentee_satisfaction = [5, 5, 4, 4, 3, 3]
    before = [1, 2, 2, 3, 3, 4]
    after = [3, 3, 2, 4, 3, 5]  # four of six progressed
    for i, pair in enumerate(pairs):
        answer(surveys[("baseline", "mentee")], pair, "mentee", {}, domain_values={domain: before[i]})
        answer(surveys[("final", "mentee")], pair, "mentee",
               {"satisfaction": mentee_satisfaction[i], "recommend": mentee_recommend[i], "text": f"Comment {i}"},
               domain_values={domain: after[i]})
        answer(surveys[("final", "mentor")], pair, "mentor", {"satisfaction": 4, "recommend": 9}, domain_values={domain: 4})
        for n, status in enumerate(["held", "held", "cancelled", "missed"]):
            session = MentoringSession.objects.create(pair=pair, starts_at=at(programme.start_date + datetime.timedelta(weeks=3 * n)),
                                                      status=status, cancelled_by="mentee" if status == "cancelled" else "")
            if status == "held":
                SessionRating.objects.create(session=session, role="mentor", score=4)
                SessionRating.objects.create(session=session, role="mentee", score=5)
    results_release_due()  # each survey's six answers join the figures in one step
    return {"programme": programme, "pairs": pairs, "surveys": surveys, "domain": domain}


def client_en(user):
    """A logged-in client that sees the site in English (the cast's users default to French)."""
    from tests.conftest import client_for

    user.language = "en"
    user.save(update_fields=["language"])
    return client_for(user)
