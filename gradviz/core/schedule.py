"""The compiled evaluator: a graph compiled once into vectorized steps.

:func:`gradviz.core.evaluate.reference` evaluates one node at a time; this module gives
the same numbers faster. Nodes are grouped by topological level, op, parameters and
operand shapes, and every group runs as one numpy call on gathered slots (the 640
products of a neuron-level MLP layer are one multiplication, its 64 neurons one
``affine`` call on stacked operands). Values live in one buffer per core shape,
``(slots, batch) + shape`` (:mod:`gradviz.core.workspace`: where a pass keeps its
numbers, made once and reused), read and written by the steps (:mod:`gradviz.core.steps`).

The backward pass walks the groups in reverse, un-broadcasts each VJP result to its
operand's shape and writes it into the operand's gradient slot. The first write of a slot
stores, later ones add (``np.add.at`` where one step uses a node several times): which
write comes first is worked out once, when compiling, so that only the slots no store
reaches are zeroed.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gradviz.core.arrays import pad
from gradviz.core.errors import EvalError, GradvizError, ShapeError
from gradviz.core.graph import Graph
from gradviz.core.shapes import Inferred, Shape, infer, who
from gradviz.core.steps import Buffers, Each, One, Operand, Stacked, Step
from gradviz.core.workspace import Buffer, Layout, Workspace

__all__ = ["compile_graph", "Pass"]


@dataclass
class _Schedule:
    """The compiled graph: steps in run order, and where each node's numbers live."""

    order: list[str]
    shapes: dict[str, Shape]  # node -> core shape
    slot: dict[str, tuple[int, int]]  # node -> (buffer, slot)
    layout: Layout
    steps: list[Step]
    requires: dict[str, bool]
    where: dict[str, tuple[int, int]]  # op node -> (step, position in the step)
    largest: tuple[int, str]  # the most numbers one value holds per variant, and where
    spare: dict[tuple, Workspace] = field(default_factory=dict)  # the last one, to reuse
    backward: list[tuple[int, Step]] = field(init=False)  # steps that take gradients

    def __post_init__(self) -> None:
        self.backward = [(t, st) for t, st in reversed(list(enumerate(self.steps)))
                         if st.needed and st.live]

    def run(self, graph: Graph, leaves: dict[str, np.ndarray], B: int,
            check_finite: bool) -> Pass:
        """One forward and backward pass on ``B`` variants (``leaves``: batch-leading)."""
        ws = self._workspace(leaves, B)
        with np.errstate(all="ignore"):
            saved = []
            for st, plan in zip(self.steps, ws.plans):
                try:
                    saved.append(st.forward(plan))
                except GradvizError as e:  # an op refused its operands' values
                    raise _blame_forward(graph, self, ws.vals, st, e) from None
            if check_finite and not _all_finite(ws.computed):
                _blame(graph, self, ws.vals, "value")
            contribs: dict[int, Any] = {}
            for t, st in self.backward:
                contribs[t] = st.backward(ws.plans[t], saved[t])
            # one check suffices: a non-finite contribution makes a gradient non-finite too
            if check_finite and not _all_finite(ws.flat_grads):
                _blame_backward(graph, self, contribs)
                _blame(graph, self, ws.grads, "gradient")
        return Pass(self, ws, contribs, B)

    def _workspace(self, leaves: dict[str, np.ndarray], B: int) -> Workspace:
        """The last workspace if nothing holds it any more, else a new one; ready."""
        slots = [self.slot[n] + (v,) for n, v in leaves.items()]
        private = frozenset(i for i, _, _ in slots if not self.layout.buffers[i].pooled)
        ws = self.spare.pop((B, private), None)  # one call: two threads cannot both take it
        if ws is None or sys.getrefcount(ws) > 2 or not ws.free():
            ws = Workspace(self.layout, self.steps, B, private)
        self.spare.clear()
        self.spare[ws.key] = ws
        ws.reset(slots)
        return ws


