"""iCalendar (RFC 5545) for sessions: one invitation per session, one feed per person.

Stable UID per session, SEQUENCE raised on every change, METHOD:CANCEL for a cancelled session,
VTIMEZONE for the zones used. No private content: title, time, place and theme only.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from sessions.models import MentoringSession

PRODID = "-//Mentorat//Reverse mentoring//FR"


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
    description = [pair.programme.name]
    if session.theme and with_theme:
        description.append(_("Theme: %(theme)s") % {"theme": session.theme})
    description.append(settings.SITE_URL + f"/sessions/{session.pk}/")
    event.add("description", "\n".join(description))
    if session.place:
        event.add("location", session.place)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    for member in (pair.mentor.employee, pair.mentee.employee):
        attendee = vCalAddress(f"mailto:{member.email}")
        attendee.params["cn"] = vText(member.full_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=0)
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].rstrip('>')}")
    organizer.params["cn"] = vText("Mentorat")
    event.add("organizer", organizer, encode=0)
    return event


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def session_invitation(session: MentoringSession, *, with_theme: bool = True) -> bytes:
    """The .ics of one session: REQUEST, or CANCEL once cancelled. Without the theme for the
    senior's delegate, who books the time and place, not the content."""
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
