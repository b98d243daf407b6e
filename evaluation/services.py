"""Writes of the evaluation: surveys and their questions (coordinators), responses (participants),
testimonials. Each service checks its own guards and raises ``EvaluationError`` with a message
for the user; nothing is half-written."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binomes.models import Pair
from evaluation import defaults
from evaluation.models import Answer, Question, RatingRelease, Response, ResultRelease, Survey, Testimonial
from mentorat.core.errors import ServiceError
from mentorat.core.models import User
from mentorat.core.selectors import employee_of
from mentorat.core.services import audit_log
from programmes.models import Programme
from programmes.selectors import coordinates
from sessions.models import MentoringSession


class EvaluationError(ServiceError):
    pass


def surveys_ensure(*, programme: Programme) -> list[Survey]:
    """The programme's eight surveys, created from the default templates when missing. Idempotent."""
    existing = {(s.moment, s.audience): s for s in programme.surveys.all()}
    created = []
    for (moment, audience), (title_fr, title_en, intro_fr, intro_en, questions) in defaults.TEMPLATES.items():
        if (moment, audience) in existing:
            continue
        with transaction.atomic():
            survey, made = Survey.objects.get_or_create(
                programme=programme, moment=moment, audience=audience,
                defaults={"title_fr": title_fr, "title_en": title_en, "intro_fr": intro_fr, "intro_en": intro_en})
            if made:
                Question.objects.bulk_create([
                    Question(survey=survey, order=index, kind=kind, text_fr=fr, text_en=en, choices=choices,
                             required=required, measures=measures)
                    for index, (kind, fr, en, choices, required, measures) in enumerate(questions)])
        existing[(moment, audience)] = survey
        created.append(survey)
    return sorted(existing.values(), key=lambda s: (list(Survey.Moment.values).index(s.moment), s.audience))


def on_programme_copied(source: Programme, copy: Programme) -> dict[str, int]:
    """A copy for a new cohort gets the source's surveys as the coordinators edited them: titles,
    introductions, sending and timing, and the questions (type, wording, choices, whether required,
    what they measure, order). A set opening date moves with the new dates and stays within them.
    Answers and releases stay with the source. Surveys the closing switched off are sent again
    (a coordinator's own “not sent” is kept while the source is not closed). A source whose surveys
    were never created leaves the new programme to the default templates (``surveys_ensure``).
    Runs inside ``programme_copy``'s transaction (``COPY_HOOKS``)."""
    shift = copy.start_date - source.start_date
    closed = source.status == Programme.Status.CLOSED
    surveys = list(source.surveys.prefetch_related("questions"))
    questions = []
    for survey in surveys:
        opens_on = None if survey.opens_on is None else min(max(survey.opens_on + shift, copy.start_date), copy.end_date)
        made = Survey.objects.create(
            programme=copy, moment=survey.moment, audience=survey.audience, title_fr=survey.title_fr,
            title_en=survey.title_en, intro_fr=survey.intro_fr, intro_en=survey.intro_en,
            is_active=True if closed else survey.is_active, opens_on=opens_on, days_open=survey.days_open)
        questions += [Question(survey=made, order=q.order, kind=q.kind, text_fr=q.text_fr, text_en=q.text_en,
                               choices=q.choices, required=q.required, measures=q.measures)
                      for q in survey.questions.all()]
    Question.objects.bulk_create(questions)
    return {"surveys": len(surveys), "questions": len(questions)}


def _require_coordinator(actor: User, programme_id: int) -> None:
    """Only the coordinators who run the survey's programme change it (an HR lead runs them all)."""
    if not coordinates(actor, programme_id):
        raise EvaluationError(_("Only the programme's coordinators can change its surveys."))


@transaction.atomic
def survey_update(*, actor: User, survey: Survey, title_fr: str, title_en: str, intro_fr: str = "", intro_en: str = "",
                  is_active: bool = True, opens_on: datetime.date | None = None, days_open: int = 21) -> Survey:
    _require_coordinator(actor, survey.programme_id)
    survey.title_fr, survey.title_en, survey.intro_fr, survey.intro_en = title_fr, title_en, intro_fr, intro_en
    survey.is_active, survey.opens_on, survey.days_open = is_active, opens_on, days_open
    survey.full_clean()
    survey.save()
    audit_log(actor=actor, action="survey.update", target=f"survey:{survey.pk}", details={"programme": survey.programme.slug})
    return survey


