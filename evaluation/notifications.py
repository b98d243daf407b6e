"""Survey invitations and reminders, through the outbox. A message is skipped at send time when
the survey was answered, closed or switched off since it was planned."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from binomes.models import Pair
from evaluation.models import Response, Survey
from evaluation.selectors import MEMBER_STATES, review_opening, survey_window
from mentorat.core import outbox
from mentorat.core.selectors import employee_of
from programmes.models import Programme
from sessions.models import MentoringSession


def _parse(key: str):
    """"survey:<id>:pair:<id>" or "survey:<id>:session:<id>"."""
    parts = key.split(":")
    survey = Survey.objects.select_related("programme").filter(pk=parts[1]).first()
    pair = session = None
    if parts[2] == "pair":
        pair = Pair.objects.select_related("programme").filter(pk=parts[3]).first()
    else:
        session = MentoringSession.objects.select_related("pair__programme").filter(pk=parts[3]).first()
        pair = session.pair if session else None
    return survey, pair, session


def _link(survey, session):
    url = reverse("evaluation:answer", args=[survey.pk])
    if session is not None:
        url += f"?session={session.pk}"
    return settings.SITE_URL + url


def _render(notification, reminder: bool):
    survey, pair, session = _parse(notification.object_key)
    if survey is None or pair is None:
        return None
    opens, closes = survey_window(survey=survey, pair=pair, session=session)
    now = timezone.now()
    if opens is None or now >= closes:
        return None
    employee = employee_of(notification.recipient)
    if employee is None or Response.objects.filter(survey=survey, respondent=employee, session=session).exists():
        return None
    closing = outbox.day(closes)
    values = {"survey": survey.title, "programme": survey.programme.name, "date": closing, "url": _link(survey, session)}
    if reminder:
        subject = _("Reminder: “%(survey)s” closes on %(date)s") % values
        text = _("Hello,\n\nThe survey “%(survey)s” of %(programme)s closes on %(date)s. It takes a few minutes; answers "
                 "are only read in aggregate, never one by one.\n%(url)s") % values
    elif survey.moment == Survey.Moment.PULSE:
        subject = _("One minute on your session")
        text = _("Hello,\n\nHow useful was your reverse-mentoring session? One minute, read only in aggregate:\n%(url)s") % values
    else:
        subject = _("Survey: %(survey)s") % values
        text = _("Hello,\n\n“%(survey)s” of %(programme)s is open until %(date)s. Your answers are only read in aggregate, "
                 "with at least a few other people's, never one by one.\n%(url)s") % values
    return outbox.Message(subject, text)


def render_invitation(notification):
    return _render(notification, reminder=False)


def render_reminder(notification):
    return _render(notification, reminder=True)


# Discreet: whether a survey message went or was skipped says whether the person answered.
KINDS = [
    outbox.Kind("survey_invitation", gettext_lazy("Survey invitations (start, after sessions, reviews)"), False,
                render_invitation, per_recipient=True, discreet=True),
    outbox.Kind("survey_reminder", gettext_lazy("Reminders of surveys about to close"), False, render_reminder,
                per_recipient=True, discreet=True),
]


def _member(pair: Pair, role: str):
    application = pair.mentor if role == "mentor" else pair.mentee
    return application.employee.user if application.employee.user_id else None


def _invite_to_baseline(survey: Survey, pair: Pair) -> int:
    user = _member(pair, survey.audience)
    if user is None or pair.activated_at is None:
        return 0
    outbox.notify(kind="survey_invitation", object_key=f"survey:{survey.pk}:pair:{pair.pk}", recipient=user,
                  due_at=pair.activated_at)
    return 1


def invite_baseline(pair: Pair) -> int:
    """Both members of a newly active pair get their baseline survey."""
    surveys = Survey.objects.filter(programme=pair.programme_id, moment=Survey.Moment.BASELINE, is_active=True)
    return sum(_invite_to_baseline(survey, pair) for survey in surveys)


def plan_surveys(*, now: datetime.datetime | None = None) -> int:
    """Hourly: pulse surveys after held sessions, reviews on their opening day with a reminder
    five days before they close, baselines missed by the activation hook. Idempotent (the
    outbox is unique per kind, object, recipient and due moment)."""
    from evaluation.services import surveys_ensure

    now = now or timezone.now()
    count = 0
    programmes = Programme.objects.filter(status__in=[Programme.Status.PAIRING, Programme.Status.RUNNING])
    for programme in programmes:
        surveys = [s for s in surveys_ensure(programme=programme) if s.is_active]
        pairs = list(programme.pairs.filter(Q(status__in=MEMBER_STATES), activated_at__isnull=False)
                     .select_related("programme", "mentor__employee__user", "mentee__employee__user"))
        for survey in surveys:
            length = datetime.timedelta(days=survey.days_open)
            if survey.moment == Survey.Moment.BASELINE:
                for pair in pairs:
                    if pair.status == Pair.Status.ACTIVE and now < pair.activated_at + length:
                        count += _invite_to_baseline(survey, pair)
            elif survey.moment == Survey.Moment.PULSE:
                recent = MentoringSession.objects.filter(pair__in=pairs, status=MentoringSession.Status.HELD,
                                                         starts_at__gte=now - datetime.timedelta(days=3), starts_at__lte=now)
                for session in recent.select_related("pair__mentor__employee__user", "pair__mentee__employee__user"):
                    user = _member(session.pair, survey.audience)
                    if user:
                        outbox.notify(kind="survey_invitation", object_key=f"survey:{survey.pk}:session:{session.pk}",
                                      recipient=user, due_at=session.starts_at + datetime.timedelta(hours=1))
                        count += 1
            else:
                opening = timezone.make_aware(datetime.datetime.combine(review_opening(survey), datetime.time(9, 0)))
                closes = opening + length
                if not opening <= now < closes:
                    continue
                for pair in pairs:
                    if pair.activated_at > closes or (pair.status != Pair.Status.ACTIVE and (pair.ended_at or now) < opening):
                        continue
                    user = _member(pair, survey.audience)
                    if not user:
                        continue
                    key = f"survey:{survey.pk}:pair:{pair.pk}"
                    outbox.notify(kind="survey_invitation", object_key=key, recipient=user, due_at=opening)
                    reminder = closes - datetime.timedelta(days=5)
                    if reminder > opening:
                        outbox.notify(kind="survey_reminder", object_key=key, recipient=user, due_at=reminder)
                    count += 1
    return count
