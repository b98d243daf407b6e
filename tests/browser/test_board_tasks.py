"""Issue 17 journey, every pairing task in the browser: a coordinator of the demo programme only
imports applications then pairs from CSV files (preview line by line, a refused line named with
its rule, then confirm), removes a draft pair, forbids a pair and allows it again, sends the
shortlists and reads what was sent; then the same board in English. Screenshots and axe-core."""


import pytest

from binomes import services as pairing
from binomes.models import ForbiddenPair, Pair
from mentorat.core.demo import DOMAIN
from mentorat.core.models import Employee, User
from programmes.models import Application, Programme
from programmes.services import eligibility_errors
from tests.browser.conftest import screenshot
from tests.browser.test_programme_journey import check
from tests.browser.test_roles import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "mentorat-inverse-2027"


def newcomers(programme):
    """Two employees without an application who may apply (a junior mentor, a senior mentee), and
    not in each other's management line: the imported pair obeys every rule."""
    applied = set(Application.objects.filter(programme=programme).values_list("employee_id", flat=True))
    free = [e for e in Employee.objects.exclude(pk__in=applied).filter(user__isnull=False).order_by("employee_id")]
    mentors = [e for e in free if not eligibility_errors(programme=programme, employee=e, role="mentor")]
    mentees = [e for e in free if not eligibility_errors(programme=programme, employee=e, role="mentee")]
    for mentor in mentors:
        for mentee in mentees:
            if mentor.pk != mentee.pk and mentor.manager_id != mentee.pk and mentee.manager_id != mentor.pk:
                return mentor, mentee
    raise AssertionError("the demo has no two newcomers to import")


def french_only_mentee(programme):
    """An approved mentee who speaks only French: with a mentor who speaks only English, a pair the
    shared-language rule refuses."""
    assert programme.require_shared_language
    return next(a.employee for a in Application.objects.filter(programme=programme, role="mentee", status="approved")
                .select_related("employee").order_by("pk") if a.languages == ["fr"])


def upload(page, name, text):
    page.set_input_files("input[type=file]", files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}])
    page.get_by_role("button", name="Aperçu").click()
    page.wait_for_load_state()


