"""iCalendar (RFC 5545) for sessions: one invitation per session, one feed per person.

Stable UID per session, SEQUENCE raised on every change, METHOD:CANCEL for a cancelled session,
VTIMEZONE for the zones used. No private content: title, time, place and theme only.

One invitation (one iTIP object, one UID) per session rather than the whole series in one: each
session moves and is cancelled on its own (holidays already make the dates irregular, so no
RRULE), and Outlook and Gmail act on one event per scheduling message (RFC 6638 wants one UID).
"""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import getaddresses

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from sessions.models import MentoringSession

PRODID = "-//Mentorat//Reverse mentoring//FR"


def organizer() -> tuple[str, str]:
    """(name, address) of the configured sender (``DEFAULT_FROM_EMAIL``): the address calendar
    apps show as the organiser and answer to, the same as the e-mail's From."""
    [(name, address)] = getaddresses([settings.DEFAULT_FROM_EMAIL])[:1] or [("", "")]
    return name or "Mentorat", address


def _event(session: MentoringSession, cancelled: bool, with_theme: bool = True) -> Event:
    pair = session.pair
    tz = timezone.get_default_timezone()
    event = Event()
    event.add("uid", f"session-{session.uid}@mentorat")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at.astimezone(tz))
    event.add("dtend", session.ends_at.astimezone(tz))
    event.add("sequence", session.sequence)
    event.add("summary", _("Reverse mentoring: %(mentor)s & %(mentee)s") % {
        "mentor": pair.mentor.employee.full_name, "mentee": pair.mentee.employee.full_name})
    page = settings.SITE_URL + reverse("sessions:detail", args=[session.pk])
    description = [pair.programme.name]
    if session.theme and with_theme:
        description.append(_("Theme: %(theme)s") % {"theme": session.theme})
    join = session.join_url
    if join:
        description.append(_("Join: %(url)s") % {"url": join})
        event.add("url", join)
        event.add("location", join)
    elif session.room:
        description.append(_("Place: %(room)s") % {"room": session.room})
        event.add("location", session.room)
    description.append(_("Details and changes: %(url)s") % {"url": page})
    event.add("description", "\n".join(description))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    for member in (pair.mentor.employee, pair.mentee.employee):
        attendee = vCalAddress(f"mailto:{member.email}")
        attendee.params["cn"] = vText(member.full_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=0)
    name, address = organizer()
    organizer_address = vCalAddress(f"mailto:{address}")
    organizer_address.params["cn"] = vText(name)
    event.add("organizer", organizer_address, encode=0)
    return event


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def method_of(session: MentoringSession) -> str:
    return "CANCEL" if session.status == MentoringSession.Status.CANCELLED else "REQUEST"


def session_invitation(session: MentoringSession, *, with_theme: bool = True, cancelled: bool | None = None) -> bytes:
    """The .ics of one session: REQUEST, or CANCEL once cancelled (or ``cancelled`` for one
    recipient: a former delegate). Without the theme for the senior's delegate, who books the
    time and place, not the content."""
    if cancelled is None:
        cancelled = session.status == MentoringSession.Status.CANCELLED
    calendar = _calendar("CANCEL" if cancelled else "REQUEST")
    calendar.add_component(_event(session, cancelled, with_theme))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed(sessions: Iterable[MentoringSession], name: str) -> bytes:
    """A subscription feed (no METHOD, as RFC 5545 wants for published calendars)."""
    calendar = _calendar(None)
    calendar.add("x-wr-calname", name)
    for session in sessions:
        calendar.add_component(_event(session, session.status == MentoringSession.Status.CANCELLED))
    calendar.add_missing_timezones()
    return calendar.to_ical()
