"""The forward pass of a solution: each step's formula in the course's notation, what an
activation or a loss stands for, the numbers substituted, and the value; the branch a kink
or a min/max took, stated once, where it is taken."""

from __future__ import annotations

from string import Formatter

import numpy as np

from gradviz.core import formula as F
from gradviz.core.formula import Expr, Num
from gradviz.core.typeset import to_plain
from gradviz.views.branches import Taken, halves, taken
from gradviz.views.solve.algebra import template
from gradviz.views.solve.lines import Context, Eq, Line, Rhs, Text

__all__ = ["forward_line", "branch_notes", "says", "value_rhs", "SHORT_DEFINITION"]

SHORT_DEFINITION = 24  # an activation's definition longer than this is not written out


def value_rhs(ctx: Context, value: object, last: Expr | None = None) -> tuple[Rhs | None, Text]:
    """``≈ 0.3775`` for a value (nothing if ``last`` already shows it; words if too big)."""
    lit = ctx.num.literal(value)
    if lit is None:
        return None, (f"({shape_words(value)}, not written out)",)
    if lit == last:
        return None, ()
    return Rhs(ctx.num.rel(value), lit, numbers=True), ()


def shape_words(value: object) -> str:
    """``a vector of 1000 numbers``, ``a 1000 × 1000 matrix``."""
    shape = np.asarray(value).shape
    if len(shape) == 1:
        return f"a vector of {shape[0]} numbers"
    return f"a {shape[0]} × {shape[1]} matrix" if len(shape) == 2 else "a number"


def _definition(ctx: Context, v: str, f: Expr) -> Expr | None:
    op = ctx.steps.graph.op_of(v)
    d = ctx.alg.definition(v)
    if d is None or d == f or op is None:
        return None
    if op.kind != "loss" and len(to_plain(template(op.definition))) > SHORT_DEFINITION:
        return None
    return d


_SUMS = ("add", "sub")


def _reduced(ctx: Context, v: str) -> Expr | None:
    """``v``'s formula with each unnamed intermediate replaced by its value from the trace,
    sums kept as sums (``1.5 × 1``, ``−1 + 1 + (−0.5)``); ``None`` if nothing is folded."""
    st, g = ctx.steps, ctx.steps.graph
    op = g.op_of(v)
    if op is None or op.arity is None or not any(st.owner.get(u) == v for u in g.inputs(v)):
        return None
    return _values(ctx, v, v, top=True)


def _values(ctx: Context, w: str, v: str, top: bool = False) -> Expr | None:
    g = ctx.steps.graph
    op = g.op_of(w)
    if op is None or not (top or ctx.steps.owner.get(w) == v) or \
            (not top and op.name not in _SUMS):
        return ctx.num.literal(ctx.trace.value(w))
    xs = []
    for u in g.inputs(w):
        x = _values(ctx, u, v) if op.name in _SUMS else ctx.num.literal(ctx.trace.value(u))
        if x is None:
            return None
        xs.append(x)
    return ctx.alg.apply(w, v, xs)


def forward_line(ctx: Context, v: str) -> Line:
    """The forward line of step ``v``: formula = definition = numbers = value."""
    f = ctx.alg.formula(v)
    rhs = [Rhs("=", f)]
    d = _definition(ctx, v, f)
    if d is not None:
        rhs.append(Rhs("=", d))
    sub = ctx.substitute(d if d is not None else f)
    if sub is not None and sub != rhs[-1].expr:
        rhs.append(Rhs("=", sub, numbers=True))
        short = F.simplify(sub) if d is not None else _reduced(ctx, v)
        if short is not None and short != sub:
            rhs.append(Rhs("=", short, numbers=True))
    value = ctx.trace.value(v)
    last, note = value_rhs(ctx, value, rhs[-1].expr)
    if last is not None:
        rhs.append(last)
    kind = "loss" if v == ctx.trace.loss else "forward"
    data = {"node": ctx.steps.display.get(v, v), "kind": kind, "value": ctx.num.data(value)}
    return Line(v, kind, [Eq(ctx.sym.node(v), rhs, note)], notes=list(branch_notes(ctx, v)),
                data=data)


def branch_notes(ctx: Context, v: str) -> list[Text | Eq]:
    """The branch taken by every kinked op in ``v``'s formula, in words."""
    out: list[Text | Eq] = []
    for w in ctx.steps.expression(v):
        t = taken(ctx.trace, w)
        if t is not None:
            out.append(_branch(ctx, t, v))
    return out


def _branch(ctx: Context, t: Taken, v: str) -> Text:
    env = ctx.alg.env(t.node, v)
    cond = F.parse(t.piece.when)
    sym = F.subst(cond, env)
    values = {r: Num(float(ctx.trace.value(u))) for r, u in t.roles.items()}
    num = F.subst(cond, {**env, **values})
    words: list = ["Since ", sym, " (", num, "), ", *says(ctx, t, v)]
    first = True
    for r, u in t.roles.items():
        if not ctx.steps.is_step(u) or not ctx.trace.requires_grad(u) or t.node != v:
            continue
        local = halves(F.simplify(F.subst(template(t.piece.local[t.op.args.index(r)]), env)))
        words += [": " if first else ", ", F.Cmp("==", ctx.sym.d(v, u), local)]
        first = False
    words.append(".")
    if t.boundary and t.op.kink:
        words.append(" " + t.op.kink)
    return tuple(words)


def says(ctx: Context, t: Taken, v: str) -> Text:
    """The piece's words, its roles and parameters as math (``H₅ takes H₄``)."""
    env = ctx.alg.env(t.node, v)
    out: list = []
    for literal_text, field, _, _ in Formatter().parse(t.piece.says):
        if literal_text:
            out.append(literal_text)
        if field:
            out.append(env.get(field, Num(t.values.get(field, 0.0))))
    return tuple(out)
