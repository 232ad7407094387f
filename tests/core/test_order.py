"""Topological order with key ties: networkx's lexicographical_topological_sort, faster."""

from __future__ import annotations

import random

import networkx as nx

from gradviz.core.graph import natural_key
from gradviz.core.order import topological_order


def test_matches_networkx_on_random_multigraphs():
    rng = random.Random(7)
    for _ in range(60):
        names = rng.sample([f"{c}{i}" for c in "xWh." for i in range(15)], rng.randint(1, 40))
        g = nx.MultiDiGraph()
        g.add_nodes_from(names)
        for i, n in enumerate(names):
            for m in rng.choices(names[:i], k=rng.randint(0, min(i, 4))):
                g.add_edge(m, n)  # repeated operands are repeated edges
        key = (lambda n: (n[0] != "x", natural_key(n)))
        want = list(nx.lexicographical_topological_sort(g, key=key))
        assert topological_order(g, g.edges(), key=key) == want


def test_a_cycle_leaves_its_nodes_out():
    assert topological_order(["a", "b", "c"], [("a", "b"), ("b", "a")], key=str) == ["c"]
