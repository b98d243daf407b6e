"""Pure help to book the chemistry meeting: slots in, a time out. ``today`` and the holidays are
passed in, never read here.

Slots are the weekly half-days of the applications (``tue-pm``: Tuesday afternoon), the same
codes and times as session scheduling (morning 10:00, afternoon 14:00).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

WEEKDAY = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4}
SLOT_TIME = {"am": datetime.time(10, 0), "pm": datetime.time(14, 0)}
LEAD_WORKING_DAYS = 2


def _order(slot: str) -> tuple[int, str]:
    day, half = slot.split("-")
    return WEEKDAY[day], half


def common_slots(first: Iterable[str], second: Iterable[str]) -> list[str]:
    """The slots both declared, Monday morning first; unknown codes are ignored."""
    valid = {f"{day}-{half}" for day in WEEKDAY for half in SLOT_TIME}
    return sorted((set(first) & set(second)) & valid, key=_order)


def _working(day: datetime.date, holidays: set[datetime.date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(day: datetime.date, count: int, holidays: set[datetime.date]) -> datetime.date:
    """``count`` working days after ``day`` (``day`` itself not counted)."""
    while count > 0:
        day += datetime.timedelta(days=1)
        if _working(day, holidays):
            count -= 1
    return day


def proposed_time(slots: list[str], *, today: datetime.date, holidays: set[datetime.date], tz: ZoneInfo,
                  lead: int = LEAD_WORKING_DAYS) -> datetime.datetime | None:
    """The next occurrence of the first common slot on a working day at least ``lead`` working
    days after ``today``; None without a common slot. A holiday on that weekday skips a week."""
    if not slots:
        return None
    day_code, half = slots[0].split("-")
    day = add_working_days(today, lead, holidays)
    while day.weekday() != WEEKDAY[day_code] or not _working(day, holidays):
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, SLOT_TIME[half], tzinfo=tz)
