import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from binomes.models import Pair
from evaluation import notifications, services
from evaluation.models import Answer, Question, Response, Survey
from evaluation.models import Testimonial as StoryModel
from evaluation.services import EvaluationError, surveys_ensure
from mentorat.core.models import Notification
from programmes.models import Milestone
from sessions.models import MentoringSession
from tests.conftest import drain_outbox
from tests.evaluation.conftest import client_en as client_for


@pytest.fixture
def live_pair(active_pair):
    """The cast's pair, activated yesterday (real time), so that its surveys are open now."""
    Pair.objects.filter(pk=active_pair.pk).update(activated_at=timezone.now() - datetime.timedelta(days=1))
    active_pair.refresh_from_db()
    return active_pair


def baseline(pair, audience="mentee"):
    return Survey.objects.get(programme=pair.programme, moment="baseline", audience=audience)


def test_activation_invites_both_members_to_their_baseline_survey(active_pair, mentor, mentee):
    invitations = Notification.objects.filter(kind="survey_invitation")
    assert {n.recipient for n in invitations} == {mentor, mentee}
    assert all(n.object_key.endswith(f":pair:{active_pair.pk}") for n in invitations)
    assert Survey.objects.filter(programme=active_pair.programme).count() == 8


def test_the_senior_answers_then_edits_the_baseline_until_it_closes(live_pair, mentee):
    survey = baseline(live_pair)
    skill = survey.questions.get(kind="skill_self")
    domain_id = live_pair.mentee.domain_items.first().domain_id
    url = reverse("evaluation:answer", args=[survey.pk])
    client = client_for(mentee)
    page = client.get(url)
    assert page.status_code == 200 and "Your level today" in page.content.decode()
    field = f"q{skill.pk}_d{domain_id}"
    assert client.post(url, {field: "2"}).status_code == 302
    assert client.post(url, {field: "3"}).status_code == 302
    response = Response.objects.get(survey=survey)
    assert Response.objects.filter(survey=survey).count() == 1
    assert response.answers.get(question=skill).value == 3
    assert response.department_id == live_pair.mentee.employee.department_id

    later = live_pair.activated_at + datetime.timedelta(days=survey.days_open, minutes=1)
    with pytest.raises(EvaluationError, match="closed"):
        services.response_submit(user=mentee, survey=survey, pair=live_pair, answers={(skill.pk, domain_id): 5}, now=later)
    assert response.answers.get(question=skill).value == 3


def test_a_required_answer_is_named_and_nothing_is_saved(live_pair, mentee):
    survey = baseline(live_pair)
    page = client_for(mentee).post(reverse("evaluation:answer", args=[survey.pk]), {})
    assert page.status_code == 200
    assert "This field is required" in page.content.decode()
    assert not Response.objects.exists()


def test_nobody_else_opens_a_members_survey(live_pair, mentor, outsider, coordinator):
    survey = baseline(live_pair, "mentee")
    url = reverse("evaluation:answer", args=[survey.pk])
    assert client_for(mentor).get(url).status_code == 404  # the mentee's survey, not the mentor's
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(coordinator).get(url).status_code == 404
    with pytest.raises(EvaluationError):
        services.response_submit(user=mentor, survey=survey, pair=live_pair, answers={})


def test_pulse_after_a_held_session_is_planned_answered_and_not_sent_twice(live_pair, mentor, mentee):
    session = live_pair.sessions.first()
    MentoringSession.objects.filter(pk=session.pk).update(status="held", starts_at=timezone.now() - datetime.timedelta(hours=3))
    Notification.objects.all().delete()
    assert notifications.plan_surveys() >= 2
    assert notifications.plan_surveys() >= 2
    pulses = Notification.objects.filter(kind="survey_invitation", object_key__contains=f":session:{session.pk}")
    assert {n.recipient for n in pulses} == {mentor, mentee}
    survey = Survey.objects.get(programme=live_pair.programme, moment="pulse", audience="mentor")
    first = survey.questions.order_by("order").first()  # a single choice (not the session's 1–5 rating again)
    url = reverse("evaluation:answer", args=[survey.pk]) + f"?session={session.pk}"
    assert client_for(mentor).post(url, {f"q{first.pk}": "1"}).status_code == 302
    assert Response.objects.get(survey=survey).session == session
    # The mentor answered: their invitation is skipped at send time; the mentee's goes.
    Notification.objects.filter(kind="survey_invitation").exclude(pk__in=pulses).delete()
    results = drain_outbox(now=timezone.now() + datetime.timedelta(hours=2))
    assert sorted(results) == ["sent", "skipped"]


