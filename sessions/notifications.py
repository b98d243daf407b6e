"""Session reminders and follow-up alerts, through the outbox. No kind quotes a private note or a
log: only dates, names, themes and links."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from binomes.models import Pair
from mentorat.core import outbox
from mentorat.core.models import User
from programmes.models import Programme, ProgrammeSponsor
from sessions import ics
from sessions.models import MentoringSession
from sessions.selectors import programme_followup

UPCOMING_BEFORE = [datetime.timedelta(days=2), datetime.timedelta(hours=2)]


def _session(key):
    return (MentoringSession.objects.select_related("pair__programme", "pair__mentor__employee", "pair__mentee__employee")
            .filter(pk=key.split(":")[1]).first())


def _when(session):
    return formats.date_format(timezone.localtime(session.starts_at), "DATETIME_FORMAT")


def _link(session):
    return settings.SITE_URL + reverse("sessions:detail", args=[session.pk])


def render_upcoming(notification):
    session = _session(notification.object_key)
    if session is None or session.status != MentoringSession.Status.PLANNED or session.starts_at < notification.due_at:
        return None
    # Rescheduled since this reminder was planned: the reminder of the new time is another row.
    if notification.object_key.rsplit(":", 1)[-1] != str(session.sequence):
        return None
    pair = session.pair
    text = _("Hello,\n\nYour reverse-mentoring session with %(other)s is on %(when)s (%(minutes)s minutes)%(theme)s.\n"
             "The invitation is attached. Details and changes: %(url)s") % {
        "other": pair.mentee.employee.full_name if notification.recipient.employee == pair.mentor.employee else pair.mentor.employee.full_name,
        "when": _when(session), "minutes": session.duration_minutes,
        "theme": (" — " + session.theme) if session.theme else "", "url": _link(session)}
    return outbox.Message(_("Reverse mentoring session on %(when)s") % {"when": _when(session)}, text,
                          [("invitation.ics", ics.session_invitation(session), "text/calendar; method=REQUEST")])


def render_changed(notification):
    session = _session(notification.object_key)
    if session is None:
        return None
    cancelled = session.status == MentoringSession.Status.CANCELLED
    if cancelled:
        text = _("Hello,\n\nThe reverse-mentoring session of %(when)s is cancelled. The updated invitation is attached "
                 "so that your calendar removes it.\n%(url)s") % {"when": _when(session), "url": _link(session)}
        subject = _("Session cancelled: %(when)s") % {"when": _when(session)}
        method = "CANCEL"
    else:
        text = _("Hello,\n\nThe reverse-mentoring session moves to %(when)s. The updated invitation is attached.\n%(url)s") % {
            "when": _when(session), "url": _link(session)}
        subject = _("Session moved: %(when)s") % {"when": _when(session)}
        method = "REQUEST"
    return outbox.Message(subject, text, [("invitation.ics", ics.session_invitation(session), f"text/calendar; method={method}")])


def render_log(notification):
    session = _session(notification.object_key)
    if session is None or session.status != MentoringSession.Status.PLANNED:
        return None  # logged (or cancelled) since
    text = _("Hello,\n\nHow did the session of %(when)s go? Log it in one minute and rate it: %(url)s") % {
        "when": _when(session), "url": _link(session)}
    return outbox.Message(_("Log your reverse-mentoring session"), text)


def _pair(key):
    return Pair.objects.select_related("programme", "mentor__employee", "mentee__employee").filter(pk=key.split(":")[1]).first()


def render_pair_alert(notification):
    pair = _pair(notification.object_key)
    reason = notification.object_key.split(":")[2]
    if pair is None or pair.status != Pair.Status.ACTIVE:
        return None
    words = {"inactive": _("no session held for more than twice the cadence"),
             "senior_cancellations": _("the senior keeps cancelling sessions"),
             "low_ratings": _("sessions are rated low")}
    text = _("Hello,\n\nThe pair %(mentor)s & %(mentee)s (%(programme)s) needs attention: %(reason)s.\nFollow-up: %(url)s") % {
        "mentor": pair.mentor.employee.full_name, "mentee": pair.mentee.employee.full_name, "programme": pair.programme.name,
        "reason": words.get(reason, reason), "url": settings.SITE_URL + reverse("sessions:followup", args=[pair.programme.slug])}
    return outbox.Message(_("Reverse mentoring: a pair needs attention"), text)


def render_overdue(notification):
    programme = Programme.objects.filter(pk=notification.object_key.split(":")[1]).first()
    if programme is None:
        return None
    rows = programme_followup(user=notification.recipient, programme=programme)
    overdue = sum(row["unlogged"] for row in rows)
    if not overdue:
        return None
    text = _("Hello,\n\n%(n)s past sessions of “%(programme)s” are not logged yet. Follow-up: %(url)s") % {
        "n": overdue, "programme": programme.name, "url": settings.SITE_URL + reverse("sessions:followup", args=[programme.slug])}
    return outbox.Message(_("Reverse mentoring: sessions to log"), text)


def render_digest(notification):
    lines = []
    for programme in Programme.objects.filter(status__in=[Programme.Status.PAIRING, Programme.Status.RUNNING]).order_by("name"):
        rows = programme_followup(user=notification.recipient, programme=programme)
        at_risk = sum(1 for row in rows if row["risks"])
        lines.append(_("• %(programme)s: %(pairs)s active pairs, %(held)s sessions held, %(risk)s pairs at risk") % {
            "programme": programme.name, "pairs": len(rows), "held": sum(r["held"] for r in rows), "risk": at_risk})
    if not lines:
        return None
    return outbox.Message(_("Reverse mentoring: your weekly digest"), _("Hello,\n\nThis week:\n%(lines)s") % {"lines": "\n".join(lines)})


def render_concern(notification):
    """To a named HR contact: that a concern was raised and where to read it. Never its text, nor
    who raised it: the e-mail may be read by others (an assistant, a shared mailbox)."""
    from sessions.selectors import concerns_for_contact

    concern = concerns_for_contact(user=notification.recipient).filter(pk=notification.object_key.split(":")[1]).first()
    if concern is None:
        return None  # no longer a contact, or the concern was erased
    text = _("Hello,\n\nA junior mentor of “%(programme)s” raised a concern. You are one of the HR contacts named for "
             "concerns: only you and the other named contacts can read it, here: %(url)s") % {
        "programme": concern.pair.programme.name, "url": settings.SITE_URL + reverse("sessions:concerns")}
    return outbox.Message(_("Reverse mentoring: a concern to read"), text)


KINDS = [
    outbox.Kind("concern_raised", gettext_lazy("A concern raised by a junior mentor (named HR contacts)"), True,
                render_concern, per_recipient=True),
    outbox.Kind("session_upcoming", gettext_lazy("Reminders before each session, with the invitation"), False, render_upcoming,
                per_recipient=True),
    outbox.Kind("session_changed", gettext_lazy("A session moved or cancelled"), True, render_changed),
    outbox.Kind("session_log", gettext_lazy("Reminder to log a past session"), False, render_log),
    outbox.Kind("pair_alert", gettext_lazy("Pairs needing attention (coordinators, sponsors)"), False, render_pair_alert),
    outbox.Kind("overdue_logs", gettext_lazy("Sessions not logged (coordinators)"), False, render_overdue),
    outbox.Kind("weekly_digest", gettext_lazy("Weekly digest (coordinators)"), False, render_digest),
]


def notify_change(session: MentoringSession) -> None:
    """Both members get the updated (or cancelling) invitation at once."""
    for member in (session.pair.mentor.employee, session.pair.mentee.employee):
        if member.user_id:
            outbox.notify(kind="session_changed", object_key=f"session:{session.pk}:v{session.sequence}", recipient=member.user)


def notify_concern(concern, contacts) -> None:
    for user in contacts:
        outbox.notify(kind="concern_raised", object_key=f"concern:{concern.pk}", recipient=user)


def _members(pair):
    return [e.user for e in (pair.mentor.employee, pair.mentee.employee) if e.user_id]


def timings() -> dict[int, tuple[list[datetime.timedelta], datetime.timedelta]]:
    """Per programme: the delays before a session and the delay after it, as each programme set them."""
    from sessions.models import ReminderTiming

    result = {}
    for timing in ReminderTiming.objects.all():
        before = [datetime.timedelta(hours=timing.first_hours_before)]
        if timing.second_hours_before:
            before.append(datetime.timedelta(hours=timing.second_hours_before))
        result[timing.programme_id] = (before, datetime.timedelta(hours=timing.log_hours_after))
    return result


def plan_reminders(*, now: datetime.datetime | None = None) -> int:
    """Queue the reminders due soon: before each session (2 days and 2 hours by default, or as the
    programme set them), and after a session nobody logged (a day by default). Run every few
    minutes; the outbox's uniqueness makes it idempotent."""
    now = now or timezone.now()
    count = 0
    custom = timings()
    default = (UPCOMING_BEFORE, datetime.timedelta(days=1))
    horizon = max([d for before, _after in custom.values() for d in before] + UPCOMING_BEFORE) + datetime.timedelta(hours=1)
    soon = MentoringSession.objects.filter(status=MentoringSession.Status.PLANNED, starts_at__gt=now,
                                           starts_at__lte=now + horizon, pair__status=Pair.Status.ACTIVE)
    for session in soon.select_related("pair__mentor__employee__user", "pair__mentee__employee__user"):
        before_list, _after = custom.get(session.pair.programme_id, default)
        for before in before_list:
            due = session.starts_at - before
            if due < now - datetime.timedelta(hours=1):
                continue  # too late for this one (a session booked for tomorrow skips "2 days before")
            for user in _members(session.pair):
                outbox.notify(kind="session_upcoming", object_key=f"session:{session.pk}:{session.sequence}",
                              recipient=user, due_at=max(due, now))
                count += 1
    unlogged = MentoringSession.objects.filter(status=MentoringSession.Status.PLANNED, pair__status=Pair.Status.ACTIVE,
                                               starts_at__lte=now - datetime.timedelta(hours=1),
                                               starts_at__gt=now - datetime.timedelta(days=15))
    for session in unlogged.select_related("pair__mentor__employee__user", "pair__mentee__employee__user"):
        _before, after = custom.get(session.pair.programme_id, default)
        due = session.starts_at + after
        if due > now:
            continue
        for user in _members(session.pair):
            outbox.notify(kind="session_log", object_key=f"session:{session.pk}", recipient=user, due_at=due)
            count += 1
    return count


