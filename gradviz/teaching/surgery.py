"""Graph variants for the checker: the student's own numbers, and the mistake models.

A :class:`Plan` says, declaratively, what differs from the problem's graph; :func:`build`
turns it into a Graph (through :class:`~gradviz.core.edit.GraphEdit`) that the core
evaluates. Nothing here computes a gradient: the evaluator does, on the variant. The
mistake models are *leaves* of the variant (constants ``evaluate`` can override), so every
model of a cell is one row of a single batched evaluation (:meth:`Built.evaluate`).

* ``values``: nodes whose value is the student's (a forward cell), held by the leaf
  ``("value", v)``. Its local derivatives are taken at that number (``σ′ = Ŷ(1 − Ŷ)`` with
  the student's Ŷ) where the op's record gives them elementwise, else through a copy.
* ``grads``: nodes whose gradient is the student's (a gradient cell). Every edge out of
  the node is cut and read by a *probe* (a ``stop_gradient`` of the node, one per named
  consumer), and ``sum(w · node)`` joins the loss with the leaf ``("weight", u)`` = the
  student's gradient, so the node passes exactly that on. What reaches a probe is what the
  chain rule sends the node through that consumer, from the student's upstream numbers.
* ``gates`` ``(a, b)``: the gradient from ``b``'s expression to ``a`` is scaled by the
  leaf ``("gate", a, b)`` = 1 (0: the path left out; −1: the sign of ∂b/∂a flipped), and
  when ``a`` is used several times there (``x + x``) each use ``j`` also by
  ``("use", a, b, j)`` = 1.
* ``bypass`` ``(a, b)``: ``b``'s gradient also reaches ``a`` unchanged, scaled by the leaf
  ``("bypass", a, b)`` = 0 (1 with the gate at 0: no local derivative on that edge).
* ``switch``: nodes whose local derivatives are leaves ``("local", node, operand)``, by
  default the op record's at the node (other values: a wrong branch, another derivative).
* ``upstream``: nodes whose upstream gradient can be replaced: the leaf ``("keep", b)`` = 1
  scales what ``b`` receives, and ``sum(w · b)`` with ``("weight", b)`` = 0 joins the loss.
* ``ops``: nodes computed by another op of the table (σ where the problem has tanh).
* ``negate``: quantities whose read-out is negated (a sign error).

Examples
--------
>>> from gradviz import evaluate, example
>>> t = evaluate(example("interesting"))
>>> b = build(t, Plan(grads={"H3": -0.6225, "H4": 0.6225, "H5": 0.6225},
...                   gates=frozenset({("H1", "H3")})))
>>> run = b.evaluate([{}, {("gate", "H1", "H3"): 0.0}])
>>> [round(float(x), 4) for x in b.read(run, "∇H1")]  # as given; without H1 → H3
[-1.4525, -0.83]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from gradviz.core import formula as F
from gradviz.core.edit import GraphEdit
from gradviz.core.evaluate import Trace, evaluate
from gradviz.core.graph import Graph
from gradviz.core.ops import FUNCS, Op

__all__ = ["Plan", "Built", "build", "op_locals", "op_env", "ELEMENTWISE"]

ELEMENTWISE = ("arith", "elementwise", "activation", "loss")
Key = tuple


@dataclass(frozen=True)
class Plan:
    """What a variant changes (see the module docstring)."""

    values: Mapping[str, Any] = field(default_factory=dict)
    grads: Mapping[str, Any] = field(default_factory=dict)
    gates: frozenset = frozenset()
    bypass: frozenset = frozenset()
    switch: frozenset = frozenset()
    upstream: frozenset = frozenset()
    ops: Mapping[str, str] = field(default_factory=dict)
    negate: frozenset = frozenset()


@dataclass
class Built:
    """A variant graph, its leaves, and where to read each quantity."""

    graph: Graph
    probes: dict[str, dict[str, str]]  # node -> {named consumer: probe}
    copies: dict[str, str]  # value cell -> node holding its value from its inputs
    negate: frozenset
    leaves: dict[Key, str]  # ("gate", a, b) ... -> the const node that holds it
    defaults: dict[str, np.ndarray]

    def evaluate(self, variants: list[dict[Key, Any]] | None = None) -> Trace:
        """One evaluation; with ``variants`` (leaf settings), one row per variant."""
        if not variants:
            return evaluate(self.graph, check_finite=False)
        overrides = {}
        for key in {k for v in variants for k in v if k in self.leaves}:
            name = self.leaves[key]
            default = self.defaults[name]
            overrides[name] = np.stack([np.broadcast_to(np.asarray(
                v.get(key, default), dtype=float), default.shape) for v in variants])
        if not overrides:  # every row is the plain variant
            first = next(iter(self.defaults), None)
            if first is None:
                raise ValueError("a batch needs a leaf to vary")
            overrides[first] = np.stack([self.defaults[first]] * len(variants))
        return evaluate(self.graph, overrides, check_finite=False)

    def read(self, t: Trace, quantity: str) -> np.ndarray:
        """A quantity (``∇u`` or ``v``) as the variant gives it (one row per variant)."""
        if quantity.startswith("∇"):
            u = quantity[1:]
            zero = np.zeros(((t.batch,) if t.batch else ()) + _core(t, u))
            if u in self.probes:
                parts = [np.asarray(t.grad(p)) for p in self.probes[u].values()]
                out = sum(parts[1:], parts[0]) if parts else zero
            else:
                g = t.grad(u)
                out = zero if g is None else np.asarray(g)
        else:
            out = np.asarray(t.value(self.copies.get(quantity, quantity)))
        return -out if quantity in self.negate else out

    def through(self, t: Trace, u: str) -> dict[str, np.ndarray]:
        """What each named consumer sends a probed node (the terms of its chain rule)."""
        return {v: np.asarray(t.grad(p)) for v, p in self.probes.get(u, {}).items()}


def _core(t: Trace, n: str) -> tuple:
    v = np.asarray(t.value(n))
    return v.shape[1:] if t.batch else v.shape


class _Surgery:
    """A GraphEdit that remembers each node's current operands and the leaves it made."""

    def __init__(self, graph: Graph) -> None:
        self.g, self.e = graph, GraphEdit(graph)
        self.ins: dict[str, list[str]] = {}
        self.defn: dict[str, tuple[str, dict]] = {}
        self.stands_for: dict[str, str] = {}  # a node put in place of an operand -> it
        self.leaves: dict[Key, str] = {}
        self.defaults: dict[str, np.ndarray] = {}

    def inputs(self, n: str) -> list[str]:
        return self.ins[n] if n in self.ins else list(self.g.inputs(n))

    def op(self, name: str, *xs: str, **params: Any) -> str:
        n = self.e.op(name, *xs, **params)
        self.ins[n], self.defn[n] = list(xs), (name, params)
        return n

    def const(self, value: Any) -> str:
        return self.e.const(np.asarray(value, dtype=float))

    def leaf(self, key: Key, default: Any) -> str:
        """A constant the evaluation may override, registered under ``key`` (one per key:
        every edge a gate scales shares it)."""
        if key in self.leaves:
            return self.leaves[key]
        name = self.const(default)
        self.leaves[key] = name
        self.defaults[name] = np.asarray(default, dtype=float)
        return name

    def replace(self, n: str, k: int, new: str) -> None:
        old = self.inputs(n)[k]
        self.stands_for.setdefault(new, self.stands_for.get(old, old))
        self.e.replace_operand(n, k, new)
        self.ins[n] = self.inputs(n)
        self.ins[n][k] = new

    def scale(self, n: str, k: int, key: Key, default: float = 1.0) -> None:
        """Scale the gradient through operand ``k`` of ``n`` by a leaf (its value stays)."""
        y = self.inputs(n)[k]
        frozen = self.op("stop_gradient", y)
        varying = self.op("mul", self.leaf(key, default), self.op("sub", y, frozen))
        self.replace(n, k, self.op("add", frozen, varying))

    def copy(self, n: str) -> str:
        """A new node computing ``n``'s op on ``n``'s current operands."""
        if n in self.defn:
            name, params = self.defn[n]
            return self.op(name, *self.inputs(n), **params)
        op = self.g.op_of(n)
        assert op is not None
        return self.op(op.name, *self.inputs(n), **self.g.params(n))

    def recompute(self, n: str, name: str, *xs: str, **params: Any) -> None:
        self.e.recompute(n, name, *xs, **params)
        self.ins[n], self.defn[n] = list(xs), (name, params)

    def route(self, local: str | None, x: str) -> str:
        """A zero-valued node through which ``x`` gets ``local`` times the gradient."""
        diff = self.op("sub", x, self.op("stop_gradient", x))
        return diff if local is None else self.op("mul", local, diff)

    def uses(self, a: str, b: str) -> list[tuple[str, int]]:
        """Where ``a`` (or what stands for it) is an operand inside ``b``'s expression."""
        return [(x, k) for x in self.g.expression(b) for k, u in enumerate(self.inputs(x))
                if self.stands_for.get(u, u) == a]