@transaction.atomic
def question_save(*, actor: User, survey: Survey, question: Question | None = None, kind: str, text_fr: str, text_en: str,
                  choices: str = "", required: bool = True, order: int = 0, measures: str = "") -> Question:
    """Add or change a question. Its type cannot change once people answered it (their answers
    would be read as another type); choices must be given for choice questions."""
    _require_coordinator(actor, survey.programme_id)
    if question is not None and question.survey_id != survey.pk:
        raise EvaluationError(_("This question belongs to another survey."))
    stored_kind = Question.objects.filter(pk=question.pk).values_list("kind", flat=True).first() if question else None
    if question is not None and stored_kind != kind and question.answers.exists():
        raise EvaluationError(_("The type of a question cannot change once it has answers; add a new question instead."))
    if kind in Question.CHOICES and len([line for line in choices.splitlines() if line.strip()]) < 2:
        raise EvaluationError(_("Give at least two choices, one per line."))
    if measures and kind != Question.Kind.SCALE:
        raise EvaluationError(_("Only a 1–5 scale question can count as satisfaction."))
    question = question or Question(survey=survey)
    question.kind, question.text_fr, question.text_en = kind, text_fr, text_en
    question.choices = choices if kind in Question.CHOICES else ""
    question.required, question.order, question.measures = required, order, measures
    question.full_clean()
    question.save()
    survey.save(update_fields=["updated_at"])  # the dashboards' cached figures follow the survey's version
    audit_log(actor=actor, action="survey.question", target=f"survey:{survey.pk}", details={"question": question.pk})
    return question


@transaction.atomic
def question_delete(*, actor: User, question: Question) -> None:
    _require_coordinator(actor, question.survey.programme_id)
    if question.answers.exists():
        raise EvaluationError(_("This question has answers: it cannot be deleted. Untick “answer required” instead."))
    audit_log(actor=actor, action="survey.question_delete", target=f"survey:{question.survey_id}",
              details={"question": question.pk})
    question.delete()
    Survey.objects.filter(pk=question.survey_id).update(updated_at=timezone.now())


@transaction.atomic
def response_submit(*, user: User, survey: Survey, pair: Pair, session: MentoringSession | None = None,
                    answers: dict[tuple[int, int | None], object], now: datetime.datetime | None = None) -> Response:
    """Save (or replace) the user's answers to a survey. ``answers`` maps (question id, domain id
    or None) to an int, a list of choice keys or a text. Refused when the user is not the
    survey's audience in this pair, or the survey is not open (see ``selectors.survey_window``)."""
    from evaluation.selectors import survey_window

    now = now or timezone.now()
    employee = employee_of(user)
    role = pair.role_of(employee) if employee else None
    if role is None or role != survey.audience or pair.programme_id != survey.programme_id:
        raise EvaluationError(_("This survey is not for you."))
    if (survey.moment == Survey.Moment.PULSE) != (session is not None) or (session is not None and session.pair_id != pair.pk):
        raise EvaluationError(_("This survey is not for you."))
    opens, closes = survey_window(survey=survey, pair=pair, session=session)
    if opens is None or now < opens:
        raise EvaluationError(_("This survey is not open yet."))
    if now >= closes:
        raise EvaluationError(_("This survey closed on %(date)s: answers can no longer change.") % {
            "date": timezone.localtime(closes).date().isoformat()})
    questions = {q.pk: q for q in survey.questions.all()}
    for question_id, _domain in answers:
        if question_id not in questions:
            raise EvaluationError(_("An answer does not match a question of this survey."))
    response, created = Response.objects.select_for_update().get_or_create(
        survey=survey, respondent=employee, session=session,
        defaults={"pair": pair, "role": role, "department_id": employee.department_id, "site_id": employee.site_id,
                  "submitted_at": now})
    if not created and response.released_in_id is not None:
        # Published figures would move by this one person's change: before − after gives it.
        raise EvaluationError(_("Your answers are already counted in the published results: they can no longer change."))
    if not created:
        response.submitted_at = now
        response.save(update_fields=["submitted_at", "updated_at"])
        response.answers.all().delete()
    rows = []
    for (question_id, domain_id), value in answers.items():
        if value in (None, "", []):
            continue
        answer = Answer(response=response, question_id=question_id, domain_id=domain_id)
        if isinstance(value, list):
            answer.choices = [str(v) for v in value]
        elif isinstance(value, str):
            answer.text = value.strip()
        else:
            answer.value = int(value)
        rows.append(answer)
    Answer.objects.bulk_create(rows)
    results_release(survey=survey, now=now)
    return response