def test_reviews_open_on_their_milestone_with_a_reminder_before_closing(live_pair, mentor, mentee):
    today = timezone.localdate()
    Milestone.objects.filter(programme=live_pair.programme, kind="midpoint").delete()
    Milestone.objects.create(programme=live_pair.programme, kind="midpoint", title="Mid-point", date=today)
    Notification.objects.all().delete()
    notifications.plan_surveys(now=timezone.now().replace(hour=12))
    keys = set(Notification.objects.filter(object_key__startswith="survey:").values_list("kind", "recipient"))
    assert ("survey_invitation", mentor.pk) in keys and ("survey_invitation", mentee.pk) in keys
    assert ("survey_reminder", mentee.pk) in keys
    reminder = Notification.objects.get(kind="survey_reminder", recipient=mentee)
    survey = Survey.objects.get(programme=live_pair.programme, moment="midpoint", audience="mentee")
    assert reminder.due_at.date() == today + datetime.timedelta(days=survey.days_open - 5)


def test_coordinator_edits_questions_but_not_the_type_of_an_answered_one(live_pair, coordinator, mentee):
    survey = baseline(live_pair)
    text = survey.questions.get(kind="text")
    client = client_for(coordinator)
    url = reverse("evaluation:question_edit", args=[survey.pk, text.pk])
    data = {"order": 1, "kind": "text", "text_fr": "Vos attentes ?", "text_en": "Your expectations?", "choices": "",
            "required": ""}
    assert client.post(url, data).status_code == 302
    services.response_submit(user=mentee, survey=survey, pair=live_pair, answers={(text.pk, None): "Learn"})
    page = client.post(url, dict(data, kind="scale"))
    assert "cannot change once it has answers" in page.content.decode()
    assert Question.objects.get(pk=text.pk).kind == "text"
    client.post(reverse("evaluation:question_delete", args=[survey.pk, text.pk]))
    assert Question.objects.filter(pk=text.pk).exists()
    choice = client.post(reverse("evaluation:question_new", args=[survey.pk]),
                         {"order": 5, "kind": "single", "text_fr": "Q", "text_en": "Q", "choices": "Seulement un | Only one"})
    assert "at least two choices" in choice.content.decode()


def test_only_coordinators_edit_surveys(live_pair, mentee, sponsor, executive):
    survey = baseline(live_pair)
    for user in (mentee, sponsor, executive):
        client = client_for(user)
        assert client.get(reverse("evaluation:survey_edit", args=[survey.pk])).status_code == 403
        assert client.get(reverse("evaluation:programme_surveys", args=[live_pair.programme.slug])).status_code == 403
        assert client.post(reverse("evaluation:question_new", args=[survey.pk]), {}).status_code == 403


def test_home_lists_the_surveys_to_answer(live_pair, mentee):
    page = client_for(mentee).get(reverse("core:home")).content.decode()
    assert "Surveys to answer" in page and baseline(live_pair).title in page


def test_testimonial_is_published_only_with_consent(live_pair, mentor, coordinator, outsider):
    programme = live_pair.programme
    url = reverse("evaluation:testimonial_new", args=[programme.slug])
    assert client_for(outsider).get(url).status_code in (403, 404)
    client_for(mentor).post(url, {"title": "Mon premier atelier", "body": "J'ai animé un atelier.", "consent": ""})
    story = StoryModel.objects.get()
    with pytest.raises(EvaluationError, match="did not agree"):
        services.testimonial_publish(actor=coordinator, testimonial=story)
    story.consent = True
    story.save()
    publish = reverse("evaluation:testimonial_publish", args=[story.pk])
    assert client_for(mentor).post(publish, {"publish": "1"}).status_code == 403
    client_for(coordinator).post(publish, {"publish": "1"})
    page = client_for(outsider).get(reverse("programmes:detail", args=[programme.slug])).content.decode()
    assert "Mon premier atelier" in page


