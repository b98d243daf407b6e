"""KPI formulas against hand-computed figures, and the threshold's floor (the rule itself: test_anonymity)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation import kpis


def test_rates_and_averages():
    assert kpis.rate(3, 4) == 75.0
    assert kpis.rate(0, 0) is None
    assert kpis.completion(held=9, due=12) == 75.0
    assert kpis.retention(still_employed=24, mentors=25) == 96.0  # Pershing's bar
    assert kpis.average([4, 5, 5]) == 4.67 and kpis.average([]) is None
    with pytest.raises(ValueError):
        kpis.rate(5, 4)


def test_nps_by_hand():
    # 10 answers: 6 promoters (9-10), 3 passives (7-8), 1 detractor (0-6) → NPS 50, 90 % recommend.
    nps = kpis.nps_from_answers([10, 9, 9, 10, 9, 10, 8, 7, 7, 3])
    assert (nps.promoters, nps.passives, nps.detractors) == (6, 3, 1)
    assert nps.score == 50.0 and nps.recommendation_rate == 90.0
    assert kpis.nps_from_answers([]).score is None
    with pytest.raises(ValueError):
        kpis.nps_from_answers([11])


def test_skill_progression_by_hand():
    result = kpis.skill_progression([(1, 3), (2, 2), (2, 4), (3, 4)])
    assert result == {"before": 2.0, "after": 3.25, "gain": 1.25, "progressed": 75.0}
    assert kpis.skill_progression([]) is None


def test_objective_status():
    assert kpis.objective_status(82.0, 80) == "met"
    assert kpis.objective_status(79.9, 80) == "not met"
    assert kpis.objective_status(None, 80) == "unknown"


@given(st.one_of(st.none(), st.integers(-5, 20)))
def test_the_threshold_is_never_below_three(configured):
    limit = kpis.threshold_of(configured)
    assert limit >= 3
    assert limit == (5 if configured is None else max(3, configured))
