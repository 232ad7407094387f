"""Large graphs folded: one box per group of like nodes, labelled with shapes and counts.

Computed nodes group by (depth band, op, shape): the 64 weighted sums of a neuron-level
MLP layer become one ``Σ ×64`` box. A deep graph's levels are first gathered into at most
:data:`MAX_BANDS` bands, so a chain of 10,000 ``tanh`` becomes a short chain of
``tanh ×417`` boxes rather than 10,000 boxes. Leaves group by (kind, shape, the groups they
feed): a layer's 640 weights become one ``param ×640`` box, a fan-out's 10,000 constants
one box. Graphviz then lays out a few dozen boxes, whatever the size of the graph, and the
model's note says what was folded.
"""

from __future__ import annotations

import numpy as np

from gradviz.core.evaluate import Trace
from gradviz.core.graph import Graph
from gradviz.core.names import escape, plain
from gradviz.views.model import EdgeView, Model, NodeView, Options, Theme

__all__ = ["folded_model", "groups", "MAX_BANDS"]

MAX_BANDS = 24  # depth bands of a folded figure


def _levels(graph: Graph) -> dict[str, int]:
    """Longest-path depth of every node (leaves 0)."""
    level: dict[str, int] = {}
    for n in graph.order:
        ins = graph.inputs(n)
        level[n] = 1 + max(level[u] for u in ins) if ins else 0
    return level


def groups(graph: Graph, trace: Trace | None = None) -> dict[str, tuple]:
    """Map every node to the key of its folded group.

    Examples
    --------
    >>> from gradviz import example
    >>> key = groups(example("xyz"))
    >>> key["a.1"], key["x"][:3]
    (('op', 1, 'mul', ()), ('leaf', 'input', ()))
    """
    level = _levels(graph)
    depth = max(level.values(), default=0)
    bands = min(depth, MAX_BANDS)

    def band(n: str) -> int:
        return level[n] if depth <= MAX_BANDS else 1 + (level[n] - 1) * bands // depth

    key: dict[str, tuple] = {}
    for n in graph.order:
        op = graph.op_of(n)
        if op is not None:
            shape = np.shape(trace.value(n)) if trace is not None else ()
            key[n] = ("op", band(n), op.name, shape)
    for n in graph.order:
        if graph.is_leaf(n):
            feeds = tuple(sorted({key[v] for v, _ in graph.consumers(n)}, key=repr))
            key[n] = ("leaf", graph.kind(n), np.shape(graph.default(n)), feeds)
    return key


def _node(graph: Graph, gid: str, k: tuple, ns: list[str]) -> NodeView:
    op = graph.op_of(ns[0])
    what = op.symbol if op else graph.kind(ns[0])
    if len(ns) == 1 and not graph.is_generated(ns[0]):
        head = plain(ns[0])
    else:
        head = f"{what} ×{len(ns)}" if len(ns) > 1 else what
    shape = k[3] if k[0] == "op" else k[2]
    shape_text = "scalar" if shape == () else "×".join(map(str, shape))
    sample = ", ".join(plain(n) for n in ns[:3]) + (", …" if len(ns) > 3 else "")
    title = f"{head}\n{shape_text} each" if len(ns) > 1 else f"{head}\n{shape_text}"
    if len(ns) > 1:
        title += f"\n{sample}"
    return NodeView(gid, ns[0], "group" if k[0] == "op" else graph.kind(ns[0]),
                    op.name if op else None, op.symbol if op else None, title, escape(head),
                    shape, None, None, count=len(ns))


def folded_model(graph: Graph, trace: Trace | None, opts: Options, theme: Theme) -> Model:
    """The figure model of the folded graph (numbers are not shown, shapes are)."""
    key = groups(graph, trace)
    members: dict[tuple, list[str]] = {}
    for n in graph.order:
        members.setdefault(key[n], []).append(n)
    gid = {k: f"n{i}" for i, k in enumerate(members)}
    nodes = [_node(graph, gid[k], k, ns) for k, ns in members.items()]
    counts: dict[tuple[str, str], int] = {}
    for u, v, _ in graph.edges():
        pair = (gid[key[u]], gid[key[v]])
        counts[pair] = counts.get(pair, 0) + 1
    order = {g: i for i, g in enumerate(gid.values())}
    edges = [EdgeView(f"e{i}", s, d, 0, None, None, None, count=c)
             for i, ((s, d), c) in enumerate(sorted(counts.items(),
                                                    key=lambda kv: (order[kv[0][1]],
                                                                    order[kv[0][0]])))]
    depth = max(_levels(graph).values(), default=0)
    note = f"{len(graph):,} nodes folded into {len(nodes)} groups of like nodes"
    if depth > MAX_BANDS:
        note += f"; its {depth:,} levels gathered into {MAX_BANDS} bands"
    note += " (fold='never' draws every node)"
    return Model(graph, opts, theme, nodes, edges, True, None, [note])