def _all_finite(a: np.ndarray) -> bool:
    """Whether every number of a flat array is finite, read in one BLAS pass (a pass runs
    with numpy's floating-point warnings off: the product may overflow).

    ``a · a`` is finite only if every term is (an inf or nan makes the sum inf or nan), so
    a finite product settles it; an infinite one may be finite numbers whose squares
    overflow, and then each number is checked.

    Examples
    --------
    >>> with np.errstate(all="ignore"):  # the squares of 1e300 overflow, not the numbers
    ...     [_all_finite(np.array(a)) for a in ([1.0, -2.0], [1.0, np.nan], [1e300, 1e300])]
    [True, False, True]
    """
    return math.isfinite(np.dot(a, a)) or bool(np.isfinite(a).all())


def _plan_writes(steps: list[Step], buffers: list[Buffer],
                 loss: tuple[int, int]) -> list[tuple[int, int]] | None:
    """Mark the backward writes that come first to their slots (they store, and nothing
    needs zeroing before them); return the gradient spans that must start at zero, or
    ``None`` for all of them."""
    written = [np.zeros(b.slots, bool) for b in buffers]
    stored = [np.zeros(b.slots, bool) for b in buffers]
    writes = [np.zeros(b.slots, np.intp) for b in buffers]  # how many writes reach a slot
    for o in (o for st in steps for o in st.writes()):
        np.add.at(writes[o.buf], _slots(o.sel), 1)
    written[loss[0]][loss[1]] = stored[loss[0]][loss[1]] = True  # set to 1 first
    for st in reversed(steps):
        marks, alone = [], []
        for o in st.writes():
            ix = _slots(o.sel)
            first = not o.fan_in and not written[o.buf][ix].any()
            stored[o.buf][ix] |= first
            written[o.buf][ix] = True
            marks.append(first)
            alone.append(first and bool((writes[o.buf][ix] == 1).all()))
        st.mark(marks, alone)
    spans: list[tuple[int, int]] = []  # in elements per variant, adjacent ones merged
    for b, s in zip(buffers, stored):
        e = math.prod(b.shape)
        for j0, j1 in _runs(~s):
            a, z = b.start + j0 * e, b.start + j1 * e
            if spans and spans[-1][1] == a:
                a = spans.pop()[0]
            spans.append((a, z))
    if len(spans) > 16 or 2 * sum(z - a for a, z in spans) > (buffers[-1].stop if buffers else 0):
        return None
    return spans


def _slots(sel: int | slice | np.ndarray) -> np.ndarray:
    """The slots a write selects, as an index array (repeats kept)."""
    if isinstance(sel, slice):
        return np.arange(sel.start, sel.stop)
    return np.asarray(sel).ravel()


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """The ``(start, stop)`` of each run of True in a boolean array.

    Examples
    --------
    >>> import numpy as np
    >>> _runs(np.array([True, True, False, True]))
    [(0, 2), (3, 4)]
    """
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask, [0])).astype(np.int8)))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist()))


class Pass:
    """One run of a schedule: every value and gradient (batch axis first), and what
    each edge contributed to its source's gradient.

    Examples
    --------
    >>> from gradviz import example
    >>> g = example("xyz")
    >>> run = compile_graph(g).run(g, {}, 1, True)
    >>> run.value("w"), run.grad("x"), run.contribution("w", 1)
    (array([100.]), array([170.]), array([5.]))
    """

    def __init__(self, sched: _Schedule, workspace: Workspace, contribs: dict[int, Any],
                 batch: int) -> None:
        self.sched, self.workspace, self.contribs = sched, workspace, contribs
        self.batch = batch

    def value(self, node: str) -> np.ndarray:
        """The value of ``node`` (``KeyError`` if there is none of that name)."""
        i, j = self.sched.slot[node]
        return self.workspace.vals[i][j]

    def grad(self, node: str) -> np.ndarray:
        """The gradient of ``node`` (zero if it takes none), a copy (+ 0.0: a gradient
        is never −0.0, which a VJP gives where it multiplies a negative number by 0)."""
        i, j = self.sched.slot[node]
        return self.workspace.grads[i][j] + 0.0

    def contribution(self, node: str, arg: int) -> np.ndarray | None:
        """What the edge into ``node`` at operand ``arg`` adds to its source's gradient."""
        if node not in self.sched.where:
            return None
        t, j = self.sched.where[node]
        st = self.sched.steps[t]
        if arg not in st.needed:
            return None
        if not st.live:  # the loss does not depend on the node: nothing flows back
            return np.zeros((self.batch,) + st.operands[arg].shape)
        return st.contribution(self.contribs[t], st.needed.index(arg), j)


