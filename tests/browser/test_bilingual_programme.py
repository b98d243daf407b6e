"""Issue 17, "French first, English as good": the coordinator writes the demo programme's content
in French and in English — charter, objectives, a milestone, a training module, side by side — then
a French reader and an English reader each see their version, and an objective written only in
French reaches the English reader in French. Screenshots of each page, axe-core on the forms."""


import pytest

from mentorat.core.demo import DOMAIN
from mentorat.core.models import User
from programmes.demo import SLUG
from programmes.models import Charter, Milestone, Objective, TrainingModule
from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_roles import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRAMME = f"/programmes/{SLUG}/"


def check(page, label):
    violations = axe_violations(page)
    assert violations == [], f"{label}: {violations}"


def log_out(page):
    page.locator("form[action$='/logout/'] button").click()
    page.wait_for_url("**/accounts/login/**")


def save(page, address):
    """Submit the page's form; the coordinator is sent back to the programme page."""
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.wait_for_url(f"**{address}")


def new_item(page):
    """The empty form at the end of a formset page (the one that adds an item)."""
    return page.locator("main fieldset").last


# Fields are found by name, not label: the new labels' French arrives with the catalogue merge.
def test_content_written_in_two_languages_reaches_each_reader_in_theirs(page, demo):
    log_in(page, f"claire.dubois@{DOMAIN}")

    page.goto(f"{PROGRAMME}charter/")
    page.locator("textarea[name=text]").fill("Charte : ce qui se dit dans le binôme y reste.")
    page.locator("textarea[name=text_en]").fill("Charter: what is said in the pair stays there.")
    check(page, "charter form")
    screenshot(page, "bilingual-charter-form-fr")
    page.screenshot(path="/tmp/bilingual-charter-form.png", full_page=True)
    save(page, PROGRAMME)

    page.goto(f"{PROGRAMME}objectives/")
    item = new_item(page)
    item.locator("input[name$='-title']").fill("Deux tiers des mentorés utilisent l'IA chaque semaine")
    item.locator("input[name$='-title_en']").fill("Two thirds of mentees use AI every week")
    item.locator("select[name$='-kpi']").select_option("skill_gain_rate")
    item.locator("input[name$='-target']").fill("66")
    check(page, "objectives form")
    page.screenshot(path="/tmp/bilingual-objectives-form.png", full_page=True)
    save(page, PROGRAMME)
    page.goto(f"{PROGRAMME}objectives/")
    item = new_item(page)
    item.locator("input[name$='-title']").fill("Un binôme sur deux entre deux directions")
    item.locator("select[name$='-kpi']").select_option("cross_department_rate")
    item.locator("input[name$='-target']").fill("50")
    save(page, PROGRAMME)

    page.goto(f"{PROGRAMME}milestones/")
    item = new_item(page)
    item.locator("select[name$='-kind']").select_option("other")
    item.locator("input[name$='-title']").fill("Petit-déjeuner des binômes à Lyon")
    item.locator("input[name$='-title_en']").fill("Pairs' breakfast in Lyon")
    item.locator("input[name$='-date']").fill("2027-04-15")
    save(page, PROGRAMME)

    page.goto(f"{PROGRAMME}training/")
    item = new_item(page)
    item.locator("input[name$='-title']").fill("Préparer sa première séance")
    item.locator("input[name$='-title_en']").fill("Preparing your first session")
    item.locator("textarea[name$='-content']").fill("Choisir un outil et un cas concret.")
    item.locator("textarea[name$='-content_en']").fill("Pick one tool and one real case.")
    check(page, "training form")
    page.screenshot(path="/tmp/bilingual-training-form.png", full_page=True)
    save(page, PROGRAMME)

    page.goto(f"{PROGRAMME}sponsors/")
    check(page, "sponsors page")
    page.screenshot(path="/tmp/bilingual-sponsors-form.png", full_page=True)
    log_out(page)

    charter = Charter.objects.filter(programme__slug=SLUG).order_by("-version").first()
    assert charter.version == 2 and charter.text_en == "Charter: what is said in the pair stays there."
    assert Objective.objects.get(programme__slug=SLUG, title_en="Two thirds of mentees use AI every week")
    assert Objective.objects.get(programme__slug=SLUG, title="Un binôme sur deux entre deux directions").title_en == ""
    assert Milestone.objects.get(programme__slug=SLUG, title_en="Pairs' breakfast in Lyon")
    assert TrainingModule.objects.get(programme__slug=SLUG, content_en="Pick one tool and one real case.")

    # A French reader: the senior mentee of the demo.
    log_in(page, f"bernard.lefevre@{DOMAIN}")
    page.goto(PROGRAMME)
    charter_box = page.get_by_test_id("charter").inner_text()
    assert "Charte : ce qui se dit dans le binôme y reste." in charter_box and "Charter:" not in charter_box
    objectives = page.get_by_test_id("objectives").inner_text()
    assert "Deux tiers des mentorés utilisent l'IA chaque semaine" in objectives
    assert "Un binôme sur deux entre deux directions" in objectives
    assert "Two thirds" not in objectives
    assert "Petit-déjeuner des binômes à Lyon" in page.get_by_test_id("milestones").inner_text()
    assert "Nos collègues les plus jeunes" in page.get_by_test_id("sponsor-message").inner_text()
    assert "Des juniors volontaires" in page.get_by_test_id("programme-description").inner_text()
    check(page, "programme page in French")
    screenshot(page, "bilingual-programme-fr")
    page.screenshot(path="/tmp/bilingual-programme-fr.png", full_page=True)
    log_out(page)

    # An English reader: the junior mentor of the demo, who reads the site in English.
    User.objects.filter(email=f"lea.moreau@{DOMAIN}").update(language="en")
    log_in(page, f"lea.moreau@{DOMAIN}")
    page.goto(PROGRAMME)
    charter_box = page.get_by_test_id("charter").inner_text()
    assert "Charter: what is said in the pair stays there." in charter_box and "Charte :" not in charter_box
    objectives = page.get_by_test_id("objectives").inner_text()
    assert "Two thirds of mentees use AI every week" in objectives
    assert "Deux tiers" not in objectives
    # Written only in French: the English reader reads it in French.
    assert "Un binôme sur deux entre deux directions" in objectives
    milestones = page.get_by_test_id("milestones").inner_text()
    assert "Pairs' breakfast in Lyon" in milestones and "Kick-off" in milestones
    assert "Our youngest colleagues" in page.get_by_test_id("sponsor-message").inner_text()
    assert "Junior volunteers guide executives" in page.get_by_test_id("programme-description").inner_text()
    check(page, "programme page in English")
    screenshot(page, "bilingual-programme-en")
    page.screenshot(path="/tmp/bilingual-programme-en.png", full_page=True)

    page.locator(f"a[href='{PROGRAMME}my-training/']").click()
    page.wait_for_url(f"**{PROGRAMME}my-training/")
    body = page.locator("main").inner_text()
    assert "Preparing your first session" in body and "Pick one tool and one real case." in body
    assert "Running a reverse-mentoring session" in body and "Préparer sa première séance" not in body
    check(page, "training page in English")
    page.screenshot(path="/tmp/bilingual-training-en.png", full_page=True)
