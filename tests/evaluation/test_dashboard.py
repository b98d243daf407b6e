import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluation import selectors
from evaluation.services import results_release_due, surveys_ensure
from mentorat.core.models import Department, Employee, JobLevelChange
from programmes.models import Objective, ProgrammeSponsor
from tests.evaluation.conftest import answer, client_en, make_pairs
from tests.factories import EmployeeFactory

NOW = timezone.make_aware(datetime.datetime(2026, 11, 22, 12))


def test_kpis_match_the_hand_computed_figures(world, executive):
    pairs = world["pairs"]
    # Mentor 0 left before 6 months, mentor 1 between 6 and 12 months; mentor 2 was promoted.
    Employee.objects.filter(pk=pairs[0].mentor.employee_id).update(leave_date=datetime.date(2026, 1, 1))
    Employee.objects.filter(pk=pairs[1].mentor.employee_id).update(leave_date=datetime.date(2026, 8, 1))
    JobLevelChange.objects.create(employee=pairs[2].mentor.employee, from_level=1, to_level=2,
                                  changed_on=datetime.date(2025, 12, 1))
    Objective.objects.create(programme=world["programme"], title="NPS", kpi="nps", target=50)
    Objective.objects.create(programme=world["programme"], title="Completion", kpi="session_completion", target=80)

    data = selectors.dashboard(user=executive, filters=selectors.Filters(), now=NOW)
    total = data["total"]
    assert total["applications"] == 12 and total["approved"] == 12 and total["pairing_rate"] == 100.0
    assert (total["applications_mentor"], total["approved_mentee"]) == (6, 6)
    assert total["completed_pairs"] == 6
    assert (total["sessions_held"], total["sessions_due"], total["session_completion"]) == (12, 24, 50.0)
    assert total["cancellations"] == {"mentor": 0, "mentee": 6, "coordinator": 0}
    # Satisfaction: mentees 5,5,4,4,3,3 and six mentors at 4 → 48 / 12.
    assert total["satisfaction"] == {"value": 4.0, "respondents": 12, "shown": True}
    # Recommendation: promoters 3 mentees + 6 mentors, passive 1, detractors 2 → NPS (9 − 2) / 12.
    assert total["nps"]["value"] == 58.3 and total["recommendation_rate"]["value"] == 83.3
    # Skill gain: before 1,2,2,3,3,4 → after 3,3,2,4,3,5: four of six progressed.
    assert total["skill_gain_rate"] == {"value": 66.7, "respondents": 6, "shown": True}
    assert total["session_rating"]["value"] == 4.5 and total["session_rating"]["respondents"] == 12
    assert total["mentor_retention_6m"] == 83.3 and total["mentor_retention_12m"] == 66.7
    assert total["mentor_promotions"] == 16.7
    assert total["funnel"] == [12, 12, 12, 12, 12]
    skills = data["charts"]["skills"]
    assert skills == [{"domain": skills[0]["domain"], "before": 2.5, "after": 3.33, "mentor": 4.0, "respondents": 6}]
    assert {row["objective"].title: row["status"] for row in data["objectives"]} == {"NPS": "met", "Completion": "not met"}
    assert [point["nps"] for point in data["charts"]["trend"]] == [58.3]


@pytest.fixture
def split_world(closed_programme):
    """Six pairs, three in Marketing and three in Opérations; mentees answer baseline and final."""
    pairs = make_pairs(closed_programme, 6, departments=("Opérations", "Marketing"), prefix="S")
    surveys = {(s.moment, s.audience): s for s in surveys_ensure(programme=closed_programme)}
    from programmes.models import LearningDomain

    domain = LearningDomain.objects.get(slug="generative-ai")
    for pair in pairs:
        answer(surveys[("baseline", "mentee")], pair, "mentee", {}, domain_values={domain: 2})
        answer(surveys[("final", "mentee")], pair, "mentee", {"satisfaction": 5, "recommend": 10}, domain_values={domain: 4})
        answer(surveys[("final", "mentor")], pair, "mentor", {"satisfaction": 3, "recommend": 8})
    results_release_due()
    return pairs