def test_import_remove_allow_and_send_from_the_board(page, demo):
    programme = Programme.objects.get(slug=SLUG)
    mentor, mentee = newcomers(programme)
    domain = programme.domains.offered().values_list("slug", flat=True).first()
    log_in(page, f"julien.roche@{DOMAIN}")

    # 1. Applications collected elsewhere: preview (a wrong line named with its column), then confirm.
    page.goto(f"/programmes/{SLUG}/applications/")
    page.get_by_role("link", name="Importer des candidatures").click()
    check(page, "applications import, upload")
    header = "employee_id;role;domains;languages;format;availability;capacity;motivation"
    upload(page, "candidatures.csv", "\n".join([
        header, f"{mentor.employee_id};mentor;{domain}:3;en;either;mon-am|tue-pm;1;Envie de transmettre",
        f"{mentee.employee_id};coach;{domain}:2;fr;either;mon-am;;"]))
    refused = page.locator("[data-testid=import-lines] tr[data-line='3']").inner_text().replace("\u00a0", " ")
    assert "ligne 3, colonne role : " in refused and "coach" in refused
    assert page.get_by_role("button", name="Confirmer").count() == 0
    check(page, "applications import, refused")
    screenshot(page, "board-tasks-applications-refused-fr")
    upload(page, "candidatures.csv", "\n".join([
        header, f"{mentor.employee_id};mentor;{domain}:3;en;either;mon-am|tue-pm;1;Envie de transmettre",
        f"{mentee.employee_id};mentee;{domain}:2;fr|en;either;mon-am|tue-pm;;"]))
    assert page.locator("[data-testid=import-lines] .text-success").count() == 2
    assert not Application.objects.filter(programme=programme, employee__in=[mentor, mentee]).exists()
    screenshot(page, "board-tasks-applications-preview-fr")
    page.get_by_role("button", name="Confirmer : importer 2 candidatures").click()
    page.wait_for_load_state()
    assert "2 candidatures importées comme approuvées" in page.locator(".alert-success").inner_text()
    assert Application.objects.filter(programme=programme, employee__in=[mentor, mentee], status="approved").count() == 2

    # 2. Close enrolment, then the pairs decided elsewhere: one refused line names the rule.
    page.goto(f"/programmes/{SLUG}/")
    page.get_by_role("button", name="Clore les candidatures et former les binômes").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Ouvrir le tableau des binômes").click()
    page.get_by_role("link", name="Importer des binômes").click()
    check(page, "pairs import, upload")
    # The imported mentor speaks only English: with a French-only senior, the language rule refuses.
    refused_line = f"{mentor.employee_id};{french_only_mentee(programme).employee_id}"
    upload(page, "binomes.csv", f"mentor;mentee\n{mentor.employee_id};{mentee.employee_id}\n{refused_line}\n")
    refused = page.locator("[data-testid=import-lines] tr[data-line='3']").inner_text().replace("\u00a0", " ")
    assert "ligne 3 : Ce binôme est refusé" in refused and "ils n’ont aucune langue en commun" in refused, refused
    assert not Pair.objects.filter(programme=programme).exists()
    check(page, "pairs import, refused")
    screenshot(page, "board-tasks-pairs-refused-fr")
    upload(page, "binomes.csv", f"mentor;mentee\n{mentor.employee_id};{mentee.employee_id}\n")
    screenshot(page, "board-tasks-pairs-preview-fr")
    page.get_by_role("button", name="Confirmer : importer 1 binôme").click()
    page.wait_for_load_state()
    assert "1 binôme importé comme brouillon verrouillé" in page.locator(".alert-success").inner_text()
    imported = Pair.objects.get(programme=programme, source="import")
    assert imported.locked and imported.status == "proposed"

    # 3. Run the pairing for the rest, then remove a draft pair after the confirmation page.
    page.get_by_role("button", name="Lancer l’appariement optimal").click()
    page.wait_for_load_state()
    drafts = Pair.objects.filter(programme=programme, status="proposed", locked=False).order_by("pk")
    # A mentor with this pair only: once it is removed, both people are listed as unpaired.
    draft = next(p for p in drafts if Pair.objects.filter(mentor=p.mentor, status__in=Pair.LIVE).count() == 1)
    row = page.locator(f"[data-testid=pairs] tr[data-pair='{draft.mentor.employee.employee_id}-{draft.mentee.employee.employee_id}']")
    row.get_by_role("link", name="Retirer").click()
    check(page, "remove confirmation")
    screenshot(page, "board-tasks-remove-confirm-fr")
    page.get_by_role("button", name="Retirer le binôme").click()
    page.wait_for_load_state()
    assert "Brouillon de binôme retiré" in page.locator(".alert-success").inner_text()
    assert not Pair.objects.filter(pk=draft.pk).exists()
    unpaired = page.locator("[data-testid=unpaired]").inner_text()
    for person in (draft.mentor.employee, draft.mentee.employee):
        assert person.full_name in unpaired
    assert "une personne compatible est encore libre" in unpaired

    # 4. Forbid a pair, see it listed, allow it again.
    other = Pair.objects.filter(programme=programme, status="proposed", locked=False).order_by("pk").first()
    page.locator(f"[data-testid=pairs] tr[data-pair='{other.mentor.employee.employee_id}-{other.mentee.employee.employee_id}']"
                 ).get_by_role("button", name="Interdire").click()
    page.wait_for_load_state()
    forbidden = page.locator("[data-testid=forbidden]")
    assert other.mentor.employee.full_name in forbidden.inner_text()
    check(page, "board with a forbidden pair")
    screenshot(page, "board-tasks-board-fr")
    forbidden.get_by_role("button", name="Autoriser de nouveau").click()
    page.wait_for_load_state()
    assert "peuvent de nouveau former un binôme" in page.locator(".alert-success").inner_text()
    assert not ForbiddenPair.objects.filter(programme=programme).exists()

    # 5. Shortlist mode: the send says what it did.
    pairing.pairing_settings(programme)
    page.get_by_role("link", name="Réglages et poids").click()
    page.get_by_label("Mode d’appariement").select_option("shortlist")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Envoyer les sélections aux seniors").click()
    page.wait_for_load_state()
    said = page.locator(".alert").first.inner_text()
    assert "sélection" in said and ("envoyée" in said), said
    screenshot(page, "board-tasks-shortlists-fr")

    # 6. The same board in English.
    User.objects.filter(email=f"julien.roche@{DOMAIN}").update(language="en")
    page.goto(f"/pairing/{SLUG}/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Forbidden pairs").is_visible()
    assert page.get_by_role("link", name="Import pairs").is_visible()
    assert "someone eligible is still free" in page.locator("[data-testid=unpaired]").inner_text() or \
        page.locator("[data-testid=unpaired]").inner_text().strip() == "Nobody."
    check(page, "board in English")
    screenshot(page, "board-tasks-board-en")
    page.get_by_role("link", name="Import pairs").click()
    page.set_input_files("input[type=file]", files=[{"name": "pairs.csv", "mimeType": "text/csv",
                                                     "buffer": f"mentor;mentee\n{refused_line}\n".encode()}])
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    assert "line 2: This pair is refused: " in page.locator("[data-testid=import-lines]").inner_text()
    screenshot(page, "board-tasks-pairs-refused-en")
    log_out_en(page)


def log_out_en(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/**")

