"""The anonymity rule, pure: random respondents, every combination of filters."""

from itertools import combinations, product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.anonymity import Cell, Groups

DIMS = ("programme", "cohort", "department", "site")
HIERARCHY = ("cohort", "programme", "department", "site")
PROGRAMMES = {1: 2025, 2: 2026, 3: 2026}  # programme → cohort (start year)


def groups_of(people, threshold=5, scope=None):
    """``people``: one (programme, department, site, answer) per respondent."""
    cells = {}
    for programme, department, site, answer in people:
        key = (programme, PROGRAMMES[programme], department, site)
        n, total = cells.get(key, (0, 0))
        cells[key] = (n + 1, total + answer)
    return Groups(DIMS, [Cell(key, n, (total,)) for key, (n, total) in cells.items()], threshold, scope or {},
                  hierarchy=HIERARCHY)


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
        if figure["shown"]:
            assert figure["respondents"] == len(group)
            assert len(group) >= threshold
            assert figure["sums"][0] == sum(people[i][3] for i in group)
            shown[group] = constraints
        else:
            assert figure["respondents"] is None and figure["sums"] is None
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
    assert groups.figure({"department": "a", "site": "x"})["respondents"] is None  # not even the count


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
    assert groups.visible({"cohort": 2026}) and groups.visible({"programme": 1})


def test_the_threshold_is_never_below_three():
    groups = groups_of([(1, "a", "x", 5)] * 2, threshold=1)
    assert groups.threshold == 3
    assert not groups.visible({})


def test_a_sponsor_scope_limits_the_groups():
    people = [(1, "a", "x", 5)] * 5 + [(2, "a", "x", 1)] * 5
    groups = groups_of(people, scope={"programme": {1}})
    assert groups.figure({}) == {"respondents": 5, "shown": True, "sums": (25,)}
    assert not groups.visible({"programme": 2})


def test_unknown_dimension_is_refused():
    with pytest.raises(ValueError):
        groups_of([]).figure({"colour": "red"})


def test_an_empty_group_looks_like_a_small_one():
    groups = groups_of([(1, "a", "x", 5)] * 6)
    assert groups.figure({"department": "b"}) == groups.figure({"department": "a", "site": "y"})
    assert groups.figure({"department": "b"})["respondents"] is None


# --- No figure can be computed from the others ---------------------------------------------------------


LINEAR_DIMS = ("moment", "role", "cohort", "programme", "department", "site")
VALUES = {"moment": ["midpoint", "final"], "role": ["mentor", "mentee"], "programme": [1, 2, 3],
          "department": ["a", "b", "c"], "site": ["x", "y"]}


def linear_cells(people):
    """``people``: (moment, role, programme, department, site, answer) per respondent → cells and keys."""
    cells, keys = {}, []
    for moment, role, programme, department, site, value in people:
        key = (moment, role, PROGRAMMES[programme], programme, department, site)
        n, total = cells.get(key, (0, 0))
        cells[key] = (n + 1, total + value)
        keys.append(key)
    return [Cell(key, n, (total,)) for key, (n, total) in cells.items()], keys


def every_linear_filter():
    """Every filter a user can obtain a figure for: each dimension any or one value (the dashboard's
    filters, its per-programme columns, trend and cards; the results page's survey and audience)."""
    choices = [[None] + VALUES["moment"], [None] + VALUES["role"], [None, 2025, 2026], [None] + VALUES["programme"],
               [None] + VALUES["department"], [None] + VALUES["site"]]
    for combination in product(*choices):
        yield {d: v for d, v in zip(LINEAR_DIMS, combination, strict=True) if v is not None}


def in_group(key, constraints):
    return all(key[LINEAR_DIMS.index(d)] == v for d, v in constraints.items())


def recoverable(rows: list[np.ndarray], candidates: list[np.ndarray]) -> list[int]:
    """Indexes of the candidate vectors that some linear combination of the rows gives exactly."""
    if not rows or not candidates:
        return []
    matrix = np.array(rows, dtype=float)
    _u, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    basis = vt[: int((singular > 1e-9).sum())]
    found = []
    for index, vector in enumerate(candidates):
        residual = vector - (vector @ basis.T) @ basis
        if np.linalg.norm(residual) < 1e-6:
            found.append(index)
    return found


def assert_nothing_small_is_computable(values, keys, figures, threshold):
    """``figures``: [(label, members, figure)] everything a user can read, each with the indexes of
    the respondents its group covers. A shown figure gives its group's count and sum: the rows are
    the groups' indicator vectors over the respondents. No hidden group, no respondent and no few
    atoms (respondents alike on every dimension) holding fewer than ``threshold`` may be in their span."""
    size = len(values)
    rows, candidates, labels = [], [], []
    for label, members, figure in figures:
        vector = np.zeros(size)
        vector[list(members)] = 1
        if figure["shown"]:
            assert len(members) >= threshold, label
            assert figure["respondents"] == len(members), label
            assert figure["sums"][0] == sum(values[i] for i in members), label
            rows.append(vector)
        else:
            assert figure["respondents"] is None and figure["sums"] is None, ("a hidden group's count is shown", label)
            if members:
                candidates.append(vector)
                labels.append(f"hidden group {label}")
    for i in range(size):
        vector = np.zeros(size)
        vector[i] = 1
        candidates.append(vector)
        labels.append(f"respondent {i} {keys[i]}")
    atoms = sorted(set(keys), key=repr)
    for count in (1, 2, 3):
        for chosen in combinations(atoms, count):
            members = [i for i, key in enumerate(keys) if key in chosen]
            if len(members) < threshold:
                vector = np.zeros(size)
                vector[members] = 1
                candidates.append(vector)
                labels.append(f"atoms {chosen}")
    found = recoverable(rows, candidates)
    assert not found, [labels[i] for i in found[:3]]


