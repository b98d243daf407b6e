"""Which figures about answers may be shown: pure, no ORM.

The selectors aggregate answers in SQL into *cells*: one row per combination of dimensions
(programme, cohort, department, site, moment, domain…) with the number of respondents and the
sums a figure needs. ``Groups`` answers, for any filter, the size and sums of the group, and
whether a figure about that group may be shown:

1. the group has at least ``threshold`` respondents (5 by default, never below 3);
2. no other filter a user could choose covers the same people plus fewer than ``threshold``
   others: otherwise subtracting the two figures would reveal those few. The filters that
   contain a group are found from the group itself: on each dimension, "any value", the user's
   scope, or the single value all its respondents share. This is exact for filters made of one
   value (or "any") per dimension, including when the containment only holds for this data
   (every respondent of a site happens to be in one department).

``suppress_partition`` adds the secondary suppression a chart needs when it shows the parts of
a total (programmes side by side): when the hidden parts together hold fewer than ``threshold``
people, more parts are hidden, so the total minus the shown parts reveals nobody.

Each respondent must be in exactly one cell of a family (one answer per person, survey and
domain), which the selectors guarantee by building one family per measure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import product

from evaluation.kpis import threshold_of

ANY = None


@dataclass(frozen=True)
class Cell:
    key: tuple  # one value per dimension, in ``Groups.dims`` order
    n: int  # respondents
    sums: tuple = ()  # whatever the figure adds up (sum of values, promoters, …)


def _allowed(value) -> frozenset | None:
    if value is ANY:
        return None
    if isinstance(value, (set, frozenset, list, tuple)):
        return frozenset(value)
    return frozenset([value])


@dataclass
class Groups:
    dims: tuple[str, ...]
    cells: list[Cell]
    threshold: int = 5
    scope: Mapping[str, object] = field(default_factory=dict)  # what the user may see at most

    def __post_init__(self):
        self.threshold = threshold_of(self.threshold)
        self._index = {dim: i for i, dim in enumerate(self.dims)}
        self._projections: dict[tuple[str, ...], dict[tuple, list]] = {}
        self.cells = [cell for cell in self.cells if cell.n]

    # -- sizes and sums -------------------------------------------------------------------------
    def _normalise(self, constraints: Mapping[str, object]) -> dict[str, frozenset]:
        merged = {dim: _allowed(value) for dim, value in {**self.scope, **constraints}.items()}
        unknown = set(merged) - set(self.dims)
        if unknown:
            raise ValueError(f"unknown dimensions {sorted(unknown)}")
        for dim, value in self.scope.items():
            allowed = _allowed(value)
            if allowed is not None and merged[dim] is not None:
                merged[dim] = merged[dim] & allowed
        return {dim: values for dim, values in merged.items() if values is not None}

    def _projection(self, dims: tuple[str, ...]) -> dict[tuple, list]:
        if dims not in self._projections:
            positions = [self._index[d] for d in dims]
            table: dict[tuple, list] = {}
            for cell in self.cells:
                key = tuple(cell.key[p] for p in positions)
                entry = table.setdefault(key, [0, [0] * len(cell.sums)])
                entry[0] += cell.n
                entry[1] = [a + b for a, b in zip(entry[1], cell.sums, strict=True)]
            self._projections[dims] = table
        return self._projections[dims]

    def _total(self, constraints: dict[str, frozenset]) -> tuple[int, tuple]:
        dims = tuple(sorted(constraints))
        table = self._projection(dims)
        n, sums = 0, None
        for key in product(*(sorted(constraints[d], key=repr) for d in dims)):
            entry = table.get(key)
            if entry:
                n += entry[0]
                sums = entry[1] if sums is None else [a + b for a, b in zip(sums, entry[1], strict=True)]
        return n, tuple(sums or ())

    def size(self, constraints: Mapping[str, object] | None = None) -> int:
        return self._total(self._normalise(constraints or {}))[0]

    def sums(self, constraints: Mapping[str, object] | None = None) -> tuple:
        return self._total(self._normalise(constraints or {}))[1]

    # -- the rule -----------------------------------------------------------------------------------
    def containing_filters(self, constraints: Mapping[str, object]) -> list[dict[str, frozenset]]:
        """Every filter (one value, the scope or any, per dimension) whose group contains this one."""
        normal = self._normalise(constraints)
        matching = [cell for cell in self.cells
                    if all(cell.key[self._index[d]] in values for d, values in normal.items())]
        options = []
        for dim in self.dims:
            choices: list = [None]
            scope = _allowed(self.scope.get(dim, ANY))
            if scope is not None:
                choices.append(scope)
            seen = {cell.key[self._index[dim]] for cell in matching}
            if len(seen) == 1:
                choices.append(frozenset(seen))
            options.append(choices)
        result = []
        for combination in product(*options):
            result.append({dim: value for dim, value in zip(self.dims, combination, strict=True) if value is not None})
        return result

    def visible(self, constraints: Mapping[str, object] | None = None) -> bool:
        constraints = constraints or {}
        n = self.size(constraints)
        if n < self.threshold:
            return False
        for wider in self.containing_filters(constraints):
            difference = self._total(wider)[0] - n
            if 0 < difference < self.threshold:
                return False
        return True

    def figure(self, constraints: Mapping[str, object] | None = None) -> dict:
        """{"respondents", "shown", "sums"}: sums only when shown."""
        constraints = constraints or {}
        n = self.size(constraints)
        shown = self.visible(constraints)
        return {"respondents": n, "shown": shown, "sums": self.sums(constraints) if shown else None}


def suppress_partition(parts: Iterable[tuple[object, int, bool]], threshold: int) -> set:
    """Given the parts of a shown total as (key, respondents, shown), the keys to show: when the
    hidden parts hold between 1 and threshold − 1 people together, the smallest shown parts are
    hidden too until they hold at least ``threshold`` (or nothing is left to show)."""
    limit = threshold_of(threshold)
    parts = list(parts)
    shown = {key for key, _n, ok in parts if ok}
    hidden = sum(n for key, n, _ok in parts if key not in shown)
    for key, n, _ok in sorted((p for p in parts if p[0] in shown), key=lambda p: (p[1], repr(p[0]))):
        if hidden == 0 or hidden >= limit:
            break
        shown.discard(key)
        hidden += n
    return shown
