"""What the evaluation holds on a person (see ``mentorat.core.privacy``): their own answers and
stories. Nobody else's answers about them (a mentor's rating of their senior) are theirs."""

from evaluation.models import Answer, Response, Testimonial
from mentorat.core.privacy import NotPersonal, Personal
from programmes.privacy import PURGED, ended_before

DESIGN = NotPersonal("the survey's design, written by coordinators for every respondent")

FIELDS = {
    "evaluation.Survey.moment": DESIGN, "evaluation.Survey.audience": DESIGN,
    "evaluation.Survey.title_fr": DESIGN, "evaluation.Survey.title_en": DESIGN,
    "evaluation.Survey.intro_fr": DESIGN, "evaluation.Survey.intro_en": DESIGN,
    "evaluation.Question.kind": DESIGN, "evaluation.Question.text_fr": DESIGN, "evaluation.Question.text_en": DESIGN,
    "evaluation.Question.choices": DESIGN, "evaluation.Question.measures": DESIGN,
    "evaluation.Response.role": NotPersonal("mentor | mentee (kept for the figures)"),
    "evaluation.Answer.choices": NotPersonal("keys of the offered choices (kept for the figures)"),
    "evaluation.Answer.text": Personal("emptied in the person's answers; others' scrubbed", retention=PURGED),
    "evaluation.Testimonial.role": NotPersonal("mentor | mentee"),
    "evaluation.Testimonial.title": Personal("the person's stories are deleted", retention="deleted"),
    "evaluation.Testimonial.body": Personal("the person's stories are deleted", retention="deleted"),
    "evaluation.Testimonial.status": NotPersonal("a state"),
}


def export(employee, user) -> dict:
    if employee is None:
        return {}
    responses = []
    for response in (Response.objects.filter(respondent=employee).select_related("survey__programme", "session")
                     .prefetch_related("answers__question", "answers__domain").order_by("submitted_at")):
        responses.append({
            "survey": response.survey.title, "programme": response.survey.programme.name,
            "submitted": response.submitted_at.isoformat(),
            "answers": [{"question": a.question.text, "domain": a.domain.name if a.domain else None,
                         "value": a.value, "choices": a.choices, "text": a.text} for a in response.answers.all()],
        })
    return {"my_survey_answers": responses,
            "my_testimonials": [{"title": t.title, "story": t.body, "consent": t.consent, "status": t.status}
                                for t in Testimonial.objects.filter(author=employee)]}


def erase(employee, user) -> None:
    Answer.objects.filter(response__respondent=employee).exclude(text="").update(text="")
    Response.objects.filter(respondent=employee).update(respondent=None)
    Testimonial.objects.filter(author=employee).delete()


def purge(cutoff) -> int:
    ended = ended_before(cutoff)
    count = Answer.objects.filter(response__survey__programme_id__in=ended).exclude(text="").update(text="")
    count += Response.objects.filter(survey__programme_id__in=ended, respondent__isnull=False).update(respondent=None)
    count += Testimonial.objects.filter(programme_id__in=ended).delete()[0]
    return count
