"""The worked solution of one evaluated trace, as data every output format renders.

:func:`solution` reads the trace (values, gradients, the chain rule edge by edge) and the op
records (formulas, local derivatives, branches, simplifications); it never evaluates a
graph. What is too big to write out is summarised (:data:`MAX_STEPS` steps per pass,
:data:`MAX_ROWS` answer rows, arrays of more than a dozen numbers by their shape).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gradviz.core.errors import GradvizError
from gradviz.core.evaluate import Trace
from gradviz.core.formula import Cmp, Expr, Mul, Sub
from gradviz.core.ops import Op
from gradviz.core.typeset import FUNCTIONS, to_plain
from gradviz.views.answers import asked, learning_rate
from gradviz.views.solve.algebra import Algebra, template
from gradviz.views.solve.backward import backward_line
from gradviz.views.solve.forward import forward_line, shape_words, value_rhs
from gradviz.views.solve.lines import Context, Eq, Line, Rhs, Text
from gradviz.views.solve.numbers import Numbers
from gradviz.views.solve.steps import backward_order, steps_of
from gradviz.views.solve.symbols import Symbols

__all__ = ["Solution", "solution", "MAX_STEPS", "MAX_ROWS"]

MAX_STEPS = 200  # forward lines and backward blocks written out (each)
MAX_ROWS = 1000  # rows of the answer table
MAX_GIVEN = 60  # given values listed per kind
MAX_NAMES = 12  # temporary names and error signals listed in the notation
KINDS = (("input", "Inputs"), ("param", "Parameters"), ("target", "Targets"),
         ("const", "Constants"))


@dataclass
class Solution:
    """A worked solution: given values, notation, forward, backward, updates, answers."""

    trace: Trace
    ctx: Context
    given: list[tuple[str, list[Text]]]
    notation: list[Text]
    forward: list[Line]
    backward: list[Line]
    updates: list[Line]
    answers: list[tuple[str, Expr, np.ndarray]]
    omitted: list[Text] = field(default_factory=list)

    @property
    def sym(self) -> Symbols:
        return self.ctx.sym

    @property
    def num(self) -> Numbers:
        return self.ctx.num


def _given(ctx: Context) -> list[tuple[str, list[Text]]]:
    g = ctx.steps.graph
    leaves = [n for n in g.leaves() if not g.is_generated(n)]
    leaves.sort(key=lambda n: (g.position(n)[0] or 0, g.rank[n]))
    out = []
    for kind, title in KINDS:
        items: list[Text] = []
        these = [n for n in leaves if g.kind(n) == kind]
        for n in these[:MAX_GIVEN]:
            lit = ctx.num.literal(g.default(n) if ctx.trace.batch is None else
                                  ctx.trace.value(n))
            items.append((Cmp("==", ctx.sym.node(n), lit),) if lit is not None else
                         (ctx.sym.node(n), f" ({shape_words(g.default(n))})"))
        if len(these) > MAX_GIVEN:
            items.append((f"and {len(these) - MAX_GIVEN} more",))
        if items:
            out.append((title, items))
    return out


def _notation(ctx: Context, used: list[Op], vector: bool) -> list[Text]:
    st, sym = ctx.steps, ctx.sym
    out: list[Text] = []
    temps = [n for n in st.nodes if n in st.display]
    if temps:
        names = [Cmp("==", sym.node(n), ctx.alg.formula(n)) for n in temps[:MAX_NAMES]]
        out.append(("Unnamed intermediate values get a name: ", *_commas(names),
                    *_more(len(temps)), "."))
    deltas = [n for n in st.nodes if n in st.deltas]
    if deltas:
        ds = [Cmp("==", sym.grad(n), sym.partial(n)) for n in deltas[:MAX_NAMES]]
        out.append(("The error signal at an activation's input is ", *_commas(ds),
                    *_more(len(deltas)), "."))
    for op in used:
        out.append(_activation_words(ctx, op))
    if vector:
        out.append(("⊙ is the elementwise product, and Aᵀ the transpose of A.",))
    out.append((f"Numbers have {ctx.num.digits} significant figures (", sym.mark("≈"),
                " marks a rounded value); every step uses full-precision values, so redoing "
                "the arithmetic with the rounded numbers can differ in the last digit.",))
    return out


def _activation_words(ctx: Context, op: Op) -> Text:
    """``σ(x) = 1/(1 + e^{−x})``, and its derivative (piecewise, or as a formula)."""
    from gradviz.core import formula as F

    x = ctx.sym.var("x")
    params = {k: F.Num(v) for k, v in ctx.steps.graph.params(_first_use(ctx, op)).items()}
    env: dict[str, Expr] = {"x": x, **params, "out": F.Call(op.name, (x,))}
    words: list = [FUNCTIONS.get(op.name, (op.name,))[0], ": "]
    if op.definition and _short(op.definition):
        words += [Cmp("==", F.Call(op.name, (x,)), F.simplify(F.subst(
            template(op.definition), env))), "; "]
    prime = F.Call(op.name + "'", (x,))
    if not op.pieces and not (op.local and _short(op.local[0])):
        return (*words, "its derivative is written out where it is used.")
    if op.pieces:
        for i, p in enumerate(op.pieces):
            local = F.simplify(F.subst(template(p.local[0]), env))
            words += [", " if i else "", Cmp("==", prime, local) if not i else local, " if ",
                      F.subst(template(p.when), env)]
    elif op.local:
        words.append(Cmp("==", prime, F.subst(template(op.local[0]), env)))
    return (*words, ".")


def _short(text: str) -> bool:
    """A formula short enough for a sentence (longer ones are written where used)."""
    return len(to_plain(template(text))) <= 40


def _first_use(ctx: Context, op: Op) -> str:
    g = ctx.steps.graph
    return next(n for n in g.order if g.op_of(n) is op)


def _more(count: int) -> tuple:
    return (f", and {count - MAX_NAMES} more",) if count > MAX_NAMES else ()


def _commas(items: list) -> list:
    out: list = []
    for i, x in enumerate(items):
        out += ([", "] if i else []) + [x]
    return out


def _used_activations(ctx: Context) -> list[Op]:
    g, seen = ctx.steps.graph, {}
    for n in g.order:
        op = g.op_of(n)
        if op is not None and op.kind == "activation" and op.name not in seen:
            seen[op.name] = op
    return list(seen.values())


def _updates(ctx: Context, asks: list[tuple[str, np.ndarray]]) -> list[Line]:
    sym, num = ctx.sym, ctx.num
    out = []
    for q, value in asks:
        if not q.endswith("+"):
            continue
        w = q[:-1]
        rule = Sub(sym.node(w), Mul(sym.eta(), sym.grad(w)))
        rhs = [Rhs("=", rule)]
        sub = num.substitute(rule)
        if sub is not None:
            rhs.append(Rhs("=", sub, numbers=True))
        last, note = value_rhs(ctx, value, rhs[-1].expr)
        if last is not None:
            rhs.append(last)
        out.append(Line(w, "update", [Eq(sym.plus(w), rhs, note)],
                        data={"node": w, "lr": num.lr, "value": num.data(value)}))
    return out


def _label(sym: Symbols, q: str) -> Expr:
    if q.startswith("∇"):
        return sym.nabla(q[1:])
    if q.endswith("+"):
        return sym.plus(q[:-1])
    return sym.node(q)


def solution(trace: Trace, digits: int = 4) -> Solution:
    """The worked solution of one evaluated (unbatched) trace.

    Examples
    --------
    >>> from gradviz import evaluate, example
    >>> s = solution(evaluate(example("interesting")))
    >>> [s.sym.plain(x.name) if hasattr(x, "name") else "" for x in s.backward[0].title]
    ['∂L/∂Ŷ']
    >>> s.num.text(s.answers[0][2])
    '0.3775'
    """
    if trace.batch is not None:
        raise GradvizError("a solution is written for one variant; evaluate without a batch")
    st = steps_of(trace)
    asks = [(q, np.asarray(v)) for q, v in asked(trace) if v is not None]
    updates = {q[:-1]: v for q, v in asks if q.endswith("+")}
    sym = Symbols(st.display, st.deltas, trace.loss)
    num = Numbers(trace, sym, digits, updates, learning_rate(trace.graph) if updates else None)
    ctx = Context(trace, st, sym, Algebra(st, sym), num)
    computed = [n for n in st.nodes if not trace.graph.is_leaf(n)]
    forward = [forward_line(ctx, v) for v in computed[:MAX_STEPS]]
    grads = list(dict.fromkeys([q[1:] for q, _ in asks if q.startswith("∇")] + list(updates)))
    order = backward_order(st, grads)
    backward = [backward_line(ctx, u, u in grads) for u in order[:MAX_STEPS]]
    omitted: list[Text] = []
    if len(computed) > MAX_STEPS:
        omitted.append((f"The forward pass has {len(computed)} steps; the first {MAX_STEPS} "
                        "are written out.",))
    if len(order) > MAX_STEPS:
        omitted.append((f"The backward pass has {len(order)} blocks; the first {MAX_STEPS} "
                        "are written out, and every asked value is in the answer table.",))
    vector = any(np.size(trace.value(n)) > 1 for n in computed)
    answers = [(q, _label(sym, q), v) for q, v in asks[:MAX_ROWS]]
    if len(asks) > MAX_ROWS:
        omitted.append((f"The answer table has {len(asks)} rows; the first {MAX_ROWS} are "
                        "written out.",))
    return Solution(trace, ctx, _given(ctx), _notation(ctx, _used_activations(ctx), vector),
                    forward, backward, _updates(ctx, asks), answers, omitted)

