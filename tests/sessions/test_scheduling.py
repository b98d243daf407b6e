import datetime
import itertools
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions.scheduling import SLOT_TIME, plan, preferred_slot, reschedule_window

PARIS = ZoneInfo("Europe/Paris")
FR = set(holidays.country_holidays("FR", years=range(2025, 2031)))
SLOTS = [f"{d}-{h}" for d in ("mon", "tue", "wed", "thu", "fri") for h in ("am", "pm")]


@st.composite
def programmes(draw):
    start = draw(st.dates(min_value=datetime.date(2025, 1, 1), max_value=datetime.date(2029, 12, 31)))
    months = draw(st.integers(6, 12))
    end = start + datetime.timedelta(days=30 * months)
    extra = draw(st.sets(st.dates(min_value=start, max_value=end), max_size=8))
    return {"start": start, "end": end, "cadence_weeks": draw(st.integers(2, 4)), "slot": draw(st.sampled_from(SLOTS)),
            "holidays": FR | extra}


@settings(max_examples=300, deadline=None)
@given(programmes())
def test_never_a_weekend_or_holiday_nothing_outside_and_the_rhythm_holds(p):
    now = datetime.datetime.combine(p["start"], datetime.time(0), tzinfo=PARIS) - datetime.timedelta(days=1)
    dates = plan(tz=PARIS, now=now, **p)
    step = 7 * p["cadence_weeks"]
    assert dates, "a 6-month programme always has sessions"
    for when in dates:
        assert when.weekday() < 5 and when.date() not in p["holidays"]
        assert p["start"] <= when.date() <= p["end"]
        assert when.timetz().replace(tzinfo=None) == SLOT_TIME[p["slot"].split("-")[1]]  # local time, DST included
    for before, after in itertools.pairwise(dates):
        gap = (after.date() - before.date()).days
        assert step - 6 <= gap
        assert gap <= 2 * step + 6  # a date whose shift would cross the next one is dropped, never squeezed


@settings(max_examples=100, deadline=None)
@given(programmes())
def test_with_french_holidays_only_gaps_stay_within_a_few_days_of_the_cadence(p):
    p["holidays"] = FR
    now = datetime.datetime.combine(p["start"], datetime.time(0), tzinfo=PARIS) - datetime.timedelta(days=1)
    dates = plan(tz=PARIS, now=now, **p)
    step = 7 * p["cadence_weeks"]
    for before, after in itertools.pairwise(dates):
        assert step - 4 <= (after.date() - before.date()).days <= step + 4


def test_dst_keeps_local_time_and_changes_utc_offset():
    dates = plan(start=datetime.date(2027, 3, 1), end=datetime.date(2027, 4, 30), cadence_weeks=2, slot="mon-am",
                 holidays=FR, tz=PARIS, now=datetime.datetime(2027, 2, 1, tzinfo=PARIS))
    assert [d.hour for d in dates] == [10] * len(dates)
    assert {d.utcoffset() for d in dates} == {datetime.timedelta(hours=1), datetime.timedelta(hours=2)}


def test_easter_monday_moves_to_tuesday():
    dates = plan(start=datetime.date(2027, 3, 29), end=datetime.date(2027, 4, 10), cadence_weeks=2, slot="mon-pm",
                 holidays=FR, tz=PARIS, now=datetime.datetime(2027, 3, 1, tzinfo=PARIS))
    assert dates[0].date() == datetime.date(2027, 3, 30)  # Easter Monday 2027 is 29 March


def test_nothing_before_tomorrow():
    now = datetime.datetime(2027, 5, 5, 12, tzinfo=PARIS)
    dates = plan(start=datetime.date(2027, 1, 4), end=datetime.date(2027, 7, 1), cadence_weeks=3, slot="wed-am",
                 holidays=FR, tz=PARIS, now=now)
    assert dates[0].date() > now.date()


def test_preferred_slot_and_window():
    assert preferred_slot(["thu-am", "tue-pm"], ["tue-pm", "fri-am"]) == "tue-pm"
    assert preferred_slot(["thu-am"], ["fri-am", "mon-pm"]) == "mon-pm"
    assert preferred_slot([], []) == "tue-am"
    before = datetime.datetime(2027, 1, 5, 10, tzinfo=PARIS)
    after = datetime.datetime(2027, 1, 26, 10, tzinfo=PARIS)
    assert reschedule_window(before, after, datetime.date(2027, 9, 1)) == (datetime.date(2027, 1, 6), datetime.date(2027, 1, 25))


def test_a_whole_week_of_holidays_drops_the_date_instead_of_squeezing_it_against_the_next():
    """Found by the property test: a Monday session whose whole week is off moved seven days
    later, one week before the next session of a two-week rhythm."""
    week_off = {datetime.date(2027, 1, 4) + datetime.timedelta(days=n) for n in range(5)}
    dates = plan(start=datetime.date(2026, 12, 21), end=datetime.date(2027, 2, 28), cadence_weeks=2, slot="mon-am",
                 holidays=week_off, tz=PARIS, now=datetime.datetime(2026, 12, 1, tzinfo=PARIS))
    days = [d.date() for d in dates]
    assert datetime.date(2027, 1, 11) not in days and not (set(days) & week_off)
    assert days[:3] == [datetime.date(2026, 12, 21), datetime.date(2027, 1, 18), datetime.date(2027, 2, 1)]
