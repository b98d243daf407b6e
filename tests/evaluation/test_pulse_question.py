"""Existing programmes: the pulse's duplicate of the session rating is replaced where nobody
answered it and the coordinators left it as it was; a question with answers keeps its meaning."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from evaluation.models import Answer, Question, Response
from evaluation.services import surveys_ensure

migration = importlib.import_module("evaluation.migrations.0005_pulse_asks_what_the_rating_does_not")


def old_pulse(survey):
    survey.questions.all().delete()
    return Question.objects.create(survey=survey, order=0, kind="scale", text_fr="Cette séance vous a-t-elle été utile ?",
                                   text_en="How useful was this session?", measures="pulse")


@pytest.mark.django_db
def test_the_unanswered_duplicate_is_replaced_and_an_answered_one_kept(programme, active_pair):
    surveys = {(s.moment, s.audience): s for s in surveys_ensure(programme=programme)}
    mentee_q, mentor_q = old_pulse(surveys[("pulse", "mentee")]), old_pulse(surveys[("pulse", "mentor")])
    edited = Question.objects.create(survey=surveys[("pulse", "mentee")], order=1, kind="scale", measures="pulse",
                                     text_fr="Utile pour votre comité ?", text_en="Useful for your board?")
    employee = active_pair.mentor.employee
    response = Response.objects.create(survey=surveys[("pulse", "mentor")], respondent=employee, pair=active_pair,
                                       role="mentor", session=active_pair.sessions.first(), submitted_at=timezone.now())
    Answer.objects.create(response=response, question=mentor_q, value=4)

    migration.replace_duplicate(apps, None)

    mentee_q.refresh_from_db(), mentor_q.refresh_from_db(), edited.refresh_from_db()
    assert (mentee_q.kind, mentee_q.measures) == ("single", "")
    assert mentee_q.text_en == "Will you try something from this session before the next one?"
    assert len(mentee_q.choices.splitlines()) == 3
    assert (mentor_q.kind, mentor_q.text_en) == ("scale", "How useful was this session?")  # answered: kept
    assert edited.text_en == "Useful for your board?"  # the coordinators' own question: kept
    migration.replace_duplicate(apps, None)  # twice: nothing more changes
    assert Question.objects.filter(text_en="Will you try something from this session before the next one?").count() == 1
