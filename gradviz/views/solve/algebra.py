"""The symbolic side of a solution, built from the op records' templates: a step's formula,
its definition, each local derivative, and the chain rule in vector form.

Everything here is a :mod:`gradviz.core.formula` tree over the :class:`Symbols` of the
solution; numbers enter only as values read from the trace (:func:`literal`). The local
derivative ∂v/∂u across the unnamed intermediates of ``v`` is the chain rule of the op
records composed top-down (:func:`vjp` with the upstream gradient 1), so ``H₄ = W₂H₂/H₁``
gives ``∂H₄/∂H₁ = −W₂H₂/H₁²`` and ``∂H₄/∂H₂ = W₂/H₁``; an activation's derivative is
written ``f′(x)``, and an entry picked out of a stacked vector is the entry itself.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from gradviz.core import formula as F
from gradviz.core.formula import Add, Call, Expr, Mul, Num, Sym
from gradviz.core.ops import Op
from gradviz.views.branches import halves, taken
from gradviz.views.solve.steps import ACTIVATION_KINDS, Steps
from gradviz.views.solve.symbols import Symbols

__all__ = ["Algebra", "literal", "MAX_TERMS", "MAX_ITEMS"]

MAX_TERMS = 8  # a weighted sum with more terms is written with an ellipsis
MAX_ITEMS = 12  # an array with more numbers is not substituted into a formula
_ELEMENTWISE = {"exp", "log", "sqrt", "abs", "sign", "sigmoid", "tanh", "hadamard", "max",
                "min", "Phi", "phi", "stack", "vector"}
_SCALAR_VALUED = {"sum", "mean", "dot", "norm"}


@lru_cache(maxsize=512)
def template(text: str) -> Expr:
    """A parsed op template (parsed once)."""
    return F.parse(text)


def literal(value: np.ndarray, limit: int = MAX_ITEMS) -> Expr | None:
    """A value as a formula: a number, a vector or a matrix; ``None`` if it has more than
    ``limit`` numbers (too big to write into a formula)."""
    a = np.asarray(value, dtype=np.float64)
    if a.size > limit:
        return None
    if a.ndim == 0:
        return Num(float(a))
    if a.ndim == 1:
        return Call("vector", tuple(Num(float(x)) for x in a))
    return Call("matrix", tuple(Call("row", tuple(Num(float(x)) for x in r)) for r in a))


class Algebra:
    """Formulas of one solution's steps."""

    def __init__(self, steps: Steps, symbols: Symbols) -> None:
        self.st, self.sym, self.g, self.tr = steps, symbols, steps.graph, steps.trace
        self._applied: dict[tuple[str, str], Expr] = {}
        self._pi = symbols.var("pi")

    # ----------------------------------------------------------------- operands
    def size(self, n: str) -> int:
        return int(np.size(self.tr.value(n)))

    def operand(self, v: str, u: str) -> Expr:
        """How operand ``u`` appears in the formula of step ``v``."""
        g = self.g
        if g.is_generated(u) and g.is_leaf(u):
            return literal(g.default(u)) or Sym("…")
        if self.st.owner.get(u) == v and u != v:
            return self.apply(u, v)
        return self.sym.node(u)

    def args(self, w: str, v: str) -> list[Expr]:
        return [self.operand(v, u) for u in self.g.inputs(w)]

    def env(self, w: str, v: str, out: bool = True, xs: list[Expr] | None = None,
            k: int | None = None) -> dict[str, Expr]:
        """Template symbols of node ``w`` (inside step ``v``): roles, params, out and n.

        For an op with a variable number of operands (``affine``), the roles are those
        around operand ``k``: the ``w`` paired with ``x₃`` is ``w₃``."""
        op = self.g.op_of(w)
        assert op is not None
        ins = self.g.inputs(w)
        env: dict[str, Expr] = {p: Num(float(x)) for p, x in self.g.params(w).items()}
        if op.arity is not None:
            for i, x in enumerate(self.args(w, v) if xs is None else xs):
                env[op.args[op.role(i, len(ins))]] = x
        elif k is not None:  # roles repeat in order (x, w, x, w, ..., b): look ahead or back
            own = op.role(k, len(ins))
            for r, role in enumerate(op.args):
                step = 1 if r > own else -1
                j = k
                while 0 <= j < len(ins) and op.role(j, len(ins)) != r:
                    j += step
                if 0 <= j < len(ins):
                    env[role] = xs[j] if xs is not None else self.operand(v, ins[j])
        if out:
            env["out"] = self.sym.node(w) if w == v else self.apply(w, v)
        if op.kind in ("loss", "reduce"):  # what a mean divides by
            env["n"] = Num(float(max(self.size(u) for u in ins)))
        env["pi"] = self._pi
        return env

    # ------------------------------------------------------------------ forward
    def apply(self, w: str, v: str, xs: list[Expr] | None = None) -> Expr:
        """The formula computing node ``w`` (inside step ``v``), operands as symbols (or
        as the given expressions ``xs``)."""
        op = self.g.op_of(w)
        assert op is not None
        if xs is None and (w, v) in self._applied:
            return self._applied[(w, v)]
        if op.arity is None:  # stack and affine: written with an ellipsis when long
            e = self._variadic(w, v, op.name, xs)
        else:
            args = self.args(w, v) if xs is None else xs
            e = F.subst(template(op.formula), self.env(w, v, out=False, xs=args))
        if xs is None:
            self._applied[(w, v)] = e
        return e

    def _variadic(self, w: str, v: str, name: str, xs: list[Expr] | None) -> Expr:
        """``[a, b, …, z]`` or ``x₁w₁ + x₂w₂ + … + b``, only the operands shown computed."""
        ins = self.g.inputs(w)
        step = 1 if name == "stack" else 2
        count = len(ins) // step
        keep = list(range(count)) if count <= MAX_TERMS else [0, 1, 2, count - 1]

        def x(i: int) -> Expr:
            return xs[i] if xs is not None else self.operand(v, ins[i])
        dots: Expr = Call("ellipsis", ())
        if name == "stack":
            items = [x(i) for i in keep]
            return Call("stack", tuple(items if count <= MAX_TERMS else
                                       items[:3] + [dots] + items[3:]))
        terms: list[Expr] = [Mul(x(2 * i), x(2 * i + 1)) for i in keep]
        if count > MAX_TERMS:
            terms = terms[:3] + [dots] + terms[3:]
        total: Expr = terms[0]
        for t in terms[1:] + [x(len(ins) - 1)]:
            total = Add(total, t)
        return total

    def formula(self, v: str) -> Expr:
        """The formula of step ``v`` (``W₁(X₁ + X₂)``)."""
        return self.apply(v, v)

    def definition(self, v: str) -> Expr | None:
        """What the op at the top of ``v`` stands for (``max(z₁, 0.1z₁)``), if it has a
        definition and is an activation or a loss."""
        op = self.g.op_of(v)
        if op is None or not op.definition or op.kind not in ACTIVATION_KINDS + ("loss",):
            return None
        env = self.env(v, v, out=False)
        scalar = all(self.size(u) == 1 for u in self.g.inputs(v))
        e = drop_reductions(template(op.definition)) if scalar else template(op.definition)
        e = self.unstack(F.subst(e, env))
        return F.simplify(e) if op.params else e

    def unstack(self, e: Expr) -> Expr:
        """``sum((stack(a, b) - stack(c, d))**2)`` → ``(a - c)**2 + (b - d)**2``."""
        if isinstance(e, Call) and e.fn == "sum" and len(e.args) == 1:
            n = _stack_len(e.args[0])
            if n:
                parts = [self.pick(e.args[0], i) for i in range(n)]
                total = parts[0]
                for p in parts[1:]:
                    total = Add(total, p)
                return total
        return F.transform(e, self.unstack)

    # --------------------------------------------------------------- backward
    def vjp(self, v: str, u: str, g: Expr) -> Expr | None:
        """What step ``v`` sends back to operand ``u`` given the upstream gradient ``g``,
        summed over every path inside ``v``'s formula; ``None`` if ``u`` is not used."""
        up: dict[str, Expr] = {v: g}
        pure = g == Num(1.0)  # a local derivative: its factors in reading order
        total: Expr | None = None
        for w in reversed(self.st.expression(v)):
            if w not in up:
                continue
            ins = self.g.inputs(w)
            for k, src in enumerate(ins):
                if src != u and self.st.owner.get(src) != v:
                    continue
                piece = _tidy(self.chain(w, v, k, up[w], pure))
                if src == u:
                    total = piece if total is None else Add(total, piece)
                else:
                    up[src] = piece if src not in up else Add(up[src], piece)
        return None if total is None else halves(F.simplify(_tidy(self.resolve(total))))

    def local(self, v: str, u: str) -> Expr | None:
        """∂v/∂u as a formula (``v`` a scalar)."""
        return self.vjp(v, u, Num(1.0))

    def chain(self, w: str, v: str, k: int, g: Expr, pure: bool = False) -> Expr:
        """The chain rule through operand ``k`` of node ``w``, from the op record."""
        op = self.g.op_of(w)
        assert op is not None
        ins = self.g.inputs(w)
        role = op.role(k, len(ins))
        env = self.env(w, v, k=k)
        if op.kind in ACTIVATION_KINDS and op.arity == 1 and op.kind != "softmax":
            return self.times(w, g, Call(op.name + "'", (env[op.args[0]],)), pure)
        if op.chain:
            env = {**env, "g": g, "i": Num(float(k if op.name == "stack" else
                                                 self.g.params(w).get("i", 0.0)))}
            return F.subst(template(op.chain[role]), env)
        local = self.piece_local(w, v, op, k) if op.pieces else \
            F.subst(template(op.local[role]), env)
        return self.unbroadcast(self.times(w, g, local, pure), w, ins[k])

    def piece_local(self, w: str, v: str, op: Op, k: int) -> Expr:
        """The local derivative on the branch taken (by name where it differs elementwise)."""
        t = taken(self.tr, w)
        if t is None:
            return self.sym.d(v, self.g.inputs(w)[k])
        return F.subst(template(t.piece.local[op.role(k, len(self.g.inputs(w)))]),
                       self.env(w, v))

    def times(self, w: str, g: Expr, local: Expr, pure: bool = False) -> Expr:
        """``g ⊙ local`` for vectors, ``g · local`` for scalars (``local · g`` in a local
        derivative, so that it reads ``X₁X₃``, not ``X₃X₁``)."""
        vector = self.size(w) > 1 and not isinstance(F.simplify(local), Num)
        if vector:
            return local if g == Num(1.0) else Call("hadamard", (g, local))
        return Mul(local, g) if pure else Mul(g, local)

    def unbroadcast(self, e: Expr, w: str, u: str) -> Expr:
        """A broadcast operand gets the sum of the gradient over the broadcast axes."""
        op = self.g.op_of(w)
        if op is not None and op.broadcast and self.size(u) < self.size(w):
            return Call("sum", (e,))
        return e

    # ------------------------------------------------------------------ indices
    def resolve(self, e: Expr) -> Expr:
        """Push ``index(x, i)`` into ``x``: an entry of a stack is that operand."""
        e = F.transform(e, self.resolve)
        if isinstance(e, Call) and e.fn == "index" and len(e.args) == 2 and \
                isinstance(e.args[1], Num):
            return self.pick(e.args[0], int(e.args[1].value))
        return e

    def pick(self, e: Expr, i: int) -> Expr:
        """Entry ``i`` of the elementwise expression ``e``."""
        if isinstance(e, Num):
            return e
        if isinstance(e, Sym):
            return self.entry(e, i)
        if isinstance(e, Call):
            if e.fn in ("stack", "vector"):
                return e.args[i]
            if e.fn in _SCALAR_VALUED:
                return e
            if e.fn not in _ELEMENTWISE and not e.fn.endswith("'"):
                return Call("index", (e, Num(float(i))))
        return F.transform(e, lambda x: self.pick(x, i))

    def entry(self, s: Sym, i: int) -> Expr:
        info = self.sym.symbol(s.name)
        if info is None or info.kind not in ("node", "d", "delta"):
            return s
        node = info.parts[-1] if info.kind == "d" else info.parts[0]
        if self.size(node) <= 1:
            return s
        if info.kind == "node":
            return self.sym.entry(node, i)
        return self.sym.grad_entry(node, i)


def _tidy(e: Expr) -> Expr:
    """Simplify, and drop a factor 1 from an elementwise product (``1 ⊙ x`` is ``x``)."""
    e = F.simplify(F.transform(e, _tidy))
    if isinstance(e, Call) and e.fn == "hadamard" and Num(1.0) in e.args:
        return e.args[1] if e.args[0] == Num(1.0) else e.args[0]
    return e


def _stack_len(e: Expr) -> int:
    """The length of the stacks an elementwise expression is made of (0 if none)."""
    if isinstance(e, Call) and e.fn == "stack":
        return len(e.args)
    if isinstance(e, Call) and e.fn not in _ELEMENTWISE:
        return 0
    return max((_stack_len(k) for k in F.children(e)), default=0)


def drop_reductions(e: Expr) -> Expr:
    """``mean(x)`` and ``sum(x)`` of a scalar are ``x``."""
    e = F.transform(e, drop_reductions)
    if isinstance(e, Call) and e.fn in ("mean", "sum") and len(e.args) == 1:
        return e.args[0]
    return e
