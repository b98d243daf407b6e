"""Issue journey: the coordinator runs the pairing, inspects why, locks one pair, forbids one,
publishes; the two members of a pair confirm — in French, with screenshots and axe-core."""

import pytest
from django.core.management import call_command

from binomes.models import Pair
from mentorat.core.demo import DOMAIN, PASSWORD
from tests.browser.conftest import screenshot
from tests.browser.test_programme_journey import check, log_out
from tests.browser.test_roles import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_run_inspect_lock_forbid_publish_confirm(page, transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    slug = "mentorat-inverse-2027"

    log_in(page, f"claire.dubois@{DOMAIN}")
    page.goto(f"/programmes/{slug}/")
    page.get_by_role("button", name="Clore les candidatures et former les binômes").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Ouvrir le tableau des binômes").click()
    check(page, "empty pairing board")
    page.get_by_role("button", name="Lancer l’appariement optimal").click()
    page.wait_for_load_state()
    rows = page.locator("[data-testid=pairs] tbody tr")
    assert rows.count() >= 3
    rows.nth(0).locator("summary").click()
    assert rows.nth(0).get_by_text("objectifs × expertise").is_visible()
    check(page, "pairing board with proposals")
    screenshot(page, "pairing-board-fr")
    rows.nth(0).get_by_role("button", name="Verrouiller").click()
    page.wait_for_load_state()
    locked = Pair.objects.get(locked=True, programme__slug=slug)
    before = Pair.objects.filter(programme__slug=slug).count()
    page.locator("[data-testid=pairs] tbody tr").nth(1).get_by_role("button", name="Interdire").click()
    page.wait_for_load_state()
    assert Pair.objects.filter(programme__slug=slug).count() == before - 1
    page.get_by_role("button", name="Publier").click()
    page.wait_for_load_state()
    assert "publiées" in page.locator(".alert-success").inner_text()
    log_out(page)

    # The two members of the locked pair meet, then confirm.
    for application in (locked.mentor, locked.mentee):
        user = application.employee.user
        user.set_password(PASSWORD)
        user.save()
    for application in (locked.mentee, locked.mentor):
        log_in(page, application.employee.email)
        page.locator(f"a[href=\"/pairs/{locked.pk}/\"]").first.click()
        check(page, "pair page")
        screenshot(page, f"pair-{application.role}-fr")
        page.get_by_role("button", name="Confirmer le binôme").click()
        page.wait_for_load_state()
        log_out(page)
    locked.refresh_from_db()
    assert locked.status == "active"
