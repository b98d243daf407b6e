"""Which figures about people may be shown: pure, no ORM.

The selectors aggregate in SQL into *cells*: one row per combination of dimensions (programme,
cohort, department, site, moment, role, domain, release step…) with the number of people in it
and the sums a figure needs. Each person is in exactly one cell of a family (one family per
question or measure). ``Groups`` answers, for any filter, whether its figure may be shown, and
the figure.

The rule (complementary suppression by blocks). From the user's whole visible universe only —
never from the filter asked — the cells are partitioned into *blocks* of at least ``threshold``
people (5 by default, never below 3), following the dimension hierarchy: people are grouped by
the first dimension, each group large enough is split further by the next one, and the small
groups of one level are put together (or, when they are too few together, added to the smallest
block of that level). A filter's figure — its count and its sums — is shown only when the people
it covers are exactly a union of blocks. Every linear combination of shown figures (sums,
differences, across filters) is then constant on each block, so nothing about fewer people than a
block, and in particular no hidden figure and no one person's answer, can be computed from them.

``separate`` dimensions (a release step, a learning domain) are never put together: a group of
them too small on its own is left out of every figure. That is what keeps figures safe over
time — each release step is partitioned on its own, so the figures before and after a step differ
by whole blocks of that step — and what keeps per-domain answers apart.

A dimension's value in a cell may be a set (a pair whose two members are in two departments):
a filter on one value then covers every cell whose set holds it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from evaluation.kpis import threshold_of

ANY = None


class Cell(NamedTuple):
    """A tuple, not a dataclass: cached by the thousand, it must pickle and unpickle cheaply."""

    key: tuple  # one value per dimension, in ``Groups.dims`` order (a frozenset: several values)
    n: int  # people
    sums: tuple = ()  # whatever the figure adds up (sum of values, promoters, …)


def _allowed(value) -> frozenset | None:
    if value is ANY:
        return None
    if isinstance(value, (set, frozenset, list, tuple)):
        return frozenset(value)
    return frozenset([value])


def _matches(value, allowed: frozenset) -> bool:
    if isinstance(value, frozenset):
        return bool(value & allowed)
    return value in allowed


def _order(value) -> str:
    return repr(sorted(value, key=repr)) if isinstance(value, frozenset) else repr(value)


HIDDEN = {"respondents": None, "shown": False, "sums": None}


@dataclass
class Groups:
    dims: tuple[str, ...]
    cells: list[Cell]
    threshold: int = 5
    scope: Mapping[str, object] = field(default_factory=dict)  # what the user may see at most
    hierarchy: tuple[str, ...] | None = None  # merge order, coarsest first; default: ``dims``
    separate: tuple[str, ...] = ()  # dimensions never merged, before the hierarchy

    def __post_init__(self):
        self.threshold = threshold_of(self.threshold)
        self._index = {dim: i for i, dim in enumerate(self.dims)}
        unknown = (set(self.scope) | set(self.hierarchy or ()) | set(self.separate)) - set(self.dims)
        if unknown:
            raise ValueError(f"unknown dimensions {sorted(unknown)}")
        scope = self._normalise({}, with_scope=True)
        atoms: dict[tuple, list] = {}
        for cell in self.cells:
            if not cell.n or not self._inside(cell.key, scope):
                continue
            entry = atoms.setdefault(cell.key, [0, [0] * len(cell.sums)])
            entry[0] += cell.n
            entry[1] = [a + b for a, b in zip(entry[1], cell.sums, strict=True)]
        self.cells = [Cell(key, n, tuple(sums)) for key, (n, sums) in atoms.items()]
        # dimension → value → atoms holding it, so a filter reads only its own atoms.
        self._by: dict[str, dict] = {dim: {} for dim in self.dims}
        for atom, cell in enumerate(self.cells):
            for dim, value in zip(self.dims, cell.key, strict=True):
                for one in (value if isinstance(value, frozenset) else (value,)):
                    self._by[dim].setdefault(one, set()).add(atom)
        order = tuple(d for d in (self.hierarchy or self.dims) if d not in self.separate)
        self._block_of: dict[int, int] = {}
        self._blocks: list[list[int]] = []
        for block in self._split(list(range(len(self.cells))), tuple(self.separate), order):
            for atom in block:
                self._block_of[atom] = len(self._blocks)
            self._blocks.append(block)

    # -- the partition ----------------------------------------------------------------------------
    def _size(self, atoms: Iterable[int]) -> int:
        return sum(self.cells[a].n for a in atoms)

    def _groups(self, atoms: list[int], dim: str) -> list[list[int]]:
        position = self._index[dim]
        by: dict = {}
        for atom in atoms:
            by.setdefault(self.cells[atom].key[position], []).append(atom)
        return [by[value] for value in sorted(by, key=_order)]

    def _split(self, atoms: list[int], separate: tuple[str, ...], order: tuple[str, ...]) -> list[list[int]]:
        """Blocks of at least ``threshold`` people; the atoms of a separate group too small are left out."""
        if separate:
            blocks = []
            for group in self._groups(atoms, separate[0]):
                blocks += self._split(group, separate[1:], order)
            return blocks
        if self._size(atoms) < self.threshold:
            return []
        return self._merge(atoms, order)

    def _merge(self, atoms: list[int], order: tuple[str, ...]) -> list[list[int]]:
        """``atoms`` hold at least ``threshold`` people: split along ``order``, small groups put together."""
        if not order:
            return [atoms]
        blocks, small = [], []
        for group in self._groups(atoms, order[0]):
            if self._size(group) >= self.threshold:
                blocks += self._merge(group, order[1:])
            else:
                small += group
        if small:
            if self._size(small) >= self.threshold:
                blocks += self._merge(small, order[1:])
            else:
                smallest = min(range(len(blocks)), key=lambda i: (self._size(blocks[i]), i))
                blocks[smallest] = blocks[smallest] + small
        return blocks

    # -- filters -----------------------------------------------------------------------------------
    def _normalise(self, constraints: Mapping[str, object], with_scope: bool = True) -> dict[str, frozenset]:
        unknown = set(constraints) - set(self.dims)
        if unknown:
            raise ValueError(f"unknown dimensions {sorted(unknown)}")
        merged = {dim: _allowed(value) for dim, value in constraints.items()}
        if with_scope:
            for dim, value in self.scope.items():
                allowed = _allowed(value)
                if allowed is not None:
                    merged[dim] = allowed if merged.get(dim) is None else merged[dim] & allowed
        return {dim: values for dim, values in merged.items() if values is not None}

    def _inside(self, key: tuple, constraints: dict[str, frozenset]) -> bool:
        return all(_matches(key[self._index[d]], values) for d, values in constraints.items())

    def figure(self, constraints: Mapping[str, object] | None = None) -> dict:
        """{"respondents", "shown", "sums"}: the count and sums only when the filter's people are
        exactly a union of blocks holding someone; otherwise neither (``HIDDEN``). An empty group
        is hidden the same way, so the page does not tell "nobody answered" from "too few"."""
        normal = self._normalise(constraints or {})
        memo = self.__dict__.setdefault("_figures", {})  # the groups are kept and read again (selectors)
        known = frozenset(normal.items())
        if known not in memo:
            memo[known] = self._figure(normal)
        return dict(memo[known])

    def _figure(self, normal: dict[str, frozenset]) -> dict:
        candidates: set[int] | None = None
        for dim, values in normal.items():
            holding = set().union(*(self._by[dim].get(value, ()) for value in values))
            candidates = holding if candidates is None else candidates & holding
        covered: dict[int, int] = {}
        for atom in range(len(self.cells)) if candidates is None else candidates:
            block = self._block_of.get(atom)
            if block is not None:
                covered[block] = covered.get(block, 0) + 1
        if not covered or any(count != len(self._blocks[block]) for block, count in covered.items()):
            return dict(HIDDEN)
        n, sums = 0, None
        for block in covered:
            for atom in self._blocks[block]:
                cell = self.cells[atom]
                n += cell.n
                sums = list(cell.sums) if sums is None else [a + b for a, b in zip(sums, cell.sums, strict=True)]
        return {"respondents": n, "shown": True, "sums": tuple(sums or ())}

    def visible(self, constraints: Mapping[str, object] | None = None) -> bool:
        return self.figure(constraints)["shown"]

    def blocks(self) -> list[int]:
        """The sizes of the blocks (for tests and diagnostics)."""
        return [self._size(block) for block in self._blocks]
