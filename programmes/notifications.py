"""Messages of the programmes app, sent through the outbox."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentorat.core import outbox
from programmes.models import Application, ManagerAcknowledgement, Milestone, Programme


def _object(key: str, model):
    _name, pk, *_rest = key.split(":")
    return model.objects.filter(pk=pk).first()


def render_manager_ack(notification):
    ack = _object(notification.object_key, ManagerAcknowledgement)
    if ack is None or ack.acknowledged_at is not None:
        return None
    ack = ManagerAcknowledgement.objects.select_related("application__employee", "application__programme").get(pk=ack.pk)
    programme, junior = ack.application.programme, ack.application.employee
    url = settings.SITE_URL + reverse("programmes:acknowledge", args=[ack.token])
    text = _(
        "Hello,\n\n%(junior)s has volunteered as a mentor in the reverse-mentoring programme “%(programme)s”: sessions "
        "of %(minutes)s minutes every %(cadence)s weeks, over %(months)s months, during working time.\n\n"
        "Please acknowledge the time released by opening this link:\n%(url)s\n\n"
        "The charter of the programme forbids any evaluation of the mentor based on what happens in the sessions."
    ) % {"junior": junior.full_name, "programme": programme.name, "minutes": programme.session_minutes,
         "cadence": programme.cadence_weeks, "months": programme.duration_months, "url": url}
    return outbox.Message(_("Reverse mentoring: %(name)s volunteers as a mentor") % {"name": junior.full_name}, text)


def render_application_status(notification):
    application = _object(notification.object_key, Application)
    status = notification.object_key.rsplit(":", 1)[-1]
    if application is None or application.status != status:
        return None  # decided again since: only the latest decision is sent
    programme = application.programme
    words = {"approved": _("Your application is approved."), "waitlisted": _("Your application is on the waiting list."),
             "declined": _("Your application was not retained this time.")}
    text = _("Hello %(name)s,\n\n%(decision)s\n%(message)s\nThe programme: %(url)s") % {
        "name": application.employee.first_name, "decision": words.get(status, ""),
        "message": (application.review_message + "\n") if application.review_message else "",
        "url": settings.SITE_URL + reverse("programmes:detail", args=[programme.slug])}
    return outbox.Message(_("Reverse mentoring “%(programme)s”: your application") % {"programme": programme.name}, text)


def render_application_received(notification):
    """To the applicant: ``application:<pk>:received:<submitted moment>``; nothing if withdrawn or
    submitted again since (the newer submission has its own row)."""
    application = _object(notification.object_key, Application)
    if application is None or application.status == Application.Status.WITHDRAWN:
        return None
    if notification.object_key.rsplit(":", 1)[-1] != application.submitted_at.strftime("%Y%m%dT%H%M%S.%f"):
        return None
    programme = application.programme
    url = settings.SITE_URL + reverse("programmes:detail", args=[programme.slug])
    role = _("mentor (a junior who shares what they know)") if application.role == "mentor" else _(
        "mentee (a senior who learns from a junior)")
    values = {"name": application.employee.first_name, "programme": programme.name, "role": role, "url": url,
              "start": outbox.day(programme.start_date)}
    steps = [_("Hello %(name)s,\n\nThank you: your application to the reverse-mentoring programme “%(programme)s” "
               "is received, as %(role)s.") % values]
    if application.status == Application.Status.SUBMITTED:
        steps.append(_("What happens next: the programme team reviews the applications and tells you its decision by "
                       "e-mail. Once enrolment closes, you are paired and meet your pair for a first, informal chemistry "
                       "meeting; the programme starts on %(start)s.") % values)
    else:
        steps.append(_("Your application is approved. Once enrolment closes, you are paired and meet your pair for a "
                       "first, informal chemistry meeting; the programme starts on %(start)s.") % values)
    if application.role == "mentor":
        steps.append(_("Your line manager is asked to acknowledge the time you give to mentoring."))
    steps.append(_("You can read or change your application, or withdraw it at any time (the “Withdraw” button), on "
                   "the programme's page:\n%(url)s") % values)
    return outbox.Message(_("Reverse mentoring “%(programme)s”: your application is received") % values, "\n\n".join(steps))


def render_milestone(notification):
    milestone = _object(notification.object_key, Milestone)
    if milestone is None:
        return None
    programme = milestone.programme
    text = _("Hello,\n\nThe programme “%(programme)s” reaches a milestone on %(date)s: %(title)s.\n%(url)s") % {
        "programme": programme.name, "date": outbox.day(milestone.date), "title": milestone.display_title,
        "url": settings.SITE_URL + reverse("programmes:detail", args=[programme.slug])}
    return outbox.Message(_("Reverse mentoring: %(title)s") % {"title": milestone.display_title}, text)


KINDS = [
    outbox.Kind("manager_ack_request", gettext_lazy("Acknowledge the time a junior gives to mentoring"), True, render_manager_ack),
    outbox.Kind("application_status", gettext_lazy("Decision on my application"), True, render_application_status),
    outbox.Kind("application_received", gettext_lazy("My application is received"), True, render_application_received),
    outbox.Kind("milestone_due", gettext_lazy("Programme milestones (kick-off, reviews)"), False, render_milestone),
]


def plan_milestones(*, now: datetime.datetime | None = None) -> int:
    """Tell the approved participants of running programmes about today's milestones (08:00)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    count = 0
    due = timezone.make_aware(datetime.datetime.combine(today, datetime.time(8, 0)))
    milestones = Milestone.objects.filter(date=today, kind__in=["kickoff", "midpoint", "final", "celebration"],
                                          programme__status__in=[Programme.Status.RUNNING, Programme.Status.PAIRING])
    for milestone in milestones.select_related("programme"):
        for application in milestone.programme.applications.filter(status="approved").select_related("employee__user"):
            if application.employee.user_id:
                outbox.notify(kind="milestone_due", object_key=f"milestone:{milestone.pk}",
                              recipient=application.employee.user, due_at=due)
                count += 1
    return count


def notify_application_received(application: Application) -> None:
    """The applicant hears that their application is in, once per submission."""
    user = application.employee.user
    if user is not None:
        outbox.notify(kind="application_received", recipient=user, due_at=application.submitted_at,
                      object_key=f"application:{application.pk}:received:{application.submitted_at.strftime('%Y%m%dT%H%M%S.%f')}")
