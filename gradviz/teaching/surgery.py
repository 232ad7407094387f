"""Graph variants for the checker: the student's own numbers, and each mistake model.

A :class:`Plan` says, declaratively, what differs from the problem's graph; :func:`build`
turns it into a Graph (through :class:`~gradviz.core.edit.GraphEdit`) that the core
evaluates. Nothing here computes a gradient: the evaluator does, on the variant.

* ``values``: nodes whose value is the student's (a forward cell). The node keeps the
  student's number, and its local derivatives are taken at that number (``σ′ = Ŷ(1 − Ŷ)``
  with the student's Ŷ) where the op's record gives them elementwise, else through a copy
  of the op.
* ``grads``: nodes whose gradient is the student's (a gradient cell). Every edge out of
  the node is cut and read by a *probe* (a ``stop_gradient`` of the node, one per named
  consumer), and ``sum(g · node)`` joins the loss, so the node passes exactly the
  student's gradient on to its inputs. What reaches a probe is what the chain rule sends
  the node through that consumer, from the student's own upstream numbers.
* ``cuts`` ``(a, b)``: the edges from ``a`` into ``b``'s expression carry no gradient (a
  path left out of a sum).
* ``locals``: a node whose local derivatives are others (a wrong branch, the wrong
  activation's derivative).
* ``identity`` ``(a, b)``: the gradient of ``b`` reaches ``a`` without ``b``'s local
  derivative (the upstream gradient passed straight through).
* ``flips`` ``(a, b)``: the gradient from ``b`` reaches ``a`` with the opposite sign (the
  sign of one local derivative ∂b/∂a wrong).
* ``negate``: quantities whose read-out is negated (a sign error).
* ``ops``: nodes computed by another op of the table (σ where the problem has tanh).

Examples
--------
>>> from gradviz import evaluate, example
>>> t = evaluate(example("interesting"))
>>> b = build(t, Plan(grads={"H3": -0.6225, "H4": 0.6225, "H5": 0.6225}))
>>> round(float(b.read(evaluate(b.graph, check_finite=False), "∇H1")), 4)
-1.4525
>>> b = build(t, Plan(grads={"H3": -0.6225, "H4": 0.6225, "H5": 0.6225},
...                   cuts=frozenset({("H1", "H3")})))
>>> round(float(b.read(evaluate(b.graph, check_finite=False), "∇H1")), 4)
-0.83
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from gradviz.core import formula as F
from gradviz.core.edit import GraphEdit
from gradviz.core.evaluate import Trace
from gradviz.core.graph import Graph
from gradviz.core.ops import FUNCS, Op

__all__ = ["Plan", "Built", "build", "op_locals", "op_env", "ELEMENTWISE"]

ELEMENTWISE = ("arith", "elementwise", "activation", "loss")


@dataclass(frozen=True)
class Plan:
    """What a variant changes (see the module docstring)."""

    values: Mapping[str, Any] = field(default_factory=dict)
    grads: Mapping[str, Any] = field(default_factory=dict)
    cuts: frozenset = frozenset()
    locals: Mapping[str, tuple] = field(default_factory=dict)
    identity: frozenset = frozenset()
    flips: frozenset = frozenset()
    negate: frozenset = frozenset()
    ops: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Built:
    """A variant graph and where to read each quantity in its evaluation."""

    graph: Graph
    probes: dict[str, dict[str, str]]  # node -> {named consumer: probe}
    copies: dict[str, str]  # value cell -> node holding its value from its inputs
    negate: frozenset

    def read(self, t: Trace, quantity: str) -> np.ndarray:
        """A quantity (``∇u`` or ``v``) as the variant gives it."""
        if quantity.startswith("∇"):
            u = quantity[1:]
            if u in self.probes:
                parts = [np.asarray(t.grad(p)) for p in self.probes[u].values()]
                out = sum(parts[1:], parts[0]) if parts else np.zeros(np.shape(t.value(u)))
            else:
                g = t.grad(u)
                out = np.zeros(np.shape(t.value(u))) if g is None else np.asarray(g)
        else:
            out = np.asarray(t.value(self.copies.get(quantity, quantity)))
        return -out if quantity in self.negate else out

    def through(self, t: Trace, u: str) -> dict[str, np.ndarray]:
        """What each named consumer sends a probed node (the terms of its chain rule)."""
        return {v: np.asarray(t.grad(p)) for v, p in self.probes.get(u, {}).items()}


class _Surgery:
    """A GraphEdit that remembers each node's current operands."""

    def __init__(self, graph: Graph) -> None:
        self.g, self.e = graph, GraphEdit(graph)
        self.ins: dict[str, list[str]] = {}
        self.defn: dict[str, tuple[str, dict]] = {}
        self.stands_for: dict[str, str] = {}  # a node put in place of an operand -> it

    def inputs(self, n: str) -> list[str]:
        return self.ins[n] if n in self.ins else list(self.g.inputs(n))

    def op(self, name: str, *xs: str, **params: Any) -> str:
        n = self.e.op(name, *xs, **params)
        self.ins[n], self.defn[n] = list(xs), (name, params)
        return n

    def const(self, value: Any) -> str:
        return self.e.const(np.asarray(value, dtype=float))

    def replace(self, n: str, k: int, new: str) -> None:
        old = self.inputs(n)[k]
        self.stands_for.setdefault(new, self.stands_for.get(old, old))
        self.e.replace_operand(n, k, new)
        self.ins[n] = self.inputs(n)
        self.ins[n][k] = new

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

    def route(self, local: Any, x: str) -> str:
        """A zero-valued node through which ``x`` gets ``local`` times the gradient."""
        diff = self.op("sub", x, self.op("stop_gradient", x))
        return diff if local is None else self.op("mul", self.const(local), diff)


