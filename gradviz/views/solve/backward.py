"""The backward pass of a solution, one block per step node: which nodes use it, each local
derivative as a formula, with numbers, and its value; the chain rule summed over every
user, first in symbols, then with numbers, then each product, then the sum; a standard
simplification (σ with BCE gives ŷ − y) where the op records name one.

Scalars are written as products of numbers; vectors and matrices in the vector form of the
op records' chain templates (δhᵀ, Wᵀδ, g ⊙ f′(z)), with numbers where they are small.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gradviz.core import formula as F
from gradviz.core.formula import Add, Call, Expr, Mul, Num
from gradviz.core.typeset import FUNCTIONS
from gradviz.views.branches import taken
from gradviz.views.solve.algebra import MAX_ITEMS, template
from gradviz.views.solve.forward import says, value_rhs
from gradviz.views.solve.lines import Context, Eq, Line, Rhs, Text

__all__ = ["backward_line", "Term"]

_MATRIX_FORMS = {"matmul", "T", "outer", "index", "sum", "diag", "onehot"}


@dataclass
class Term:
    """What one user ``v`` of ``u`` adds to ∂L/∂u."""

    v: str
    kind: str  # direct (v is the loss), scalar (a product of numbers) or vector
    upstream: np.ndarray | None
    parts: list[np.ndarray]  # the contributions (one, unless u enters v's formula twice)
    local: np.ndarray | None  # ∂v/∂u, when small
    formula: Expr | None  # ∂v/∂u as a formula (v a scalar)
    vjp: Expr | None  # the contribution in vector form


def _parts(ctx: Context, u: str, v: str) -> list[np.ndarray]:
    parts = [e.contribution for e in ctx.steps.edges(u, v) if e.contribution is not None]
    if len(parts) > 1 and ctx.steps.self_contained(v):
        total = ctx.trace.through(u, v)  # the trace's own sum of them
        if total is not None:
            return [total]
    return parts


def _local(ctx: Context, u: str, v: str) -> np.ndarray | None:
    """∂v/∂u from the trace, when it is small and the trace's path is the step's."""
    st, tr = ctx.steps, ctx.trace
    if ctx.alg.size(u) * ctx.alg.size(v) > MAX_ITEMS or len(st.graph.inputs(v)) > MAX_ITEMS:
        return None  # big, or costly to read (a neuron with many inputs: its vector form)
    edges = st.edges(u, v)
    if len(edges) == 1 and edges[0].dst == v:
        return edges[0].local
    if st.self_contained(v):
        return tr.local_through(v, u, limit=MAX_ITEMS)
    return None


MAX_USERS = 12  # chain-rule terms written out; the sum's value is the trace's anyway


def terms(ctx: Context, u: str) -> list[Term]:
    """The chain-rule terms of ∂L/∂u, one per step node using ``u`` (the first
    :data:`MAX_USERS` of them)."""
    out = []
    for v in ctx.steps.consumers[u][:MAX_USERS]:
        parts = _parts(ctx, u, v)
        if not parts:
            continue
        scalar_v = ctx.alg.size(v) == 1
        local = _local(ctx, u, v) if scalar_v else None
        formula = ctx.alg.local(v, u) if scalar_v else None
        kind = "direct" if v == ctx.trace.loss else "scalar" if local is not None and \
            len(parts) == 1 else "vector"
        up = ctx.trace.grad(v)
        vjp = ctx.alg.vjp(v, u, ctx.sym.grad(v)) if kind == "vector" else None
        out.append(Term(v, kind, up, parts, local, formula, vjp))
    return out


def _sum(xs: list[Expr]) -> Expr:
    total = xs[0]
    for x in xs[1:]:
        total = Add(total, x)
    return total


def _symbolic(ctx: Context, u: str, t: Term) -> Expr | None:
    if t.kind == "direct":
        return t.formula
    if t.kind == "scalar":
        return Mul(ctx.sym.grad(t.v), ctx.sym.d(t.v, u))
    return t.vjp


def _numbers(ctx: Context, t: Term) -> Expr | None:
    num = ctx.num
    if t.kind == "direct" and t.formula is not None:
        return num.substitute(t.formula)
    if t.kind == "scalar":
        up, loc = num.literal(t.upstream), num.literal(t.local)
        return None if up is None or loc is None else Mul(up, loc)
    if t.vjp is not None and not F.calls(t.vjp) & _MATRIX_FORMS:
        return num.substitute(t.vjp, known=_derivatives(ctx, t.v))
    return None


def _derivatives(ctx: Context, v: str) -> dict[Expr, Expr]:
    """The values of the activation derivatives ``f′(z)`` in ``v``'s formula (the diagonal
    of the trace's local Jacobian), where they are small enough to write."""
    g = ctx.steps.graph
    out: dict[Expr, Expr] = {}
    for w in ctx.steps.expression(v):
        op = g.op_of(w)
        if op is None or op.kind != "activation" or ctx.alg.size(w) > MAX_ITEMS:
            continue
        edge = ctx.trace.edge(w, 0)
        if edge.contribution is None:
            continue
        local = np.asarray(edge.local)
        values = np.diagonal(local) if local.ndim == 2 else local
        lit = ctx.num.literal(values)
        if lit is not None:
            arg = ctx.alg.env(w, v)[op.args[0]]
            out[Call(op.name + "'", (arg,))] = lit
    return out


