"""Forward and reverse-mode evaluation in float64, compiled into vectorized steps.

A graph is compiled once into a *schedule*: nodes are grouped by topological level, op,
parameters and operand shapes, and every group runs as one numpy call on gathered slots
(so the 640 products of a neuron-level MLP layer are one multiplication, and its 64
neurons one ``affine`` call on stacked operands). Values live in one buffer per core
shape, ``(slots, batch) + shape``, all views of one flat array. The backward pass walks
the groups in reverse, un-broadcasts each VJP result to its operand's shape and adds it
into the operand's slot (``np.add.at`` where one step uses a node several times): the
only place where gradients are summed.

Non-finite policy: evaluation runs with numpy warnings off; afterwards any inf or nan in a
value or in a gradient stops evaluation with an :class:`~gradviz.EvalError` that names the
node, its line and its op (pass ``check_finite=False`` to get the raw numbers, e.g. to
screen batches of problem variants).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np

from gradviz.core.errors import EvalError, GradvizError, ShapeError
from gradviz.core.graph import GRAD_KINDS, LEAF_KINDS, Graph, leaf_value
from gradviz.core.ops import Op

__all__ = ["evaluate", "Trace", "Edge", "compile_graph"]


# ------------------------------------------------------------------------ schedule
class _Operand(NamedTuple):
    """Where one operand position of a step reads its values and adds its gradients."""

    shape: tuple  # core shape: which buffer
    core: tuple  # the shape the op sees: padded to the op's common rank (broadcast ops)
    sel: int | slice | np.ndarray  # its slots, in node order (see the _Step classes)
    fan_in: bool  # a slot repeats: gradients are summed with np.add.at


@dataclass
class _Step:
    """Nodes of one level with the same op, params and operand shapes, run as one call.

    The outputs fill the consecutive slots ``out`` of their shape's buffer. ``forward``
    writes them and returns what ``backward`` needs; ``backward`` adds the contributions
    into the operands' gradients and returns them indexed ``[row][node]``, one row per
    operand position in ``needed``. Three ways to gather, one subclass each.
    """

    op: Op
    params: dict
    nodes: list[str]
    out_shape: tuple
    out: slice
    operands: list[_Operand]
    needed: list[int]  # operand positions that take a gradient


class _One(_Step):
    """A single node: every operand (``sel`` is its slot) and the output are plain views."""

    def forward(self, vals: dict, B: int) -> tuple[list, np.ndarray]:
        xs = [vals[o.shape][o.sel] if o.core == o.shape else
              vals[o.shape][o.sel].reshape((B,) + o.core) for o in self.operands]
        out = self.op.forward(*xs, **self.params)
        vals[self.out_shape][self.out.start] = out
        return xs, out

    def backward(self, grads: dict, xs: list, out: np.ndarray, B: int) -> list:
        g = grads[self.out_shape][self.out.start]
        gs = self.op.vjp(g, out, *xs, **self.params)
        rows = []
        for i in self.needed:
            o = self.operands[i]
            c = _unbroadcast(gs[i], (B,) + o.shape)
            grads[o.shape][o.sel] += c
            rows.append(c[None])
        return rows


class _Each(_Step):
    """Several nodes, gathered one operand position at a time.

    ``sel`` is a slice (a view) where the slots are consecutive, else an index array.
    """

    def forward(self, vals: dict, B: int) -> tuple[list, np.ndarray]:
        k = len(self.nodes)
        xs = [vals[o.shape][o.sel].reshape((k * B,) + o.core) for o in self.operands]
        out = self.op.forward(*xs, **self.params)
        vals[self.out_shape][self.out] = out.reshape((k, B) + self.out_shape)
        return xs, out

    def backward(self, grads: dict, xs: list, out: np.ndarray, B: int) -> list:
        k = len(self.nodes)
        g = grads[self.out_shape][self.out].reshape((k * B,) + self.out_shape)
        gs = self.op.vjp(g, out, *xs, **self.params)
        rows = []
        for i in self.needed:
            o = self.operands[i]
            c = _unbroadcast(gs[i], (k * B,) + o.shape).reshape((k, B) + o.shape)
            _scatter(grads[o.shape], o.sel, c, o.fan_in)
            rows.append(c)
        return rows


@dataclass
class _Stacked(_Step):
    """Operands all of one shape, gathered at once into one array ``(operands, nodes · batch)
    + shape`` with the 2-D index ``idx``; an op with a ``stacked`` form (``Op.stacked``) takes it
    whole, others get its rows.
    """

    idx: np.ndarray
    grad_idx: np.ndarray  # idx[needed]
    fan_in: bool  # grad_idx names a slot more than once
    kernel: tuple | None

    def forward(self, vals: dict, B: int) -> tuple[np.ndarray, np.ndarray]:
        k, s = len(self.nodes), self.operands[0].shape
        xs = np.take(vals[s], self.idx, axis=0).reshape((len(self.operands), k * B) + s)
        out = self.kernel[0](xs) if self.kernel else self.op.forward(*xs, **self.params)
        vals[self.out_shape][self.out] = out.reshape((k, B) + self.out_shape)
        return xs, out

    def backward(self, grads: dict, xs: np.ndarray, out: np.ndarray, B: int) -> np.ndarray:
        k, s = len(self.nodes), self.operands[0].shape
        g = grads[self.out_shape][self.out].reshape((k * B,) + self.out_shape)
        if self.kernel:
            cs = self.kernel[1](g, out, xs)
            if len(self.needed) < len(xs):
                cs = cs[self.needed]
        else:
            gs = self.op.vjp(g, out, *xs, **self.params)
            cs = np.stack([_unbroadcast(gs[i], (k * B,) + s) for i in self.needed])
        cs = cs.reshape((len(self.needed), k, B) + s)
        _scatter(grads[s], self.grad_idx, cs, self.fan_in)
        return cs


def _scatter(buf: np.ndarray, sel: slice | np.ndarray, c: np.ndarray, fan_in: bool) -> None:
    """``buf[sel] += c``, summing repeated slots (fan-out of one node into one step)."""
    if not fan_in:
        buf[sel] += c
        return
    # np.add.at is fast on 1-D arrays: index the buffer's elements, not its slots
    row = buf[0].size
    sel = np.asarray(sel)
    if row > 1:
        sel = sel[..., None] * row + np.arange(row)
    np.add.at(buf.reshape(-1), sel.reshape(-1), c.reshape(-1))


@dataclass
class _Schedule:
    """The compiled graph: steps in run order, and where each node's numbers live.

    A pass keeps every value (or gradient) in one flat float64 array, viewed as one buffer
    ``(slots, batch) + shape`` per core shape; in each buffer the leaves come first.
    Positions in the flat array (``layout``, ``computed``) count elements per variant.
    """

    order: list[str]
    slot: dict[str, tuple[tuple, int]]  # node -> (core shape, slot in that shape's buffer)
    steps: list[_Step]
    requires: dict[str, bool]
    where: dict[str, tuple[int, int]]  # op node -> (step number, position in the step)
    leaf_values: dict[tuple, np.ndarray]  # shape -> default values of its first slots
    defaults: np.ndarray  # the flat array of one variant: leaf defaults, zeros elsewhere
    layout: list[tuple[tuple, int, int, int]]  # (shape, start, stop, slots) per buffer
    computed: tuple[int, int]  # a span that holds every computed node's value
    views: dict[int, list] = field(default_factory=dict)  # batch -> layout scaled to it

    def values(self, batch: int) -> tuple[np.ndarray, dict]:
        """Fresh value buffers (flat array, views by shape) holding the leaf defaults."""
        if batch == 1:
            return self._buffers(self.defaults.copy(), 1)
        flat, bufs = self._buffers(np.empty(self.defaults.size * batch), batch)
        for s, default in self.leaf_values.items():
            bufs[s][:len(default)] = default[:, None]
        return flat, bufs

    def gradients(self, batch: int) -> tuple[np.ndarray, dict]:
        """Fresh gradient buffers (flat array, views by shape), all zero."""
        return self._buffers(np.zeros(self.defaults.size * batch), batch)

    def _buffers(self, flat: np.ndarray, batch: int) -> tuple[np.ndarray, dict]:
        if batch not in self.views:
            self.views[batch] = [(s, a * batch, b * batch, (c, batch) + s)
                                 for s, a, b, c in self.layout]
        return flat, {s: flat[a:b].reshape(shape) for s, a, b, shape in self.views[batch]}

    def values_finite(self, flat: np.ndarray, batch: int) -> bool:
        """Whether the computed values are finite (leaf values are checked on the way in)."""
        start, stop = self.computed
        return bool(np.isfinite(flat[start * batch:stop * batch]).all())


def compile_graph(graph: Graph) -> _Schedule:
    """Compile (once, cached on the graph) the vectorized schedule of a graph.

    Shapes are inferred by a single forward pass on the default values; a shape that
    does not fit its op raises :class:`~gradviz.ShapeError` naming the node and line.
    """
    if "schedule" in graph._cache:
        return graph._cache["schedule"]
    order = graph.order
    shapes, level, requires = _infer(graph)
    leaves = graph.leaves()
    groups = _groups(graph, shapes, level, requires)
    # slots: per shape the leaves first, then each step's outputs side by side
    slot: dict[str, tuple[tuple, int]] = {}
    counts: dict[tuple, int] = {}
    for n in leaves + [n for nodes in groups for n in nodes]:
        s = shapes[n]
        slot[n] = (s, counts.get(s, 0))
        counts[s] = counts.get(s, 0) + 1
    defaults: dict[tuple, list] = {}
    for n in leaves:
        defaults.setdefault(shapes[n], []).append(graph.default(n))
    leaf_values = {s: np.array(v, dtype=np.float64).reshape((len(v),) + s)
                   for s, v in defaults.items()}
    layout, flat, span = _layout(counts, leaf_values)
    steps = [_step(graph, nodes, shapes, requires, slot) for nodes in groups]
    where = {n: (t, j) for t, st in enumerate(steps) for j, n in enumerate(st.nodes)}
    sched = _Schedule(order, slot, steps, requires, where, leaf_values, flat, layout, span)
    graph._cache["schedule"] = sched
    return sched


def _layout(counts: dict[tuple, int], leaf_values: dict[tuple, np.ndarray]):
    """Lay the buffers out in one flat array, small core shapes first.

    Returns ``(shape, start, stop, slots)`` per buffer, the flat array of one variant with
    the leaf defaults filled in, and one span that holds every computed value (they lie
    close together: big matrices are rarely computed).
    """
    layout, computed, size = [], [], 0
    for s in sorted(counts, key=math.prod):
        c, e, m = counts[s], math.prod(s), len(leaf_values.get(s, ()))
        layout.append((s, size, size + c * e, c))
        if c > m:
            computed.append((size + m * e, size + c * e))
        size += c * e
    flat = np.zeros(size)
    for s, start, _, _ in layout:
        if s in leaf_values:
            flat[start:start + leaf_values[s].size] = leaf_values[s].ravel()
    span = (computed[0][0], computed[-1][1]) if computed else (0, 0)
    return layout, flat, span


def _infer(graph: Graph) -> tuple[dict, dict, dict]:
    """Shapes, topological levels and requires-grad flags, by one pass on the defaults."""
    shapes: dict[str, tuple] = {}
    values: dict[str, np.ndarray] = {}
    level: dict[str, int] = {}
    requires: dict[str, bool] = {}
    with np.errstate(all="ignore"):
        for n in graph.order:
            if graph.is_leaf(n):
                values[n] = graph.default(n)[None]
                level[n] = 0
                requires[n] = graph.kind(n) in GRAD_KINDS
            else:
                ins = graph.inputs(n)
                op = graph.op_of(n)
                xs = _pad([values[u] for u in ins], op)
                try:
                    out = np.asarray(op.forward(*xs, **graph.params(n)), dtype=np.float64)
                except GradvizError as e:
                    raise ShapeError(f"{_who(graph, n)}: {e.message}",
                                     *graph.position(n)) from None
                except (ValueError, IndexError):
                    shapes_txt = " and ".join(str(values[u].shape[1:]) for u in ins)
                    raise ShapeError(f"{_who(graph, n)}: {op.name} cannot combine shapes "
                                     f"{shapes_txt}", *graph.position(n)) from None
                if out.ndim == 0 or out.shape[0] != 1 or out.ndim > 3:
                    raise ShapeError(f"{_who(graph, n)}: result has shape {out.shape[1:]}; "
                                     "gradviz values are scalars, vectors or matrices",
                                     *graph.position(n))
                values[n] = out
                level[n] = 1 + max(level[u] for u in ins)
                requires[n] = any(requires[u] for u in ins)
            shapes[n] = values[n].shape[1:]
    if shapes[graph.loss] != ():
        raise ShapeError(f"the loss {graph.loss!r} must be a scalar, but has shape "
                         f"{shapes[graph.loss]}; wrap it in sum(...) or mean(...)",
                         *graph.position(graph.loss))
    return shapes, level, requires


def _groups(graph: Graph, shapes: dict, level: dict, requires: dict) -> list[list[str]]:
    """Op nodes grouped by level, op, params, shapes and requires-grad, in run order."""
    groups: dict[tuple, list[str]] = {}
    for n in graph.order:
        op = graph.op_of(n)
        if op is None:
            continue
        ins = graph.inputs(n)
        key = (level[n], op.name, tuple(sorted(graph.params(n).items())), shapes[n],
               tuple(shapes[u] for u in ins), tuple(requires[u] for u in ins))
        groups.setdefault(key, []).append(n)
    rank = {n: i for i, n in enumerate(graph.order)}
    return [groups[key] for key in sorted(groups, key=lambda k: (k[0], rank[groups[k][0]]))]


def _step(graph: Graph, nodes: list[str], shapes: dict, requires: dict,
          slot: dict) -> _Step:
    """The plan of one group: operand slots, how to gather them, who takes a gradient."""
    op, first = graph.op_of(nodes[0]), graph.inputs(nodes[0])
    in_shapes = [shapes[u] for u in first]
    idx = np.array([[slot[u][1] for u in graph.inputs(n)] for n in nodes],
                   dtype=np.intp).reshape(len(nodes), len(first)).T.copy()
    rank = max(len(s) for s in in_shapes) if op.broadcast else 0
    cores = [(1,) * (rank - len(s)) + s for s in in_shapes]
    needed = [i for i, u in enumerate(first) if requires[u]]
    start = slot[nodes[0]][1]
    common = (op, graph.params(nodes[0]), nodes, shapes[nodes[0]],
              slice(start, start + len(nodes)))
    kernel = op.stacked
    if len(set(in_shapes)) == 1 and (kernel or len(nodes) > 1 and len(in_shapes) > 2):
        operands = [_Operand(s, c, ix, _repeats(ix)) for s, c, ix in zip(in_shapes, cores, idx)]
        return _Stacked(*common, operands, needed, idx, idx[needed], _repeats(idx[needed]),
                        kernel)
    if len(nodes) == 1:
        return _One(*common, [_Operand(s, c, int(ix[0]), False)
                              for s, c, ix in zip(in_shapes, cores, idx)], needed)
    return _Each(*common, [_Operand(s, c, _as_slice(ix), _repeats(ix))
                           for s, c, ix in zip(in_shapes, cores, idx)], needed)


def _as_slice(ix: np.ndarray) -> slice | np.ndarray:
    """Consecutive slots as a slice (basic indexing: a view, in-place adds), else ``ix``."""
    start = int(ix[0])
    if np.array_equal(ix, np.arange(start, start + len(ix))):
        return slice(start, start + len(ix))
    return ix


def _repeats(ix: np.ndarray) -> bool:
    """Whether a slot occurs twice (a set, not np.unique, which imports numpy.ma)."""
    return len(set(ix.ravel().tolist())) < ix.size


def _pad(xs: list[np.ndarray], op: Op) -> list[np.ndarray]:
    """Insert singleton core axes so broadcasting ops combine scalars with vectors."""
    if not op.broadcast:
        return xs
    r = max(x.ndim for x in xs) - 1
    return [x if x.ndim - 1 == r else
            x.reshape(x.shape[:1] + (1,) * (r - x.ndim + 1) + x.shape[1:]) for x in xs]


def _unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum a gradient over the axes its operand was broadcast along (batch axis kept)."""
    g = np.asarray(g)
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(1, 1 + extra)))
    axes = tuple(i for i in range(1, g.ndim) if shape[i] == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return np.broadcast_to(g, shape) if g.shape != shape else g


def _who(graph: Graph, n: str) -> str:
    if graph.is_generated(n):
        return f"{graph.expr(n)!s}"
    return n


# --------------------------------------------------------------------------- trace
@dataclass(frozen=True)
class Edge:
    """One edge of the evaluated graph, with its piece of the chain rule.

    ``contribution = upstream · local``: what this edge adds to ``grad(src)``. For vector
    ops ``local`` is the Jacobian ∂dst/∂src with shape ``dst.shape + src.shape``. Edges
    from leaves that take no gradient (targets, constants) have ``None`` there.
    """

    src: str
    dst: str
    arg: int
    upstream: np.ndarray | None
    contribution: np.ndarray | None
    trace: Trace

    @cached_property
    def local(self) -> np.ndarray | None:
        """The local derivative ∂dst/∂src (a Jacobian for vector ops), computed lazily."""
        if self.contribution is None:
            return None
        return self.trace._jacobian(self.dst, self.arg)


class Trace:
    """The result of :func:`evaluate`: every value, gradient and chain-rule product.

    Values and gradients are float64 arrays of the node's shape (with a leading batch
    axis for a batched evaluation). Nodes that take no gradient (targets, constants and
    what is computed only from them) have gradient ``None``.

    Examples
    --------
    >>> from gradviz import example
    >>> t = evaluate(example("xyz"))
    >>> float(t.value("w")), float(t.grad("x"))
    (100.0, 170.0)
    >>> [(e.src, e.arg, float(e.contribution)) for e in t.edges_into("b.1")]
    [('x', 0, 25.0), ('x', 1, 25.0)]
    """

    def __init__(self, graph: Graph, sched: _Schedule, vals: dict, grads: dict,
                 contribs: dict, batch: int | None) -> None:
        self.graph, self.batch = graph, batch
        self.loss = graph.loss
        self._s, self._vals, self._grads, self._contribs = sched, vals, grads, contribs

    @property
    def order(self) -> list[str]:
        """Every node in the deterministic topological order."""
        return self._s.order

    def _get(self, bufs: dict, name: str) -> np.ndarray:
        if name not in self._s.slot:
            raise KeyError(f"no node named {name!r}")
        s, i = self._s.slot[name]
        v = bufs[s][i]
        return v if self.batch is not None else v[0]

    def value(self, name: str) -> np.ndarray:
        """The forward value of a node."""
        return self._get(self._vals, name)

    def grad(self, name: str) -> np.ndarray | None:
        """∂loss/∂node, or ``None`` for nodes that take no gradient."""
        if not self._s.requires[name]:
            return None
        return self._get(self._grads, name)

    def requires_grad(self, name: str) -> bool:
        return self._s.requires[name]

    @cached_property
    def values(self) -> dict[str, np.ndarray]:
        """All values by node name, in topological order."""
        return {n: self.value(n) for n in self.order}

    @cached_property
    def grads(self) -> dict[str, np.ndarray | None]:
        """All gradients by node name, in topological order."""
        return {n: self.grad(n) for n in self.order}

    @cached_property
    def edges(self) -> list[Edge]:
        """Every edge, ordered by the topological position of its target, then operand."""
        out = []
        for n in self.order:
            out.extend(self.edges_into(n))
        return out

    def edges_into(self, node: str) -> list[Edge]:
        """The edges into ``node`` in operand order."""
        return [self.edge(node, i) for i in range(len(self.graph.inputs(node)))]

    def edge(self, node: str, arg: int) -> Edge:
        """The edge into ``node`` at operand position ``arg``."""
        ins = self.graph.inputs(node)
        if not 0 <= arg < len(ins):
            raise IndexError(f"{node!r} has no operand {arg}")
        u = ins[arg]
        return Edge(u, node, arg, self.grad(node) if self._s.requires[u] else None,
                    self._contribution(node, arg), self)

    def edges_from(self, node: str) -> list[Edge]:
        """The edges out of ``node`` (its consumers), in topological order."""
        return list(self._edges_by_src.get(node, ()))

    @cached_property
    def _edges_by_src(self) -> dict[str, list[Edge]]:
        by_src: dict[str, list[Edge]] = {}
        for e in self.edges:
            by_src.setdefault(e.src, []).append(e)
        return by_src

    def through(self, node: str, consumer: str) -> np.ndarray | None:
        """What the named ``consumer`` adds to ``grad(node)``: the contributions of every
        edge from ``node`` into the consumer's expression (its unnamed intermediates
        included), so ``grad(node)`` is the sum of ``through`` over its named consumers.

        Examples
        --------
        >>> from gradviz import example
        >>> t = evaluate(example("interesting"))
        >>> round(float(t.through("H2", "H4")), 6), round(float(t.grad("H2")), 6)
        (-1.244919, -1.244919)
        """
        tree = set(self.graph.expression(consumer))
        parts = [e.contribution for e in self.edges_from(node)
                 if e.dst in tree and e.contribution is not None]
        if not parts:
            return None
        return sum(parts[1:], parts[0])

    def local_through(self, consumer: str, node: str, limit: int = 4096) -> np.ndarray | None:
        """∂consumer/∂node through the consumer's expression (unnamed intermediates
        included): the local derivative a worked solution writes for a named step.

        A Jacobian of shape ``consumer.shape + node.shape``; ``None`` when it would have
        more than ``limit`` entries (write the chain rule in its vector form instead).

        Examples
        --------
        >>> from gradviz import example
        >>> t = evaluate(example("interesting"))
        >>> float(t.local_through("H4", "H2")), float(t.local_through("H4", "H1"))
        (-2.0, -1.3333333333333333)
        """
        g = self.graph
        size = int(np.size(self.value(consumer))) * int(np.size(self.value(node)))
        if size > limit:
            return None
        d: dict[str, np.ndarray] = {}
        for w in g.expression(consumer):
            total = None
            for e in self.edges_into(w):
                inner = d.get(e.src) if e.src != node else None
                if e.src != node and inner is None:
                    continue
                local = e.local
                if local is None:
                    continue
                piece = local if e.src == node else np.tensordot(
                    local, inner, axes=np.ndim(self.value(e.src)))
                total = piece if total is None else total + piece
            if total is not None:
                d[w] = total
        shape = np.shape(self.value(consumer)) + np.shape(self.value(node))
        return d.get(consumer, np.zeros(shape))

    def _contribution(self, node: str, arg: int) -> np.ndarray | None:
        if node not in self._s.where:
            return None
        t, j = self._s.where[node]
        needed = self._s.steps[t].needed
        if arg not in needed:
            return None
        v = self._contribs[t][needed.index(arg)][j]
        return v if self.batch is not None else v[0]

    def _jacobian(self, node: str, arg: int, variant: int = 0) -> np.ndarray:
        """∂node/∂(operand ``arg``) by one VJP per output element (a batch of basis vectors)."""
        def at(name: str) -> np.ndarray:
            v = np.asarray(self.value(name))
            return v[variant] if self.batch is not None else v

        op = self.graph.op_of(node)
        out = at(node)
        k = max(out.size, 1)
        xs = [np.broadcast_to(at(u), (k,) + at(u).shape) for u in self.graph.inputs(node)]
        basis = np.eye(k).reshape((k,) + out.shape)
        outs = np.broadcast_to(out, (k,) + out.shape)
        with np.errstate(all="ignore"):
            gs = op.vjp(basis, outs, *_pad(xs, op), **self.graph.params(node))
        src_shape = xs[arg].shape[1:]
        jac = _unbroadcast(gs[arg], (k,) + src_shape)
        return np.asarray(jac, dtype=np.float64).reshape(out.shape + src_shape) + 0.0

    def __repr__(self) -> str:
        b = f", batch={self.batch}" if self.batch is not None else ""
        return f"<Trace of {self.graph.name or 'graph'}: {len(self.order)} nodes{b}>"


# ------------------------------------------------------------------------ evaluate
def evaluate(graph: Graph, values: Mapping[str, Any] | None = None, /, *,
             check_finite: bool = True, **overrides: Any) -> Trace:
    """Run the forward pass and reverse-mode backward pass of ``graph``.

    Parameters
    ----------
    graph : Graph
        The graph to evaluate.
    values : mapping, optional
        Leaf values to use instead of the defaults (same as keyword overrides).
    check_finite : bool
        Stop with an :class:`~gradviz.EvalError` naming the first node whose value or
        gradient is inf or nan (default). Off: keep the raw numbers.
    **overrides
        Leaf values by name. A value with one more leading axis than the leaf's shape
        is a *batch*: every batched leaf must have the same batch size, and the whole
        graph is evaluated once per variant in one vectorized pass.

    Returns
    -------
    Trace
        Values, gradients and per-edge chain-rule products.

    Notes
    -----
    Kinks follow the op table's conventions: relu'(0) = 0, leaky_relu'(0) = 1,
    abs'(0) = 0, min/max ties split ½/½.

    Examples
    --------
    >>> from gradviz import parse
    >>> g = parse("x: input = 3\\ny: input = 2\\nL: loss = max(x, y) * x")
    >>> t = evaluate(g)
    >>> float(t.value("L")), float(t.grad("x")), float(t.grad("y"))
    (9.0, 6.0, 0.0)
    >>> float(evaluate(g, y=3).grad("y"))  # a tie splits the gradient
    1.5
    >>> evaluate(g, x=[1.0, 2.0, 3.0]).grad("x")  # a batch of three; x = 2 ties with y
    array([2., 3., 6.])
    """
    try:
        return _evaluate(graph, {**(values or {}), **overrides}, check_finite)
    except GradvizError as e:
        raise e.at(graph.file) from None


def _evaluate(graph: Graph, merged: Mapping[str, Any], check_finite: bool) -> Trace:
    sched = compile_graph(graph)
    leaf_vals, batch = _overrides(graph, sched, merged)
    B = batch or 1
    flat_vals, vals = sched.values(B)
    for n, v in leaf_vals.items():
        s, i = sched.slot[n]
        vals[s][i] = v
    with np.errstate(all="ignore"):
        saved = [st.forward(vals, B) for st in sched.steps]
        if check_finite and not sched.values_finite(flat_vals, B):
            _check_finite(graph, sched, vals, "value")
        flat_grads, grads = sched.gradients(B)
        ls, li = sched.slot[graph.loss]
        grads[ls][li] = 1.0
        contribs: dict[int, Any] = {}
        for t in range(len(sched.steps) - 1, -1, -1):
            if sched.steps[t].needed:
                contribs[t] = sched.steps[t].backward(grads, *saved[t], B)
        # one check suffices: a non-finite contribution makes a gradient non-finite too
        if check_finite and not np.isfinite(flat_grads).all():
            _check_backward(graph, sched, contribs)
            _check_finite(graph, sched, grads, "gradient")
    return Trace(graph, sched, vals, grads, contribs, batch)


def _overrides(graph: Graph, sched: _Schedule, merged: Mapping[str, Any]):
    out, batch = {}, None
    for name, v in merged.items():
        if name not in graph:
            close = [n for n in graph.leaves() if n.lower() == name.lower()]
            hint = f"; did you mean {close[0]!r}?" if close else \
                f"; leaves are {', '.join(graph.leaves())}"
            raise EvalError(f"no leaf named {name!r}{hint}")
        if graph.kind(name) not in LEAF_KINDS:
            raise EvalError(f"{name!r} is computed (line {graph.position(name)[0]}); only "
                            "inputs, params, targets and consts can be set")
        a = leaf_value(v, f"the value given for {name}") if np.ndim(v) <= 2 else \
            np.asarray(v, dtype=np.float64)
        if not np.all(np.isfinite(a)):
            raise EvalError(f"the value given for {name} is not finite")
        core = sched.slot[name][0]
        if a.shape == core:
            out[name] = a[None]
        elif a.shape[1:] == core:
            if batch is not None and a.shape[0] != batch:
                raise EvalError(f"batch sizes differ: {name} has {a.shape[0]} variants, "
                                f"another leaf {batch}")
            batch = a.shape[0]
            out[name] = a
        else:
            raise EvalError(f"{name} has shape {core}; got a value of shape {a.shape}")
    return out, batch


def _check_backward(graph: Graph, sched: _Schedule, contribs: dict) -> None:
    """Blame the op whose local derivative first made a gradient inf or nan (backward order)."""
    for t in range(len(sched.steps) - 1, -1, -1):
        st = sched.steps[t]
        for i, c in zip(st.needed, contribs.get(t, ())):
            if np.isfinite(c).all():
                continue
            rows_ok = np.isfinite(c.reshape(len(st.nodes), -1)).all(axis=1)
            j = int(np.argmin(rows_ok))  # the first node of the step with a bad gradient
            n = st.nodes[j]
            u = graph.inputs(n)[i]
            bad = c[j][~np.isfinite(c[j])].flat[0]
            hint = f" ({st.op.kink})" if st.op.kink else ""
            raise EvalError(f"the gradient from {n} = {graph.expr(n)} to {u} is {bad}{hint}",
                            *graph.position(n))


def _check_finite(graph: Graph, sched: _Schedule, bufs: dict, what: str) -> None:
    """Name the first node (in topological order) whose value or gradient is inf or nan."""
    for n in sched.order:
        if what == "gradient" and not sched.requires[n]:
            continue
        s, i = sched.slot[n]
        v = bufs[s][i]
        if not np.isfinite(v).all():
            bad = v[~np.isfinite(v)].flat[0]
            op = graph.op_of(n)
            how = f" = {graph.expr(n)}" if op else ""
            hint = f" ({op.kink})" if op and op.kink else ""
            raise EvalError(f"the {what} of {n}{how} is {bad}{hint}", *graph.position(n))
