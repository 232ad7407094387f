"""Large graphs folded to layer level: one box per group of like nodes, labelled with shapes.

Computed nodes group by (topological level, op, shape): the 64 weighted sums of a
neuron-level MLP layer become one ``affine ×64`` box. Leaves group by (kind, shape, the
groups they feed): that layer's 640 weights become one ``param ×640`` box. Graphviz then
lays out a dozen boxes instead of thousands of nodes.
"""

from __future__ import annotations

import numpy as np

from gradviz.core.evaluate import Trace
from gradviz.core.graph import Graph
from gradviz.core.names import escape, plain
from gradviz.views.figure import EdgeView, Model, NodeView, Options, Theme

__all__ = ["folded_model", "groups"]


def groups(graph: Graph, trace: Trace | None = None) -> dict[str, tuple]:
    """Map every node to the key of its folded group."""
    level: dict[str, int] = {}
    key: dict[str, tuple] = {}
    shape = (lambda n: np.shape(trace.value(n))) if trace is not None else None
    for n in graph.order:
        op = graph.op_of(n)
        if op is None:
            level[n] = 0
            continue
        level[n] = 1 + max(level[u] for u in graph.inputs(n))
        key[n] = ("op", level[n], op.name, shape(n) if shape else ())
    for n in graph.order:
        if graph.is_leaf(n):
            feeds = tuple(sorted({key[v] for v, _ in graph.consumers(n)}, key=repr))
            key[n] = ("leaf", graph.kind(n), np.shape(graph.default(n)), feeds)
    return key


def folded_model(graph: Graph, trace: Trace | None, opts: Options, theme: Theme) -> Model:
    """The figure model of the folded graph (numbers are not shown, shapes are)."""
    key = groups(graph, trace)
    members: dict[tuple, list[str]] = {}
    for n in graph.order:
        members.setdefault(key[n], []).append(n)
    gid = {k: f"n{i}" for i, k in enumerate(members)}
    nodes = []
    for k, ns in members.items():
        op = graph.op_of(ns[0])
        what = op.symbol if op else graph.kind(ns[0])
        if len(ns) == 1 and not graph.is_generated(ns[0]):
            head = plain(ns[0])
            markup = escape(head)
        else:
            head = f"{what} ×{len(ns)}" if len(ns) > 1 else what
            markup = escape(head)
        shape = k[3] if k[0] == "op" else k[2]
        shape_text = "scalar" if shape == () else "×".join(map(str, shape))
        sample = ", ".join(plain(n) for n in ns[:3]) + (", …" if len(ns) > 3 else "")
        title = f"{head}\n{shape_text} each" if len(ns) > 1 else f"{head}\n{shape_text}"
        if len(ns) > 1:
            title += f"\n{sample}"
        nodes.append(NodeView(gid[k], ns[0], "group" if k[0] == "op" else graph.kind(ns[0]),
                              op.name if op else None, op.symbol if op else None, title, markup,
                              shape, None, None, count=len(ns)))
    counts: dict[tuple[str, str], int] = {}
    for u, v, _ in graph.edges():
        pair = (gid[key[u]], gid[key[v]])
        counts[pair] = counts.get(pair, 0) + 1
    order = {g: i for i, g in enumerate(gid.values())}
    edges = [EdgeView(f"e{i}", s, d, 0, None, None, None, count=c)
             for i, ((s, d), c) in enumerate(sorted(counts.items(),
                                                    key=lambda kv: (order[kv[0][1]],
                                                                    order[kv[0][0]])))]
    note = (f"{len(graph)} nodes folded into {len(nodes)} groups "
            f"(use fold='never' to draw every node)")
    return Model(graph, opts, theme, nodes, edges, True, None, [note])