def build(trace: Trace, plan: Plan, env: Trace | None = None) -> Built:
    """The variant ``plan`` describes; ``env`` holds the values local derivatives are taken
    at (the student's forward values), default ``trace``'s."""
    g, env = trace.graph, env or trace
    s = _Surgery(g)
    probes = _probe(s, g, plan.grads)
    for b in sorted(plan.upstream - set(plan.grads), key=g.rank.__getitem__):
        for w, k in g.consumers(b):
            s.scale(w, k, ("keep", b))
    for a, b in sorted(plan.gates):
        uses = s.uses(a, b)
        for j, (x, k) in enumerate(uses):
            s.scale(x, k, ("gate", a, b))
            if len(uses) > 1:  # x + x: each use of x has a gate of its own too
                s.scale(x, k, ("use", a, b, j))
    for node, name in sorted(plan.ops.items()):
        s.recompute(node, name, *s.inputs(node))
    copies = {v: s.copy(v) for v in sorted(plan.values) if not g.is_leaf(v)}
    touched = set(copies) | set(plan.switch) | {b for _, b in plan.bypass}
    for b in sorted(touched, key=g.rank.__getitem__):
        _redefine(s, trace, env, plan, b, copies.get(b), probes)
    weights = {u: plan.grads[u] for u in plan.grads} | \
        {b: np.zeros(np.shape(trace.value(b))) for b in plan.upstream if b not in plan.grads}
    terms = [g.loss]
    for u in sorted(weights, key=g.rank.__getitem__):
        weight = np.broadcast_to(np.asarray(weights[u], dtype=float), np.shape(trace.value(u)))
        term = s.op("mul", s.leaf(("weight", u), weight), u)
        terms.append(s.op("sum", term) if weight.ndim else term)
    while len(terms) > 1:  # a balanced sum: a sheet of 5000 cells adds 13 levels, not 5000
        terms = [s.op("add", *terms[i:i + 2]) if i + 1 < len(terms) else terms[i]
                 for i in range(0, len(terms), 2)]
    return Built(s.e.build(loss=terms[0]), probes, copies, plan.negate, s.leaves, s.defaults)


