"""Forward and reverse-mode evaluation in float64, compiled into vectorized steps.

A graph is compiled once into a *schedule*: nodes are grouped by topological level, op,
parameters and operand shapes, and every group runs as one numpy call on gathered slots
(so the 640 products of a neuron-level MLP layer are one multiplication). Values live in
one buffer per core shape, ``(slots, batch) + shape``. The backward pass walks the groups
in reverse, un-broadcasts each VJP result to its operand's shape and accumulates fan-in
with ``np.add.at``: the only place where gradients are summed.

Non-finite policy: evaluation runs with numpy warnings off; afterwards any inf or nan in a
value or in a gradient stops evaluation with an :class:`~gradviz.EvalError` that names the
node, its line and its op (pass ``check_finite=False`` to get the raw numbers, e.g. to
screen batches of problem variants).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from ._errors import EvalError, GradvizError, ShapeError
from .graph import GRAD_KINDS, LEAF_KINDS, Graph, leaf_value
from .ops import Op

__all__ = ["evaluate", "Trace", "Edge", "gradcheck", "GradCheck", "sgd_step", "compile_graph"]


# ------------------------------------------------------------------------ schedule
@dataclass
class _Step:
    op: Op
    params: dict
    nodes: list[str]
    out_shape: tuple
    out_idx: np.ndarray
    in_shapes: list[tuple]
    in_idx: list[np.ndarray]
    in_unique: list[bool]
    needs: list[bool]  # which operand positions need a gradient
    pad: int  # common core rank for broadcasting ops (0: no padding)


@dataclass
class _Schedule:
    order: list[str]
    slot: dict[str, tuple[tuple, int]]  # node -> (core shape, index in that buffer)
    counts: dict[tuple, int]
    steps: list[_Step]
    leaves: list[str]
    leaf_fill: dict[tuple, tuple[np.ndarray, np.ndarray]]  # shape -> (idx, default values)
    requires: dict[str, bool]
    where: dict[str, tuple[int, int]]  # op node -> (step number, position in the step)


def compile_graph(graph: Graph) -> _Schedule:
    """Compile (once, cached on the graph) the vectorized schedule of a graph.

    Shapes are inferred by a single forward pass on the default values; a shape that
    does not fit its op raises :class:`~gradviz.ShapeError` naming the node and line.
    """
    if "schedule" in graph._cache:
        return graph._cache["schedule"]
    g, order = graph.nx, graph.order
    shapes: dict[str, tuple] = {}
    values: dict[str, np.ndarray] = {}
    level: dict[str, int] = {}
    requires: dict[str, bool] = {}
    with np.errstate(all="ignore"):
        for n in order:
            d = g.nodes[n]
            if d["kind"] in LEAF_KINDS:
                values[n] = d["value"][None]
                level[n] = 0
                requires[n] = d["kind"] in GRAD_KINDS
            else:
                ins = graph.inputs(n)
                op = graph.op(n)
                xs = _pad([values[u] for u in ins], op)
                try:
                    out = np.asarray(op.forward(*xs, **d["params"]), dtype=np.float64)
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
    slot: dict[str, tuple[tuple, int]] = {}
    counts: dict[tuple, int] = {}
    for n in order:
        s = shapes[n]
        slot[n] = (s, counts.get(s, 0))
        counts[s] = counts.get(s, 0) + 1
    leaves = [n for n in order if g.nodes[n]["kind"] in LEAF_KINDS]
    fill: dict[tuple, list] = {}
    for n in leaves:
        s, i = slot[n]
        fill.setdefault(s, ([], []))
        fill[s][0].append(i)
        fill[s][1].append(g.nodes[n]["value"])
    leaf_fill = {s: (np.array(i, dtype=np.intp), np.array(v, dtype=np.float64).reshape(
        (len(i),) + s)) for s, (i, v) in fill.items()}
    groups: dict[tuple, list[str]] = {}
    for n in order:
        if g.nodes[n]["kind"] in LEAF_KINDS:
            continue
        ins = graph.inputs(n)
        d = g.nodes[n]
        key = (level[n], d["op"], tuple(sorted(d["params"].items())), shapes[n],
               tuple(shapes[u] for u in ins), tuple(requires[u] for u in ins))
        groups.setdefault(key, []).append(n)
    steps = []
    rank = {n: i for i, n in enumerate(order)}
    for key in sorted(groups, key=lambda k: (k[0], rank[groups[k][0]])):
        nodes = groups[key]
        op = graph.op(nodes[0])
        in_shapes = list(key[4])
        in_idx = [np.array([slot[graph.inputs(n)[i]][1] for n in nodes], dtype=np.intp)
                  for i in range(len(in_shapes))]
        steps.append(_Step(
            op=op, params=g.nodes[nodes[0]]["params"], nodes=nodes, out_shape=key[3],
            out_idx=np.array([slot[n][1] for n in nodes], dtype=np.intp),
            in_shapes=in_shapes, in_idx=in_idx,
            in_unique=[len(np.unique(ix)) == len(ix) for ix in in_idx],
            needs=list(key[5]),
            pad=max(len(s) for s in in_shapes) if op.broadcast else 0))
    where = {n: (t, j) for t, st in enumerate(steps) for j, n in enumerate(st.nodes)}
    sched = _Schedule(order, slot, counts, steps, leaves, leaf_fill, requires, where)
    graph._cache["schedule"] = sched
    return sched


def _pad(xs: list[np.ndarray], op: Op, rank: int | None = None) -> list[np.ndarray]:
    """Insert singleton core axes so broadcasting ops combine scalars with vectors."""
    if not op.broadcast:
        return xs
    r = max(x.ndim for x in xs) - 1 if rank is None else rank
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
    d = graph.nx.nodes[n]
    if d.get("generated"):
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
        u = next(u for u, _, k in self.graph.nx.in_edges(node, keys=True) if k == arg)
        return Edge(u, node, arg, self.grad(node) if self._s.requires[u] else None,
                    self._contribution(node, arg), self)

    def edges_from(self, node: str) -> list[Edge]:
        """The edges out of ``node`` (its consumers), in topological order."""
        return [e for e in self.edges if e.src == node]

    def _contribution(self, node: str, arg: int) -> np.ndarray | None:
        if node not in self._s.where:
            return None
        step, j = self._s.where[node]
        arr = self._contribs.get((step, arg))
        if arr is None:
            return None
        v = arr[j]
        return v if self.batch is not None else v[0]

    def _jacobian(self, node: str, arg: int, variant: int = 0) -> np.ndarray:
        """∂node/∂(operand ``arg``) by one VJP per output element (a batch of basis vectors)."""
        def at(name: str) -> np.ndarray:
            v = np.asarray(self.value(name))
            return v[variant] if self.batch is not None else v

        op = self.graph.op(node)
        out = at(node)
        k = max(out.size, 1)
        xs = [np.broadcast_to(at(u), (k,) + at(u).shape) for u in self.graph.inputs(node)]
        basis = np.eye(k).reshape((k,) + out.shape)
        outs = np.broadcast_to(out, (k,) + out.shape)
        with np.errstate(all="ignore"):
            gs = op.vjp(basis, outs, *_pad(xs, op), **self.graph.nx.nodes[node]["params"])
        src_shape = xs[arg].shape[1:]
        jac = _unbroadcast(gs[arg], (k,) + src_shape)
        return np.asarray(jac, dtype=np.float64).reshape(out.shape + src_shape) + 0.0

    def _repr_svg_(self) -> str | None:
        """Jupyter shows a trace as its figure with values and gradients."""
        if self.batch is not None:
            return None
        from .dot import to_dot
        from .render import run_dot

        try:
            return run_dot(to_dot(self), "svg").decode("utf-8")
        except GradvizError:
            return None

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
    vals = {s: np.zeros((c, B) + s) for s, c in sched.counts.items()}
    for s, (idx, default) in sched.leaf_fill.items():
        vals[s][idx] = default[:, None]
    for n, v in leaf_vals.items():
        s, i = sched.slot[n]
        vals[s][i] = v
    saved = []
    with np.errstate(all="ignore"):
        for st in sched.steps:
            k = len(st.nodes)
            xs = [vals[s][ix].reshape((k * B,) + s) for s, ix in zip(st.in_shapes, st.in_idx)]
            if st.pad:
                xs = _pad(xs, st.op, st.pad)
            out = st.op.forward(*xs, **st.params)
            vals[st.out_shape][st.out_idx] = out.reshape((k, B) + st.out_shape)
            saved.append((xs, out))
        if check_finite:
            _check_finite(graph, sched, vals, "value")
        grads = {s: np.zeros((c, B) + s) for s, c in sched.counts.items()}
        ls, li = sched.slot[graph.loss]
        grads[ls][li] = 1.0
        contribs: dict[tuple[int, int], np.ndarray] = {}
        for t in range(len(sched.steps) - 1, -1, -1):
            st, (xs, out) = sched.steps[t], saved[t]
            if not any(st.needs):
                continue
            k = len(st.nodes)
            g = grads[st.out_shape][st.out_idx].reshape((k * B,) + st.out_shape)
            gs = st.op.vjp(g, out, *xs, **st.params)
            for i, (need, s, ix) in enumerate(zip(st.needs, st.in_shapes, st.in_idx)):
                if not need:
                    continue
                c = _unbroadcast(gs[i], (k * B,) + s).reshape((k, B) + s)
                if st.in_unique[i]:
                    grads[s][ix] += c
                else:
                    np.add.at(grads[s], ix, c)
                contribs[(t, i)] = c
        if check_finite:
            _check_backward(graph, sched, contribs)
            _check_finite(graph, sched, grads, "gradient")
    return Trace(graph, sched, vals, grads, contribs, batch)


def _overrides(graph: Graph, sched: _Schedule, merged: Mapping[str, Any]):
    out, batch = {}, None
    for name, v in merged.items():
        if name not in graph.nx:
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
    if all(np.isfinite(c).all() for c in contribs.values()):
        return
    for t in range(len(sched.steps) - 1, -1, -1):
        st = sched.steps[t]
        for i in range(len(st.in_shapes)):
            c = contribs.get((t, i))
            if c is None or np.isfinite(c).all():
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
    if all(np.isfinite(b).all() for b in bufs.values()):
        return
    for n in sched.order:
        if what == "gradient" and not sched.requires[n]:
            continue
        s, i = sched.slot[n]
        v = bufs[s][i]
        if not np.isfinite(v).all():
            bad = v[~np.isfinite(v)].flat[0]
            op = graph.op(n)
            how = f" = {graph.expr(n)}" if op else ""
            hint = f" ({op.kink})" if op and op.kink else ""
            raise EvalError(f"the {what} of {n}{how} is {bad}{hint}", *graph.position(n))


# ---------------------------------------------------------------- gradcheck and SGD
@dataclass(frozen=True)
class GradCheck:
    """Analytic against central-difference gradients, per leaf that takes a gradient."""

    analytic: dict[str, np.ndarray]
    numeric: dict[str, np.ndarray]
    max_error: float
    tolerance: float

    @property
    def ok(self) -> bool:
        return self.max_error <= self.tolerance


def gradcheck(graph: Graph, values: Mapping[str, Any] | None = None, /, *,
              eps: float = 1e-6, tol: float = 1e-6, **overrides: Any) -> GradCheck:
    """Compare backprop with float64 central differences at every input and param.

    All ``2 · (number of elements)`` perturbed graphs are evaluated in one batched pass.
    The error is ``|analytic − numeric| / max(1, |numeric|)``. Do not use it at kinks
    (relu at 0, max ties): there the one-sided slopes differ by design.

    Examples
    --------
    >>> from gradviz import example
    >>> gradcheck(example("interesting")).ok
    True
    """
    base = {**(values or {}), **overrides}
    trace = evaluate(graph, base)
    if trace.batch is not None:
        raise EvalError("gradcheck takes one variant, not a batch")
    leaves = graph.leaves(*GRAD_KINDS)
    sizes = [max(np.size(trace.value(n)), 1) for n in leaves]
    total = sum(sizes)
    batched = {}
    pos = 0
    for n, size in zip(leaves, sizes):
        v = np.asarray(trace.value(n), dtype=np.float64)
        arr = np.broadcast_to(v, (2 * total,) + v.shape).copy()
        flat = arr.reshape(2 * total, -1)
        for j in range(size):
            flat[2 * (pos + j), j] += eps
            flat[2 * (pos + j) + 1, j] -= eps
        batched[n] = arr
        pos += size
    fx = evaluate(graph, {**base, **batched}, check_finite=False).value(graph.loss)
    num = (fx[0::2] - fx[1::2]) / (2 * eps)
    analytic, numeric, err, pos = {}, {}, 0.0, 0
    for n, size in zip(leaves, sizes):
        a = np.asarray(trace.grad(n))
        m = num[pos:pos + size].reshape(a.shape)
        analytic[n], numeric[n] = a, m
        if size:
            err = max(err, float(np.max(np.abs(a - m) / np.maximum(1.0, np.abs(m)))))
        pos += size
    return GradCheck(analytic, numeric, err, tol)


def sgd_step(trace: Trace, lr: float) -> dict[str, np.ndarray]:
    """One gradient-descent step: ``param − lr · grad`` for every param of the graph.

    Examples
    --------
    >>> from gradviz import example
    >>> new = sgd_step(evaluate(example("two_layer_relu")), lr=0.1)
    >>> round(float(new["w21"]), 10)
    0.65
    """
    return {n: trace.value(n) - lr * trace.grad(n) for n in trace.graph.leaves("param")}
