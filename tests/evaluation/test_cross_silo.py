"""Cross-silo links as a KPI: the share of pairs across departments and sites, the department ×
department links the pairs created (couples of too few pairs held back, with complementary
suppression), in the page, the CSV and as an objective's indicator."""

import pytest
from django.urls import reverse

from binomes.models import Pair
from programmes.models import Application, Objective
from tests.evaluation.conftest import at, client_en
from tests.factories import DepartmentFactory, EmployeeFactory, SiteFactory

pytestmark = pytest.mark.django_db


def pairs_between(programme, mentor_department, mentee_department, count, *, site="Paris", other_site=None, prefix=""):
    """``count`` active pairs whose mentor works in one department and mentee in another."""
    for i in range(count):
        junior = EmployeeFactory(employee_id=f"{prefix}J{i}", job_level=1, department=DepartmentFactory(name=mentor_department),
                                 site=SiteFactory(name=site))
        senior = EmployeeFactory(employee_id=f"{prefix}S{i}", job_level=5, department=DepartmentFactory(name=mentee_department),
                                 site=SiteFactory(name=other_site or site))
        mentor = Application.objects.create(programme=programme, employee=junior, role="mentor", status="approved")
        mentee = Application.objects.create(programme=programme, employee=senior, role="mentee", status="approved")
        start = at(programme.start_date)
        Pair.objects.create(programme=programme, mentor=mentor, mentee=mentee, status="active", activated_at=start,
                            published_at=start)


@pytest.fixture
def silos(closed_programme):
    pairs_between(closed_programme, "Finance", "Ventes", 6, prefix="A")           # 6 across, Finance–Ventes
    pairs_between(closed_programme, "Ventes", "Informatique", 5, prefix="B", other_site="Lyon")  # 5 across sites too
    pairs_between(closed_programme, "Finance", "Juridique", 2, prefix="C")        # 2: too few to show alone
    pairs_between(closed_programme, "Finance", "Finance", 7, prefix="D")          # 7 within one department
    return closed_programme


def test_the_share_of_pairs_across_departments_and_sites(silos, executive):
    response = client_en(executive).get(reverse("evaluation:dashboard"))
    cards = {card["key"]: card for card in response.context["cards"]}
    assert cards["cross_department_rate"]["value"] == pytest.approx(100 * 13 / 20, abs=0.1)
    assert cards["cross_site_rate"]["value"] == pytest.approx(100 * 5 / 20, abs=0.1)


def test_couples_of_too_few_pairs_are_held_back_with_the_smallest_shown_one(silos, executive):
    links = client_en(executive).get(reverse("evaluation:dashboard")).context["data"]["links"]
    assert links["links"] == 3
    # Finance–Juridique (2) alone would be computable from the total (13 − 6 − 5): the smallest
    # shown couple (Informatique–Ventes, 5) is held back with it.
    assert [(cell["a"], cell["b"], cell["pairs"]) for cell in links["cells"]] == [("Finance", "Ventes", 6)]
    assert links["held_back"] == 7


def test_the_export_gives_the_links_shown_and_nothing_held_back(silos, executive):
    body = client_en(executive).get(reverse("evaluation:export")).content.decode("utf-8-sig")
    assert "Pairs between Finance and Ventes;6" in body
    assert "Juridique" not in body and "Informatique" not in body
    assert "Couples of departments joined by a pair;3" in body


def test_nothing_of_it_for_a_selection_of_too_few_pairs(closed_programme, executive):
    pairs_between(closed_programme, "Finance", "Ventes", 3)
    response = client_en(executive).get(reverse("evaluation:dashboard"))
    assert response.context["data"]["links"]["links"] is None
    cards = {card["key"]: card for card in response.context["cards"]}
    assert cards["cross_department_rate"]["value"] is None
    assert "Finance" not in response.content.decode().split('data-testid="department-links"')[1].split("</section>")[0]


def test_an_objective_can_target_it(silos, executive):
    Objective.objects.create(programme=silos, title="Relier les silos", kpi=Objective.Kpi.CROSS_DEPARTMENT, target=50)
    [row] = client_en(executive).get(reverse("evaluation:dashboard")).context["data"]["objectives"]
    assert row["actual"] == pytest.approx(65.0, abs=0.1) and row["status"] == "met"


def test_an_objective_can_target_the_share_across_sites(silos, executive):
    Objective.objects.create(programme=silos, title="Relier les sites", kpi=Objective.Kpi.CROSS_SITE, target=40)
    [row] = client_en(executive).get(reverse("evaluation:dashboard")).context["data"]["objectives"]
    assert row["actual"] == pytest.approx(25.0, abs=0.1) and row["status"] != "met"
    assert row["verdict"] == "not met"  # the programme is closed: missed for good