def compile_graph(graph: Graph) -> _Schedule:
    """Compile (once, cached on the graph) the vectorized schedule of a graph.

    Shapes are inferred by :func:`gradviz.core.shapes.infer`, which raises a
    :class:`~gradviz.ShapeError` naming the node and line of a shape that does not fit
    its op, and refuses a value over the ``max_elements`` limit.

    Examples
    --------
    >>> from gradviz import example
    >>> sched = compile_graph(example("interesting"))
    >>> [(st.op.name, len(st.nodes)) for st in sched.steps][:3]
    [('add', 1), ('mul', 1), ('mul', 2)]
    """
    if "schedule" in graph._cache:
        return graph._cache["schedule"]
    found = infer(graph)
    live = {graph.loss}  # the loss and what it depends on: the rest takes no backward step
    for n in reversed(graph.order):
        if n in live:
            live.update(graph.inputs(n))
    groups = _groups(graph, found, live)
    slot, layout = _layout(graph, found.shapes, groups)
    steps = [_step(graph, nodes, found.shapes, found.requires, slot) for nodes in groups]
    for st in steps:
        st.live = st.nodes[0] in live
    layout.zero = _plan_writes(steps, layout.buffers, layout.loss)
    where = {n: (t, j) for t, st in enumerate(steps) for j, n in enumerate(st.nodes)}
    sched = _Schedule(graph.order, found.shapes, slot, layout, steps, found.requires, where,
                      found.largest)
    graph._cache["schedule"] = sched
    return sched


def _layout(graph: Graph, shapes: dict[str, Shape],
            groups: list[list[str]]) -> tuple[dict[str, tuple[int, int]], Layout]:
    """One buffer per core shape, holding first the leaves, then each group's outputs
    side by side; the buffers that hold computed values first (small shapes first)."""
    leaves = graph.leaves()
    nodes = leaves + [n for group in groups for n in group]
    computed = {shapes[n] for group in groups for n in group}
    own: dict[Shape, list[np.ndarray]] = {}
    for n in leaves:
        own.setdefault(shapes[n], []).append(graph.default(n))
    count: dict[Shape, int] = {}
    for n in nodes:
        count[shapes[n]] = count.get(shapes[n], 0) + 1
    order = sorted(count, key=lambda s: (s not in computed, math.prod(s), s))
    buffers, defaults, start = [], [], 0
    for s in order:
        size = count[s] * math.prod(s)
        buffers.append(Buffer(s, start, start + size, count[s], len(own.get(s, ())),
                              s in computed))
        d = np.array(own.get(s, []), dtype=np.float64).reshape((len(own.get(s, ())), 1) + s)
        d.flags.writeable = False
        defaults.append(d)
        start += size
    number = {s: i for i, s in enumerate(order)}
    slot: dict[str, tuple[int, int]] = {}
    filled = [0] * len(order)
    for n in nodes:
        i = number[shapes[n]]
        slot[n], filled[i] = (i, filled[i]), filled[i] + 1
    return slot, Layout(buffers, defaults, slot[graph.loss])


def _groups(graph: Graph, found: Inferred, live: set[str]) -> list[list[str]]:
    """Op nodes grouped by level, kind (op, params, operand shapes), which operands take a
    gradient and whether the loss depends on them, in run order."""
    groups: dict[tuple, list[str]] = {}
    level, requires = found.level, found.requires
    for n, kind in found.kinds.items():
        key = (level[n], kind, tuple([requires[u] for u in graph.inputs(n)]), n in live)
        groups.setdefault(key, []).append(n)
    rank = graph.rank
    return [groups[key] for key in sorted(groups, key=lambda k: (k[0], rank[groups[k][0]]))]