def _contributions(ctx: Context, ts: list[Term]) -> Expr | None:
    lits = [ctx.num.literal(p) for t in ts for p in t.parts]
    return None if any(x is None for x in lits) else _sum(lits)  # type: ignore[arg-type]


def chain_eq(ctx: Context, u: str, ts: list[Term]) -> Eq:
    """∂L/∂u = Σ ∂L/∂v · ∂v/∂u = numbers = products = sum ≈ value."""
    sym = ctx.sym
    more: list[Expr] = [Call("ellipsis", ())] if len(ctx.steps.consumers[u]) > MAX_USERS \
        else []
    rhs: list[Rhs] = []
    if u in ctx.steps.deltas:
        rhs.append(Rhs("=", sym.partial(u)))
    symbolic = [x for x in (_symbolic(ctx, u, t) for t in ts) if x is not None]
    if ts and len(symbolic) == len(ts):
        rhs.append(Rhs("=", _sum(symbolic + more)))
    numbers = [x for x in (_numbers(ctx, t) for t in ts) if x is not None]
    contrib = _contributions(ctx, ts) if ts and not more else None
    if ts and len(numbers) == len(ts):
        rhs.append(Rhs("=", _sum(numbers + more), numbers=True))
        if len(ts) > 1 and contrib is not None and contrib != rhs[-1].expr:
            rhs.append(Rhs("=", contrib, numbers=True))
    elif contrib is not None and ts:
        rhs.append(Rhs("=", contrib, numbers=True))
    grad = ctx.trace.grad(u)
    last, note = value_rhs(ctx, grad, rhs[-1].expr if rhs else None)
    if last is not None:
        rhs.append(last)
    if not ts:
        rhs = [Rhs("=", Num(0.0))]
        note = (f"({ctx.sym.plain(sym.node(u).name)} does not reach the loss)",)
    return Eq(sym.grad(u), rhs, note)


def local_eq(ctx: Context, u: str, t: Term) -> Eq | None:
    """∂v/∂u = formula (= what it stands for) = numbers ≈ value, with the branch taken."""
    if t.kind != "scalar" or t.formula is None:
        return None
    rhs = [Rhs("=", t.formula)]
    note: Text = ()
    f = t.formula
    if isinstance(f, Call) and f.fn.endswith("'") and len(f.args) == 1:
        expanded, note = _activation(ctx, t.v, f)
        rhs += [Rhs("=", e) for e in expanded if e != rhs[-1].expr]
    else:
        note = _branch_reference(ctx, t.v)
    sub = ctx.substitute(rhs[-1].expr)
    if sub is not None and sub != rhs[-1].expr and not isinstance(rhs[-1].expr, Num):
        rhs.append(Rhs("=", sub, numbers=True))
    last, words = value_rhs(ctx, t.local, rhs[-1].expr)
    if last is not None:
        rhs.append(last)
    return Eq(ctx.sym.d(t.v, u), rhs, note or words)