def build(trace: Trace, plan: Plan, env: Trace | None = None) -> Built:
    """The variant ``plan`` describes; ``env`` holds the values local derivatives are taken
    at (the student's forward values), default ``trace``'s."""
    g, env = trace.graph, env or trace
    s = _Surgery(g)
    probes = _probe(s, g, plan.grads)
    for a, b in sorted(plan.cuts):
        for x, k in _uses(s, g, a, b, probes):
            s.replace(x, k, s.op("stop_gradient", a))
    for a, b in sorted(plan.flips):
        for x, k in _uses(s, g, a, b, probes):
            y = s.inputs(x)[k]
            minus = s.op("neg", y)
            s.replace(x, k, s.op("add", minus, s.op("stop_gradient", s.op("sub", y, minus))))
    for node, name in sorted(plan.ops.items()):
        s.recompute(node, name, *s.inputs(node))
    copies = {v: s.copy(v) for v in sorted(plan.values) if not g.is_leaf(v)}
    touched = set(copies) | set(plan.locals) | {b for _, b in plan.identity}
    for b in sorted(touched, key=g.rank.__getitem__):
        _redefine(s, trace, env, plan, b, copies.get(b), probes)
    loss = g.loss
    if plan.grads:
        weights = {u: np.broadcast_to(np.asarray(w, dtype=float), np.shape(trace.value(u)))
                   for u, w in plan.grads.items()}
        loss = s.e.op("add", g.loss, s.e.weighted_sum(weights))
    return Built(s.e.build(loss=loss), probes, copies, plan.negate)


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


def _uses(s: _Surgery, g: Graph, a: str, b: str, probes: dict) -> list[tuple[str, int]]:
    """Where ``a`` (or its probe) is an operand inside ``b``'s expression, as wired now."""
    mine = {a} | ({probes[a][b]} if b in probes.get(a, {}) else set())
    return [(x, k) for x in g.expression(b) for k, u in enumerate(s.inputs(x)) if u in mine]


def _redefine(s: _Surgery, trace: Trace, env: Trace, plan: Plan, b: str, copy: str | None,
              probes: dict) -> None:
    """Give ``b`` its planned value (the student's or its own) and gradient routes."""
    g = trace.graph
    operands = s.inputs(b)
    value = s.const(plan.values[b]) if b in plan.values and not g.is_leaf(b) else None
    locals_ = plan.locals.get(b)
    if locals_ is None and value is not None:
        op = g.op_of(b)
        assert op is not None
        locals_ = op_locals(op, op_env(g, env, b, out=np.asarray(plan.values[b], dtype=float)),
                            len(operands))
    shape = np.shape(trace.value(b))
    needed = [(loc, x) for loc, x in zip(locals_ or (), operands)
              if loc is not None and trace.requires_grad(s.stands_for.get(x, x))]
    if locals_ is not None and not all(np.all(np.isfinite(loc)) for loc, _ in needed):
        locals_, needed = None, []  # not defined here (a kink's tie, log of a negative)
    routes = [_fit(s, s.route(loc, x), np.shape(loc), shape) for loc, x in needed]
    for a, bb in sorted(plan.identity):
        if bb == b:
            routes.extend(_identity_routes(s, trace, a, b, probes))
    if locals_ is None:  # gradient through the op itself (a copy when the value differs)
        core = copy if copy is not None and value is not None else s.copy(b)
        routes.append(core)
        base = core
    else:
        base = None
    total = routes[0] if routes else s.const(np.zeros(np.shape(trace.value(b))))
    for r in routes[1:]:
        total = s.op("add", total, r)
    target = value if value is not None else (base or s.copy(b))
    s.recompute(b, "add", total, s.op("stop_gradient", s.op("sub", target, total)))


def _fit(s: _Surgery, route: str, have: tuple, want: tuple) -> str:
    """A route summed to a scalar node's shape (a loss of a vector operand)."""
    return s.op("sum", route) if want == () and have != () else route


def _identity_routes(s: _Surgery, trace: Trace, a: str, b: str, probes: dict) -> list[str]:
    """``b``'s gradient sent to ``a`` (or to its probe) unchanged, shapes permitting."""
    x = probes.get(a, {}).get(b, a)
    sa, sb = np.shape(trace.value(a)), np.shape(trace.value(b))
    if sa == sb:
        return [s.route(None, x)]
    if sa == ():
        return [s.route(np.ones(sb), x)]
    if sb == ():
        return [s.route(None, s.op("sum", x))]
    return []


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