def _people(responses) -> int:
    """People, not responses (a pulse has one per session): through the pair and role, which survive erasure."""
    return responses.values("pair_id", "role").distinct().count()


@transaction.atomic
def results_release(*, survey: Survey, now: datetime.datetime | None = None) -> ResultRelease | None:
    """Release the survey's waiting responses into its figures when they come from at least the
    anonymity threshold of people; otherwise nothing changes (None). The figures shown between two
    releases are those of the last one, so comparing them before and after reveals a group of at
    least the threshold, never one person. Called after each answer and by the hourly task."""
    from evaluation.selectors import threshold

    Survey.objects.select_for_update().filter(pk=survey.pk).first()  # one release at a time per survey
    waiting = Response.objects.filter(survey=survey, released_in__isnull=True)
    people = _people(waiting)
    if people < threshold():
        return None
    release = ResultRelease.objects.create(survey=survey, released_at=now or timezone.now(), people=people)
    waiting.update(released_in=release)
    return release


@transaction.atomic
def ratings_release(*, programme: Programme, now: datetime.datetime | None = None) -> RatingRelease | None:
    """Release the programme's session ratings given since its last step when they come from at
    least the threshold of people (pair and side); otherwise nothing changes (None)."""
    from django.db.models import Max

    from evaluation.selectors import threshold
    from sessions.models import SessionRating

    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    last = RatingRelease.objects.filter(programme=programme).aggregate(m=Max("up_to"))["m"] or 0
    waiting = SessionRating.objects.filter(session__pair__programme=programme, pk__gt=last)
    people = waiting.values("session__pair_id", "role").distinct().count()
    if people < threshold():
        return None
    return RatingRelease.objects.create(programme=programme, released_at=now or timezone.now(),
                                        up_to=waiting.aggregate(m=Max("pk"))["m"], people=people)


def rating_is_released(rating) -> bool:
    """True once the session rating is covered by a release step of its programme."""
    return RatingRelease.objects.filter(programme_id=rating.session.pair.programme_id, up_to__gte=rating.pk).exists()


def results_release_due(*, now: datetime.datetime | None = None) -> int:
    """Every survey with waiting responses and every programme with new session ratings: release
    those that reached the threshold. Idempotent."""
    from sessions.models import SessionRating

    ids = Response.objects.filter(released_in__isnull=True).values_list("survey_id", flat=True).distinct()
    count = sum(1 for survey in Survey.objects.filter(pk__in=list(ids)) if results_release(survey=survey, now=now))
    rated = SessionRating.objects.values_list("session__pair__programme_id", flat=True).distinct()
    return count + sum(1 for programme in Programme.objects.filter(pk__in=list(rated))
                       if ratings_release(programme=programme, now=now))


@transaction.atomic
def testimonial_submit(*, user: User, programme: Programme, title: str, body: str, consent: bool) -> Testimonial:
    """A participant (approved mentor or mentee of the programme) shares a story."""
    from programmes.models import Application

    employee = employee_of(user)
    role = (Application.objects.filter(programme=programme, employee=employee, status=Application.Status.APPROVED)
            .values_list("role", flat=True).first()) if employee else None
    if role is None:
        raise EvaluationError(_("Only the programme's participants can share a story."))
    testimonial = Testimonial(programme=programme, author=employee, role=role, title=title.strip(), body=body.strip(),
                              consent=consent)
    testimonial.full_clean()
    testimonial.save()
    return testimonial


@transaction.atomic
def testimonial_publish(*, actor: User, testimonial: Testimonial, publish: bool = True) -> Testimonial:
    """Publish on the programme page (only with the author's consent), or take it down."""
    if not coordinates(actor, testimonial.programme_id):
        raise EvaluationError(_("Only the programme's coordinators publish its testimonials."))
    if publish and not testimonial.consent:
        raise EvaluationError(_("The author did not agree to publication."))
    testimonial.status = Testimonial.Status.PUBLISHED if publish else Testimonial.Status.WITHDRAWN
    testimonial.published_at = timezone.now() if publish else None
    testimonial.published_by = actor if publish else None
    testimonial.save()
    audit_log(actor=actor, action="testimonial.publish" if publish else "testimonial.unpublish",
              target=f"testimonial:{testimonial.pk}", details={"programme": testimonial.programme.slug})
    return testimonial


def on_pair_activated(pair: Pair) -> None:
    """Activation hook: both members are invited to the baseline survey."""
    from evaluation.notifications import invite_baseline

    surveys_ensure(programme=pair.programme)
    invite_baseline(pair)
