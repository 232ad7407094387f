"""Which branch a kinked op took, read from its op record's pieces and the trace's values.

The op record says where its derivative jumps (:class:`~gradviz.core.ops.Piece`: the
condition, the local derivative per operand on that side, the branch in words); this module
only finds the first piece whose condition holds for the operands' values (comparisons
only), and says so. The conventions at the kinks themselves are the op table's (ties ½/½,
ReLU′(0) = 0, LeakyReLU′(0) = 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gradviz.core import formula as F
from gradviz.core.evaluate import Trace
from gradviz.core.format import MINUS, fmt
from gradviz.core.ops import FUNCS, Op, Piece
from gradviz.core.typeset import to_plain

__all__ = ["Taken", "taken", "branch_sentence"]


@dataclass(frozen=True)
class Taken:
    """The branch a node's op took.

    Attributes
    ----------
    node : str
        The node.
    op : Op
        Its op record.
    piece : Piece
        The first piece whose condition holds.
    roles : dict
        Role name (``a``, ``x``, ``yhat``) → the operand node.
    values : dict
        Role name and parameter name → its value (floats).
    boundary : bool
        The operands sit exactly on the condition's boundary (a tie, or x = 0), where the
        op's convention (:attr:`Op.kink`) decides.
    """

    node: str
    op: Op
    piece: Piece
    roles: dict[str, str]
    values: dict[str, float]
    boundary: bool


def taken(trace: Trace, node: str) -> Taken | None:
    """The branch taken at ``node``; ``None`` for smooth ops, batches, and vectors (where
    each entry takes its own branch).

    Examples
    --------
    >>> from gradviz import evaluate, example
    >>> t = taken(evaluate(example("interesting")), "H5")
    >>> t.piece.when, t.roles, t.boundary
    ('a > b', {'a': 'H4', 'b': 'H1'}, False)
    """
    g = trace.graph
    op = g.op_of(node)
    if op is None or not op.pieces or trace.batch is not None or op.arity is None:
        return None
    ins = g.inputs(node)
    vals = [np.asarray(trace.value(u)) for u in ins]
    if any(v.ndim for v in vals):
        return None
    env: dict[str, float] = {**{k: float(v) for k, v in op.param_defaults().items()},
                             **g.params(node)}
    env.update({r: float(v) for r, v in zip(op.args, vals, strict=True)})
    for p in op.pieces:
        cond = F.parse(p.when)
        if bool(F.evaluate(cond, env, FUNCS)):
            edge = isinstance(cond, F.Cmp) and (cond.op == "==" or float(
                F.margin(cond, env, FUNCS)) == 0.0)
            return Taken(node, op, p, dict(zip(op.args, ins, strict=True)), env, edge)
    return None


def branch_sentence(trace: Trace, node: str) -> str | None:
    """The branch taken at ``node`` in words, with its local derivatives, or ``None``.

    Examples
    --------
    >>> from gradviz import evaluate, example
    >>> t = evaluate(example("interesting"))
    >>> branch_sentence(t, "H5")
    'Since H₄ > H₁ (2 > 1.5), H₅ takes H₄: ∂H₅/∂H₄ = 1, ∂H₅/∂H₁ = 0.'
    >>> branch_sentence(evaluate(example("two_layer_relu")), "h4")
    'Since h₂ ≤ 0 (−0.5 ≤ 0), h₄ is off: ∂h₄/∂h₂ = 0.'
    """
    t = taken(trace, node)
    if t is None:
        return None
    g = trace.graph
    names = {r: g.display_name(u) if " " not in g.display_name(u) else
             f"({g.display_name(u)})" for r, u in t.roles.items()}
    me = g.display_name(node)
    cond = F.parse(t.piece.when)
    number = {"n": F.Num(1.0), **{k: F.Num(v) for k, v in t.values.items()}}
    sym = to_plain(cond, name=lambda s: names.get(s, s))
    num = to_plain(F.subst(cond, number), number=lambda v: fmt(v, minus=MINUS))
    says = says_text(t, names, me, lambda v: fmt(v, minus=MINUS))
    locals_ = ", ".join(
        f"∂{me}/∂{names[r]} = {to_plain(halves(F.simplify(F.subst(F.parse(x), number))))}"
        for r, x in zip(t.op.args, t.piece.local, strict=True) if r in names and
        trace.requires_grad(t.roles[r]))
    kink = f" {t.op.kink}" if t.boundary and t.op.kink else ""
    return f"Since {sym} ({num}), {says}{': ' + locals_ if locals_ else ''}.{kink}"


def halves(e: F.Expr) -> F.Expr:
    """A number that is a half is written ½."""
    if isinstance(e, F.Num) and abs(e.value) == 0.5:
        return F.Div(F.Num(1.0 if e.value > 0 else -1.0), F.Num(2.0))
    return e


def says_text(t: Taken, names: dict[str, str], me: str,
              number: Callable[[float], str]) -> str:
    """The piece's words with the roles and parameters filled in."""
    fill = {**{k: number(v) for k, v in t.values.items()}, **names, "out": me}
    return t.piece.says.format(**fill)
