"""Pairing as pure arithmetic: volunteers and rules in, pairs and reasons out. No ORM here.

The assignment maximises first the number of pairs, then the total compatibility score, over the
whole cohort (an exact method: scipy's ``linear_sum_assignment`` on mentors repeated by
capacity), never breaking a hard rule. Scores and rules are computed on whole matrices with
NumPy, so 5,000 × 5,000 volunteers stay within seconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from mentorat.core.hierarchy import in_direct_line

SLOTS = [f"{d}-{h}" for d in ("mon", "tue", "wed", "thu", "fri") for h in ("am", "pm")]

# Hard rules, in the order a refusal names them. The words are the service's (translated there).
RULES = ["self", "direct_line", "subtree", "peers", "level_gap", "language", "forbidden", "capacity", "taken"]

DEFAULT_WEIGHTS = {
    "goals": 50.0,       # mentee priorities × mentor levels on shared domains
    "availability": 20.0,  # shared weekly slots
    "format": 10.0,      # on site / remote compatible
    "cross_silo": 10.0,  # different department, different site
    "level_gap": 10.0,   # a larger gap is closer to the spirit of reverse mentoring
}
CRITERIA = list(DEFAULT_WEIGHTS)


@dataclass(frozen=True)
class Person:
    """A volunteer as the engine sees them. ``domains`` maps a domain to a level (mentor) or a
    priority (mentee), 1–3. ``ancestors`` are the ids of their management chain."""

    id: int
    employee: int
    manager: int | None
    ancestors: frozenset[int]
    level: int
    department: int | None = None
    site: int | None = None
    languages: frozenset[str] = frozenset({"fr"})
    format: str = "either"
    availability: frozenset[str] = frozenset()
    domains: dict[str, int] = field(default_factory=dict)
    capacity: int = 1


@dataclass(frozen=True)
class Rules:
    exclude_subtree: bool = False
    exclude_peers: bool = False
    min_level_gap: int = 0
    require_shared_language: bool = True


@dataclass
class Proposal:
    mentor: int
    mentee: int
    score: float
    breakdown: dict[str, float]
    locked: bool = False


@dataclass
class Unpaired:
    id: int
    role: str  # "mentor" | "mentee"
    reason: str  # a code: see ``reason_text`` in services
    detail: dict = field(default_factory=dict)


@dataclass
class Result:
    pairs: list[Proposal]
    unpaired: list[Unpaired]

    @property
    def total_score(self) -> float:
        return round(sum(p.score for p in self.pairs), 6)


def refusal(mentor: Person, mentee: Person, rules: Rules, forbidden: Iterable[tuple[int, int]] = ()) -> str | None:
    """The first hard rule this pair breaks, or None. Capacity is the caller's to check."""
    if mentor.employee == mentee.employee:
        return "self"
    if in_direct_line(mentor.employee, mentor.manager, mentee.employee, mentee.manager):
        return "direct_line"
    if rules.exclude_subtree and (mentee.employee in mentor.ancestors or mentor.employee in mentee.ancestors):
        return "subtree"
    if rules.exclude_peers and mentor.manager is not None and mentor.manager == mentee.manager:
        return "peers"
    if rules.min_level_gap and mentee.level - mentor.level < rules.min_level_gap:
        return "level_gap"
    if rules.require_shared_language and not (mentor.languages & mentee.languages):
        return "language"
    if (mentor.employee, mentee.employee) in set(forbidden):
        return "forbidden"
    return None


def score(mentor: Person, mentee: Person, weights: dict[str, float] | None = None) -> tuple[float, dict[str, float]]:
    """The compatibility of one pair: total and points by criterion (same formula as ``score_matrix``)."""
    matrix = score_matrices([mentor], [mentee], weights or DEFAULT_WEIGHTS)
    breakdown = {name: round(float(values[0, 0]), 2) for name, values in matrix.items()}
    return round(sum(breakdown.values()), 2), breakdown


def _domain_matrix(people: Sequence[Person], domains: list[str]) -> np.ndarray:
    index = {d: i for i, d in enumerate(domains)}
    matrix = np.zeros((len(people), len(domains)), dtype=np.float32)
    for row, person in enumerate(people):
        for domain, value in person.domains.items():
            matrix[row, index[domain]] = value
    return matrix


def _slot_matrix(people: Sequence[Person]) -> np.ndarray:
    index = {s: i for i, s in enumerate(SLOTS)}
    matrix = np.zeros((len(people), len(SLOTS)), dtype=np.float32)
    for row, person in enumerate(people):
        for slot in person.availability:
            if slot in index:
                matrix[row, index[slot]] = 1
    return matrix


