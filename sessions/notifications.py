"""Session reminders and follow-up alerts, through the outbox. No kind quotes a private note or a
log: only dates, names, themes and links."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from binomes.models import Pair
from mentorat.core import outbox
from mentorat.core.models import User
from programmes.models import Programme, ProgrammeSponsor
from programmes.selectors import coordinated_programmes, coordinates, programme_coordinators
from sessions import ics
from sessions.models import MentoringSession
from sessions.selectors import programme_followup

UPCOMING_BEFORE = [datetime.timedelta(days=2), datetime.timedelta(hours=2)]
# A reminder whose moment passed longer ago than this is not sent (planned nor swept): late, it is noise.
REMINDER_LATE = datetime.timedelta(hours=1)


def start_key(session) -> str:
    """The session's start in its reminders' key: a reminder is about one session at one time."""
    return session.starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%MZ")


def _session(key):
    return (MentoringSession.objects.select_related("pair__programme", "pair__mentor__employee", "pair__mentee__employee")
            .filter(pk=key.split(":")[1]).first())


def _when(session):
    """The session's start, in the recipient's time zone and language (see ``outbox.when``)."""
    return outbox.when(session.starts_at)


def _link(session):
    return settings.SITE_URL + reverse("sessions:detail", args=[session.pk])


def render_upcoming(notification):
    session = _session(notification.object_key)
    if session is None or session.status != MentoringSession.Status.PLANNED or session.starts_at < notification.due_at:
        return None
    # Rescheduled since this reminder was planned: the reminder of the new time is another row.
    # (Keys before the start was in them end with the session's sequence.)
    planned_for = notification.object_key.rsplit(":", 1)[-1]
    if planned_for != (str(session.sequence) if planned_for.isdigit() else start_key(session)):
        return None
    role = _audience_role(session, notification.recipient)
    if role is None:
        return None  # no longer a member nor the senior's delegate
    values = {**_names(session, role), "when": _when(session), "minutes": session.duration_minutes, "url": _link(session)}
    if role == "delegate":  # booking data only: no theme, in the text or the invitation
        text = _("Hello,\n\nThe reverse-mentoring session of %(mentee)s with %(mentor)s is on %(when)s (%(minutes)s minutes).\n"
                 "The invitation is attached. Move it or set the place: %(url)s") % values
    else:
        text = _("Hello,\n\nYour reverse-mentoring session with %(other)s is on %(when)s (%(minutes)s minutes)%(theme)s.\n"
                 "The invitation is attached. Details and changes: %(url)s") % {
            **values, "theme": (" — " + session.theme) if session.theme else ""}
    invitation = ("invitation.ics", ics.session_invitation(session, with_theme=role != "delegate"),
                  "text/calendar; method=REQUEST")
    return _with_place(outbox.Message(_("Reverse mentoring session on %(when)s") % {"when": _when(session)}, text,
                                      [invitation]), session)


def _with_place(message: outbox.Message, session: MentoringSession) -> outbox.Message:
    """Where to meet, at the end of the text: a "Join" button (and the link in the text) for a video
    link that is http(s), the room as a place (text) for a meeting room."""
    from django.utils.html import format_html, linebreaks, urlize

    join = session.join_url
    if join:
        message.text += "\n" + _("Join the video call: %(url)s") % {"url": join}
        message.html = format_html(
            '{}<p style="margin:24px 0;"><a href="{}" style="background:#1f5fa8;color:#ffffff;padding:10px 22px;'
            'border-radius:4px;text-decoration:none;font-weight:bold;display:inline-block;">{}</a></p>',
            linebreaks(urlize(message.text, autoescape=True), autoescape=False), join, _("Join"))
    elif session.room:
        message.text += "\n" + _("Place: %(room)s") % {"room": session.room}
    return message


def _audience_role(session: MentoringSession, user: User) -> str | None:
    """mentor | mentee | delegate for a recipient who still is one at send time, else None."""
    from sessions.services import acting_role

    return acting_role(user, session.pair) if user.is_active else None


def _stale(notification, session: MentoringSession) -> bool:
    """Sent about an earlier version of the session: a later message carries its current state."""
    return notification.object_key.rsplit(":", 1)[-1] != f"v{session.sequence}"


def _invitation(session: MentoringSession, role: str) -> list[tuple[str, bytes, str]]:
    return [("invitation.ics", ics.session_invitation(session, with_theme=role != "delegate"),
             f"text/calendar; method={ics.method_of(session)}")]


def _names(session: MentoringSession, role: str) -> dict[str, str]:
    """The other member's name for a member; both names for the delegate."""
    pair = session.pair
    mentor, mentee = pair.mentor.employee.full_name, pair.mentee.employee.full_name
    return {"other": mentor if role == "mentee" else mentee, "mentor": mentor, "mentee": mentee}


