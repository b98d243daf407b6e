"""Pure session scheduling: dates in, dates out. ``now`` and the holidays are passed in.

A pair meets every ``cadence_weeks`` weeks in a weekly slot (``tue-pm``: Tuesday afternoon),
on working days only: a date that falls on a weekend or a public holiday moves to the next
working day of the same week (at most six days later), never past the next planned date nor the
end of the programme; a date that cannot move that little is dropped rather than squeezed
against the next one. Times are local to
the time zone given, so a 10:00 session stays at 10:00 across daylight-saving changes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

WEEKDAY = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4}
SLOT_TIME = {"am": datetime.time(10, 0), "pm": datetime.time(14, 0)}
DEFAULT_SLOT = "tue-am"


def preferred_slot(mentor_slots: Iterable[str], mentee_slots: Iterable[str]) -> str:
    """The first slot both declared (Monday morning first); else the senior's first; else Tuesday morning."""
    def order(slot):
        day, half = slot.split("-")
        return (WEEKDAY[day], half)

    mentor, mentee = set(mentor_slots), set(mentee_slots)
    shared = sorted(mentor & mentee, key=order)
    if shared:
        return shared[0]
    if mentee:
        return sorted(mentee, key=order)[0]
    return DEFAULT_SLOT


def is_working_day(day: datetime.date, holidays: set[datetime.date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def next_working_day(day: datetime.date, holidays: set[datetime.date]) -> datetime.date:
    while not is_working_day(day, holidays):
        day += datetime.timedelta(days=1)
    return day


def plan(*, start: datetime.date, end: datetime.date, cadence_weeks: int, slot: str, holidays: set[datetime.date],
         tz: ZoneInfo, now: datetime.datetime) -> list[datetime.datetime]:
    """The planned sessions from ``start`` (or after ``now``) up to ``end`` included.

    The first session is the first day of the slot's weekday on or after the later of ``start``
    and tomorrow; each next one ``cadence_weeks`` later. A date on a weekend or holiday moves to
    the next working day; if that is a week or more later (a week of holidays), passes the
    following planned date or ``end``, it is dropped.
    Never a weekend or holiday; gaps of ``cadence_weeks`` weeks give or take the shift; nothing
    after ``end``.
    """
    if cadence_weeks not in (2, 3, 4):
        raise ValueError("cadence_weeks must be 2, 3 or 4")
    day_name, half = slot.split("-")
    first = max(start, now.astimezone(tz).date() + datetime.timedelta(days=1))
    first += datetime.timedelta(days=(WEEKDAY[day_name] - first.weekday()) % 7)
    step = datetime.timedelta(weeks=cadence_weeks)
    most = datetime.timedelta(days=7)  # a shift stays within the week, so the rhythm holds
    result = []
    target = first
    while target <= end:
        day = next_working_day(target, holidays)
        if day <= end and day < target + most:
            result.append(datetime.datetime.combine(day, SLOT_TIME[half], tzinfo=tz))
        target += step
    return result


def reschedule_window(previous: datetime.datetime | None, following: datetime.datetime | None,
                      end: datetime.date) -> tuple[datetime.date | None, datetime.date]:
    """The dates a session may move to: strictly after the previous session's day, strictly
    before the next one's, and not after the programme's end (so the cadence holds)."""
    low = previous.date() + datetime.timedelta(days=1) if previous else None
    high = following.date() - datetime.timedelta(days=1) if following else end
    return low, min(high, end)
