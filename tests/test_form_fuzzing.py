"""Forms fuzzed with hypothesis: whatever a form accepts or refuses, posting it never produces a
server error. ``from_form`` draws values each field could receive (valid or not), then the data
goes through the real view, with its service and database constraints."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import from_form

from evaluation.forms import QuestionForm, SurveyForm
from evaluation.forms import TestimonialForm as StoryForm
from mentorat.core.forms import DirectoryFilterForm
from programmes.forms import CharterForm, CopyForm
from sessions.forms import CancelForm, LogForm, NoteForm, PlaceForm, RatingForm, RescheduleForm

FUZZ = settings(max_examples=15, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Raw text too: what a form would never produce but a client can post.
NASTY = st.one_of(st.text(max_size=300), st.sampled_from(["", "0", "-1", "99999999999", "2027-02-30", "\x00", "<script>",
                                                           "' OR 1=1 --", "1e9", "NaN"]))


def post_ok(client, url, data):
    response = client.post(url, data)
    assert response.status_code < 500, (url, data, response.status_code)


@pytest.fixture
def live(active_pair):
    type(active_pair).objects.filter(pk=active_pair.pk).update(activated_at=timezone.now() - datetime.timedelta(days=1))
    active_pair.refresh_from_db()
    return active_pair


def member(user):
    client = Client()
    client.force_login(user)
    return client


@FUZZ
@given(log=from_form(LogForm), rating=from_form(RatingForm), move=from_form(RescheduleForm), cancel=from_form(CancelForm),
       place=from_form(PlaceForm))
def test_session_forms_never_fail(live, mentee, log, rating, move, cancel, place):
    session = live.sessions.order_by("starts_at").first()
    url = reverse("sessions:detail", args=[session.pk])
    client = member(mentee)
    for action, form in [("log", log), ("rate", rating), ("reschedule", move), ("place", place), ("cancel", cancel)]:
        post_ok(client, url, dict(form.data, action=action))


@FUZZ
@given(note=from_form(NoteForm), junk=st.dictionaries(st.sampled_from(["title", "domain", "status", "progress", "text",
                                                                        "due_date", "body", "pk", "goal", "commitment",
                                                                        "note"]), NASTY, max_size=6))
def test_pair_space_forms_never_fail(live, mentor, note, junk):
    url = reverse("sessions:workspace", args=[live.pk])
    client = member(mentor)
    post_ok(client, url, dict(note.data, action="note"))
    for action in ("goal", "goal_move", "commitment", "commitment_status", "concern", "note_delete"):
        post_ok(client, url, dict(junk, action=action))


@FUZZ
@given(survey=from_form(SurveyForm), question=from_form(QuestionForm), junk=st.dictionaries(st.text(max_size=12), NASTY,
                                                                                             max_size=5))
def test_survey_editing_and_answering_never_fail(live, coordinator, mentee, survey, question, junk):
    from evaluation.services import surveys_ensure

    target = surveys_ensure(programme=live.programme)[0]
    coordinator_client = member(coordinator)
    post_ok(coordinator_client, reverse("evaluation:survey_edit", args=[target.pk]), survey.data)
    post_ok(coordinator_client, reverse("evaluation:question_new", args=[target.pk]), question.data)
    baseline = live.programme.surveys.get(moment="baseline", audience="mentee")
    answers = {f"q{q.pk}": value for q, value in zip(baseline.questions.all(), junk.values(), strict=False)}
    post_ok(member(mentee), reverse("evaluation:answer", args=[baseline.pk]), {**junk, **answers})


@FUZZ
@given(story=from_form(StoryForm), filters=st.dictionaries(st.sampled_from(["programme", "cohort", "department",
                                                                                  "site"]), NASTY, max_size=4))
def test_testimonials_and_dashboard_filters_never_fail(live, mentor, executive, story, filters):
    post_ok(member(mentor), reverse("evaluation:testimonial_new", args=[live.programme.slug]), story.data)
    for name in ("evaluation:dashboard", "evaluation:export"):
        response = member(executive).get(reverse(name), filters)
        assert response.status_code < 500, (filters, response.status_code)


@FUZZ
@given(directory=from_form(DirectoryFilterForm), copy=from_form(CopyForm), charter=from_form(CharterForm))
def test_coordinator_forms_never_fail(programme, coordinator, directory, copy, charter):
    client = member(coordinator)
    assert client.get(reverse("core:directory"), directory.data).status_code < 500
    post_ok(client, reverse("programmes:copy", args=[programme.slug]), copy.data)
    post_ok(client, reverse("programmes:charter", args=[programme.slug]), charter.data)


@FUZZ
@given(data=st.dictionaries(st.sampled_from(["username", "password", "email", "next"]), NASTY, max_size=4))
def test_login_and_password_reset_never_fail(db, data):
    post_ok(Client(), reverse("login"), data)
    post_ok(Client(), reverse("password_reset"), data)