def test_a_department_filter_hides_a_small_group_and_its_count_page_and_export(split_world, executive):
    # Three seniors and three mentors in Marketing: the figure would be the whole minus Opérations'
    # three of each role, so neither the value nor the count is given.
    marketing = Department.objects.get(name="Marketing")
    client = client_en(executive)
    page = client.get(reverse("evaluation:dashboard"), {"department": marketing.pk}).content.decode()
    assert "not enough answers to show" in page and "3 respondents" not in page
    data = selectors.dashboard(user=executive, filters=selectors.Filters(department=marketing.pk), now=NOW)
    assert data["total"]["satisfaction"] == {"value": None, "respondents": None, "shown": False}
    assert data["total"]["skill_gain_rate"] == {"value": None, "respondents": None, "shown": False}
    export = client.get(reverse("evaluation:export"), {"department": marketing.pk})
    rows = {row[1]: row for row in csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";")
            if row[0] != "programme"}
    assert rows["Seniors reporting a skill gain"][2:4] == ["", ""]
    assert rows["Satisfaction"][2:4] == ["", ""]
    everyone = client.get(reverse("evaluation:export"))
    rows = {row[1]: row for row in csv.reader(io.StringIO(everyone.content.decode("utf-8-sig")), delimiter=";")
            if row[0] != "programme"}
    assert rows["Satisfaction"][2:4] == ["4.0", "12"]


def test_no_figure_when_two_filters_differ_by_fewer_than_the_threshold(split_world, executive, settings):
    # Marketing's skill gain covers 3 seniors, the whole programme 6: with a threshold of 3 both
    # groups and their difference reach it; with 4, Marketing hides.
    settings.MENTORAT_ANONYMITY_THRESHOLD = 3
    marketing = Department.objects.get(name="Marketing")
    data = selectors.dashboard(user=executive, filters=selectors.Filters(department=marketing.pk), now=NOW)
    assert data["total"]["skill_gain_rate"]["shown"]  # 3 of 6: both groups and the difference reach 3
    settings.MENTORAT_ANONYMITY_THRESHOLD = 4
    data = selectors.dashboard(user=executive, filters=selectors.Filters(department=marketing.pk), now=NOW)
    assert not data["total"]["skill_gain_rate"]["shown"]
    everyone = selectors.dashboard(user=executive, filters=selectors.Filters(), now=NOW)
    assert everyone["total"]["skill_gain_rate"]["shown"]  # 6 ≥ 4, nothing wider


def test_sponsors_see_their_programme_only(world, programme, sponsor, executive):
    client = client_en(sponsor)
    page = client.get(reverse("evaluation:dashboard"))
    assert page.status_code == 200
    assert [p.pk for p in page.context["data"]["programmes"]] == [programme.pk]
    assert client.get(reverse("evaluation:dashboard"), {"programme": world["programme"].pk}).status_code == 404
    assert client.get(reverse("evaluation:export"), {"programme": world["programme"].pk}).status_code == 404
    # The pilot's answers are outside the sponsor's scope: nothing of them reaches the page.
    assert page.context["data"]["total"]["satisfaction"]["respondents"] is None
    everyone = client_en(executive).get(reverse("evaluation:dashboard"))
    assert {p.pk for p in everyone.context["data"]["programmes"]} == {programme.pk, world["programme"].pk}


def test_participants_and_outsiders_cannot_open_the_dashboards(world, outsider):
    pair = world["pairs"][0]
    for user in (outsider, pair.mentor.employee.user, pair.mentee.employee.user):
        client = client_en(user)
        assert client.get(reverse("evaluation:dashboard")).status_code == 403
        assert client.get(reverse("evaluation:export")).status_code == 403
        assert client.get(reverse("evaluation:operations")).status_code == 403
        assert client.get(reverse("evaluation:results", args=[world["surveys"][("final", "mentee")].pk])).status_code == 403
    assert client_en(outsider).get(reverse("evaluation:progress")).status_code == 200  # their own, empty


