"""The mistakes TAs see every week, each a variant of the student's graph.

Every model is a :class:`~gradviz.teaching.surgery.Plan` on top of the student's own
numbers (:class:`~gradviz.teaching.carry.Carry`), evaluated by the core; :func:`models`
lists what each one gives for a cell, and the checker keeps those that match what the
student wrote (all of them: when two causes give the same number, both are said).

========================== ===========================================================
``sign``                   the same step with the opposite sign, or one local derivative
                           ∂b/∂a on the way with the opposite sign (``node``: b)
``missing_path``           one consumer edge ``a → b`` left out of a sum (``node``: b)
``wrong_branch``           the local derivative of another piece of a piecewise op (its
                           record's ``pieces``: kinks, min, max, clipping, margins),
                           at one element or all (``node``: the op's node)
``local_only``             the local derivative written without the upstream gradient
                           of ``b`` (taken as 1; ``node``: b)
``no_local``               the upstream gradient of ``b`` passed on without ``b``'s local
                           derivative (``node``: b)
``wrong_activation_derivative`` another activation's derivative, or one factor of it,
                           from the op table's activation records (``1 − ŷ`` for tanh′)
``forward``                (forward cells) an activation on the way computed as another
                           activation of the table (σ where the problem has tanh,
                           ReLU where it has leaky ReLU; ``node``: that activation)
========================== ===========================================================

``swap``, ``inherited``, ``forward`` (a wrong value no model explains) and ``arithmetic``
are decided by the checker from the sheet and the student's graph as a whole.

Examples
--------
>>> from gradviz import evaluate, example
>>> from gradviz.teaching.carry import Carry
>>> t = evaluate(example("interesting"))
>>> c = Carry(t, {}, {"H3": -0.6225, "H4": 0.6225, "H5": 0.6225})
>>> sorted({(m.cause, m.node) for m in models(c, "∇H1") if abs(float(m.value) + 0.83) < 1e-3})
[('missing_path', 'H3'), ('no_local', 'H5'), ('wrong_branch', 'H3'), ('wrong_branch', 'H5')]
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from gradviz.core import formula as F
from gradviz.core.graph import Graph
from gradviz.core.ops import FUNCS, OPS, Op
from gradviz.teaching.carry import Carry, _same
from gradviz.teaching.surgery import op_env, op_locals

__all__ = ["Model", "models", "CAUSES", "activation_alternatives", "MAX_ELEMENTS", "MAX_HOPS",
           "complete", "op_of"]

CAUSES = ("inherited", "swap", "sign", "missing_path", "wrong_branch", "local_only",
          "no_local", "wrong_activation_derivative", "forward", "arithmetic")
MAX_ELEMENTS = 16  # a vector op's elements flipped one at a time up to this size
MAX_HOPS = 40  # chain-rule hops searched per cell, nearest first (a deep chain: the first)


def complete(carry: Carry, quantity: str) -> bool:
    """Whether :func:`models` tried every hop of the cell's chain (not only the nearest)."""
    return not quantity.startswith("∇") or len(carry.chain(quantity[1:]).hops) <= MAX_HOPS


@dataclass(frozen=True)
class Model:
    """One mistake model's number for a cell, and what it names."""

    cause: str
    node: str | None
    value: np.ndarray
    detail: dict[str, Any] = field(default_factory=dict, compare=False)


def models(carry: Carry, quantity: str) -> list[Model]:
    """What each mistake model gives for ``quantity``, in :data:`CAUSES` order; models
    that change nothing are left out."""
    base = carry.read(quantity)
    out = [Model("sign", None, carry.variant(quantity, negate=frozenset({quantity})))]
    if quantity.startswith("∇"):
        out += _gradient_models(carry, quantity)
    else:
        out += _forward_models(carry, quantity)
    return [m for m in out if m.value.shape == base.shape and not _same(m.value, base)
            and bool(np.all(np.isfinite(m.value)))]


Setting = dict[tuple, Any]