def _activation(ctx: Context, v: str, f: Call) -> tuple[list[Expr], Text]:
    """σ′(z) = σ(z)(1 − σ(z)) = Ŷ(1 − Ŷ); LeakyReLU′(z) = 0.1 (the branch taken)."""
    g = ctx.steps.graph
    ops = {w: g.op_of(w) for w in ctx.steps.expression(v)}
    w = next((w for w, op in ops.items() if op is not None and op.name + "'" == f.fn), None)
    op = ops.get(w) if w is not None else None
    if w is None or op is None:
        return [], ()
    t = taken(ctx.trace, w)
    env = ctx.alg.env(w, v)
    if t is not None:
        local = F.simplify(F.subst(template(t.piece.local[0]), env))
        return [local], ("(", *says(ctx, t, v), ")")
    if not op.local:
        return [], ()
    own = ctx.alg.apply(w, v)
    forms = [F.subst(template(op.local[0]), {**env, "out": own})]
    if w == v:
        forms.append(F.subst(template(op.local[0]), env))
    return forms, ()


def _branch_reference(ctx: Context, v: str) -> Text:
    for w in ctx.steps.expression(v):
        t = taken(ctx.trace, w)
        if t is not None:
            return ("(", *says(ctx, t, v), ")")
    return ()


def through_eq(ctx: Context, u: str) -> tuple[Text, Eq] | None:
    """The standard simplification at an activation's input followed by a loss: the op
    records' ``through`` (σ with BCE: δ = ŷ − y; softmax with cross-entropy: δ = ŷ − y)."""
    st, g = ctx.steps, ctx.steps.graph
    if u not in st.deltas or len(st.consumers[u]) != 1:
        return None
    v = st.consumers[u][0]
    users = st.consumers.get(v, [])
    if len(users) != 1 or st.expression(users[0]) != [users[0]]:
        return None
    loss = users[0]
    act, lop = g.op_of(v), g.op_of(loss)
    if act is None or lop is None or g.inputs(loss)[0] != v:
        return None
    rule = dict(lop.through).get(act.name)
    if rule is None:
        return None
    env = ctx.alg.env(loss, loss)
    e = F.simplify(F.subst(template(rule), env))
    rhs = [Rhs("=", e)]
    sub = ctx.substitute(e)
    if sub is not None:
        rhs.append(Rhs("=", sub, numbers=True))
    last, note = value_rhs(ctx, ctx.trace.grad(u), rhs[-1].expr)
    if last is not None:
        rhs.append(last)
    words = (f"{_fn(act.name)} followed by {_fn(lop.name)}: the factors cancel, and the "
             "chain rule simplifies to",)
    return words, Eq(ctx.sym.grad(u), rhs, note)


def backward_line(ctx: Context, u: str, asked: bool) -> Line:
    """The backward block of step ``u``."""
    sym = ctx.sym
    ts = terms(ctx, u)
    eqs = [e for e in (local_eq(ctx, u, t) for t in ts) if e is not None]
    eqs.append(chain_eq(ctx, u, ts))
    users = [sym.node(t.v) for t in ts]
    intro: Text = ()
    count = len(ctx.steps.consumers[u])
    if count > len(users):
        intro = (sym.node(u), f" is used by {count} nodes; the first {len(users)} terms of "
                 "the chain rule are written out: ", *_and(users), ".")
    elif users:
        intro = (sym.node(u), " is used only by " if len(users) == 1 else " is used by ",
                 *_and(users), ".")
    notes: list = []
    simple = through_eq(ctx, u)
    if simple is not None:
        notes += list(simple)
    title = (sym.nabla(u),) if asked else (F.Cmp("==", sym.grad(u), sym.partial(u)),) \
        if u in ctx.steps.deltas else (sym.grad(u),)
    data = {"node": ctx.steps.display.get(u, u), "asked": asked,
            "consumers": [ctx.steps.display.get(t.v, t.v) for t in ts],
            "terms": [_term_data(ctx, u, t) for t in ts],
            "grad": ctx.num.data(ctx.trace.grad(u))}
    return Line(u, "backward", eqs, title=title, intro=intro, notes=notes, data=data)


def _term_data(ctx: Context, u: str, t: Term) -> dict:
    num = ctx.num
    total = t.parts[0] if len(t.parts) == 1 else None
    return {"via": ctx.steps.display.get(t.v, t.v), "upstream": num.data(t.upstream),
            "local": None if t.local is None else num.data(t.local),
            "local_formula": t.formula, "vector_form": t.vjp,
            "contribution": num.data(total) if total is not None else
            [num.data(p) for p in t.parts]}


def _fn(name: str) -> str:
    return FUNCTIONS.get(name, (name,))[0]


def _and(items: list) -> list:
    if len(items) <= 1:
        return items
    out: list = []
    for i, x in enumerate(items):
        if i:
            out.append(" and " if i == len(items) - 1 else ", ")
        out.append(x)
    return out
