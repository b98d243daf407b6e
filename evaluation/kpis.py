"""KPI formulas, pure: counts in, figures out. No ORM here (selectors aggregate in SQL and pass
the counts). Every function returns None when there is nothing to measure, never a fake 0.

Anonymity: the threshold (5 by default, never below 3) is ``threshold_of``; which figures may be
shown, across every filter and over time, is decided in ``anonymity`` (blocks of people).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

DEFAULT_THRESHOLD = 5
MIN_THRESHOLD = 3


def threshold_of(value: int | None) -> int:
    """The configured threshold, never below the floor."""
    return max(MIN_THRESHOLD, value if value is not None else DEFAULT_THRESHOLD)


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` as a percentage with one decimal; None when ``whole`` is 0."""
    if whole <= 0:
        return None
    if not 0 <= part <= whole:
        raise ValueError("part must be between 0 and whole")
    return round(100.0 * part / whole, 1)


def average(values: Iterable[float]) -> float | None:
    values = list(values)
    return round(sum(values) / len(values), 2) if values else None


@dataclass(frozen=True)
class Nps:
    promoters: int
    passives: int
    detractors: int

    @property
    def respondents(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> float | None:
        """Net promoter score: % promoters (9–10) − % detractors (0–6), from −100 to 100."""
        if not self.respondents:
            return None
        return round(100.0 * (self.promoters - self.detractors) / self.respondents, 1)

    @property
    def recommendation_rate(self) -> float | None:
        """Share who would recommend: answers 7 to 10 (AXA's "would recommend")."""
        return rate(self.promoters + self.passives, self.respondents)


def nps_from_answers(answers: Iterable[int]) -> Nps:
    promoters = passives = detractors = 0
    for answer in answers:
        if not 0 <= answer <= 10:
            raise ValueError("a recommendation answer goes from 0 to 10")
        if answer >= 9:
            promoters += 1
        elif answer >= 7:
            passives += 1
        else:
            detractors += 1
    return Nps(promoters, passives, detractors)


def completion(held: int, due: int) -> float | None:
    """Sessions held over sessions due so far (cancelled ones count as due and not held)."""
    return rate(held, due)


def skill_progression(before: Iterable[tuple[int, int]]) -> dict | None:
    """From (before, after) self-ratings of one domain (1–5): average gain and share who progressed."""
    pairs = list(before)
    if not pairs:
        return None
    gains = [after - start for start, after in pairs]
    return {"before": average(s for s, _a in pairs), "after": average(a for _s, a in pairs),
            "gain": average(gains), "progressed": rate(sum(1 for g in gains if g > 0), len(gains))}


def retention(still_employed: int, mentors: int) -> float | None:
    """Mentors still employed N months after the end, over mentors who completed."""
    return rate(still_employed, mentors)


def objective_status(actual: float | None, target: float) -> str:
    """"met", "not met" or "unknown" (nothing measured yet)."""
    if actual is None:
        return "unknown"
    return "met" if actual >= target else "not met"


def objective_verdict(status: str, *, closed: bool) -> str:
    """What an objective's line reads: "met" once its target is reached; below it, "not met"
    when the programme is closed (final) and "in progress" while it runs; "unknown" when
    nothing is measured (a closed programme included: an unmeasured objective is not a failure)."""
    if status == "not met":
        return "not met" if closed else "in progress"
    return status


def answer_scale(kind: str) -> range:
    """The values a numeric question takes: 0–10 for a recommendation, 1–5 otherwise."""
    return range(11) if kind == "recommend" else range(1, 6)


def hold_back_small(counts: dict, limit: int) -> tuple[dict, int]:
    """Complementary suppression of link counts: the couples of at least ``limit`` pairs are
    given; when the others add up to fewer than ``limit`` (yet more than none), the smallest
    given couples are held back with them until they reach it, so the total minus the given
    couples never counts a few pairs. Returns (given couples, pairs held back)."""
    given = {key: n for key, n in counts.items() if n >= limit}
    held = sum(n for key, n in counts.items() if key not in given)
    for key, n in sorted(given.items(), key=lambda item: (item[1], item[0])):
        if held == 0 or held >= limit:
            break
        held += given.pop(key)
    return given, held


def link_matrix(cells: list[dict]) -> dict:
    """The given links as a symmetric matrix for a heat-map table: ``names`` (sorted) and one row
    per name with, per column, the pairs or None (no couple given: none, or held back — the two
    read the same), and the opacity of its shading (0.1 to 0.6 of the largest count: dark text
    stays readable on the darkest cell)."""
    names = sorted({cell["a"] for cell in cells} | {cell["b"] for cell in cells}, key=str.casefold)
    value = {}
    for cell in cells:
        value[(cell["a"], cell["b"])] = value[(cell["b"], cell["a"])] = cell["pairs"]
    top = max(value.values(), default=0)
    rows = [{"name": name, "cells": [{"pairs": value.get((name, other)), "same": name == other,
                                      "shade": round(0.1 + 0.5 * value[(name, other)] / top, 2) if (name, other) in value else 0}
                                     for other in names]} for name in names]
    return {"names": names, "rows": rows}