def _gradient_models(carry: Carry, q: str) -> list[Model]:
    """Every model of a gradient cell, as leaf settings of one gated variant of the
    student's graph, evaluated in one batch."""
    g, u = carry.trace.graph, q[1:]
    chain = carry.chain(u)
    chain = dataclasses.replace(chain, hops=chain.hops[:MAX_HOPS])
    ops = _chain_ops(carry, chain)
    targets = sorted({b for _, b in chain.hops if b != g.loss}, key=g.rank.__getitem__)
    rows: list[tuple[str, str | None, dict, Setting]] = []
    for a, b in chain.hops:
        edge = {"edge": (a, b)}
        rows.append(("sign", b, edge, {("gate", a, b): -1.0}))
        if len(g.named_consumers(a)) > 1:
            rows.append(("missing_path", b, edge, {("gate", a, b): 0.0}))
        uses = sum(u == a for x in g.expression(b) for u in g.inputs(x))
        for j in range(uses if uses > 1 else 0):  # x + x counted once
            rows.append(("missing_path", b, {"edge": (a, b), "use": (j, uses)},
                         {("use", a, b, j): 0.0}))
        rows.append(("no_local", b, edge, {("gate", a, b): 0.0, ("bypass", a, b): 1.0}))
    ones = {b: np.ones(np.shape(carry.trace.value(b))) for b in targets}
    for a, b in chain.hops:
        if b in ones:
            rows.append(("local_only", b, {"edge": (a, b)},
                         {("keep", b): 0.0, ("weight", b): ones[b]}))
    direct = [b for b in targets if (u, b) in chain.hops]
    if len(direct) > 1:
        rows.append(("local_only", None, {"edge": (u, None)},
                     {k: v for b in direct for k, v in
                      {("keep", b): 0.0, ("weight", b): ones[b]}.items()}))
    for k in ops:
        for locals_, detail in _flips(carry, k):
            rows.append(("wrong_branch", k, detail,
                         {("local", k, i): x for i, x in enumerate(locals_)}))
        if op_of(g, k).kind == "activation":
            for local, detail in activation_alternatives(carry, k):
                rows.append(("wrong_activation_derivative", k, detail, {("local", k, 0): local}))
    values = carry.variants(q, [r[3] for r in rows], gates=frozenset(chain.hops),
                            bypass=frozenset(chain.hops), switch=frozenset(ops),
                            upstream=frozenset(targets))
    return [Model(cause, node, np.asarray(v), detail)
            for (cause, node, detail, _), v in zip(rows, values)]


def _chain_ops(carry: Carry, chain: Any) -> list[str]:
    """The op nodes whose local derivatives the chain from ``u`` multiplies by."""
    g = carry.trace.graph
    below = set(g.descendants(chain.u))
    ops = {x for _, b in chain.hops for x in g.expression(b) if x in below}
    return sorted(ops, key=g.rank.__getitem__)


def _flips(carry: Carry, k: str) -> list[tuple[tuple, dict[str, Any]]]:
    """Local derivatives of ``k`` with another piece taken: everywhere, or (vectors up to
    :data:`MAX_ELEMENTS`) at one element."""
    g = carry.trace.graph
    op = g.op_of(k)
    if op is None or not op.pieces:
        return []
    n = len(g.inputs(k))
    env = op_env(g, carry.env, k)
    taken = op_locals(op, env, n)
    if taken is None:
        return []
    shape = np.broadcast_shapes(*(np.shape(t) for t in taken))
    out = []
    for p, piece in enumerate(op.pieces):
        if "==" in piece.when:
            continue
        other = op_locals(op, env, n, piece=p)
        if other is None:
            continue
        other = tuple(np.broadcast_to(o, shape) + 0.0 for o in other)
        full = tuple(np.broadcast_to(t, shape) + 0.0 for t in taken)
        differs = np.zeros(shape, dtype=bool)
        for o, t in zip(other, full):
            differs |= ~np.isclose(o, t)
        if not differs.any():
            continue
        whole: dict[str, Any] = {"piece": p, "element": None}
        out.append((other, whole))
        if 1 < differs.size <= MAX_ELEMENTS and differs.sum() > 1:
            for j in zip(*np.nonzero(differs)):
                one = tuple(np.where(_at(shape, j), o, t) for o, t in zip(other, full))
                out.append((one, {"piece": p, "element": tuple(int(i) for i in j)}))
    return out


def op_of(g: Graph, n: str) -> Op:
    """The op record of a computed node."""
    op = g.op_of(n)
    if op is None:
        raise ValueError(f"{n!r} is not computed")
    return op