def figures_of_linear(groups, keys, present=lambda i: True):
    return [(constraints, [i for i, key in enumerate(keys) if present(i) and in_group(key, constraints)],
             groups.figure(constraints)) for constraints in every_linear_filter()]


linear_person = st.tuples(st.sampled_from(VALUES["moment"]), st.sampled_from(VALUES["role"]),
                          st.sampled_from(VALUES["programme"]), st.sampled_from(VALUES["department"]),
                          st.sampled_from(VALUES["site"]), st.integers(1, 5))


@settings(max_examples=40, deadline=None)
@given(people=st.lists(linear_person, max_size=36), threshold=st.integers(3, 6))
def test_no_hidden_group_nor_any_few_respondents_can_be_computed_from_the_shown_figures(people, threshold):
    cells, keys = linear_cells(people)
    groups = Groups(LINEAR_DIMS, cells, threshold)
    assert_nothing_small_is_computable([p[-1] for p in people], keys, figures_of_linear(groups, keys), threshold)


def test_all_minus_finance_minus_sales_does_not_give_the_direction_respondent():
    people = ([("final", "mentee", 1, "finance", "x", 4)] * 6 + [("final", "mentee", 1, "sales", "x", 3)] * 5
              + [("final", "mentee", 1, "direction", "x", 1)])
    cells, keys = linear_cells(people)
    groups = Groups(LINEAR_DIMS, cells, 5)
    figures = [(c, [i for i, key in enumerate(keys) if in_group(key, c)], groups.figure(c))
               for c in [{}, {"department": "finance"}, {"department": "sales"}, {"department": "direction"}]]
    assert groups.figure({})["shown"] and not groups.figure({"department": "direction"})["shown"]
    assert_nothing_small_is_computable([p[-1] for p in people], keys, figures, 5)


@settings(max_examples=25, deadline=None)
@given(people=st.lists(st.tuples(linear_person, st.booleans(), st.integers(0, 3)), max_size=24),
       threshold=st.integers(3, 5))
def test_a_question_some_skipped_and_figures_read_before_and_after_each_release_reveal_nobody(people, threshold):
    """A second question answered by some only has its own blocks; figures read at every release
    (step 0, then 0–1, …) together reveal nothing about fewer than ``threshold`` people either."""
    for question in ("first", "second"):
        chosen = [(person, step) for person, answered, step in people if question == "first" or answered]
        keys = [linear_cells([person])[1][0] + (step,) for person, step in chosen]
        values = [person[-1] for person, _step in chosen]
        sizes = {step: sum(1 for _p, s in chosen if s == step) for step in range(4)}
        figures = []
        for now in range(4):
            # A step holding fewer than the threshold (of this question) is left out of every figure.
            present = [i for i, (_p, step) in enumerate(chosen) if step <= now and sizes[step] >= threshold]
            cells = [Cell(keys[i], 1, (values[i],)) for i in present]
            groups = Groups(LINEAR_DIMS + ("step",), cells, threshold, separate=("step",))
            figures += [((now, c), m, f) for c, m, f in
                        figures_of_linear(groups, [k[:-1] for k in keys], present=set(present).__contains__)]
        assert_nothing_small_is_computable(values, keys, figures, threshold)


pair = st.tuples(st.sampled_from(VALUES["programme"]), st.sampled_from(VALUES["department"]),
                 st.sampled_from(VALUES["department"]), st.integers(0, 4))


@settings(max_examples=40, deadline=None)
@given(pairs=st.lists(pair, max_size=30), threshold=st.integers(3, 6))
def test_a_pair_in_two_departments_is_counted_in_both_and_still_reveals_nobody(pairs, threshold):
    """Operational figures: a pair is in a department when either member is."""
    dims = ("cohort", "programme", "department")
    keys = [(PROGRAMMES[p], p, frozenset([a, b])) for p, a, b, _v in pairs]
    groups = Groups(dims, [Cell(key, 1, (v,)) for key, (*_rest, v) in zip(keys, pairs, strict=True)], threshold)
    figures = []
    for combination in product([None, 2025, 2026], [None, 1, 2, 3], [None, "a", "b", "c"]):
        constraints = {d: v for d, v in zip(dims, combination, strict=True) if v is not None}
        members = [i for i, key in enumerate(keys)
                   if all((v in key[2]) if d == "department" else key[dims.index(d)] == v for d, v in constraints.items())]
        figures.append((constraints, members, groups.figure(constraints)))
    assert_nothing_small_is_computable([p[-1] for p in pairs], keys, figures, threshold)