def test_certificate_for_the_members_of_a_completed_pair_only(world, coordinator, outsider):
    pair = world["pairs"][0]
    url = reverse("evaluation:certificate", args=[pair.pk])
    page = client_for(pair.mentor.employee.user).get(url)
    assert page.status_code == 200 and pair.mentee.employee.full_name in page.content.decode()
    assert "2 sessions held" in page.content.decode()
    assert client_for(coordinator).get(url).status_code == 200
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(world["pairs"][1].mentor.employee.user).get(url).status_code == 404


def test_progress_shows_only_the_users_own_answers(world):
    pair = world["pairs"][0]
    page = client_for(pair.mentee.employee.user).get(reverse("evaluation:progress")).content.decode()
    assert "My skills, before and after" in page
    assert '<td>1</td><td>3</td>' in page.replace("\n", "")  # own baseline 1 and final 3
    other = client_for(world["pairs"][1].mentee.employee.user).get(reverse("evaluation:progress")).content.decode()
    assert '<td>2</td><td>3</td>' in other.replace("\n", "")


def test_surveys_ensure_is_idempotent(programme):
    first = surveys_ensure(programme=programme)
    second = surveys_ensure(programme=programme)
    assert [s.pk for s in first] == [s.pk for s in second]
    assert Question.objects.filter(survey__programme=programme).count() == sum(s.questions.count() for s in first)
    assert not Answer.objects.exists()


# --- Results released in steps ----------------------------------------------------------------------------

def _open_baseline_for_mentors(programme, count):
    from tests.evaluation.conftest import make_pairs

    surveys_ensure(programme=programme)
    pairs = make_pairs(programme, count, status=Pair.Status.ACTIVE, prefix="R")
    survey = Survey.objects.get(programme=programme, moment="baseline", audience="mentor")
    when = pairs[0].activated_at + datetime.timedelta(days=1)
    questions = {q.kind: q for q in survey.questions.all()}

    def answer(pair, value, text=""):
        answers = {(questions["scale"].pk, None): value}
        if text:
            answers[(questions["text"].pk, None)] = text
        return services.response_submit(user=pair.mentor.employee.user, survey=survey, pair=pair, answers=answers, now=when)

    return pairs, survey, answer


def _readiness(coordinator, survey):
    from evaluation.selectors import survey_results

    data = survey_results(user=coordinator, survey=survey)
    rows = {entry["question"].kind: entry["rows"][0] for entry in data["results"]}
    return data["respondents"], rows["scale"], rows["text"]


def test_one_new_answer_after_a_release_changes_nothing_shown_and_a_threshold_of_new_ones_does(closed_programme, coordinator):
    pairs, survey, answer = _open_baseline_for_mentors(closed_programme, 10)
    for pair in pairs[:5]:
        answer(pair, 4)
    shown = _readiness(coordinator, survey)
    assert shown[0] == 5 and shown[1]["respondents"] == 5 and shown[1]["mean"] == 4.0
    answer(pairs[5], 1)  # before − after would give this one person's answer
    assert _readiness(coordinator, survey) == shown
    for pair in pairs[6:9]:
        answer(pair, 1)
    assert _readiness(coordinator, survey) == shown  # four new people: still fewer than five
    answer(pairs[9], 1)
    respondents, readiness, _text = _readiness(coordinator, survey)
    assert respondents == 10 and readiness["respondents"] == 10 and readiness["mean"] == 2.5
    assert survey.releases.count() == 2


def test_a_released_answer_can_no_longer_change(closed_programme, coordinator):
    pairs, survey, answer = _open_baseline_for_mentors(closed_programme, 5)
    answer(pairs[0], 4)
    answer(pairs[0], 5)  # not released yet: the person may still change it
    for pair in pairs[1:5]:
        answer(pair, 4)
    with pytest.raises(EvaluationError, match="already counted"):
        answer(pairs[0], 1)
    assert _readiness(coordinator, survey)[1]["mean"] == 4.2


