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