def render_planned(notification):
    """The invitation of one session, sent the day the sessions are planned (one e-mail per
    session: see ``sessions.ics``)."""
    session = _session(notification.object_key)
    if session is None or session.status != MentoringSession.Status.PLANNED or _stale(notification, session):
        return None  # changed since: the message of the change carries the invitation
    if session.starts_at <= timezone.now():
        return None
    role = _audience_role(session, notification.recipient)
    if role is None:
        return None
    names = _names(session, role)
    values = {**names, "when": _when(session), "minutes": session.duration_minutes, "url": _link(session)}
    if role == "delegate":
        text = _("Hello,\n\nA reverse-mentoring session of %(mentee)s with %(mentor)s is planned on %(when)s "
                 "(%(minutes)s minutes). The invitation is attached, to put it in %(mentee)s's calendar.\n"
                 "Move it or set the place: %(url)s") % values
    else:
        text = _("Hello,\n\nYour reverse-mentoring session with %(other)s is planned on %(when)s (%(minutes)s minutes)%(theme)s. "
                 "The invitation is attached: accept it and the session is in your calendar.\n"
                 "Move it or set the place: %(url)s") % {
            **values, "theme": (" — " + session.theme) if session.theme else ""}
    return _with_place(outbox.Message(_("Invitation: reverse mentoring session on %(when)s") % values, text,
                                      _invitation(session, role)), session)


ENDED_REASONS = {"pair ended": gettext_lazy("the pair has ended"), "programme closed": gettext_lazy("the programme is closed")}


def who_did(change, session: MentoringSession) -> str:
    """Who made a change: a member's name, "Alix Martin, for <the senior>" for the delegate, the
    coordinators. (To the one who did it, the texts say "You …" with strings of their own.)"""
    pair = session.pair
    if change.actor_role == "mentor":
        return pair.mentor.employee.full_name
    if change.actor_role == "mentee":
        return pair.mentee.employee.full_name
    if change.actor_role == "delegate":
        name = (change.actor.get_full_name() or change.actor.email) if change.actor_id else _("the senior's delegate")
        return _("%(name)s, for %(senior)s") % {"name": name, "senior": pair.mentee.employee.full_name}
    return _("the programme's coordinators")


