"""The API reads what a coordinator's pages show and nothing more: no private note, concern,
session log, reason, motivation or individual survey answer is reachable by any endpoint, and the
dashboard's figures keep the anonymity rule (a hidden group has no value and no count)."""

import json

import pytest

from evaluation.services import results_release_due, surveys_ensure
from programmes.models import LearningDomain
from sessions.models import Concern, MentoringSession, PrivateNote, SessionLog
from tests.api.conftest import call
from tests.evaluation.conftest import answer, closed_programme, make_pairs, world  # noqa: F401  (fixtures)

MARKS = ["NOTE-MARK", "CONCERN-MARK", "TOPIC-MARK", "THEME-MARK", "REASON-MARK", "MOTIVE-MARK", "Comment 0", "Comment 5",
         "PLACE-MARK"]


def crawl(token, url):
    """Every page of a list (or the one object), as text."""
    texts = []
    while url:
        response = call("get", url, token)
        assert response.status_code == 200, (url, response.content[:200])
        texts.append(response.content.decode("utf-8-sig"))
        body = response.json() if response["Content-Type"].startswith("application/") else {}
        url = body.get("next") if isinstance(body, dict) else None
    return texts


def test_no_private_content_is_reachable_by_any_endpoint(world, tokens):
    pair = world["pairs"][0]
    session = pair.sessions.order_by("starts_at").first()
    PrivateNote.objects.create(pair=pair, author=pair.mentor.employee.user, body="NOTE-MARK")
    Concern.objects.create(pair=pair, raised_by=pair.mentor.employee.user, body="CONCERN-MARK")
    SessionLog.objects.create(session=session, topics="TOPIC-MARK", learned="TOPIC-MARK", next_step="TOPIC-MARK")
    MentoringSession.objects.filter(pk=session.pk).update(theme="THEME-MARK", cancel_reason="REASON-MARK",
                                                          reschedule_reason="REASON-MARK", place="PLACE-MARK")
    type(pair).objects.filter(pk=pair.pk).update(decline_reason="REASON-MARK", end_reason="REASON-MARK")
    pair.mentee.__class__.objects.filter(pk=pair.mentee.pk).update(motivation="MOTIVE-MARK", desired_outcome="MOTIVE-MARK")
    slug = world["programme"].slug
    texts = []
    for url in ["/api/employees/?page_size=500", f"/api/employees/{pair.mentor.employee.employee_id}/", "/api/programmes/",
                f"/api/programmes/{slug}/", f"/api/programmes/{slug}/applications/?page_size=500",
                f"/api/programmes/{slug}/pairs/", f"/api/programmes/{slug}/pairs/export/", "/api/sessions/?page_size=500",
                "/api/kpis/", f"/api/kpis/?programme={slug}", "/api/schema/"]:
        texts += crawl(tokens["read"], url)
    everything = "\n".join(texts)
    assert json.loads(texts[-1])["openapi"].startswith("3.")  # the crawl did reach the schema
    for mark in MARKS:
        assert mark not in everything, mark


def test_kpis_are_the_dashboards_figures(world, tokens):
    body = call("get", "/api/kpis/", tokens["read"]).json()
    assert body["threshold"] == 5
    total = {figure["key"]: figure for figure in body["groups"][0]["figures"]}
    assert body["groups"][0]["programme"] is None and body["groups"][1]["programme"] == world["programme"].slug
    assert total["satisfaction"] | {"label": "", "definition": ""} == {
        "key": "satisfaction", "label": "", "definition": "", "value": 4.0, "respondents": 12, "shown": True}
    assert (total["applications_mentor"]["value"], total["approved_mentee"]["value"]) == (6, 6)
    assert total["session_completion"]["value"] == 50.0
    # Every indicator of the dashboard, the cross-silo shares included (one list for page, CSV and API).
    assert {"cross_department_rate", "cross_site_rate", "mentor_promotions"} <= set(total)


@pytest.fixture
def split(closed_programme):
    pairs = make_pairs(closed_programme, 6, departments=("Opérations", "Marketing"), prefix="S")
    surveys = {(s.moment, s.audience): s for s in surveys_ensure(programme=closed_programme)}
    domain = LearningDomain.objects.get(slug="generative-ai")
    for pair in pairs:
        answer(surveys[("baseline", "mentee")], pair, "mentee", {}, domain_values={domain: 2})
        answer(surveys[("final", "mentee")], pair, "mentee", {"satisfaction": 5, "recommend": 10}, domain_values={domain: 4})
        answer(surveys[("final", "mentor")], pair, "mentor", {"satisfaction": 3, "recommend": 8})
    results_release_due()
    return pairs


def test_a_small_group_is_hidden_with_its_count(split, tokens):
    body = call("get", "/api/kpis/?department=Marketing", tokens["read"]).json()
    total = {figure["key"]: figure for figure in body["groups"][0]["figures"]}
    for key in ("satisfaction", "skill_gain_rate", "nps"):
        assert (total[key]["value"], total[key]["respondents"], total[key]["shown"]) == (None, None, False), key
    whole = {f["key"]: f for f in call("get", "/api/kpis/", tokens["read"]).json()["groups"][0]["figures"]}
    assert (whole["satisfaction"]["value"], whole["satisfaction"]["respondents"]) == (4.0, 12)


def test_an_unknown_kpi_filter_is_refused_naming_it(world, tokens):
    for query, field in (("department=Nowhere", "department"), ("programme=nope", "programme"), ("cohort=1999", "cohort")):
        response = call("get", f"/api/kpis/?{query}", tokens["read"])
        assert response.status_code == 400 and response.json()["field"] == field, query