def plan_alerts(*, now: datetime.datetime | None = None) -> int:
    """Daily: pairs at risk to the coordinators; a senior who keeps cancelling also to the sponsors
    once it goes on (three cancellations); overdue logs per programme. Once a week per pair and reason."""
    now = now or timezone.now()
    week = now.strftime("%G-%V")
    coordinators = list(User.objects.filter(is_coordinator=True, is_active=True).order_by("pk"))
    count = 0
    due = now.replace(minute=0, second=0, microsecond=0)
    for programme in Programme.objects.filter(status__in=[Programme.Status.PAIRING, Programme.Status.RUNNING]):
        rows = programme_followup(user=coordinators[0], programme=programme, now=now) if coordinators else []
        sponsors = [s.user for s in ProgrammeSponsor.objects.filter(programme=programme).select_related("user")]
        for row in rows:
            for reason in row["risks"]:
                recipients = list(coordinators)
                if reason == "senior_cancellations" and row["cancelled"]["mentee"] >= 3:
                    recipients += sponsors
                for user in recipients:
                    outbox.notify(kind="pair_alert", object_key=f"pair:{row['pair'].pk}:{reason}:{week}", recipient=user, due_at=due)
                    count += 1
        if any(row["unlogged"] for row in rows):
            for user in coordinators:
                outbox.notify(kind="overdue_logs", object_key=f"programme:{programme.pk}:{week}", recipient=user, due_at=due)
                count += 1
    return count


def plan_digest(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    due = now.replace(minute=0, second=0, microsecond=0)
    users = User.objects.filter(is_coordinator=True, is_active=True)
    for user in users:
        outbox.notify(kind="weekly_digest", object_key=f"digest:{now.strftime('%G-%V')}", recipient=user, due_at=due)
    return users.count()
