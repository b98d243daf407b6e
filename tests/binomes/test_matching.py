"""The pairing engine against brute force on small cohorts, and its rules."""

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from binomes.matching import DEFAULT_WEIGHTS, Person, Rules, alternatives, assign, greedy, refusal, score

DOMAINS = ["ai", "social", "agile"]


@st.composite
def people(draw, role, start, count):
    result = []
    for k in range(count):
        employee = start + k
        result.append(Person(
            id=employee, employee=employee,
            manager=draw(st.one_of(st.none(), st.integers(1, 30))),
            ancestors=frozenset(draw(st.sets(st.integers(1, 30), max_size=3))),
            level=draw(st.integers(1, 3)) if role == "mentor" else draw(st.integers(3, 6)),
            department=draw(st.integers(1, 3)), site=draw(st.integers(1, 2)),
            languages=frozenset(draw(st.sets(st.sampled_from(["fr", "en"]), min_size=1))),
            format=draw(st.sampled_from(["onsite", "remote", "either"])),
            availability=frozenset(draw(st.sets(st.sampled_from(["mon-am", "tue-pm", "thu-am"]), max_size=3))),
            domains=draw(st.dictionaries(st.sampled_from(DOMAINS), st.integers(1, 3), min_size=1)),
            capacity=draw(st.integers(1, 2)) if role == "mentor" else 1,
        ))
    return result


@st.composite
def cohorts(draw):
    mentors = draw(people("mentor", 1, draw(st.integers(0, 4))))
    mentees = draw(people("mentee", 20, draw(st.integers(0, 4))))
    # Some mentees manage some mentors, directly or higher up.
    rules = Rules(
        exclude_subtree=draw(st.booleans()), exclude_peers=draw(st.booleans()),
        min_level_gap=draw(st.integers(0, 3)), require_shared_language=draw(st.booleans()),
    )
    return mentors, mentees, rules


def brute_force(mentors, mentees, rules):
    """Every way to give each mentee a mentor or nobody: the best (pairs, score)."""
    best = (0, 0.0)
    options = [[None] + [m for m in mentors if refusal(m, e, rules) is None] for e in mentees]
    for choice in itertools.product(*options):
        load = {}
        for mentor in choice:
            if mentor is not None:
                load[mentor.id] = load.get(mentor.id, 0) + 1
        if any(load[m.id] > m.capacity for m in mentors if m.id in load):
            continue
        pairs = sum(1 for m in choice if m is not None)
        total = sum(score(m, e)[0] for m, e in zip(choice, mentees, strict=True) if m is not None)
        if (pairs, round(total, 2)) > (best[0], round(best[1], 2)):
            best = (pairs, total)
    return best


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts())
def test_it_finds_the_same_optimum_as_brute_force(cohort):
    mentors, mentees, rules = cohort
    result = assign(mentors, mentees, rules)
    pairs, total = brute_force(mentors, mentees, rules)
    assert len(result.pairs) == pairs
    assert abs(result.total_score - total) < 0.05


@settings(max_examples=150, deadline=None)
@given(cohorts())
def test_it_never_breaks_a_rule_nor_a_capacity_and_explains_the_rest(cohort):
    mentors, mentees, rules = cohort
    result = assign(mentors, mentees, rules)
    by_id = {p.id: p for p in mentors + mentees}
    load = {}
    for pair in result.pairs:
        assert refusal(by_id[pair.mentor], by_id[pair.mentee], rules) is None
        load[pair.mentor] = load.get(pair.mentor, 0) + 1
    assert all(load[m.id] <= m.capacity for m in mentors if m.id in load)
    assert len({p.mentee for p in result.pairs}) == len(result.pairs)
    paired = {p.mentee for p in result.pairs} | {p.mentor for p in result.pairs}
    unpaired = {u.id for u in result.unpaired}
    assert paired | unpaired == {p.id for p in mentors + mentees}
    assert all(u.reason for u in result.unpaired)


@settings(max_examples=100, deadline=None)
@given(cohorts())
def test_never_fewer_pairs_nor_a_lower_total_than_greedy(cohort):
    mentors, mentees, rules = cohort
    optimal, baseline = assign(mentors, mentees, rules), greedy(mentors, mentees, rules)
    assert len(optimal.pairs) >= len(baseline.pairs)
    if len(optimal.pairs) == len(baseline.pairs):
        assert optimal.total_score >= baseline.total_score - 0.05