def score_matrices(mentors: Sequence[Person], mentees: Sequence[Person], weights: dict[str, float]) -> dict[str, np.ndarray]:
    """Points by criterion, each a (mentees × mentors) float32 matrix, each in [0, weight].

    - goals: Σ priority × level over shared domains, over the best possible (Σ priority × 3);
    - availability: shared slots over the mentee's slots (none declared: 0);
    - format: compatible (same, or one says either) 1, on site vs remote 0;
    - cross_silo: half for another department, half for another site;
    - level_gap: the gap over 5 levels, capped at 1 (a mentor above the mentee gets 0).
    """
    domains = sorted({d for p in list(mentors) + list(mentees) for d in p.domains})
    mentee_goals = _domain_matrix(mentees, domains)
    mentor_levels = _domain_matrix(mentors, domains)
    best = mentee_goals.sum(axis=1, keepdims=True) * 3
    goals = np.divide(mentee_goals @ mentor_levels.T, best, out=np.zeros((len(mentees), len(mentors)), np.float32), where=best > 0)

    mentee_slots = _slot_matrix(mentees)
    declared = mentee_slots.sum(axis=1, keepdims=True)
    availability = np.divide(mentee_slots @ _slot_matrix(mentors).T, declared,
                             out=np.zeros((len(mentees), len(mentors)), np.float32), where=declared > 0)

    def codes(people, attribute):
        return np.array([getattr(p, attribute) if getattr(p, attribute) is not None else -1 for p in people], dtype=np.int32)

    # Formats as codes: either 0, on site 1, remote 2; only on site × remote (1 × 2) clashes.
    format_code = {"either": 0, "onsite": 1, "remote": 2}
    mentee_format = np.array([format_code.get(p.format, 0) for p in mentees], dtype=np.int8)[:, None]
    mentor_format = np.array([format_code.get(p.format, 0) for p in mentors], dtype=np.int8)[None, :]
    format_ = ((mentee_format * mentor_format) != 2).astype(np.float32)

    mentee_dept, mentor_dept = codes(mentees, "department")[:, None], codes(mentors, "department")[None, :]
    mentee_site, mentor_site = codes(mentees, "site")[:, None], codes(mentors, "site")[None, :]
    cross = (np.float32(0.5) * ((mentee_dept != mentor_dept) | (mentee_dept < 0))
             + np.float32(0.5) * ((mentee_site != mentor_site) | (mentee_site < 0)))

    gap = (codes(mentees, "level")[:, None] - codes(mentors, "level")[None, :]).astype(np.float32)
    level = np.clip(gap / np.float32(5.0), 0, 1)

    return {
        "goals": np.float32(weights["goals"]) * goals,
        "availability": np.float32(weights["availability"]) * availability,
        "format": np.float32(weights["format"]) * format_,
        "cross_silo": np.float32(weights["cross_silo"]) * cross.astype(np.float32),
        "level_gap": np.float32(weights["level_gap"]) * level,
    }


def refusal_matrix(mentors: Sequence[Person], mentees: Sequence[Person], rules: Rules,
                   forbidden: Iterable[tuple[int, int]] = ()) -> np.ndarray:
    """A (mentees × mentors) int8 matrix: 0 where the pair is allowed, else 1 + the index in RULES
    of the first rule broken (same order as ``refusal``)."""
    n, m = len(mentees), len(mentors)
    out = np.zeros((n, m), dtype=np.int8)

    def mark(mask, rule):
        code = RULES.index(rule) + 1
        np.copyto(out, np.int8(code), where=mask & (out == 0))

    mentee_emp = np.array([p.employee for p in mentees])[:, None]
    mentor_emp = np.array([p.employee for p in mentors])[None, :]
    mentee_mgr = np.array([p.manager if p.manager is not None else -1 for p in mentees])[:, None]
    mentor_mgr = np.array([p.manager if p.manager is not None else -1 for p in mentors])[None, :]
    mark(mentee_emp == mentor_emp, "self")
    mark((mentor_mgr == mentee_emp) | (mentee_mgr == mentor_emp), "direct_line")
    if rules.exclude_subtree:
        mentee_col = {p.employee: i for i, p in enumerate(mentees)}
        mentor_col = {p.employee: j for j, p in enumerate(mentors)}
        mask = np.zeros((n, m), dtype=bool)
        for j, mentor in enumerate(mentors):
            for ancestor in mentor.ancestors:
                i = mentee_col.get(ancestor)
                if i is not None:
                    mask[i, j] = True
        for i, mentee in enumerate(mentees):
            for ancestor in mentee.ancestors:
                j = mentor_col.get(ancestor)
                if j is not None:
                    mask[i, j] = True
        mark(mask, "subtree")
    if rules.exclude_peers:
        mark((mentee_mgr == mentor_mgr) & (mentee_mgr >= 0), "peers")
    if rules.min_level_gap:
        gap = np.array([p.level for p in mentees])[:, None] - np.array([p.level for p in mentors])[None, :]
        mark(gap < rules.min_level_gap, "level_gap")
    if rules.require_shared_language:
        languages = sorted({lang for p in list(mentors) + list(mentees) for lang in p.languages})
        bit = {lang: 1 << k for k, lang in enumerate(languages)}
        mentee_bits = np.array([sum(bit[x] for x in p.languages) for p in mentees], dtype=np.int64)[:, None]
        mentor_bits = np.array([sum(bit[x] for x in p.languages) for p in mentors], dtype=np.int64)[None, :]
        mark((mentee_bits & mentor_bits) == 0, "language")
    forbidden = set(forbidden)
    if forbidden:
        mentee_row = {p.employee: i for i, p in enumerate(mentees)}
        mentor_col = {p.employee: j for j, p in enumerate(mentors)}
        mask = np.zeros((n, m), dtype=bool)
        for mentor_emp_id, mentee_emp_id in forbidden:
            if mentee_emp_id in mentee_row and mentor_emp_id in mentor_col:
                mask[mentee_row[mentee_emp_id], mentor_col[mentor_emp_id]] = True
        mark(mask, "forbidden")
    return out