def render_changed(notification):
    """A move, a cancellation, a session offered again, a new place: to both members and the
    senior's delegate, each with the updated (or cancelling) invitation, saying who did it and
    why (not why to the delegate: booking data only). Only the latest version is sent."""
    session = _session(notification.object_key)
    if session is None or _stale(notification, session):
        return None
    recipient = notification.recipient
    role = _audience_role(session, recipient)
    if role is None:
        return None
    change = (session.changes.select_related("actor").filter(sequence=session.sequence).order_by("-pk").first())
    kind = change.kind if change else ("cancelled" if session.status == MentoringSession.Status.CANCELLED else "moved")
    mine = bool(change and change.actor_id == recipient.pk)
    who = who_did(change, session) if change else _("the programme's coordinators")
    values = {"who": who, "when": _when(session), "url": _link(session),
              "old": outbox.when(change.previous_starts_at) if change and change.previous_starts_at else _when(session),
              **_names(session, role)}
    if kind == "cancelled" and change and change.actor_id is None and change.reason in ENDED_REASONS:
        lead = _("The reverse-mentoring session of %(when)s is cancelled: %(why)s.") % {
            **values, "why": ENDED_REASONS[change.reason]}
    elif kind == "cancelled":
        lead = (_("You cancelled the reverse-mentoring session of %(when)s.") if mine else
                _("%(who)s cancelled the reverse-mentoring session of %(when)s.")) % values
    elif kind == "reoffered":
        lead = (_("You offered the cancelled session of %(old)s again: it is now on %(when)s.") if mine else
                _("%(who)s offers the cancelled session of %(old)s again: it is now on %(when)s.")) % values
    elif kind == "place":
        lead = (_("You changed where the session of %(when)s takes place.") if mine else
                _("%(who)s changed where the session of %(when)s takes place.")) % values
    else:
        lead = (_("You moved the reverse-mentoring session of %(old)s to %(when)s.") if mine else
                _("%(who)s moved the reverse-mentoring session of %(old)s to %(when)s.")) % values
    if role == "delegate":
        lead = _("Session of %(mentee)s with %(mentor)s: %(lead)s") % {**values, "lead": lead}
    lines = [_("Hello,"), "", lead]
    if change and change.reason and role != "delegate" and change.reason not in ENDED_REASONS:
        lines.append(_("Reason: %(reason)s") % {"reason": change.reason})
    lines.append("")
    if session.status == MentoringSession.Status.CANCELLED:
        lines.append(_("The cancelling invitation is attached so that your calendar removes it."))
        subject = _("Session cancelled: %(when)s") % values
    else:
        lines.append(_("The updated invitation is attached: your calendar follows."))
        subject = {"reoffered": _("Session offered again: %(when)s"), "place": _("Session updated: %(when)s")}.get(
            kind, _("Session moved: %(when)s")) % values
    lines.append(_("Details: %(url)s") % values)
    message = outbox.Message(subject, "\n".join(lines), _invitation(session, role))
    return _with_place(message, session) if session.status == MentoringSession.Status.PLANNED else message


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
    if not (coordinates(notification.recipient, pair.programme_id)
            or ProgrammeSponsor.objects.filter(programme_id=pair.programme_id, user=notification.recipient).exists()):
        return None  # no longer runs (or sponsors) the programme
    words = {"inactive": _("no session held for more than twice the cadence"),
             "senior_cancellations": _("the senior keeps cancelling sessions")}
    text = _("Hello,\n\nThe pair %(mentor)s & %(mentee)s (%(programme)s) needs attention: %(reason)s.\nFollow-up: %(url)s") % {
        "mentor": pair.mentor.employee.full_name, "mentee": pair.mentee.employee.full_name, "programme": pair.programme.name,
        "reason": words.get(reason, reason), "url": settings.SITE_URL + reverse("sessions:followup", args=[pair.programme.slug])}
    return outbox.Message(_("Reverse mentoring: a pair needs attention"), text)


def render_overdue(notification):
    programme = Programme.objects.filter(pk=notification.object_key.split(":")[1]).first()
    if programme is None or not coordinates(notification.recipient, programme):
        return None  # gone, or no longer run by the recipient
    rows = programme_followup(user=notification.recipient, programme=programme)
    overdue = sum(row["unlogged"] for row in rows)
    if not overdue:
        return None
    text = _("Hello,\n\n%(n)s past sessions of “%(programme)s” are not logged yet. Follow-up: %(url)s") % {
        "n": overdue, "programme": programme.name, "url": settings.SITE_URL + reverse("sessions:followup", args=[programme.slug])}
    return outbox.Message(_("Reverse mentoring: sessions to log"), text)


def render_digest(notification):
    lines = []
    running = coordinated_programmes(notification.recipient).filter(status__in=[Programme.Status.PAIRING, Programme.Status.RUNNING])
    for programme in running.order_by("name"):
        rows = programme_followup(user=notification.recipient, programme=programme)
        at_risk = sum(1 for row in rows if row["risks"])
        held = sum(r["held"] for r in rows)
        lines.append(_("• %(programme)s: %(pairs)s, %(held)s, %(risk)s") % {
            "programme": programme.name,
            "pairs": ngettext("%(n)s active pair", "%(n)s active pairs", len(rows)) % {"n": len(rows)},
            "held": ngettext("%(n)s session held", "%(n)s sessions held", held) % {"n": held},
            "risk": ngettext("%(n)s pair at risk", "%(n)s pairs at risk", at_risk) % {"n": at_risk}})
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