@settings(max_examples=50, deadline=None)
@given(cohorts())
def test_it_is_deterministic(cohort):
    mentors, mentees, rules = cohort
    first, second = assign(mentors, mentees, rules), assign(mentors, mentees, rules)
    assert [(p.mentor, p.mentee) for p in first.pairs] == [(p.mentor, p.mentee) for p in second.pairs]


def person(id_, manager=None, ancestors=(), level=1, **kw):
    return Person(id=id_, employee=id_, manager=manager, ancestors=frozenset(ancestors), level=level,
                  domains=kw.pop("domains", {"ai": 2}), **kw)


class TestRules:
    def test_the_direct_line_is_refused_both_ways(self):
        boss, report = person(1, level=5), person(2, manager=1)
        assert refusal(report, boss, Rules()) == "direct_line"
        assert refusal(boss, report, Rules()) == "direct_line"

    def test_subtree_and_peers_only_when_asked(self):
        senior = person(1, manager=9, ancestors={9}, level=5)
        far_below = person(3, manager=2, ancestors={9, 1, 2})
        peer = person(4, manager=9, ancestors={9})
        assert refusal(far_below, senior, Rules()) is None
        assert refusal(far_below, senior, Rules(exclude_subtree=True)) == "subtree"
        assert refusal(peer, senior, Rules()) is None
        assert refusal(peer, senior, Rules(exclude_peers=True)) == "peers"

    def test_level_gap_language_forbidden_and_self(self):
        mentor, mentee = person(1, level=2, languages=frozenset({"en"})), person(2, level=3)
        assert refusal(mentor, mentee, Rules(min_level_gap=2)) == "level_gap"
        assert refusal(mentor, mentee, Rules()) == "language"
        assert refusal(mentor, mentee, Rules(require_shared_language=False)) is None
        assert refusal(mentor, mentee, Rules(require_shared_language=False), forbidden={(1, 2)}) == "forbidden"
        assert refusal(mentor, person(1, level=5), Rules()) == "self"

    def test_the_reason_of_an_unpaired_mentee(self):
        mentor = person(1, languages=frozenset({"en"}))
        result = assign([mentor], [person(2, level=5), person(3, level=5, manager=1)], Rules())
        reasons = {u.id: u.reason for u in result.unpaired}
        # The mentor fits nobody: the rules say why (ties: the first rule), never "better matched elsewhere".
        assert reasons == {2: "language", 3: "direct_line", 1: "direct_line"}

    def test_capacity_is_the_reason_when_a_mentor_was_eligible(self):
        mentor = person(1)
        result = assign([mentor], [person(2, level=5), person(3, level=5)], Rules())
        assert len(result.pairs) == 1
        assert [u.reason for u in result.unpaired if u.role == "mentee"] == ["capacity"]

    def test_locked_pairs_are_kept_and_use_capacity(self):
        best_for_2 = person(1, domains={"ai": 3})
        other = person(4, domains={"ai": 1})
        mentees = [person(2, level=5, domains={"ai": 3}), person(3, level=5, domains={"ai": 3})]
        result = assign([best_for_2, other], mentees, Rules(), locked=[(4, 2)])
        assert {(p.mentor, p.mentee, p.locked) for p in result.pairs} == {(4, 2, True), (1, 3, False)}


class TestScore:
    def test_the_breakdown_adds_up_and_stays_within_the_weights(self):
        mentor = person(1, level=1, department=1, site=1, availability=frozenset({"mon-am"}), format="remote",
                        domains={"ai": 3, "social": 1})
        mentee = person(2, level=6, department=2, site=1, availability=frozenset({"mon-am", "tue-pm"}), format="onsite",
                        domains={"ai": 3})
        total, breakdown = score(mentor, mentee)
        assert breakdown == {"goals": 50.0, "availability": 10.0, "format": 0.0, "cross_silo": 5.0, "level_gap": 10.0}
        assert total == 75.0
        assert all(0 <= breakdown[k] <= DEFAULT_WEIGHTS[k] for k in breakdown)

    def test_alternatives_are_the_best_eligible_mentors(self):
        mentee = person(10, level=5, domains={"ai": 3})
        mentors = [person(1, domains={"ai": 1}), person(2, domains={"ai": 3}), person(3, manager=10, domains={"ai": 3}),
                   person(4, domains={"ai": 2})]
        assert [p.mentor for p in alternatives(mentee, mentors, Rules())] == [2, 4, 1]