def _at(shape: tuple, j: tuple) -> np.ndarray:
    m = np.zeros(shape, dtype=bool)
    m[j] = True
    return m


@lru_cache(maxsize=1)
def _templates() -> tuple[tuple[str, str, F.Expr, str], ...]:
    """``(activation, template, expression, how)`` for every activation derivative in the
    op table: whole (``how`` = ``""``), one factor of a product (``factor``: a
    half-remembered derivative), or written in the input instead of the output
    (``input``)."""
    out: list[tuple[str, str, F.Expr, str]] = []
    for op in OPS.values():
        if op.kind != "activation" or op.arity != 1:
            continue
        if op.pieces:  # its derivative where it holds at this input: one entry
            out.append((op.name, "", F.Sym("x"), "pieces"))
        for text in op.local:
            expr = F.parse(text)
            parts = [(expr, "")] + [(f, "factor") for f in _factors(expr)]
            for e, how in parts:
                out.append((op.name, text, e, how))
                if "out" in F.free_symbols(e):
                    out.append((op.name, text, F.subst(e, {"out": F.Sym("x")}), "input"))
    return tuple(out)


def _factors(e: F.Expr) -> list[F.Expr]:
    """The factors of a product (none for anything else)."""
    if not isinstance(e, F.Mul):
        return []
    return [*(_factors(e.a) or [e.a]), *(_factors(e.b) or [e.b])]


def activation_alternatives(carry: Carry, k: str) -> list[tuple[np.ndarray, dict]]:
    """Other activations' derivatives at ``k``'s input and value, each number once, leaving
    out the right one and ``k``'s own other branches: for a smooth activation the smooth
    ones, their factors and their formulas in the input; for one with kinks, those with
    the same kinks (leaky ReLU taken as ReLU)."""
    g = carry.trace.graph
    op = op_of(g, k)
    env = op_env(g, carry.env, k)
    right = op_locals(op, env, 1)
    seen = [] if right is None else [np.asarray(right[0])]
    for p in range(len(op.pieces)):  # another piece of its own: a wrong branch, not this
        other = op_locals(op, env, 1, piece=p)
        if other is not None:
            seen.append(np.broadcast_to(other[0], np.shape(env["out"])) + 0.0)
    out = []
    kinks = op.kinks(**op.param_defaults()) if op.pieces else None
    for name, text, expr, how in _templates():
        if name == op.name and how in ("", "pieces"):
            continue
        if (how == "pieces") != bool(op.pieces) or \
                (how == "pieces" and OPS[name].kinks() != kinks):
            continue  # smooth for smooth; a piecewise one with the same kinks for a kink
        env_a = {**OPS[name].param_defaults(), "x": env["x"], "out": env["out"], "n": 1.0}
        try:
            with np.errstate(all="ignore"):
                v = (op_locals(OPS[name], env_a, 1) or (None,))[0] if how == "pieces" \
                    else F.evaluate(expr, env_a, FUNCS)
                if v is None:
                    continue
                v = np.broadcast_to(np.asarray(v, dtype=float), np.shape(env["out"])) + 0.0
        except (KeyError, ValueError, TypeError, IndexError):
            continue
        if not np.all(np.isfinite(v)) or any(_same(v, s) for s in seen):
            continue
        seen.append(v)
        out.append((v, {"activation": name, "template": text, "expr": expr, "how": how,
                        "local": v}))
    return out


def _forward_models(carry: Carry, q: str) -> list[Model]:
    """The cell's value with one activation before it (back to the student's other forward
    cells) replaced by each other activation of the op table."""
    out = []
    for k in _activations_before(carry, q):
        mine = op_of(carry.trace.graph, k)
        for name, other in OPS.items():
            if other.kind == "activation" and other.arity == 1 and name != mine.name:
                out.append(Model("forward", k, carry.variant(q, ops={k: name}),
                                 {"activation": name}))
    return out


def _activations_before(carry: Carry, q: str) -> list[str]:
    g = carry.trace.graph
    found, seen, todo = [], {q}, [q]
    while todo:
        n = todo.pop()
        op = g.op_of(n)
        if op is None:
            continue
        if op.kind == "activation" and op.arity == 1:
            found.append(n)
        for u in g.inputs(n):
            if u not in seen and u not in carry.values:
                seen.add(u)
                todo.append(u)
    return sorted(found, key=g.rank.__getitem__)