def test_anonymous_is_sent_to_the_login_page(world):
    from django.test import Client

    for name in ("evaluation:dashboard", "evaluation:export", "evaluation:operations", "evaluation:my_surveys"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_results_page_shows_aggregates_and_comments_only_for_enough_people(world, coordinator, settings):
    survey = world["surveys"][("final", "mentee")]
    client = client_en(coordinator)
    page = client.get(reverse("evaluation:results", args=[survey.pk])).content.decode()
    assert "Comment 0" in page and "Comment 5" in page
    assert "NPS: <strong>16.7</strong>" in page  # mentees only: 3 promoters, 2 detractors of 6
    assert world["pairs"][0].mentee.employee.full_name not in page
    settings.MENTORAT_ANONYMITY_THRESHOLD = 7
    page = client.get(reverse("evaluation:results", args=[survey.pk])).content.decode()
    assert "Comment 0" not in page and "not enough answers to show" in page and "6 respondents" not in page


def test_a_release_step_that_shrank_below_the_threshold_leaves_every_figure(world, coordinator, executive):
    # Only two mentors' final answers remain in their step: the dashboard's final satisfaction of
    # everyone minus the mentees' on the results page would reveal those two. They are left out of
    # every figure instead, and the mentees' results still show.
    from evaluation.models import Response

    for response in list(Response.objects.filter(survey=world["surveys"][("final", "mentor")]).order_by("pk"))[:4]:
        response.delete()
    data = selectors.survey_results(user=coordinator, survey=world["surveys"][("final", "mentee")])
    satisfaction = next(e for e in data["results"] if e["question"].measures == "satisfaction")["rows"][0]
    assert satisfaction["respondents"] == 6 and satisfaction["shown"]
    total = selectors.dashboard(user=executive, filters=selectors.Filters(), now=NOW)["total"]["satisfaction"]
    assert total["respondents"] == 6 and total["value"] == 4.0  # the mentees' 5,5,4,4,3,3
    mentors = selectors.survey_results(user=coordinator, survey=world["surveys"][("final", "mentor")])
    assert mentors["respondents"] is None
    assert all(not row["shown"] and row["respondents"] is None for entry in mentors["results"] for row in entry["rows"])


def _dashboard_queries(user, **params):
    client = client_en(user)
    client.get(reverse("evaluation:dashboard"), params)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("evaluation:dashboard"), params).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_queries_do_not_grow_with_the_data(world, executive, coordinator):
    small = _dashboard_queries(executive)
    client = client_en(coordinator)
    client.get(reverse("evaluation:operations"))
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("evaluation:operations"))
    small_ops = len(ctx.captured_queries)
    more = make_pairs(world["programme"], 14, departments=("Finance", "Achats"), prefix="M")
    for pair in more:
        answer(world["surveys"][("final", "mentee")], pair, "mentee", {"satisfaction": 4, "recommend": 9},
               domain_values={world["domain"]: 4})
    assert _dashboard_queries(executive) == small
    department = Department.objects.get(name="Finance")
    assert _dashboard_queries(executive, department=department.pk) == small
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("evaluation:operations"))
    len_ops = len(ctx.captured_queries)
    assert len_ops == small_ops
    assert small <= 34  # session, user, reach (2), nav and options (≈8: a test's writes never commit, so they are read again), ten operational, seven answer families


def test_sponsor_of_another_programme_cannot_read_its_survey_results(world, programme):
    other = EmployeeFactory(employee_id="SP2", job_level=6).user
    ProgrammeSponsor.objects.create(programme=programme, user=other)
    url = reverse("evaluation:results", args=[world["surveys"][("final", "mentee")].pk])
    assert client_en(other).get(url).status_code == 403


def test_cached_figures_follow_releases_and_question_changes(world, executive, coordinator):
    first = selectors.dashboard(user=executive, filters=selectors.Filters(), now=NOW)["total"]["satisfaction"]
    more = make_pairs(world["programme"], 5, prefix="C")
    for pair in more:
        answer(world["surveys"][("final", "mentor")], pair, "mentor", {"satisfaction": 1})
    results_release_due()
    second = selectors.dashboard(user=executive, filters=selectors.Filters(), now=NOW)["total"]["satisfaction"]
    assert second["respondents"] == first["respondents"] + 5 and second["value"] < first["value"]
    from evaluation.services import question_save

    survey = world["surveys"][("final", "mentor")]
    question = survey.questions.get(measures="satisfaction")
    question_save(actor=coordinator, survey=survey, question=question, kind="scale", text_fr=question.text_fr,
                  text_en=question.text_en, order=question.order, measures="")
    third = selectors.dashboard(user=executive, filters=selectors.Filters(), now=NOW)["total"]["satisfaction"]
    assert third["respondents"] == 6  # the mentors' question no longer counts as satisfaction


def test_survey_response_rates_count_who_each_survey_went_to(world, coordinator):
    rates = {(r["survey"].moment, r["survey"].audience): r for r in
             selectors.survey_response_rates(programme=world["programme"], now=NOW)}
    assert (rates[("final", "mentee")]["responses"], rates[("final", "mentee")]["invited"]) == (6, 6)
    assert rates[("final", "mentee")]["rate"] == 100.0
    assert (rates[("pulse", "mentor")]["responses"], rates[("pulse", "mentor")]["invited"]) == (0, 12)
    assert rates[("midpoint", "mentor")]["rate"] == 0.0
    page = client_en(coordinator).get(reverse("evaluation:programme_surveys", args=[world["programme"].slug]))
    assert "6 / 6" in page.content.decode()


