"""Graph surgery: variants of a graph that model a mistake, evaluated by the core.

The answer checker asks "what would a student who left out this path have written?" by
building that student's graph and evaluating it: an operand replaced by its
``stop_gradient`` (a path left out of a sum), a node that keeps its value but sends its
gradient down another branch, a new loss that weighs nodes by the student's own upstream
gradients. :class:`GraphEdit` makes such variants without touching the original.

Examples
--------
>>> from gradviz import evaluate, example
>>> g = example("xyz")
>>> e = GraphEdit(g)
>>> e.replace_operand("b.1", 1, e.op("stop_gradient", "x"))  # x + x, second x cut
>>> float(evaluate(e.build()).grad("x")), float(evaluate(g).grad("x"))
(145.0, 170.0)
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from gradviz.core.graph import Graph, leaf_value
from gradviz.core.ops import OPS

__all__ = ["GraphEdit"]


class GraphEdit:
    """A mutable copy of a graph; :meth:`build` returns the variant as a new Graph.

    Added nodes are generated (unnamed) and named ``~1``, ``~2``, ... so they never clash
    with the graph's own names.
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.h: nx.MultiDiGraph = graph.nx.copy()
        self._count = 0

    def _fresh(self) -> str:
        self._count += 1
        return f"~{self._count}"

    def const(self, value: Any) -> str:
        """Add a constant leaf; returns its name."""
        name = self._fresh()
        self.h.add_node(name, kind="const", value=leaf_value(value), label=name,
                        generated=True)
        return name

    def op(self, opname: str, *operands: str, **params: float) -> str:
        """Add a computed node ``opname(*operands)``; returns its name."""
        name = self._fresh()
        full = {**OPS[opname].param_defaults(), **params}
        self.h.add_node(name, kind="op", op=opname, params=full, label=name, generated=True)
        for i, u in enumerate(operands):
            self.h.add_edge(u, name, key=i, arg=i)
        return name

    def replace_operand(self, node: str, arg: int, new: str) -> None:
        """Make ``new`` operand ``arg`` of ``node`` instead of what was there."""
        old = [u for u, _, k in self.h.in_edges(node, keys=True) if k == arg]
        for u in old:
            self.h.remove_edge(u, node, key=arg)
        self.h.add_edge(new, node, key=arg, arg=arg)

    def recompute(self, node: str, opname: str, *operands: str, **params: float) -> None:
        """Compute ``node`` (it keeps its name) as ``opname(*operands)`` instead."""
        for u, _, k in list(self.h.in_edges(node, keys=True)):
            self.h.remove_edge(u, node, key=k)
        self.h.nodes[node].update(kind="op", op=opname,
                                  params={**OPS[opname].param_defaults(), **params})
        for i, u in enumerate(operands):
            self.h.add_edge(u, node, key=i, arg=i)

    def keep_value_send_gradient(self, node: str, value: str, gradient: str) -> None:
        """``node`` keeps the value of ``value`` while its gradient flows into ``gradient``:
        ``node = gradient + stop_gradient(value − gradient)``."""
        diff = self.op("stop_gradient", self.op("sub", value, gradient))
        self.recompute(node, "add", gradient, diff)

    def build(self, loss: str | None = None) -> Graph:
        """The variant (the original graph is unchanged)."""
        g = self.graph
        return Graph.from_nx(self.h, loss=loss or g.loss, title=g.title, source=g.source,
                             name=g.name, asks=g.asks, meta=dict(g.meta))

    def weighted_sum(self, weights: dict[str, np.ndarray]) -> str:
        """A new node ``Σ_v sum(w_v · v)``: its gradient at ``u`` is ``Σ_v w_v ∂v/∂u``."""
        terms = []
        for v in sorted(weights):
            t = self.op("mul", self.const(np.asarray(weights[v], dtype=float)), v)
            terms.append(self.op("sum", t) if np.ndim(weights[v]) else t)
        total = terms[0]
        for t in terms[1:]:
            total = self.op("add", total, t)
        return total
