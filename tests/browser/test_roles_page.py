"""The HR lead assigns roles in the browser; a coordinator scoped to one programme sees it and
nothing else (French, then English)."""

import datetime

import pytest

from mentorat.core.demo import DOMAIN
from mentorat.core.models import AuditEntry, User
from tests.browser.conftest import screenshot
from tests.browser.test_roles import assert_accessible, log_in, nav_labels

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_hr_lead_gives_and_takes_back_a_role_with_clear_errors(page, demo):
    log_in(page, f"claire.dubois@{DOMAIN}")
    page.get_by_role("button", name="Administration RH").click()  # the HR lead's tools share one menu
    page.locator("[data-testid=nav] a", has_text="Rôles").click()
    assert page.locator("h1").inner_text() == "Rôles"
    table = page.locator("table")
    assert "Julien Roche" in table.inner_text() and "Mentorat inversé 2027" in table.inner_text()
    assert_accessible(page, "roles page")
    # A typo in the address: the field says what is wrong, nothing changes.
    form = page.locator("form", has=page.locator("input[name=form][value=grant]"))
    form.get_by_label("Adresse e-mail de la personne").fill(f"bernard.lefevr@{DOMAIN}")
    form.get_by_label("Rôle").select_option("executive")
    form.get_by_role("button", name="Attribuer le rôle").click()
    assert f"Personne n'a de compte avec l'adresse e-mail bernard.lefevr@{DOMAIN}" in page.content()
    assert not AuditEntry.objects.filter(action="role.grant").exists()
    form = page.locator("form", has=page.locator("input[name=form][value=grant]"))
    form.get_by_label("Adresse e-mail de la personne").fill(f"bernard.lefevre@{DOMAIN}")
    form.get_by_label("Rôle").select_option("executive")
    form.get_by_role("button", name="Attribuer le rôle").click()
    page.wait_for_url("**/programmes/roles/")
    assert "Bernard Lefèvre est désormais dirigeant·e." in page.locator(".alert").first.inner_text()
    screenshot(page, "roles-hr-lead-fr")
    assert User.objects.get(email=f"bernard.lefevre@{DOMAIN}").is_executive
    page.get_by_role("button", name="retirer « dirigeant·e »").last.click()
    page.wait_for_url("**/programmes/roles/")
    assert "n'est plus dirigeant·e" in page.locator(".alert").first.inner_text()
    assert set(AuditEntry.objects.filter(actor__email=f"claire.dubois@{DOMAIN}", action__startswith="role.")
               .values_list("action", flat=True)) == {"role.grant", "role.revoke"}


def test_a_scoped_coordinator_runs_their_programme_and_meets_404_elsewhere(page, demo):
    from programmes.services import programme_create

    claire = User.objects.get(email=f"claire.dubois@{DOMAIN}")
    programme_create(actor=claire, name="Cohorte Lyon 2027", slug="lyon-2027", start_date=datetime.date(2027, 3, 1),
                     duration_months=9, cadence_weeks=3)
    User.objects.filter(email=f"julien.roche@{DOMAIN}").update(language="en")
    log_in(page, f"julien.roche@{DOMAIN}")
    labels = nav_labels(page)
    assert "Import" not in labels and "Roles" not in labels and "Audit" not in labels
    page.goto("/programmes/")
    assert "Cohorte Lyon 2027" not in page.content()  # a draft run by others
    page.goto("/programmes/mentorat-inverse-2027/applications/")
    assert page.locator("h1").count() == 1
    assert_accessible(page, "scoped coordinator's queue")
    screenshot(page, "roles-scoped-queue-en")
    response = page.goto("/programmes/lyon-2027/edit/")
    assert response.status == 404
    response = page.goto("/programmes/roles/")
    assert response.status == 403
    screenshot(page, "roles-scoped-403-en")