def assign(mentors: Sequence[Person], mentees: Sequence[Person], rules: Rules = Rules(),
           weights: dict[str, float] | None = None, forbidden: Iterable[tuple[int, int]] = (),
           locked: Iterable[tuple[int, int]] = ()) -> Result:
    """The best assignment for the cohort: most pairs first, then highest total score.

    ``locked`` pairs (mentor id, mentee id) are kept as they are and use the mentor's capacity;
    ``forbidden`` holds (mentor employee, mentee employee). Deterministic for the same input:
    ties are broken by the order of the lists. Everyone left unpaired gets a reason.
    """
    weights = {**DEFAULT_WEIGHTS, **(weights or {})}
    locked = list(locked)
    mentor_by_id = {p.id: p for p in mentors}
    mentee_by_id = {p.id: p for p in mentees}
    capacity = {p.id: p.capacity for p in mentors}
    pairs: list[Proposal] = []
    for mentor_id, mentee_id in locked:
        total, breakdown = score(mentor_by_id[mentor_id], mentee_by_id[mentee_id], weights)
        pairs.append(Proposal(mentor_id, mentee_id, total, breakdown, locked=True))
        capacity[mentor_id] -= 1
    locked_mentees = {mentee for _, mentee in locked}
    free_mentees = [p for p in mentees if p.id not in locked_mentees]
    free_mentors = [p for p in mentors if capacity[p.id] > 0]

    if free_mentees and free_mentors:
        refusals = refusal_matrix(free_mentors, free_mentees, rules, forbidden)
        parts = score_matrices(free_mentors, free_mentees, weights)
        total = sum(parts.values())
        allowed = refusals == 0
        # Lexicographic objective: one more pair always beats any gain in score.
        bonus = float(total.max(initial=0.0)) * (min(len(free_mentees), sum(capacity[p.id] for p in free_mentors)) + 1) + 1.0
        columns = np.repeat(np.arange(len(free_mentors)), [capacity[p.id] for p in free_mentors])
        # float64: a float32 sum with a bonus this large would round the scores away.
        gain = np.where(allowed, total.astype(np.float64) + bonus, 0.0)[:, columns]
        rows, cols = linear_sum_assignment(gain, maximize=True)
        for i, c in zip(rows, cols, strict=True):
            j = columns[c]
            if allowed[i, j]:
                mentor, mentee = free_mentors[j], free_mentees[i]
                breakdown = {name: round(float(values[i, j]), 2) for name, values in parts.items()}
                pairs.append(Proposal(mentor.id, mentee.id, round(float(total[i, j]), 2), breakdown))
                capacity[mentor.id] -= 1

    room = {p.id: capacity[p.id] for p in mentors}
    unpaired = explain(mentors, mentees, rules, forbidden, room=room, taken={p.mentee for p in pairs},
                       paired={p.mentor for p in pairs})
    return Result(pairs=pairs, unpaired=unpaired)


def _rule_counts(codes: Iterable[int]) -> dict[str, int]:
    """How many of the other side each hard rule refuses, in the order of ``RULES``."""
    counts = Counter(RULES[code - 1] for code in codes if code)
    return {rule: counts[rule] for rule in RULES if counts[rule]}


def _main_rule(counts: dict[str, int]) -> str:
    """The rule that refuses the most (ties: the first in ``RULES``)."""
    return max(counts, key=lambda rule: (counts[rule], -RULES.index(rule)))


