"""Issue journey: a coordinator creates a programme and opens it, a senior applies as mentee, a
junior as mentor, and the coordinator approves both — in French, with screenshots and axe-core."""

import pytest
from django.core.management import call_command

from mentorat.core.demo import DOMAIN
from programmes.models import Application, Programme
from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_roles import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, label):
    violations = axe_violations(page)
    assert violations == [], f"{label}: {violations}"


def log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/accounts/login/**")


def test_create_open_apply_and_approve(page, transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))

    # The coordinator designs the programme and opens enrolment.
    log_in(page, f"claire.dubois@{DOMAIN}")
    page.get_by_role("link", name="Programmes").first.click()
    check(page, "programme list")
    page.get_by_role("link", name="Nouveau programme").click()
    page.get_by_role("textbox", name="Nom*", exact=True).fill("Mentorat inversé IA 2027")
    page.get_by_label("Nom court (URL)").fill("ia-2027")
    page.get_by_label("Date de début").fill("2027-03-01")
    page.get_by_label("Durée (mois)").fill("6")
    page.get_by_label("Rythme des séances").select_option("2")
    check(page, "new programme form")
    screenshot(page, "programme-create-fr")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/programmes/ia-2027/")
    assert page.get_by_test_id("programme-status").inner_text() == "brouillon"
    page.get_by_role("button", name="Ouvrir les candidatures").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("programme-status").inner_text() == "candidatures ouvertes"
    check(page, "programme page (coordinator)")
    screenshot(page, "programme-open-fr")
    log_out(page)

    # A senior applies as mentee.
    log_in(page, f"bernard.lefevre@{DOMAIN}")
    page.goto("/programmes/ia-2027/")
    check(page, "programme page (employee)")
    page.get_by_role("link", name="Candidater comme mentoré").click()
    page.get_by_label("Votre priorité pour IA générative").select_option("3")
    page.get_by_label("Lundi matin").check()
    page.get_by_label("Jeudi après-midi").check()
    page.get_by_label("à distance").check()
    page.get_by_label("Français").check()
    page.get_by_label("Ce que vous voulez savoir faire à la fin").fill("Utiliser un assistant IA pour préparer mes comités.")
    page.get_by_label("J’ai lu et j’accepte la charte de participation").check()
    check(page, "mentee application form")
    screenshot(page, "apply-mentee-fr")
    page.get_by_role("button", name="Envoyer ma candidature").click()
    page.wait_for_url("**/programmes/ia-2027/")
    assert "mentoré (senior)" in page.get_by_test_id("own-application").inner_text()
    log_out(page)

    # A junior applies as mentor.
    log_in(page, f"lea.moreau@{DOMAIN}")
    page.goto("/programmes/ia-2027/apply/mentor/")
    page.get_by_label("Votre niveau en IA générative").select_option("3")
    page.get_by_label("Votre niveau en Réseaux sociaux").select_option("2")
    page.get_by_label("Mardi après-midi").check()
    page.get_by_label("indifférent").check()
    page.get_by_label("Français").check()
    page.get_by_label("Anglais").check()
    page.get_by_label("Votre motivation").fill("J'utilise ces outils chaque jour et j'aime transmettre.")
    page.get_by_label("J’ai lu et j’accepte la charte de participation").check()
    check(page, "mentor application form")
    page.get_by_role("button", name="Envoyer ma candidature").click()
    page.wait_for_url("**/programmes/ia-2027/")
    log_out(page)

    # The coordinator approves both from the queue.
    log_in(page, f"claire.dubois@{DOMAIN}")
    page.goto("/programmes/ia-2027/applications/")
    check(page, "application queue")
    page.get_by_label("Sélectionner Bernard Lefèvre").check()
    page.get_by_label("Sélectionner Léa Moreau").check()
    page.get_by_label("Décision").select_option("approve")
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_load_state()
    assert "acceptée: 2" in page.get_by_test_id("queue-counts").inner_text()
    screenshot(page, "queue-approved-fr")
    programme = Programme.objects.get(slug="ia-2027")
    assert set(Application.objects.filter(programme=programme).values_list("role", "status")) == {
        ("mentee", "approved"), ("mentor", "approved"),
    }