def _probe(s: _Surgery, g: Graph, grads: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    probes: dict[str, dict[str, str]] = {}
    for u in sorted(grads, key=g.rank.__getitem__):
        probes[u] = {}
        for w, k in g.consumers(u):
            v = g.owner(w)
            if v not in probes[u]:
                probes[u][v] = s.op("stop_gradient", u)
            s.replace(w, k, probes[u][v])
    return probes


def _redefine(s: _Surgery, trace: Trace, env: Trace, plan: Plan, b: str, copy: str | None,
              probes: dict) -> None:
    """Give ``b`` its planned value (the student's or its own) and gradient routes."""
    operands = s.inputs(b)
    value = s.leaf(("value", b), plan.values[b]) if b in plan.values else None
    locals_ = _locals_at(trace, env, plan, b, len(operands)) \
        if b in plan.switch or value is not None else None
    needed = [(i, loc, x) for i, (loc, x) in enumerate(zip(locals_ or (), operands))
              if loc is not None and trace.requires_grad(s.stands_for.get(x, x))]
    if locals_ is not None and not all(np.all(np.isfinite(loc)) for _, loc, _ in needed):
        locals_, needed = None, []  # not defined here (a kink's tie, log of a negative)
    shape = np.shape(trace.value(b))
    routes = [_fit(s, s.route(s.leaf(("local", b, i), loc), x), np.shape(loc), shape)
              for i, loc, x in needed]
    for a, bb in sorted(plan.bypass):
        if bb == b:
            routes.extend(_bypass(s, trace, a, b, probes))
    core = None
    if locals_ is None:  # gradient through the op itself (a copy when the value differs)
        core = copy if copy is not None and value is not None else s.copy(b)
        routes.append(core)
    total = routes[0] if routes else s.const(np.zeros(shape))
    for r in routes[1:]:
        total = s.op("add", total, r)
    target = value if value is not None else (core or s.copy(b))
    s.recompute(b, "add", total, s.op("stop_gradient", s.op("sub", target, total)))


def _locals_at(trace: Trace, env: Trace, plan: Plan, b: str, n: int) -> tuple | None:
    """``b``'s local derivatives at the student's values, each at its full shape."""
    g = trace.graph
    op = g.op_of(b)
    assert op is not None
    out = np.asarray(plan.values[b], dtype=float) if b in plan.values else None
    found = op_locals(op, op_env(g, env, b, out=out), n)
    if found is None:
        return None
    shapes = [np.shape(env.value(u)) for u in g.inputs(b)]
    full = np.broadcast_shapes(*shapes, *(np.shape(x) for x in found))
    return tuple(np.broadcast_to(x, full) + 0.0 for x in found)


def _fit(s: _Surgery, route: str, have: tuple, want: tuple) -> str:
    """A route summed to a scalar node's shape (a loss of a vector operand)."""
    return s.op("sum", route) if want == () and have != () else route


def _bypass(s: _Surgery, trace: Trace, a: str, b: str, probes: dict) -> list[str]:
    """``b``'s gradient sent to ``a`` (or to its probe) unchanged, scaled by a leaf."""
    x = probes.get(a, {}).get(b, a)
    sa, sb = np.shape(trace.value(a)), np.shape(trace.value(b))
    if sa != sb and sa != () and sb != ():
        return []
    h = s.leaf(("bypass", a, b), 0.0)
    if sa == sb:
        return [s.op("mul", h, s.route(None, x))]
    if sa == ():
        return [s.op("mul", h, s.route(s.const(np.ones(sb)), x))]
    return [s.op("mul", h, s.route(None, s.op("sum", x)))]


def op_env(g: Graph, env: Trace, n: str, out: np.ndarray | None = None) -> dict[str, Any]:
    """The names an op record's templates use, at node ``n``: its operands by role, its
    value ``out``, its parameters and ``n`` (elements a mean divides by)."""
    op = g.op_of(n)
    assert op is not None
    ins = g.inputs(n)
    vals = {op.args[op.role(i, len(ins))]: np.asarray(env.value(u)) for i, u in enumerate(ins)}
    size = max((int(np.size(v)) for v in vals.values()), default=1)
    return {**g.params(n), **vals, "out": np.asarray(env.value(n)) if out is None else out,
            "n": float(size)}


@lru_cache(maxsize=512)
def _parse(template: str) -> F.Expr:
    return F.parse(template)


def op_locals(op: Op, env: Mapping[str, Any], n: int, piece: int | None = None
              ) -> tuple | None:
    """The local derivative per operand of an elementwise op at ``env``: from its
    ``local`` templates, or from the piece that holds (``piece``: that piece instead).
    ``None`` when the record does not give them elementwise."""
    if op.kind not in ELEMENTWISE or op.arity is None or n != op.arity or \
            (op.kind == "loss" and not op.broadcast):
        return None
    try:
        with np.errstate(all="ignore"):
            if op.local and piece is None:
                return tuple(np.asarray(F.evaluate(_parse(t), env, FUNCS), dtype=float)
                             for t in op.local)
            if not op.pieces:
                return None
            return tuple(_piecewise(op, env, i, piece) for i in range(n))
    except (KeyError, ValueError, TypeError, ZeroDivisionError):
        return None


def _piecewise(op: Op, env: Mapping[str, Any], i: int, piece: int | None) -> np.ndarray:
    if piece is not None:
        return np.asarray(F.evaluate(_parse(op.pieces[piece].local[i]), env, FUNCS), dtype=float)
    conds = [np.asarray(F.evaluate(_parse(p.when), env, FUNCS), dtype=bool) for p in op.pieces]
    vals = [np.asarray(F.evaluate(_parse(p.local[i]), env, FUNCS), dtype=float)
            for p in op.pieces]
    shape = np.broadcast_shapes(*(np.shape(c) for c in conds), *(np.shape(v) for v in vals))
    out = np.full(shape, np.nan)
    done = np.zeros(shape, dtype=bool)
    for c, v in zip(conds, vals):
        take = np.broadcast_to(c, shape) & ~done
        out = np.where(take, np.broadcast_to(v, shape), out)
        done |= take
    return out