def render_uninvited(notification):
    """To someone who no longer books the senior's sessions: the cancellation of one, for their
    calendar alone (the session goes on for the pair). Skipped if they are in its audience again."""
    session = _session(notification.object_key)
    if session is None or _audience_role(session, notification.recipient) is not None:
        return None
    values = {"when": _when(session), "mentee": session.pair.mentee.employee.full_name}
    text = _("Hello,\n\nYou no longer book the reverse-mentoring sessions of %(mentee)s: the session of %(when)s is "
             "removed from your calendar (the cancellation is attached). It takes place as planned for the pair.") % values
    return outbox.Message(_("Removed from your calendar: session of %(when)s") % values, text,
                          [("invitation.ics", ics.session_invitation(session, with_theme=False, cancelled=True),
                            "text/calendar; method=CANCEL")])


KINDS = [
    outbox.Kind("concern_raised", gettext_lazy("A concern raised by a junior mentor (named HR contacts)"), True,
                render_concern, per_recipient=True),
    outbox.Kind("session_upcoming", gettext_lazy("Reminders before each session, with the invitation"), False, render_upcoming,
                per_recipient=True, late_after=REMINDER_LATE),
    outbox.Kind("session_planned", gettext_lazy("Invitations to the sessions planned, for your calendar"), True,
                render_planned, per_recipient=True),
    outbox.Kind("session_changed", gettext_lazy("A session moved or cancelled"), True, render_changed, per_recipient=True),
    outbox.Kind("session_uninvited", gettext_lazy("Sessions removed from your calendar (no longer a delegate)"), True,
                render_uninvited, per_recipient=True),
    outbox.Kind("session_log", gettext_lazy("Reminder to log a past session"), False, render_log),
    outbox.Kind("pair_alert", gettext_lazy("Pairs needing attention (coordinators, sponsors)"), False, render_pair_alert),
    outbox.Kind("overdue_logs", gettext_lazy("Sessions not logged (coordinators)"), False, render_overdue),
    outbox.Kind("weekly_digest", gettext_lazy("Weekly digest (coordinators)"), False, render_digest),
]


def notify_change(session: MentoringSession) -> None:
    """Both members get the updated (or cancelling) invitation at once. A change still waiting to
    be sent for this session becomes this one: two moves before a sweep send one message, of the
    session as it is then."""
    for user in audience(session.pair):
        outbox.notify(kind="session_changed", object_key=f"session:{session.pk}:v{session.sequence}", recipient=user,
                      supersedes=f"session:{session.pk}:")


def audience(pair) -> list[User]:
    """Who gets a session's invitations: both members and the senior's delegate in force."""
    from sessions.models import Delegate

    users = [e.user for e in (pair.mentor.employee, pair.mentee.employee) if e.user_id]
    delegate = (Delegate.objects.filter(senior_id=pair.mentee.employee_id, user__is_active=True)
                .exclude(user__employee__leave_date__lte=timezone.localdate()).select_related("user").first())
    if delegate is not None and delegate.user_id not in {u.pk for u in users}:
        users.append(delegate.user)
    return users


def notify_planned(sessions: list[MentoringSession], users: list[User] | None = None) -> None:
    """One invitation per session to each of the audience (the pair's sessions just planned), or
    to ``users`` (a delegate named later)."""
    if not sessions:
        return
    by_pair: dict[int, list[User]] = {}
    for session in sessions:
        if users is None and session.pair_id not in by_pair:
            by_pair[session.pair_id] = audience(session.pair)
        for user in users if users is not None else by_pair[session.pair_id]:
            outbox.notify(kind="session_planned", object_key=f"session:{session.pk}:v{session.sequence}", recipient=user)


