"""Pure date arithmetic for a programme's milestones. Dates in, dates out."""

from __future__ import annotations

import datetime


def default_milestones(start: datetime.date, end: datetime.date) -> list[tuple[str, datetime.date]]:
    """Kick-off on the start date, chemistry meetings two weeks later, mid-point review halfway,
    final review two weeks before the end, celebration on the end date. Always in that order and
    within [start, end]."""
    span = (end - start).days
    chemistry = start + datetime.timedelta(days=min(14, span // 4))
    midpoint = start + datetime.timedelta(days=span // 2)
    final = max(midpoint, end - datetime.timedelta(days=14))
    return [
        ("kickoff", start),
        ("chemistry", chemistry),
        ("midpoint", midpoint),
        ("final", final),
        ("celebration", end),
    ]
