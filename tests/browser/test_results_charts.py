"""Issue journey: survey results as charts with their tables, the satisfaction/NPS chart, the
cross-silo matrices and the objectives' verdicts on the dashboard, in French and English."""

import subprocess

import pytest

from evaluation.models import Survey
from mentorat.core.demo import DOMAIN
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.browser.test_programme_journey import check
from tests.browser.test_roles import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PILOT = "mentorat-inverse-pilote"


def log_in(page, email):
    """By the fields' names: the labels are translated, and the merged French catalogue may lag."""
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")


def charts_match_their_tables(page):
    """Every results chart is drawn, with the counts its table gives (suppressed lines are in no table)."""
    drawn = page.evaluate("""() => Array.from(document.querySelectorAll('canvas[data-chart]')).map(canvas => {
        const chart = Chart.getChart(canvas);
        const table = document.getElementById(canvas.dataset.chart);
        const rows = Array.from(table.querySelectorAll('tbody tr[data-row]'));
        return {drawn: !!chart, rows: rows.length,
                chart: chart ? chart.data.datasets.map(d => d.data) : null,
                table: rows.length ? Array.from(rows[0].querySelectorAll('td[data-count]')).map((_td, i) =>
                    rows.map(r => Number(r.querySelectorAll('td[data-count]')[i].dataset.count))) : []};
    })""")
    assert drawn, "no chart on the results page"
    for one in drawn:
        assert one["drawn"] == (one["rows"] > 0)
        if one["drawn"]:
            assert one["chart"] == one["table"]
    return drawn


@pytest.fixture
def merged_french(settings, tmp_path):
    """The French catalogue as the owner merges it (the project's, then locale/pending/*.po), compiled
    ahead of the project's: the pending strings of this task show in French."""
    messages = tmp_path / "fr" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    locale = settings.BASE_DIR / "locale"
    subprocess.run(["msgcat", "--use-first", "-o", str(tmp_path / "merged.po"), str(locale / "fr/LC_MESSAGES/django.po"),
                    *sorted(str(p) for p in (locale / "pending").glob("*.po"))], check=True)
    subprocess.run(["msgfmt", "-o", str(messages / "django.mo"), str(tmp_path / "merged.po")], check=True)
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]


def test_results_charts_and_the_dashboard_in_french_and_english(page, demo, merged_french):
    final = Survey.objects.get(programme__slug=PILOT, moment="final", audience="mentee")

    # A coordinator reads the pilot's final review: a chart per question, drawn from its table.
    log_in(page, f"claire.dubois@{DOMAIN}")
    page.goto(f"/evaluation/surveys/{final.pk}/results/")
    drawn = charts_match_their_tables(page)
    assert len(drawn) == 4  # satisfaction, recommendation, skills by domain, single choice (comments: a list)
    check(page, "survey results (coordinator)")
    screenshot(page, "results-coordinator-fr")
    page.locator("header form[action$='/logout/'] button").click()
    page.wait_for_url("**/accounts/login/**")

    log_in(page, f"philippe.garnier@{DOMAIN}")
    for lang in ("fr", "en"):
        if lang == "en":
            page.get_by_role("button", name="EN", exact=True).click()
            page.wait_for_load_state()
            assert page.locator("html").get_attribute("lang") == "en"
        page.goto("/evaluation/")
        # Satisfaction and NPS: two charts, each naming its scale; the figures are also in a table.
        axes = page.evaluate("() => ['chart-trend', 'chart-nps'].map(id => "
                             "Chart.getChart(document.getElementById(id)).options.scales.x.title.text)")
        assert axes[0].startswith("Satisfaction") and axes[1].startswith("NPS")
        assert page.get_by_test_id("trend-table").locator("tbody tr").count() >= 1
        # Links across sites: the demo's Lyon–Paris pairs, as a heat-map matrix (both halves).
        assert page.get_by_test_id("department-links").is_visible()
        assert page.get_by_test_id("site-links-matrix").locator("td[data-pairs]").count() == 2
        # The pilot is closed: its objectives below target read "not met", never "not yet".
        verdicts = page.locator("[data-testid=objectives] td[data-verdict]").evaluate_all(
            "cells => cells.map(c => [c.dataset.verdict, c.innerText.trim()])")
        assert ("not met", "non atteint" if lang == "fr" else "not met") in [tuple(v) for v in verdicts]
        check(page, f"dashboard ({lang})")
        screenshot(page, f"results-dashboard-{lang}")
        page.locator("#chart-trend").locator("xpath=../..").screenshot(path=ARTIFACTS / f"results-trend-{lang}.png")
        page.get_by_test_id("site-links").screenshot(path=ARTIFACTS / f"results-site-links-{lang}.png")
        page.get_by_test_id("objectives").screenshot(path=ARTIFACTS / f"results-objectives-{lang}.png")

        page.goto(f"/evaluation/surveys/{final.pk}/results/")
        charts_match_their_tables(page)
        check(page, f"survey results ({lang})")
        screenshot(page, f"results-survey-{lang}")