def notify_uninvited(sessions: list[MentoringSession], *, user: User) -> None:
    """A former delegate: each session ahead leaves their calendar (a cancellation for them only)."""
    for session in sessions:
        outbox.notify(kind="session_uninvited", object_key=f"session:{session.pk}:v{session.sequence}", recipient=user)


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


def _delegates_of(seniors: set[int]) -> dict[int, list[User]]:
    """The delegates in force of these seniors (employee ids), in one query: they get the reminders
    of the seniors' sessions too (the senior's assistant keeps the agenda)."""
    from sessions.models import Delegate

    result: dict[int, list[User]] = {}
    for delegate in (Delegate.objects.filter(senior_id__in=seniors, user__is_active=True)
                     .exclude(user__employee__leave_date__lte=timezone.localdate()).select_related("user")):
        result.setdefault(delegate.senior_id, []).append(delegate.user)
    return result


def plan_reminders(*, now: datetime.datetime | None = None) -> int:
    """Queue the reminders due soon: before each session (2 days and 2 hours by default, or as the
    programme set them), and after a session nobody logged (a day by default). Run every few
    minutes, and again after beat was down: each reminder is one row, keyed by the session, its
    start and the reminder's moment (never the clock), so a run changes nothing the second time.
    A reminder whose moment passed more than ``REMINDER_LATE`` ago is not queued (nor sent by the
    sweep); of the reminders of a session already due, only the latest is queued."""
    now = now or timezone.now()
    count = 0
    custom = timings()
    default = (UPCOMING_BEFORE, datetime.timedelta(days=1))
    horizon = max([d for before, _after in custom.values() for d in before] + UPCOMING_BEFORE) + datetime.timedelta(hours=1)
    soon = MentoringSession.objects.filter(status=MentoringSession.Status.PLANNED, starts_at__gt=now,
                                           starts_at__lte=now + horizon, pair__status=Pair.Status.ACTIVE)
    soon = list(soon.select_related("pair__mentor__employee__user", "pair__mentee__employee__user"))
    delegates = _delegates_of({session.pair.mentee.employee_id for session in soon})
    for session in soon:
        before_list, _after = custom.get(session.pair.programme_id, default)
        dues = sorted({session.starts_at - before for before in before_list})
        passed = [due for due in dues if due <= now]
        for due in dues:
            if due < now - REMINDER_LATE or (due <= now and due != passed[-1]):
                continue  # too late for this one (a session booked for tomorrow skips "2 days before")
            for user in _members(session.pair) + delegates.get(session.pair.mentee.employee_id, []):
                outbox.notify(kind="session_upcoming", object_key=f"session:{session.pk}:{start_key(session)}",
                              recipient=user, due_at=due)
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
    once it goes on (three cancellations); overdue logs per programme. Once a week per pair and reason:
    the key and the due moment are the week's, so a second run in the week queues nothing."""
    now = now or timezone.now()
    week, due = _week(now, datetime.time(7, 30))
    count = 0
    for programme in Programme.objects.filter(status__in=[Programme.Status.PAIRING, Programme.Status.RUNNING]):
        coordinators = programme_coordinators(programme)
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


def _week(now: datetime.datetime, at: datetime.time) -> tuple[str, datetime.datetime]:
    """The ISO week of ``now`` (site's time) and its Monday at ``at``: a weekly message's key and due moment."""
    local = timezone.localtime(now)
    monday = local.date() - datetime.timedelta(days=local.weekday())
    return local.strftime("%G-%V"), timezone.make_aware(datetime.datetime.combine(monday, at))


def plan_digest(*, now: datetime.datetime | None = None) -> int:
    """Weekly: the digest to each coordinator and HR lead, once per week (key and due moment are the
    week's); each reads the programmes they run."""
    now = now or timezone.now()
    week, due = _week(now, datetime.time(8, 0))
    users = User.objects.filter(Q(is_coordinator=True) | Q(is_hr_lead=True), is_active=True)
    for user in users:
        outbox.notify(kind="weekly_digest", object_key=f"digest:{week}", recipient=user, due_at=due)
    return users.count()
