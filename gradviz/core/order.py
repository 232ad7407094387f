"""Topological order with ties broken by a key, in O(n log n): what every deterministic
order of gradviz (statements, nodes) is built on.

Examples
--------
>>> topological_order(["b", "a", "c"], [("c", "a")], key=str)
['b', 'c', 'a']
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["topological_order", "reach", "natural_key"]


def topological_order(nodes: Iterable[str], edges: Iterable[tuple[str, str]],
                      key: Callable[[str], Any]) -> list[str]:
    """Every node after the ones it depends on, ties broken by ``key``: networkx's
    lexicographical_topological_sort (keys unique), with each key computed once and
    compared in one sort. Nodes on a cycle, and after one, are left out.

    Examples
    --------
    >>> topological_order(["b", "a", "c"], [("c", "a")], key=str)
    ['b', 'c', 'a']
    """
    by_rank = sorted(nodes, key=key)
    rank = {n: r for r, n in enumerate(by_rank)}
    users: list[list[int]] = [[] for _ in by_rank]
    waiting = [0] * len(by_rank)
    for u, v in edges:
        users[rank[u]].append(rank[v])
        waiting[rank[v]] += 1
    ready = [r for r, w in enumerate(waiting) if not w]  # sorted: a heap already
    order = []
    while ready:
        r = heapq.heappop(ready)
        order.append(by_rank[r])
        for user in users[r]:
            waiting[user] -= 1
            if not waiting[user]:
                heapq.heappush(ready, user)
    return order


def reach(start: Iterable[str], step: Callable[[str], Iterable[str]]) -> set[str]:
    """Every node reachable from ``start`` (included) by following ``step``.

    Examples
    --------
    >>> sorted(reach(["a"], {"a": ["b"], "b": ["c", "a"], "c": []}.__getitem__))
    ['a', 'b', 'c']
    """
    seen = set(start)
    todo = list(seen)
    while todo:
        for v in step(todo.pop()):
            if v not in seen:
                seen.add(v)
                todo.append(v)
    return seen


def natural_key(name: str) -> tuple:
    """Sort key that orders ``X2`` before ``X10`` (used for every deterministic order).

    Examples
    --------
    >>> sorted(["X10", "X2", "B1", "a.2", "a.10"], key=natural_key)
    ['B1', 'X2', 'X10', 'a.2', 'a.10']
    """
    parts = re.split(r"(\d+)", name)
    return tuple((0, int(p), p) if p.isdigit() else (1, 0, p) for p in parts)
