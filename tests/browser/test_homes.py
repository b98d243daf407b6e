"""Issue journey: each role's home helps — the coordinator's to-do, the executive's headline figures,
the sponsor's programme at a glance, the mentor's pair — in French and in English, accessible, and
on a phone without scrolling sideways."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from evaluation.models import Survey
from mentorat.core.demo import DOMAIN
from tests.browser.conftest import screenshot, scrolls_sideways
from tests.browser.test_programme_journey import check, log_out
from tests.browser.test_roles import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Demo login → (what the home must show, in French / in English).
HOMES = {
    "coordinator": (f"claire.dubois@{DOMAIN}", "home-todo", "Votre liste de tâches", "Your to-do"),
    "executive": (f"philippe.garnier@{DOMAIN}", "home-headline", "Les programmes en cinq chiffres", "The programmes in five figures"),
    "sponsor": (f"sophie.laurent@{DOMAIN}", "home-sponsor", "que vous parrainez", "you sponsor"),
    "mentor": (f"lea.moreau@{DOMAIN}", "home-sessions", "Vos séances", "Your sessions"),
}


@pytest.fixture
def demo(transactional_db):
    with open("/dev/null", "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    # A review closing this week, for the coordinator's to-do.
    survey = Survey.objects.get(programme__slug="mentorat-inverse-2026", moment="midpoint", audience="mentee")
    Survey.objects.filter(pk=survey.pk).update(opens_on=timezone.localdate() - datetime.timedelta(days=survey.days_open - 4))


def section(page, testid):
    if testid == "home-sessions":  # the mentor's section has no test id of its own
        return page.locator("section[aria-labelledby=home-sessions]")
    return page.get_by_test_id(testid)


def switch_language(page, code):
    page.get_by_role("button", name=code).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("role", list(HOMES))
def test_each_role_s_home_in_french_and_english_and_on_a_phone(page, phone, demo, role):
    email, testid, french, english = HOMES[role]
    log_in(page, email)
    home = section(page, testid)
    assert home.count() == 1
    check(page, f"{role} home")
    screenshot(page, f"home-{role}-desktop-fr")
    if role == "coordinator":
        todo = home.inner_text()
        assert "Mentorat inversé 2027" in todo and "Mentorat inversé 2026" in todo
        assert home.get_by_test_id("todo-review").count() == 1  # the demo's applications to review
        assert home.get_by_test_id("todo-closing").count() == 1
        first_risk = home.get_by_test_id("todo-risk").first
        if first_risk.count():
            first_risk.click()  # the pair's page, as its coordinator sees it
            page.wait_for_load_state()
            assert page.locator("h1").count() == 1
            page.go_back()
    if role == "executive":
        assert home.locator("[data-kpi]").count() == 5
        home.get_by_test_id("headline-dashboard").click()
        page.wait_for_url("**/evaluation/")
        page.go_back()
    if role == "sponsor":
        glance = home.get_by_test_id("glance")
        assert glance.count() >= 1 and "Mentorat inversé 2027" in home.inner_text()
    switch_language(page, "EN")
    assert page.locator("html").get_attribute("lang") == "en"
    assert english in section(page, testid).inner_text()
    check(page, f"{role} home in English")
    screenshot(page, f"home-{role}-desktop-en")
    switch_language(page, "FR")
    log_out(page)

    log_in(phone, email)
    assert section(phone, testid).count() == 1
    assert not scrolls_sideways(phone), f"{role}: the home scrolls sideways on a phone"
    assert phone.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    screenshot(phone, f"home-{role}-phone-fr")
    assert french in section(phone, testid).inner_text() or english in section(phone, testid).inner_text()
