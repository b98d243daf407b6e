"""Pure org-chart arithmetic: manager links in, paths, cycles and relations out. No ORM here."""

from __future__ import annotations

from collections.abc import Hashable, Mapping


class ManagerCycle(Exception):
    """Raised with every cycle found, each as the list of its members in manager order."""

    def __init__(self, cycles: list[list]):
        self.cycles = cycles
        super().__init__(f"{len(cycles)} manager cycle(s)")


def find_cycles(parents: Mapping[Hashable, Hashable | None]) -> list[list]:
    """Return each manager cycle once, as its members in manager order (A's manager is B, …).

    A manager id absent from ``parents`` ends the walk (an unknown manager is reported elsewhere).
    Runs in O(n): every node is walked at most once.
    """
    state: dict = {}  # node -> 1 on the current walk, 2 when done
    cycles = []
    for start in parents:
        if start in state:
            continue
        walk = []
        node = start
        while node is not None and node in parents and node not in state:
            state[node] = 1
            walk.append(node)
            node = parents[node]
        if node is not None and state.get(node) == 1:
            cycles.append(walk[walk.index(node):])
        for member in walk:
            state[member] = 2
    return cycles


def compute_paths(parents: Mapping[int, int | None]) -> dict[int, tuple[str, int]]:
    """Map each id to its materialised path ``/top/…/id/`` and its depth (0 for the top).

    ``parents`` maps every id to its manager's id (or ``None``); a manager missing from the
    mapping is treated as absent (the employee becomes a top). Raises ``ManagerCycle``.
    """
    cycles = find_cycles(parents)
    if cycles:
        raise ManagerCycle(cycles)
    result: dict[int, tuple[str, int]] = {}
    for start in parents:
        if start in result:
            continue
        walk = []
        node = start
        while node is not None and node in parents and node not in result:
            walk.append(node)
            node = parents[node]
        if node is not None and node in result:
            prefix, depth = result[node]
        else:
            prefix, depth = "/", -1
        for member in reversed(walk):
            depth += 1
            prefix = f"{prefix}{member}/"
            result[member] = (prefix, depth)
    return result


def path_ids(path: str) -> list[int]:
    """The ids of a materialised path, top first, the owner last."""
    return [int(part) for part in path.strip("/").split("/") if part]


def in_direct_line(a_id: int, a_manager_id: int | None, b_id: int, b_manager_id: int | None) -> bool:
    """True when one of the two is the other's direct manager."""
    return a_manager_id == b_id or b_manager_id == a_id
