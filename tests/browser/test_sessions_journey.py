"""Issue journey: a mentee sees the next session, downloads the invitation, logs a session,
writes a private note; the coordinator's view of the pair shows the log's metadata and no note."""

import pytest
from django.core.management import call_command
from icalendar import Calendar

from mentorat.core.demo import DOMAIN
from sessions.models import MentoringSession
from tests.browser.conftest import screenshot
from tests.browser.test_programme_journey import check, log_out
from tests.browser.test_roles import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Je ne poste pas encore seul sur le réseau interne"


def test_next_session_invitation_log_note_and_the_coordinator_sees_no_note(page, transactional_db, tmp_path):
    call_command("seed_demo", stdout=open("/dev/null", "w"))

    log_in(page, f"bernard.lefevre@{DOMAIN}")
    assert page.get_by_test_id("next-session").is_visible()
    check(page, "participant home with sessions")
    screenshot(page, "home-mentee-sessions-fr")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ajouter à mon agenda (.ics)").click()
    path = tmp_path / "invitation.ics"
    download_info.value.save_as(path)
    event = Calendar.from_ical(path.read_bytes()).walk("VEVENT")[0]
    assert "Léa Moreau" in str(event["SUMMARY"])

    page.get_by_role("link", name="Renseigner la séance du").first.click()
    check(page, "session page")
    page.get_by_label("Durée réelle (minutes)").fill("55")
    page.get_by_label("Sujets abordés").fill("Rédiger un prompt pour préparer un comité")
    page.get_by_role("button", name="Enregistrer le compte rendu").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("session-status").inner_text() == "tenue"
    page.get_by_role("link", name="Notre espace binôme").click()
    page.get_by_label("Note privée (seuls vous deux pouvez la lire)").fill(NOTE)
    page.get_by_role("button", name="Enregistrer la note").click()
    page.wait_for_load_state()
    assert NOTE in page.get_by_test_id("notes").inner_text()
    check(page, "pair space")
    screenshot(page, "pair-space-fr")
    log_out(page)

    log_in(page, f"claire.dubois@{DOMAIN}")
    page.goto("/programmes/mentorat-inverse-2026/")
    page.get_by_role("link", name="Suivre les séances des binômes").click()
    table = page.get_by_test_id("followup")
    row = table.locator("tr", has_text="Léa Moreau")
    held = MentoringSession.objects.filter(pair__mentee__employee__email=f"bernard.lefevre@{DOMAIN}", status="held").count()
    assert row.locator("td").nth(1).inner_text().startswith(f"{held} /")
    assert NOTE not in page.content()
    check(page, "coordinator follow-up")
    screenshot(page, "followup-coordinator-fr")
    row_pair = MentoringSession.objects.filter(pair__mentee__employee__email=f"bernard.lefevre@{DOMAIN}").first().pair
    page.goto(f"/pairs/{row_pair.pk}/")
    assert NOTE not in page.content()
    assert page.goto(f"/sessions/pair/{row_pair.pk}/").status == 404
