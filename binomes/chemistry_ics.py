"""The chemistry meeting's invitation (RFC 5545 / iTIP REQUEST, CANCEL once the proposal no longer
awaits answers): one event per pair, a stable UID, SEQUENCE raised on each change, organised by
the configured sender."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from binomes.models import ChemistryMeeting

PRODID = "-//Mentorat//Reverse mentoring//FR"


def organizer_address() -> str:
    """The address of ``DEFAULT_FROM_EMAIL`` (``Mentorat <mentorat@corp.example>`` → the address)."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL


def invitation(meeting: ChemistryMeeting) -> bytes:
    pair = meeting.pair
    tz = timezone.get_default_timezone()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if meeting.cancelled else "REQUEST")
    event = Event()
    event.add("uid", f"chemistry-{pair.pk}@mentorat")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at.astimezone(tz))
    event.add("dtend", meeting.ends_at.astimezone(tz))
    event.add("sequence", meeting.sequence)
    event.add("summary", _("Chemistry meeting: %(mentor)s & %(mentee)s") % {
        "mentor": pair.mentor.employee.full_name, "mentee": pair.mentee.employee.full_name})
    event.add("description", "\n".join([
        pair.programme.name,
        _("A first, informal meeting: what you expect, how you like to work, when you can meet. "
          "Then each of you confirms or declines on the pair page."),
        settings.SITE_URL + reverse("binomes:pair", args=[pair.pk])]))
    event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    for member in (pair.mentor.employee, pair.mentee.employee):
        attendee = vCalAddress(f"mailto:{member.email}")
        attendee.params["cn"] = vText(member.full_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=0)
    organizer = vCalAddress(f"mailto:{organizer_address()}")
    organizer.params["cn"] = vText("Mentorat")
    event.add("organizer", organizer, encode=0)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
