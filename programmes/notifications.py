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


def render_milestone(notification):
    milestone = _object(notification.object_key, Milestone)
    if milestone is None:
        return None
    programme = milestone.programme
    text = _("Hello,\n\nThe programme “%(programme)s” reaches a milestone on %(date)s: %(title)s.\n%(url)s") % {
        "programme": programme.name, "date": milestone.date, "title": milestone.title,
        "url": settings.SITE_URL + reverse("programmes:detail", args=[programme.slug])}
    return outbox.Message(_("Reverse mentoring: %(title)s") % {"title": milestone.title}, text)


KINDS = [
    outbox.Kind("manager_ack_request", gettext_lazy("Acknowledge the time a junior gives to mentoring"), True, render_manager_ack),
    outbox.Kind("application_status", gettext_lazy("Decision on my application"), True, render_application_status),
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
