"""Topological order with ties broken by a key, in O(n log n): what every deterministic
order of gradviz (statements, nodes) is built on.

Examples
--------
>>> topological_order(["b", "a", "c"], [("c", "a")], key=str)
['b', 'c', 'a']
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["topological_order"]


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
