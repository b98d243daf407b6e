import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentorat.core import selectors
from mentorat.core.hierarchy import ManagerCycle, compute_paths, find_cycles, in_direct_line, path_ids
from mentorat.core.models import Employee
from tests.factories import EmployeeFactory


@st.composite
def forests(draw):
    """Random org charts: each id's manager is a smaller id, or nobody."""
    size = draw(st.integers(min_value=1, max_value=40))
    return {i: draw(st.one_of(st.none(), st.integers(min_value=1, max_value=i - 1))) if i > 1 else None
            for i in range(1, size + 1)}


def naive_chain(parents, node):
    chain = []
    while parents[node] is not None:
        node = parents[node]
        chain.append(node)
    return chain


class TestPureHierarchy:
    @given(forests())
    def test_paths_list_the_chain_top_first(self, parents):
        paths = compute_paths(parents)
        for node, (path, depth) in paths.items():
            assert path_ids(path) == list(reversed(naive_chain(parents, node))) + [node]
            assert depth == len(naive_chain(parents, node))

    @given(forests(), st.data())
    def test_any_back_edge_is_a_cycle(self, parents, data):
        if len(parents) < 2:
            return
        child = data.draw(st.sampled_from(sorted(parents)))
        ancestors = naive_chain(parents, child)
        if not ancestors:
            return
        top = ancestors[-1]
        broken = {**parents, top: child}
        cycles = find_cycles(broken)
        assert len(cycles) == 1 and set(cycles[0]) == {child, *ancestors}
        with pytest.raises(ManagerCycle):
            compute_paths(broken)

    def test_an_unknown_manager_makes_a_top(self):
        assert compute_paths({1: 99}) == {1: ("/1/", 0)}

    def test_direct_line_either_way(self):
        assert in_direct_line(1, 2, 2, None) and in_direct_line(2, None, 1, 2)
        assert not in_direct_line(1, 2, 3, 2)


@pytest.mark.django_db
class TestOrgChartQueries:
    def test_chain_subtree_peers_and_gap(self, org, django_assert_num_queries):
        junior = Employee.objects.get(pk=org["junior_a"].pk)
        with django_assert_num_queries(1):  # SELECT the ancestors by primary key
            chain = selectors.employee_chain(junior)
        assert [e.employee_id for e in chain] == ["MA", "DA", "CEO"]
        with django_assert_num_queries(1):  # SELECT … WHERE path > '/ceo/da/' AND path < '/ceo/da0'
            below = sorted(selectors.employee_subtree(org["director_a"]).values_list("employee_id", flat=True))
        assert below == ["JA", "MA"]
        assert sorted(selectors.employee_peers(org["director_a"]).values_list("employee_id", flat=True)) == ["DB"]
        assert not selectors.employee_peers(org["ceo"]).exists()
        assert selectors.level_gap(org["director_a"], org["junior_b"]) == 4
        assert selectors.in_management_line(org["ceo"], junior)
        assert not selectors.in_management_line(org["director_b"], junior)

    def test_query_counts_do_not_grow_with_depth(self, db, django_assert_num_queries):
        boss = None
        for level in range(12):
            boss = EmployeeFactory(manager=boss, job_level=12 - level)
        deepest = Employee.objects.get(pk=boss.pk)
        with django_assert_num_queries(1):
            assert len(selectors.employee_chain(deepest)) == 11
        top = Employee.objects.get(depth=0, pk__in=deepest.ancestor_ids)
        with django_assert_num_queries(1):
            assert selectors.employee_subtree(top).count() == 11

    def test_moving_a_manager_moves_the_whole_subtree(self, org):
        from mentorat.core.services import orgchart_rebuild_paths

        Employee.objects.filter(pk=org["manager_a"].pk).update(manager=org["director_b"])
        orgchart_rebuild_paths()
        junior = Employee.objects.get(pk=org["junior_a"].pk)
        assert [e.employee_id for e in selectors.employee_chain(junior)] == ["MA", "DB", "CEO"]