def _step(graph: Graph, nodes: list[str], shapes: dict[str, Shape],
          requires: dict[str, bool], slot: dict[str, tuple[int, int]]) -> Step:
    """The plan of one group: operand slots, how to gather them, who takes a gradient."""
    op, first = graph.op_of(nodes[0]), graph.inputs(nodes[0])
    assert op is not None
    in_shapes = [shapes[u] for u in first]
    bufs = [slot[u][0] for u in first]
    idx = np.array([[slot[u][1] for u in graph.inputs(n)] for n in nodes],
                   dtype=np.intp).reshape(len(nodes), len(first)).T.copy()
    rank = max(len(s) for s in in_shapes) if op.broadcast else 0
    cores = [(1,) * (rank - len(s)) + s for s in in_shapes]
    needed = [i for i, u in enumerate(first) if requires[u]]
    ob, start = slot[nodes[0]]
    s = shapes[nodes[0]]
    head = (op, graph.params(nodes[0]), nodes)
    if len(set(in_shapes)) == 1 and (op.stacked or len(nodes) > 1 and len(in_shapes) > 2):
        operands = [Operand(b, sh, c, ix, _repeats(ix))
                    for b, sh, c, ix in zip(bufs, in_shapes, cores, idx)]
        to = Operand(bufs[0], in_shapes[0], in_shapes[0], idx[needed], _repeats(idx[needed]))
        out = Operand(ob, s, s, slice(start, start + len(nodes)))
        return Stacked(*head, out, operands, needed, idx, to)
    if len(nodes) == 1:
        return One(*head, Operand(ob, s, s, start),
                    [Operand(b, sh, c, int(ix[0]))
                     for b, sh, c, ix in zip(bufs, in_shapes, cores, idx)], needed)
    return Each(*head, Operand(ob, s, s, slice(start, start + len(nodes))),
                 [Operand(b, sh, c, _as_slice(ix), _repeats(ix))
                  for b, sh, c, ix in zip(bufs, in_shapes, cores, idx)], needed)


def _as_slice(ix: np.ndarray) -> slice | np.ndarray:
    """Consecutive slots as a slice (basic indexing: a view, in-place adds), else ``ix``."""
    start = int(ix[0])
    if np.array_equal(ix, np.arange(start, start + len(ix))):
        return slice(start, start + len(ix))
    return ix


def _repeats(ix: np.ndarray) -> bool:
    """Whether a slot occurs twice (a set, not np.unique, which imports numpy.ma)."""
    return len(set(ix.ravel().tolist())) < ix.size


def _blame_forward(graph: Graph, sched: _Schedule, vals: Buffers, st: Step,
                   err: GradvizError) -> GradvizError:
    """The error of the first node of ``st`` whose op refuses its operands' values (e.g.
    a class index out of range), named with its line."""
    for n in st.nodes:
        xs = [vals[i][j] for i, j in (sched.slot[u] for u in graph.inputs(n))]
        try:
            st.f(*pad(xs, st.op))
        except GradvizError as e:
            return ShapeError(f"{who(graph, n)}: {e.message}", *graph.position(n))
    return err


def _blame_backward(graph: Graph, sched: _Schedule, contribs: dict[int, Any]) -> None:
    """Blame the op whose local derivative first made a gradient inf or nan (backward order)."""
    for t in range(len(sched.steps) - 1, -1, -1):
        st = sched.steps[t]
        for row, i in enumerate(st.needed if t in contribs else ()):
            per_node = np.asarray(contribs[t][row]).reshape(len(st.nodes), -1)
            ok = np.isfinite(per_node).all(axis=1)
            if ok.all():
                continue
            j = int(np.argmin(ok))  # the first node of the step with a bad gradient
            n = st.nodes[j]
            bad = per_node[j][~np.isfinite(per_node[j])][0]
            hint = f" ({st.op.kink})" if st.op.kink else ""
            raise EvalError(f"the gradient from {n} = {graph.expr(n)} to {graph.inputs(n)[i]} "
                            f"is {bad}{hint}", *graph.position(n))


def _blame(graph: Graph, sched: _Schedule, bufs: Buffers, what: str) -> None:
    """Name the first node (in topological order) whose value or gradient is inf or nan."""
    for n in sched.order:
        if what == "gradient" and not sched.requires[n]:
            continue
        i, j = sched.slot[n]
        v = bufs[i][j]
        if not np.isfinite(v).all():
            bad = v[~np.isfinite(v)].flat[0]
            op = graph.op_of(n)
            how = f" = {graph.expr(n)}" if op else ""
            hint = f" ({op.kink})" if op and op.kink else ""
            raise EvalError(f"the {what} of {n}{how} is {bad}{hint}", *graph.position(n))
