import pytest

from mentorat.core.demo import DOMAIN, PASSWORD, SUPERUSER_EMAIL
from tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Demo login → what its navigation shows (French labels, the default language).
ROLES = {
    # Claire is also the demo programme's HR contact for concerns.
    # Claire is the HR lead (and the demo programme's HR contact for concerns); the figures and the HR
    # tools are two drop-down menus (their links are in the navigation all the same).
    "hr_lead": (f"claire.dubois@{DOMAIN}", ["Accueil", "Programmes", "Apprentissages", "Tableau de bord", "Suivi opérationnel",
                                            "Engagements par thème", "Signalements", "Annuaire", "Import", "Rôles", "Envois",
                                            "Journal", "Jetons d’API"]),
    # Julien coordinates the demo programme only.
    "coordinator": (f"julien.roche@{DOMAIN}", ["Accueil", "Programmes", "Apprentissages", "Tableau de bord",
                                               "Suivi opérationnel", "Annuaire", "Jetons d’API"]),
    # The CEO is also a mentee of the 2027 cohort (approved): his own progress page.
    "executive": (f"philippe.garnier@{DOMAIN}", ["Accueil", "Programmes", "Mes questionnaires", "Ma progression", "Apprentissages",
                                                   "Tableau de bord", "Engagements par thème", "Organisation"]),
    "sponsor": (f"sophie.laurent@{DOMAIN}", ["Accueil", "Programmes", "Apprentissages", "Tableau de bord"]),
    "mentee": (f"bernard.lefevre@{DOMAIN}", ["Accueil", "Programmes", "Mon agenda", "Mes questionnaires", "Ma progression",
                                                   "Apprentissages"]),
    "mentor": (f"lea.moreau@{DOMAIN}", ["Accueil", "Programmes", "Mon agenda", "Mes questionnaires", "Ma progression",
                                               "Apprentissages"]),
    # Superuser powers are not a coordinator role: the administrator has the admin, not the HR pages.
    "administrator": (SUPERUSER_EMAIL, ["Accueil", "Programmes", "Apprentissages", "Tableau de bord", "Engagements par thème",
                                         "Organisation", "Administration"]),
}


def log_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/")


def nav_labels(page):
    return [text.strip() for text in page.locator("[data-testid=nav] a").all_inner_texts()]


def assert_accessible(page, label):
    violations = axe_violations(page)
    assert violations == [], f"{label}: {violations}"


@pytest.mark.parametrize("role", list(ROLES))
def test_each_demo_role_logs_in_and_sees_its_navigation(page, demo, role):
    email, expected = ROLES[role]
    page.goto("/accounts/login/")
    assert_accessible(page, "login")
    log_in(page, email)
    assert nav_labels(page) == expected
    assert_accessible(page, f"{role} home")
    screenshot(page, f"home-{role}-fr")
    for link in page.locator("[data-testid=nav] a").all():
        href = link.get_attribute("href")
        if href.startswith("/admin/"):
            continue
        page.goto(href)
        assert page.locator("h1").count() >= 1
        assert_accessible(page, f"{role} {href}")
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/accounts/login/**")


def test_switching_language_is_remembered(page, demo):
    log_in(page, f"claire.dubois@{DOMAIN}")
    page.goto("/directory/")
    assert page.locator("h1").inner_text() == "Annuaire"
    page.get_by_role("button", name="EN").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Directory"
    assert page.locator("html").get_attribute("lang") == "en"
    assert nav_labels(page) == ["Home", "Programmes", "Learnings", "Dashboard", "Operations", "Commitment themes", "Concerns",
                                "Directory", "Import", "Roles", "Outbox", "Audit", "API tokens"]
    assert_accessible(page, "directory in English")
    screenshot(page, "directory-coordinator-en")
    page.goto("/directory/import/")
    assert_accessible(page, "import in English")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/**")
    log_in_en = page.get_by_label("E-mail address")
    assert log_in_en.is_visible()  # the language stays after logging out (cookie)
