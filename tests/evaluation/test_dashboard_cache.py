"""The dashboard's body, cached per set of programmes a reader may see, filters and language, under
those programmes' scopes: shared by readers with the same reach only, and recomputed by any
committed write it shows (transactional tests: touches take effect on commit, as in production)."""

import datetime

import pytest
from django.urls import reverse

from mentorat.core.models import Department
from programmes.models import Objective, ProgrammeSponsor
from programmes.services import programme_create
from sessions.models import MentoringSession
from tests.evaluation.conftest import at, client_en, make_pairs
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_programmes(coordinator):
    made = []
    for n in (1, 2):
        programme = programme_create(actor=coordinator, name=f"Cohorte {n}", slug=f"cohorte-{n}",
                                     start_date=datetime.date(2026, 1, 12), duration_months=9, cadence_weeks=3)
        programme.status = "running"
        programme.save()
        [pair] = make_pairs(programme, 1, status="active", prefix=f"P{n}")
        made.append((programme, MentoringSession.objects.create(pair=pair, starts_at=at(datetime.date(2026, 2, 2)))))
    return made


def body(client, **params) -> str:
    page = client.get(reverse("evaluation:dashboard"), params).content.decode()
    return page.split("<main", 1)[1].split("</main>")[0]


def test_a_sponsor_never_gets_the_body_an_executive_warmed(two_programmes, executive):
    (first, _session), _second = two_programmes
    sponsor = EmployeeFactory(employee_id="SPX", job_level=6).user
    ProgrammeSponsor.objects.create(programme=first, user=sponsor)
    executive_page = body(client_en(executive))
    assert "Cohorte 1" in executive_page and "Cohorte 2" in executive_page
    assert "Cohorte 2" not in body(client_en(sponsor))


def test_a_write_to_a_programme_shown_recomputes_the_cached_body_at_once(two_programmes, executive):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    (first, session), _second = two_programmes
    client = client_en(executive)
    body(client)
    with CaptureQueriesContext(connection) as warm:
        body(client)
    # Options and access (programmes, departments, sites): the figures and their cells are not read.
    assert not [q for q in warm.captured_queries if "GROUP BY" in q["sql"]]
    MentoringSession.objects.filter(pk=session.pk).update(status=MentoringSession.Status.HELD)
    with CaptureQueriesContext(connection) as after:
        body(client)
    assert [q for q in after.captured_queries if "GROUP BY" in q["sql"]]  # the written programme's cells again
    first.name = "Cohorte renommée"
    first.save()
    assert "Cohorte renommée" in body(client)


def test_objectives_department_names_and_the_language_show_at_once(two_programmes, executive, coordinator):
    (first, _session), _second = two_programmes
    client = client_en(executive)
    body(client)
    Objective.objects.create(programme=first, kpi="session_completion", target=80, title="Rythme tenu")
    assert "Rythme tenu" in body(client)
    department = Department.objects.order_by("pk").first()
    assert department.name in body(client, department=department.pk)
    Department.objects.filter(pk=department.pk).update(name="Direction renommée")
    assert "Direction renommée" in body(client, department=department.pk)
    assert "Reverse mentoring: results" in body(client)
    executive.language = "fr"
    executive.save()
    assert "Mentorat inversé : résultats" in body(client)


def test_the_printing_date_is_the_request_s(two_programmes, executive):
    client = client_en(executive)
    first = client.get(reverse("evaluation:dashboard"))
    assert first.context["now"] <= client.get(reverse("evaluation:dashboard")).context["now"]


def test_the_operations_follow_up_is_cached_per_programme_and_follows_concerns_and_answers(two_programmes, coordinator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sessions import services as pair_services

    (first, session), _second = two_programmes
    client = client_en(coordinator)
    url = reverse("evaluation:operations") + f"?programme={first.slug}"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    cold = queries()
    warm = queries()
    assert warm < cold - 5  # the follow-up's counts from the cache
    pair = session.pair
    first.concern_contacts.add(coordinator)
    queries()  # the contacts named touch the programme: read again once
    pair_services.concern_raise(user=pair.mentor.employee.user, pair=pair, body="Je ne me sens pas écouté.")
    assert queries() > warm  # the open concerns are counted again
    assert queries() == warm
    MentoringSession.objects.filter(pk=session.pk).update(status=MentoringSession.Status.HELD)
    assert queries() > warm


def test_a_coordinator_of_another_programme_gets_a_404_even_once_the_follow_up_is_cached(two_programmes, coordinator):
    (first, _session), _second = two_programmes
    url = reverse("evaluation:operations") + f"?programme={first.slug}"
    assert client_en(coordinator).get(url).status_code == 200  # cached for the programme now
    other = EmployeeFactory(employee_id="COORD2", job_level=4, user__is_coordinator=True).user
    assert client_en(other).get(url).status_code == 404
    participant = first.pairs.first().mentor.employee.user
    assert client_en(participant).get(url).status_code == 403
