"""The whole lifecycle, in French, on the live server, from an empty database as a new company
would: import the directory, create a programme, open enrolment, apply as mentor and mentee,
approve, pair, confirm, log a session, receive a reminder e-mail, answer a survey, and see it
on the dashboard. Screenshots are saved; axe-core runs on every page visited."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from binomes.models import Pair
from evaluation.models import Response
from mentorat.core.demo import DOMAIN, PASSWORD, company_csv
from mentorat.core.models import User
from sessions import notifications
from sessions.models import MentoringSession
from tests.browser.conftest import screenshot
from tests.browser.test_programme_journey import check, log_out
from tests.browser.test_roles import log_in
from tests.conftest import drain_outbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "premiere-promotion"


def test_the_whole_lifecycle_as_a_new_company(page, transactional_db, tmp_path):
    start = timezone.localdate() + datetime.timedelta(days=10)
    User.objects.create_user(f"claire.dubois@{DOMAIN}", PASSWORD, first_name="Claire", last_name="Dubois",
                             is_coordinator=True, is_hr_lead=True, language="fr")

    # 1. The HR lead (the company's first HR account) imports the HRIS export.
    log_in(page, f"claire.dubois@{DOMAIN}")
    page.goto("/directory/import/")
    check(page, "import upload")
    path = tmp_path / "sirh.csv"
    path.write_bytes(company_csv())
    page.locator("input[type=file]").set_input_files(str(path))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/directory/import/*/")
    check(page, "import preview")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    check(page, "import done")
    assert User.objects.filter(email=f"bernard.lefevre@{DOMAIN}").exists()
    screenshot(page, "journey-1-import-fr")

    # 2. … creates the programme and opens enrolment.
    page.goto("/programmes/new/")
    page.get_by_role("textbox", name="Nom*", exact=True).fill("Première promotion")
    page.get_by_label("Nom court (URL)").fill(SLUG)
    page.get_by_label("Date de début").fill(start.isoformat())
    page.get_by_label("Durée (mois)").fill("6")
    page.get_by_label("Rythme des séances").select_option("2")
    check(page, "new programme")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(f"**/programmes/{SLUG}/")
    page.get_by_role("button", name="Ouvrir les candidatures").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("programme-status").inner_text() == "candidatures ouvertes"
    check(page, "programme open")
    log_out(page)

    # 3. The junior sets a first password from the e-mail, then applies as mentor.
    page.goto("/accounts/password-reset/")
    page.locator("input[name=email]").fill(f"lea.moreau@{DOMAIN}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    check(page, "password reset sent")
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    page.locator("input[name=new_password1]").fill(PASSWORD)
    page.locator("input[name=new_password2]").fill(PASSWORD)
    check(page, "first password")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    log_in(page, f"lea.moreau@{DOMAIN}")
    check(page, "mentor home")
    page.goto(f"/programmes/{SLUG}/apply/mentor/")
    page.get_by_label("Votre niveau en IA générative").select_option("3")
    page.get_by_label("Mardi après-midi").check()
    page.get_by_label("Jeudi matin").check()
    page.get_by_label("indifférent").check()
    page.get_by_label("Français").check()
    page.get_by_label("Votre motivation").fill("J'utilise l'IA chaque jour et j'aime transmettre.")
    page.get_by_label("J’ai lu et j’accepte la charte de participation").check()
    check(page, "mentor application")
    page.get_by_role("button", name="Envoyer ma candidature").click()
    page.wait_for_url(f"**/programmes/{SLUG}/")
    check(page, "programme page after applying")
    log_out(page)

    # 4. The senior applies as mentee.
    bernard = User.objects.get(email=f"bernard.lefevre@{DOMAIN}")
    bernard.set_password(PASSWORD)
    bernard.save()
    log_in(page, f"bernard.lefevre@{DOMAIN}")
    page.goto(f"/programmes/{SLUG}/")
    page.get_by_role("link", name="Candidater comme mentoré").click()
    page.get_by_label("Votre priorité pour IA générative").select_option("3")
    page.get_by_label("Mardi après-midi").check()
    page.get_by_label("Jeudi matin").check()
    page.get_by_label("à distance").check()
    page.get_by_label("Français").check()
    page.get_by_label("Ce que vous voulez savoir faire à la fin").fill("Préparer mes comités avec un assistant IA.")
    page.get_by_label("J’ai lu et j’accepte la charte de participation").check()
    page.get_by_role("button", name="Envoyer ma candidature").click()
    page.wait_for_url(f"**/programmes/{SLUG}/")
    log_out(page)

    # 5. The coordinator approves both, pairs and publishes.
    log_in(page, f"claire.dubois@{DOMAIN}")
    page.goto(f"/programmes/{SLUG}/applications/")
    page.get_by_label("Sélectionner Bernard Lefèvre").check()
    page.get_by_label("Sélectionner Léa Moreau").check()
    page.get_by_label("Décision").select_option("approve")
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_load_state()
    check(page, "queue")
    page.goto(f"/programmes/{SLUG}/")
    page.get_by_role("button", name="Clore les candidatures et former les binômes").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Ouvrir le tableau des binômes").click()
    page.get_by_role("button", name="Lancer l’appariement optimal").click()
    page.wait_for_load_state()
    check(page, "pairing board")
    screenshot(page, "journey-5-pairing-fr")
    page.get_by_role("button", name="Publier").click()
    page.wait_for_load_state()
    log_out(page)
    pair = Pair.objects.get(programme__slug=SLUG)

    # 6. Both confirm: the pair is active and its sessions are planned.
    for email in (f"bernard.lefevre@{DOMAIN}", f"lea.moreau@{DOMAIN}"):
        log_in(page, email)
        page.locator(f"a[href=\"/pairs/{pair.pk}/\"]").first.click()
        check(page, "pair page")
        page.get_by_role("button", name="Confirmer le binôme").click()
        page.wait_for_load_state()
        check(page, "pair confirmed")
        log_out(page)
    pair.refresh_from_db()
    assert pair.status == Pair.Status.ACTIVE
    first, second = pair.sessions.order_by("starts_at")[:2]

    # 7. The sessions land in both calendars the day the pair starts (one invitation each), then a
    # reminder reaches both, two days before the second session.
    mail.outbox.clear()
    drain_outbox()
    planned = [m for m in mail.outbox if m.extra_headers.get("X-Mentorat-Kind") == "session_planned"]
    count = pair.sessions.count()
    assert sorted(m.to[0] for m in planned) == [f"bernard.lefevre@{DOMAIN}"] * count + [f"lea.moreau@{DOMAIN}"] * count
    mail.outbox.clear()
    notifications.plan_reminders(now=second.starts_at - datetime.timedelta(days=2, minutes=30))
    drain_outbox(now=second.starts_at - datetime.timedelta(days=2))
    reminders = [m for m in mail.outbox if m.extra_headers.get("X-Mentorat-Kind") == "session_upcoming"]
    assert all(m.attachments for m in reminders)
    assert sorted(m.to[0] for m in reminders) == [f"bernard.lefevre@{DOMAIN}", f"lea.moreau@{DOMAIN}"]
    assert "séance" in reminders[0].subject.lower()

    # 8. The first session took place (its time has come): the senior logs it and answers the baseline.
    MentoringSession.objects.filter(pk=first.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=3))
    log_in(page, f"bernard.lefevre@{DOMAIN}")
    page.goto(f"/sessions/{first.pk}/")
    page.get_by_label("Durée réelle (minutes)").fill("60")
    page.get_by_label("Sujets abordés").fill("Un prompt pour préparer le comité")
    check(page, "session page")
    page.get_by_role("button", name="Enregistrer le compte rendu").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("session-status").inner_text() == "tenue"
    page.goto("/")
    surveys = page.get_by_test_id("home-surveys")
    surveys.get_by_role("link", name="Point de départ").click()
    for radio in page.locator("input[type=radio][value='2']").all():
        radio.check()
    check(page, "baseline survey")
    screenshot(page, "journey-8-survey-fr")
    page.get_by_test_id("survey-form").locator("button[type=submit]").click()
    page.wait_for_url("**/evaluation/surveys/")
    check(page, "my surveys")
    assert Response.objects.filter(survey__programme__slug=SLUG, respondent__email=f"bernard.lefevre@{DOMAIN}").exists()
    log_out(page)

    # 9. The dashboard of a programme with one pair shows none of its figures (fewer people than
    # the anonymity threshold), not even the count of its applications.
    log_in(page, f"claire.dubois@{DOMAIN}")
    page.goto(f"/evaluation/?programme={pair.programme_id}")
    cards = page.get_by_test_id("kpi-cards")
    for kpi in ("applications", "active_pairs", "session_completion", "satisfaction"):
        assert cards.locator(f"[data-kpi={kpi}] [data-value]").inner_text().strip().startswith("—"), kpi
    check(page, "dashboard")
    screenshot(page, "journey-9-dashboard-fr")