def test_comments_show_only_for_enough_authors_in_alphabetical_order_without_dates(closed_programme, coordinator):
    pairs, survey, answer = _open_baseline_for_mentors(closed_programme, 10)
    for pair, text in zip(pairs[:5], ["Zèbre", "avion", "Maison", "bateau", "Lune"], strict=True):
        answer(pair, 3, text)
    _n, readiness, comments = _readiness(coordinator, survey)
    assert readiness["shown"] and comments["respondents"] == 5
    assert comments["comments"] == ["avion", "bateau", "Lune", "Maison", "Zèbre"]  # not the order they came in
    answer(pairs[5], 3, "Seul commentaire du soir")
    assert "Seul commentaire du soir" not in _readiness(coordinator, survey)[2]["comments"]
    # The next step holds five people, of whom only that one wrote: it counts for the scale
    # question, never for the comments (before − after would be that one comment).
    for pair in pairs[6:10]:
        answer(pair, 2)
    _n, readiness, comments = _readiness(coordinator, survey)
    assert readiness["respondents"] == 10 and comments["respondents"] == 5
    assert "Seul commentaire du soir" not in comments["comments"]
    page = client_for(coordinator).get(reverse("evaluation:results", args=[survey.pk])).content.decode()
    assert "avion" in page and "Seul commentaire du soir" not in page
    for pair in pairs:
        assert pair.mentor.employee.full_name not in page
    assert str(timezone.localdate(pairs[0].activated_at).year) not in page.split("question-result", 1)[1]


def test_the_outbox_does_not_tell_who_answered_a_survey(live_pair, mentor, mentee, hr_lead):
    import re

    Notification.objects.exclude(kind="survey_invitation").delete()
    Notification.objects.update(due_at=timezone.now() - datetime.timedelta(hours=1))
    survey = baseline(live_pair, "mentee")
    skill = survey.questions.get(kind="skill_self")
    services.response_submit(user=mentee, survey=survey, pair=live_pair,
                             answers={(skill.pk, live_pair.mentee.domain_items.first().domain_id): 3})
    assert sorted(drain_outbox()) == ["sent", "skipped"]  # the mentee's invitation is no longer needed
    client = client_for(hr_lead)
    page = client.get(reverse("core:outbox")).content.decode()
    rows = {user.email: re.search(r"<tr[^>]*>(?:(?!</tr>).)*" + re.escape(user.email) + r".*?</tr>", page, re.S).group(0)
            for user in (mentor, mentee)}
    assert rows[mentor.email].replace(mentor.email, "@") == rows[mentee.email].replace(mentee.email, "@")
    assert "not needed any more" not in rows[mentee.email]
    for status in Notification.Status.values:
        listed = client.get(reverse("core:outbox"), {"status": status}).content.decode()
        assert mentor.email not in listed and mentee.email not in listed, status
    counts = re.findall(r"\((\d+)\)</a>", page)
    assert set(counts) == {"0"}  # no status tab counts the survey messages


def test_response_rates_among_fewer_than_the_threshold_do_not_say_who_answered(live_pair, mentee, coordinator):
    from evaluation.selectors import survey_response_rates

    survey = baseline(live_pair, "mentee")
    skill = survey.questions.get(kind="skill_self")
    services.response_submit(user=mentee, survey=survey, pair=live_pair,
                             answers={(skill.pk, live_pair.mentee.domain_items.first().domain_id): 3})
    rates = {r["survey"].pk: r for r in survey_response_rates(programme=live_pair.programme)}
    assert rates[survey.pk]["responses"] is None and rates[survey.pk]["rate"] is None
    client = client_for(coordinator)
    for page in (client.get(reverse("evaluation:programme_surveys", args=[live_pair.programme.slug])),
                 client.get(reverse("evaluation:operations"), {"programme": live_pair.programme.slug})):
        text = page.content.decode()
        assert "1 / 1" not in text and "too few people to count" in text


def test_the_answer_page_says_a_released_answer_can_no_longer_change(closed_programme, coordinator):
    pairs, survey, answer = _open_baseline_for_mentors(closed_programme, 5)
    for pair in pairs:
        answer(pair, 4)
    user = pairs[0].mentor.employee.user
    url = reverse("evaluation:answer", args=[survey.pk])
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=pairs[0].activated_at + datetime.timedelta(days=2)):
        client = client_for(user)
        page = client.get(url).content.decode()
        assert "already counted in the published results" in page and "Save my changes" not in page
        assert client.post(url, {}).status_code == 403
