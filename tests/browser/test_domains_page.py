"""The coordinator edits the catalogue of learning domains in the browser, in French: adds one,
renames it in both languages, retires it (the new-programme form no longer offers it) and brings
it back — with axe-core on each page."""

import io

import pytest
from django.core.management import call_command

from mentorat.core.demo import DOMAIN
from programmes.models import LearningDomain
from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_roles import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, label):
    violations = axe_violations(page)
    assert violations == [], f"{label}: {violations}"


# Located by address and field name, not by label: the new labels' French arrives with the catalogue merge.
def test_a_coordinator_adds_renames_retires_and_brings_back_a_domain(page, transactional_db):
    call_command("seed_demo", stdout=io.StringIO())
    log_in(page, f"claire.dubois@{DOMAIN}")
    page.goto("/programmes/")
    page.locator("main a[href='/programmes/domains/']").click()
    page.wait_for_url("**/programmes/domains/")
    check(page, "domain catalogue")

    page.locator("input[name=slug]").fill("data-literacy")
    page.locator("input[name=name_fr]").fill("Culture des données")
    page.locator("input[name=name_en]").fill("Data literacy")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    page.wait_for_load_state()
    assert "Culture des données" in page.get_by_test_id("domain-data-literacy").inner_text()

    page.locator("a[href='/programmes/domains/data-literacy/']").click()
    page.wait_for_url("**/programmes/domains/data-literacy/")
    check(page, "rename a domain")
    page.locator("input[name=name_fr]").fill("Littératie des données")
    page.locator("input[name=name_en]").fill("Data fluency")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/programmes/domains/")
    assert "Littératie des données" in page.get_by_test_id("domain-data-literacy").inner_text()

    page.locator("form[action='/programmes/domains/data-literacy/retire/'] button").click()
    page.wait_for_load_state()
    page.locator("form[action='/programmes/domains/data-literacy/restore/']").wait_for()
    assert LearningDomain.objects.get(slug="data-literacy").retired_at is not None
    check(page, "catalogue with a retired domain")
    screenshot(page, "domains-fr")
    page.goto("/programmes/new/")
    assert page.get_by_label("Littératie des données").count() == 0
    assert page.get_by_label("IA générative").count() == 1

    page.goto("/programmes/domains/")
    page.locator("form[action='/programmes/domains/data-literacy/restore/'] button").click()
    page.locator("form[action='/programmes/domains/data-literacy/retire/']").wait_for()
    assert LearningDomain.objects.get(slug="data-literacy").retired_at is None