def explain(mentors: Sequence[Person], mentees: Sequence[Person], rules: Rules = Rules(),
            forbidden: Iterable[tuple[int, int]] = (), *, room: dict[int, int], taken: set[int],
            paired: set[int]) -> list[Unpaired]:
    """Why each mentee without a pair and each mentor without any pair is unpaired, given the pairs
    as they stand (a run, or a run then manual changes).

    ``room`` is each mentor's places left, ``taken`` the mentees in a pair, ``paired`` the mentors
    with at least one pair. A person the rules keep from everyone on the other side gets the rule
    that refuses the most as ``reason`` and every rule with its count in ``detail`` (never "better
    matched elsewhere"); one with an eligible partner still free gets ``eligible_free`` (possible
    only after a manual change: the assignment pairs them otherwise); one whose eligible partners
    are all taken gets ``capacity`` (a mentee) or ``no_mentee_left`` (a mentor).
    """
    free_mentees = [p for p in mentees if p.id not in taken]
    free_mentors = [p for p in mentors if p.id not in paired]
    # Only the rows and columns of the unpaired: a cohort of thousands with a few left stays cheap.
    rows = refusal_matrix(mentors, free_mentees, rules, forbidden) if mentors and free_mentees else None
    columns = refusal_matrix(free_mentors, mentees, rules, forbidden) if mentees and free_mentors else None
    has_room = np.array([room.get(p.id, 0) > 0 for p in mentors], dtype=bool)
    is_free = np.array([p.id not in taken for p in mentees], dtype=bool)
    result = []
    for i, mentee in enumerate(free_mentees):
        if rows is None:
            result.append(Unpaired(mentee.id, "mentee", "no_mentor"))
            continue
        allowed = rows[i] == 0
        if (allowed & has_room).any():
            result.append(Unpaired(mentee.id, "mentee", "eligible_free", {"eligible": int((allowed & has_room).sum())}))
        elif allowed.any():
            result.append(Unpaired(mentee.id, "mentee", "capacity", {"eligible": int(allowed.sum())}))
        else:
            counts = _rule_counts(rows[i].tolist())
            result.append(Unpaired(mentee.id, "mentee", _main_rule(counts), counts))
    for j, mentor in enumerate(free_mentors):
        if columns is None:
            result.append(Unpaired(mentor.id, "mentor", "no_mentee"))
            continue
        allowed = columns[:, j] == 0
        if (allowed & is_free).any() and room.get(mentor.id, 0) > 0:
            result.append(Unpaired(mentor.id, "mentor", "eligible_free", {"eligible": int((allowed & is_free).sum())}))
        elif allowed.any():
            result.append(Unpaired(mentor.id, "mentor", "no_mentee_left", {"eligible": int(allowed.sum())}))
        else:
            counts = _rule_counts(columns[:, j].tolist())
            result.append(Unpaired(mentor.id, "mentor", _main_rule(counts), counts))
    return result


def alternatives(mentee: Person, mentors: Sequence[Person], rules: Rules = Rules(), weights: dict | None = None,
                 forbidden: Iterable[tuple[int, int]] = (), exclude: Iterable[int] = (), limit: int = 3) -> list[Proposal]:
    """The best eligible mentors for one mentee, best first (for "why" and for shortlists)."""
    weights = {**DEFAULT_WEIGHTS, **(weights or {})}
    excluded = set(exclude)
    candidates = [m for m in mentors if m.id not in excluded]
    if not candidates:
        return []
    refusals = refusal_matrix(candidates, [mentee], rules, forbidden)[0]
    parts = score_matrices(candidates, [mentee], weights)
    total = sum(parts.values())[0]
    order = sorted((j for j in range(len(candidates)) if refusals[j] == 0), key=lambda j: (-float(total[j]), candidates[j].id))
    return [
        Proposal(candidates[j].id, mentee.id, round(float(total[j]), 2),
                 {name: round(float(values[0, j]), 2) for name, values in parts.items()})
        for j in order[:limit]
    ]


def greedy(mentors: Sequence[Person], mentees: Sequence[Person], rules: Rules = Rules(),
           weights: dict[str, float] | None = None) -> Result:
    """Best-score-first baseline (what the commercial tools do): for comparison only."""
    weights = {**DEFAULT_WEIGHTS, **(weights or {})}
    refusals = refusal_matrix(mentors, mentees, rules)
    total = sum(score_matrices(mentors, mentees, weights).values())
    candidates = np.argwhere(refusals == 0)
    values = total[refusals == 0]
    order = np.lexsort((candidates[:, 1], candidates[:, 0], -values))
    capacity = [p.capacity for p in mentors]
    taken = set()
    pairs = []
    for k in order:
        i, j = candidates[k]
        if i in taken or capacity[j] == 0:
            continue
        taken.add(i)
        capacity[j] -= 1
        pairs.append(Proposal(mentors[j].id, mentees[i].id, round(float(total[i, j]), 2), {}))
    return Result(pairs=pairs, unpaired=[])
