"""Cross-silo links, site × site: the couples of sites the pairs join, couples of too few pairs
held back with complementary suppression (as the department links), drawn with the department
links as heat-map matrices on the dashboard, in the CSV export, under the dashboard's filters."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse

from binomes.models import Pair
from evaluation import kpis, selectors
from mentorat.core.models import Site
from programmes.models import Application, Programme
from tests.evaluation.conftest import at, client_en
from tests.factories import DepartmentFactory, EmployeeFactory, SiteFactory

pytestmark = pytest.mark.django_db


def pairs_between(programme, mentor_site, mentee_site, count, *, prefix, department="Finance"):
    """``count`` active pairs whose mentor works on one site and mentee on another (one department)."""
    for i in range(count):
        junior = EmployeeFactory(employee_id=f"{prefix}J{i}", job_level=1, department=DepartmentFactory(name=department),
                                 site=SiteFactory(name=mentor_site))
        senior = EmployeeFactory(employee_id=f"{prefix}S{i}", job_level=5, department=DepartmentFactory(name=department),
                                 site=SiteFactory(name=mentee_site))
        mentor = Application.objects.create(programme=programme, employee=junior, role="mentor", status="approved")
        mentee = Application.objects.create(programme=programme, employee=senior, role="mentee", status="approved")
        start = at(programme.start_date)
        Pair.objects.create(programme=programme, mentor=mentor, mentee=mentee, status="active", activated_at=start,
                            published_at=start)


@pytest.fixture
def sites(closed_programme):
    pairs_between(closed_programme, "Paris", "Lyon", 6, prefix="A")     # 6: shown
    pairs_between(closed_programme, "Lyon", "Nantes", 5, prefix="B")    # 5: held back with the next one
    pairs_between(closed_programme, "Paris", "Marseille", 2, prefix="C")  # 2: too few to show alone
    pairs_between(closed_programme, "Paris", "Paris", 7, prefix="D")    # 7 on one site
    return closed_programme


def dashboard(user, **params):
    return client_en(user).get(reverse("evaluation:dashboard"), params)


def test_couples_of_too_few_pairs_are_held_back_with_the_smallest_shown_one(sites, executive):
    links = dashboard(executive).context["silo_links"]["site"]
    assert links["links"] == 3
    # Paris–Marseille (2) alone would be computable from the pairs across sites (13 − 6 − 5):
    # the smallest shown couple (Lyon–Nantes, 5) is held back with it.
    assert [(cell["a"], cell["b"], cell["pairs"]) for cell in links["cells"]] == [("Lyon", "Paris", 6)]
    assert links["held_back"] == 7


def test_the_matrix_shows_the_given_couples_and_nothing_of_the_held_back_ones(sites, executive):
    page = dashboard(executive).content.decode()
    section = page.split('data-testid="site-links"')[1].split("</section>")[0]
    assert 'data-testid="site-links-matrix"' in section
    assert section.count('data-pairs="6"') == 2  # Lyon × Paris and Paris × Lyon
    assert "Nantes" not in section and "Marseille" not in section
    assert "7 pairs are counted only in the totals (couples of sites with too few pairs to show)." in section


def test_the_department_links_are_a_matrix_too(closed_programme, executive):
    for i, (a, b) in enumerate([("Finance", "Ventes")] * 6):
        junior = EmployeeFactory(employee_id=f"XJ{i}", job_level=1, department=DepartmentFactory(name=a))
        senior = EmployeeFactory(employee_id=f"XS{i}", job_level=5, department=DepartmentFactory(name=b))
        mentor = Application.objects.create(programme=closed_programme, employee=junior, role="mentor", status="approved")
        mentee = Application.objects.create(programme=closed_programme, employee=senior, role="mentee", status="approved")
        Pair.objects.create(programme=closed_programme, mentor=mentor, mentee=mentee, status="active")
    section = dashboard(executive).content.decode().split('data-testid="department-links"')[1].split("</section>")[0]
    assert 'data-testid="department-links-matrix"' in section and section.count('data-pairs="6"') == 2


def test_the_export_gives_the_site_links_shown_and_nothing_held_back(sites, executive):
    body = client_en(executive).get(reverse("evaluation:export")).content.decode("utf-8-sig")
    assert "Couples of sites joined by a pair;3" in body
    assert "Pairs between the sites Lyon and Paris;6" in body
    assert "Nantes" not in body and "Marseille" not in body


def test_a_site_filter_keeps_the_couples_of_that_site(closed_programme, executive):
    pairs_between(closed_programme, "Paris", "Lyon", 6, prefix="A")
    pairs_between(closed_programme, "Lyon", "Nantes", 5, prefix="B")
    pairs_between(closed_programme, "Paris", "Paris", 7, prefix="D")
    everything = dashboard(executive).context["silo_links"]["site"]["cells"]
    assert [(c["a"], c["b"]) for c in everything] == [("Lyon", "Paris"), ("Lyon", "Nantes")]
    paris = dashboard(executive, site=Site.objects.get(name="Paris").pk).context["silo_links"]["site"]
    assert [(c["a"], c["b"], c["pairs"]) for c in paris["cells"]] == [("Lyon", "Paris", 6)] and paris["links"] == 1
    body = client_en(executive).get(reverse("evaluation:export"), {"site": Site.objects.get(name="Paris").pk}).content
    assert b"Nantes" not in body


def test_a_programme_filter_keeps_that_programme_s_pairs(sites, executive, coordinator):
    from programmes.services import programme_create

    other = programme_create(actor=coordinator, name="Autre", slug="autre", start_date=datetime.date(2025, 2, 3),
                             duration_months=9, cadence_weeks=3)
    Programme.objects.filter(pk=other.pk).update(status=Programme.Status.CLOSED)
    pairs_between(other, "Nantes", "Lille", 6, prefix="O")
    assert ("Lille", "Nantes", 6) in [(c["a"], c["b"], c["pairs"]) for c in
                                      dashboard(executive).context["silo_links"]["site"]["cells"]]
    only = dashboard(executive, programme=sites.pk).context["silo_links"]["site"]
    assert [(c["a"], c["b"]) for c in only["cells"]] == [("Lyon", "Paris")]


def test_nothing_of_it_for_a_selection_of_too_few_pairs(closed_programme, executive):
    pairs_between(closed_programme, "Paris", "Lyon", 3, prefix="A")
    response = dashboard(executive)
    assert response.context["silo_links"]["site"]["links"] is None
    section = response.content.decode().split('data-testid="site-links"')[1].split("</section>")[0]
    assert "Lyon" not in section and "Not enough pairs to show for this selection." in section
    assert "Lyon" not in client_en(executive).get(reverse("evaluation:export")).content.decode("utf-8-sig")


def test_a_sponsor_sees_the_links_of_their_programme_only(sites, coordinator):
    from programmes.models import ProgrammeSponsor
    from programmes.services import programme_create

    other = programme_create(actor=coordinator, name="Autre", slug="autre", start_date=datetime.date(2025, 2, 3),
                             duration_months=9, cadence_weeks=3)
    Programme.objects.filter(pk=other.pk).update(status=Programme.Status.CLOSED)
    pairs_between(other, "Nantes", "Lille", 6, prefix="O")
    sponsor = EmployeeFactory(employee_id="SPONSOR2", job_level=6).user
    ProgrammeSponsor.objects.create(programme=other, user=sponsor)
    cells = dashboard(sponsor).context["silo_links"]["site"]["cells"]
    assert [(c["a"], c["b"]) for c in cells] == [("Lille", "Nantes")]


def test_the_site_links_read_a_fixed_number_of_queries(sites, django_assert_max_num_queries):
    filters = selectors.Filters()
    cache.clear()
    with django_assert_max_num_queries(2):  # the programme's pairs by site (cached), the sites' names
        selectors.site_links(programme_ids=[sites.pk], filters=filters, shown=True)
    pairs_between(sites, "Lille", "Lyon", 9, prefix="E")
    cache.clear()
    with django_assert_max_num_queries(2):
        links = selectors.site_links(programme_ids=[sites.pk], filters=filters, shown=True)
    assert ("Lille", "Lyon", 9) in [(c["a"], c["b"], c["pairs"]) for c in links["cells"]]


def test_hold_back_small_adds_the_smallest_given_couples_until_the_threshold():
    assert kpis.hold_back_small({("a", "b"): 6, ("b", "c"): 5, ("a", "c"): 2}, 5) == ({("a", "b"): 6}, 7)
    assert kpis.hold_back_small({("a", "b"): 6, ("b", "c"): 5}, 5) == ({("a", "b"): 6, ("b", "c"): 5}, 0)
    assert kpis.hold_back_small({("a", "b"): 6, ("a", "c"): 5, ("b", "c"): 1}, 5) == ({("a", "b"): 6}, 6)
    assert kpis.hold_back_small({("a", "b"): 2, ("a", "c"): 3}, 5) == ({}, 5)


def test_the_matrix_is_symmetric_and_tells_no_held_back_couple_from_an_empty_one():
    matrix = kpis.link_matrix([{"a": "Lyon", "b": "Paris", "pairs": 8}, {"a": "Lille", "b": "Paris", "pairs": 4}])
    assert matrix["names"] == ["Lille", "Lyon", "Paris"]
    grid = {row["name"]: [cell["pairs"] for cell in row["cells"]] for row in matrix["rows"]}
    assert grid == {"Lille": [None, None, 4], "Lyon": [None, None, 8], "Paris": [4, 8, None]}
    paris = matrix["rows"][2]["cells"]
    assert paris[2]["same"] and paris[1]["shade"] == 0.6 and paris[0]["shade"] == 0.35
    assert kpis.link_matrix([]) == {"names": [], "rows": []}