def test_operational_figures_of_a_department_with_one_pair_are_not_shown(world, executive):
    # The pilot's six pairs are in Opérations; one more pair, alone in Direction, kept none of
    # its commitments and met its goal. Neither Direction's figures nor Opérations' (the whole
    # minus Opérations would be Direction) may be shown; the whole programme's may.
    from sessions.models import Commitment, LearningGoal

    pair = make_pairs(world["programme"], 1, departments=("Direction",), prefix="D")[0]
    for i, pair_ in enumerate(world["pairs"]):
        Commitment.objects.create(pair=pair_, text="x", due_date=datetime.date(2025, 3, 1), status="kept")
        LearningGoal.objects.create(pair=pair_, title="g", status="achieved" if i % 2 else "open")
    Commitment.objects.create(pair=pair, text="x", due_date=datetime.date(2025, 3, 1), status="not_kept")
    from sessions.models import MentoringSession

    MentoringSession.objects.create(pair=pair, starts_at=timezone.make_aware(datetime.datetime(2025, 2, 3, 10)), status="held")
    LearningGoal.objects.create(pair=pair, title="g", status="achieved")
    direction = Department.objects.get(name="Direction")
    operations = Department.objects.get(name="Opérations")
    everyone = selectors.dashboard(user=executive, filters=selectors.Filters(), now=NOW)["total"]
    assert everyone["commitments_kept"] == 85.7 and everyone["goals_achieved"] == 57.1
    keys = ("commitments_kept", "goals_achieved", "mentor_retention_6m", "mentor_retention_12m", "mentor_promotions",
            "session_completion", "applications", "approved", "pairing_rate", "completed_pairs")
    for department in (direction, operations):
        total = selectors.dashboard(user=executive, filters=selectors.Filters(department=department.pk), now=NOW)["total"]
        assert {key: total[key] for key in keys} == dict.fromkeys(keys), department.name
        assert set(total["funnel"]) == {None} and set(total["cancellations"].values()) == {None}
    page = client_en(executive).get(reverse("evaluation:dashboard"), {"department": direction.pk}).content.decode()
    assert "85.7" not in page and "0.0 %" not in page and "100.0 %" not in page


def test_the_demo_answers_are_released_and_its_dashboard_shows_them(db, executive):
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    total = selectors.dashboard(user=executive, filters=selectors.Filters())["total"]
    assert total["satisfaction"]["shown"] and total["nps"]["shown"]


def test_a_new_session_rating_joins_the_figures_only_with_a_threshold_of_others(world, executive):
    from sessions.models import MentoringSession, SessionRating

    def rate(pair):
        session = MentoringSession.objects.create(pair=pair, starts_at=timezone.make_aware(datetime.datetime(2025, 6, 2, 10)),
                                                  status="held")
        SessionRating.objects.create(session=session, role="mentee", score=1)

    before = selectors.dashboard(user=executive, filters=selectors.Filters(), now=NOW)["total"]["session_rating"]
    rate(world["pairs"][0])  # before − after would give this senior's rating
    results_release_due()
    assert selectors.dashboard(user=executive, filters=selectors.Filters(), now=NOW)["total"]["session_rating"] == before
    for pair in world["pairs"][1:5]:
        rate(pair)
    results_release_due()
    after = selectors.dashboard(user=executive, filters=selectors.Filters(), now=NOW)["total"]["session_rating"]
    assert after["shown"] and after["value"] < before["value"]


def test_results_page_queries_do_not_grow_with_the_answers(world, coordinator):
    survey = world["surveys"][("final", "mentee")]
    client = client_en(coordinator)
    url = reverse("evaluation:results", args=[survey.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    small = len(ctx.captured_queries)
    for pair in make_pairs(world["programme"], 10, departments=("Finance",), prefix="Q"):
        answer(survey, pair, "mentee", {"satisfaction": 2, "recommend": 5, "text": "Plus"}, domain_values={world["domain"]: 2})
    results_release_due()
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(url)
    assert len(ctx.captured_queries) == small
    assert "16 responses" in page.content.decode()


def test_a_response_rate_that_counts_fewer_than_the_threshold_on_either_side_is_not_given(world):
    from evaluation.models import Response

    Response.objects.filter(survey=world["surveys"][("final", "mentee")]).order_by("pk").first().delete()
    rates = {(r["survey"].moment, r["survey"].audience): r for r in
             selectors.survey_response_rates(programme=world["programme"], now=NOW)}
    assert rates[("final", "mentee")]["responses"] is None  # 5 / 6: the one who did not answer
    assert rates[("final", "mentor")]["responses"] == 6
