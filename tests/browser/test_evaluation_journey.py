"""Issue journey: the coordinator opens the final review, a senior answers it, an executive opens
the dashboard, filters by department and exports the CSV; French and English; axe on each page."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from evaluation.models import Response, Survey
from mentorat.core.demo import DOMAIN
from mentorat.core.models import Department
from tests.browser.conftest import screenshot
from tests.browser.test_programme_journey import check, log_out
from tests.browser.test_roles import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROGRAMME = "mentorat-inverse-2026"


def test_final_survey_answered_then_the_dashboard_filtered_and_exported(page, transactional_db, tmp_path):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    final = Survey.objects.get(programme__slug=PROGRAMME, moment="final", audience="mentee")

    # The coordinator opens the final review today (it would open on its milestone).
    log_in(page, f"claire.dubois@{DOMAIN}")
    page.goto(f"/evaluation/programme/{PROGRAMME}/surveys/")
    check(page, "programme surveys")
    page.locator(f"a[href='/evaluation/surveys/{final.pk}/edit/']").click()
    page.locator("#id_opens_on").fill((timezone.localdate() - datetime.timedelta(days=1)).isoformat())
    page.locator("main form").first.locator("button[type=submit]").click()
    page.wait_for_load_state()
    check(page, "survey editor")
    page.goto("/evaluation/operations/?programme=" + PROGRAMME)
    check(page, "operations")
    screenshot(page, "operations-coordinator-fr")
    log_out(page)

    # The senior finds it on the home page and answers it.
    log_in(page, f"bernard.lefevre@{DOMAIN}")
    home_surveys = page.get_by_test_id("home-surveys")
    assert final.title_fr in home_surveys.inner_text()
    home_surveys.get_by_role("link", name=final.title_fr).click()
    check(page, "final survey form")
    for question in final.questions.all():
        if question.kind == "scale":
            page.locator(f"input[name=q{question.pk}][value='5']").check()
        elif question.kind == "recommend":
            page.locator(f"input[name=q{question.pk}][value='9']").check()
        elif question.kind == "skill_self":
            for radio in page.locator(f"input[name^=q{question.pk}_d][value='4']").all():
                radio.check()
        elif question.kind == "single":
            page.locator(f"input[name=q{question.pk}][value='1']").check()
        elif question.kind == "text":
            page.locator(f"textarea[name=q{question.pk}]").fill("Je prépare mes comités avec un assistant IA.")
    screenshot(page, "survey-final-mentee-fr")
    page.get_by_test_id("survey-form").locator("button[type=submit]").click()
    page.wait_for_url("**/evaluation/surveys/")
    assert Response.objects.filter(survey=final, respondent__email=f"bernard.lefevre@{DOMAIN}").count() == 1
    check(page, "my surveys")
    log_out(page)

    # The executive reads the dashboard, filters by department, exports.
    log_in(page, f"philippe.garnier@{DOMAIN}")
    page.goto("/evaluation/")
    cards = page.get_by_test_id("kpi-cards")
    assert cards.locator("[data-kpi=satisfaction] [data-value]").inner_text().strip()[0].isdigit()
    check(page, "dashboard")
    screenshot(page, "dashboard-executive-fr")
    operations = Department.objects.get(name="Opérations")
    page.locator("#id_department").select_option(str(operations.pk))
    page.get_by_test_id("filters").locator("button[type=submit]").click()
    page.wait_for_url(f"**department={operations.pk}**")
    check(page, "dashboard filtered by department")
    screenshot(page, "dashboard-department-fr")
    with page.expect_download() as download_info:
        page.get_by_test_id("export-csv").click()
    path = tmp_path / "dashboard.csv"
    download_info.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert len(rows) > 10 and len(rows[0]) == 5
    page.get_by_role("button", name="EN", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Reverse mentoring: results"
    check(page, "dashboard in English")
    # The filters stay in their columns: no label or list runs into another one.
    boxes = page.get_by_test_id("filters").locator("label, select").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [e.tagName, r.left, r.top, r.right, r.bottom]; })")
    for i, (tag_a, *a) in enumerate(boxes):
        for tag_b, *b in boxes[i + 1:]:
            overlap = a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1
            assert not overlap, f"{tag_a} {a} overlaps {tag_b} {b}"
    screenshot(page, "dashboard-department-en")
