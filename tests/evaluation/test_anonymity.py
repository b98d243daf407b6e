"""The anonymity rule, pure: random respondents, every combination of filters."""

from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.anonymity import Cell, Groups, suppress_partition

DIMS = ("programme", "cohort", "department", "site")
PROGRAMMES = {1: 2025, 2: 2026, 3: 2026}  # programme → cohort (start year)


def groups_of(people, threshold=5, scope=None):
    """``people``: one (programme, department, site, answer) per respondent."""
    cells = {}
    for programme, department, site, answer in people:
        key = (programme, PROGRAMMES[programme], department, site)
        n, total = cells.get(key, (0, 0))
        cells[key] = (n + 1, total + answer)
    return Groups(DIMS, [Cell(key, n, (total,)) for key, (n, total) in cells.items()], threshold, scope or {})


def every_filter():
    """What the dashboard's filter form can ask: one value or "all" per dimension."""
    for programme, cohort, department, site in product([None, 1, 2, 3], [None, 2025, 2026], [None, "a", "b", "c"],
                                                        [None, "x", "y"]):
        yield {k: v for k, v in zip(DIMS, (programme, cohort, department, site), strict=True) if v is not None}


def members(people, constraints):
    index = {"programme": 0, "department": 1, "site": 2}
    chosen = set()
    for number, person in enumerate(people):
        if "cohort" in constraints and PROGRAMMES[person[0]] != constraints["cohort"]:
            continue
        if all(person[index[d]] == v for d, v in constraints.items() if d != "cohort"):
            chosen.add(number)
    return frozenset(chosen)


person = st.tuples(st.sampled_from([1, 2, 3]), st.sampled_from(["a", "b", "c"]), st.sampled_from(["x", "y"]),
                   st.integers(1, 5))


@settings(max_examples=60, deadline=None)
@given(people=st.lists(person, max_size=40), threshold=st.integers(3, 7))
def test_every_shown_figure_covers_enough_people_and_no_two_filters_differ_by_fewer(people, threshold):
    groups = groups_of(people, threshold)
    shown = {}
    for constraints in every_filter():
        figure = groups.figure(constraints)
        group = members(people, constraints)
        assert figure["respondents"] == len(group)
        if figure["shown"]:
            assert len(group) >= threshold
            assert figure["sums"][0] == sum(people[i][3] for i in group)
            shown[group] = constraints
    for small in shown:
        for large in shown:
            if small < large:
                assert len(large) - len(small) >= threshold, (shown[small], shown[large])


def test_a_filter_one_person_short_of_another_is_suppressed():
    # Five in department a at site x, plus one in department a at site y: "department a" (6)
    # minus "department a, site x" (5) would give that one person's answer.
    people = [(1, "a", "x", 5)] * 5 + [(1, "a", "y", 1)] + [(1, "b", "y", 3)] * 6
    groups = groups_of(people)
    assert groups.visible({"department": "a"})
    assert not groups.visible({"department": "a", "site": "x"})
    assert groups.figure({"department": "a", "site": "x"})["respondents"] == 5


def test_containment_that_only_this_data_creates_is_found():
    # Everyone at site x is in department a: "site x" is inside "department a" although the
    # filters name different dimensions.
    people = [(1, "a", "x", 4)] * 5 + [(1, "a", "y", 2)] * 2 + [(1, "b", "y", 3)] * 5
    groups = groups_of(people)
    assert not groups.visible({"site": "x"})


def test_a_programme_is_compared_with_its_cohort():
    people = [(2, "a", "x", 4)] * 6 + [(3, "a", "x", 1)] * 2 + [(1, "a", "x", 3)] * 6
    groups = groups_of(people)
    assert not groups.visible({"programme": 2})  # cohort 2026 (8) minus programme 2 (6) = 2 people


def test_the_threshold_is_never_below_three():
    groups = groups_of([(1, "a", "x", 5)] * 2, threshold=1)
    assert groups.threshold == 3
    assert not groups.visible({})


def test_a_sponsor_scope_limits_the_groups():
    people = [(1, "a", "x", 5)] * 5 + [(2, "a", "x", 1)] * 5
    groups = groups_of(people, scope={"programme": {1}})
    assert groups.size({}) == 5
    assert groups.sums({}) == (25,)


def test_unknown_dimension_is_refused():
    with pytest.raises(ValueError):
        groups_of([]).size({"colour": "red"})


def test_secondary_suppression_hides_more_parts_when_the_hidden_ones_are_too_few():
    parts = [("p1", 2, False), ("p2", 9, True), ("p3", 6, True)]
    assert suppress_partition(parts, 5) == {"p2"}  # p3 goes too: 2 + 6 hidden together
    assert suppress_partition([("p1", 0, False), ("p2", 9, True)], 5) == {"p2"}
    assert suppress_partition([("p1", 5, False), ("p2", 9, True)], 5) == {"p2"}
