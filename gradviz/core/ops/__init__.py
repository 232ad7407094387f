"""The op table: every operation gradviz knows, one record each.

A record (:class:`Op`) is the single source of every fact about its op: the forward
function and the vector-Jacobian product (one gradient per operand); the display symbol
and how the op is written (infix operator and precedence, or a call); its forward
formula and its local derivative per operand as formula templates
(:mod:`gradviz.core.formula`), which the solutions render and the tests check against the
VJP; its branch structure (:class:`Piece`: where the derivative jumps and each side's
derivative), which the story, the solutions, the checker's branch variants, the
generator's margins and the plots all read; and the convention it takes at a kink.

Adding an op is one record in one of the modules below plus its row in the op tests;
``tests/core/test_ops.py`` walks the whole table, so nothing else can be forgotten.

Array convention
----------------
Every array an op sees has one leading *batch* axis (size 1 for a single evaluation),
followed by the node's own ("core") shape: a scalar node is ``(B,)``, a vector ``(B, n)``,
a matrix ``(B, m, n)``. Ops work on the trailing axes only. Ops marked ``broadcast`` get
their inputs padded to a common core rank by the evaluator, so numpy broadcasting
combines scalars with vectors; a VJP may return a gradient in the broadcast shape, and the
backward pass un-broadcasts it (once, for every op).

Examples
--------
>>> OPS["mul"].symbol, OPS["mul"].local
('×', ('b', 'a'))
>>> [p.when for p in OPS["relu"].pieces]
['x > 0', 'x <= 0']
>>> import numpy as np
>>> float(OPS["sigmoid"].forward(np.array([1000.0]))[0])
1.0
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Op", "Piece", "OPS", "ACTIVATIONS", "LOSSES", "KINDS", "register"]

Array = np.ndarray
KINDS = ("arith", "elementwise", "activation", "reduce", "linalg", "structure", "softmax",
         "loss")


@dataclass(frozen=True)
class Piece:
    """One branch of an op whose derivative is piecewise.

    Attributes
    ----------
    when : str
        The condition on the operands (a formula template: ``"x > 0"``, ``"a > b"``,
        ``"y*s < 1"``). An op's pieces are tried in order; the first that holds applies.
    local : tuple of str
        The local derivative for each operand on this branch (formula templates).
    says : str
        The branch in words for the solutions, with operand roles in braces
        (``"takes {a}"``, ``"is off"``).
    """

    when: str
    local: tuple[str, ...]
    says: str = ""


@dataclass(frozen=True)
class Op:
    """One record of the op table.

    Attributes
    ----------
    name : str
        The name used in graph files and the Python builder.
    symbol : str
        What a diagram shows inside the op node ("+", "×", "σ", ...).
    arity : int or None
        Number of operands; ``None`` for variadic ops (``stack``, ``affine``).
    args : tuple of str
        The operands' roles, the names the formula templates use (``("a", "b")``).
    forward : callable
        ``forward(*xs, **params) -> out`` on batch-leading float64 arrays.
    vjp : callable
        ``vjp(g, out, *xs, **params) -> tuple`` with one gradient per operand.
    formula : str
        The forward value as a formula template over the roles and params
        (``"max(x, slope*x)"``); for a variadic op, one repetition of its roles.
    local : tuple of str
        The local derivative ∂out/∂operand per role (templates; ``out`` is the op's own
        value, ``n`` the number of elements a mean divides by). Empty for ops whose
        derivative is only given by :attr:`pieces` or :attr:`chain`.
    chain : tuple of str
        For vector and matrix ops: what the chain rule sends to each role, a template of
        the upstream gradient ``g`` (``"g @ T(B)"``); elementwise ops send ``g · local``.
    pieces : tuple of Piece
        The branch structure where the derivative jumps (empty for smooth ops).
    kink : str
        The convention at the kink, or the domain rule, in words ("" if none).
    domain : tuple of str
        Conditions the operands must meet for the op to be defined and differentiable
        (``div``: ``"abs(b) > 0"``); generated problems keep a margin from them.
    definition : str
        What a named function stands for, as a template (``sigmoid``: ``"1/(1 + exp(-x))"``).
    params : tuple of (name, default) pairs
        Numeric parameters such as the leaky slope.
    kind : str
        One of :data:`KINDS`.
    broadcast : bool
        Operands are padded to a common core rank and broadcast elementwise.
    infix, pretty : str or None
        The operator written between operands in graph files (``"*"``) and on display
        (``"·"``); ``None`` for ops written as calls.
    precedence : int or None
        Binding strength of the infix form (``+`` 1, ``·`` 2, unary minus 3, ``^`` 4).
    roles : callable or None
        For variadic ops: ``roles(i, n)``, the role of operand ``i`` of ``n``.
    through : tuple of (str, str)
        Losses: the standard simplification when the prediction comes straight out of an
        op: ``(op name, ∂loss/∂(that op's input))``, e.g. σ then BCE gives
        ``("sigmoid", "(out_in - y)/n")``.
    stacked : (callable, callable) or None
        Variadic ops with many operands: ``forward(X)`` and ``vjp(g, out, X)`` on the
        operands stacked along a leading axis (a neuron with 129 operands is three numpy
        calls); ``forward`` and ``vjp`` are built on them.
    forward_out : bool
        ``forward`` takes ``out=``, an array of the value's exact shape, and writes the
        value there, bit for bit what it returns without it (numpy's ufuncs do). The
        compiled evaluator passes the node's value slot: no copy into it afterwards.
    into : bool
        The VJP takes ``into=(array or None, ...)``, one per operand, and writes the
        gradients there, each in its operand's exact shape (``None``: a new array), bit
        for bit what it returns without them. The compiled evaluator passes a single
        node's gradient slots: a weight gradient is the largest array of a pass, and
        copying it into its slot would cost as much as making it (``matmul``).
    """

    name: str
    symbol: str
    arity: int | None
    args: tuple[str, ...]
    forward: Callable[..., Array]
    vjp: Callable[..., tuple]
    formula: str
    local: tuple[str, ...] = ()
    chain: tuple[str, ...] = ()
    pieces: tuple[Piece, ...] = ()
    kink: str = ""
    domain: tuple[str, ...] = ()
    definition: str = ""
    params: tuple[tuple[str, float], ...] = ()
    kind: str = "arith"
    broadcast: bool = False
    infix: str | None = None
    pretty: str | None = None
    precedence: int | None = None
    roles: Callable[[int, int], int] | None = None
    through: tuple[tuple[str, str], ...] = ()
    stacked: tuple[Callable[..., Array], Callable[..., Array]] | None = None
    forward_out: bool = False
    into: bool = False

    def param_defaults(self) -> dict[str, float]:
        """The op's parameters with their default values."""
        return dict(self.params)

    def role(self, i: int, n: int) -> int:
        """Which role (index into :attr:`args`) operand ``i`` of ``n`` plays."""
        if self.arity is not None:
            return i
        return self.roles(i, n) if self.roles else 0

    def prec(self, pretty: bool = False) -> int | None:
        """Precedence of the written form (graph file or display); ``None`` for a call."""
        written = self.pretty if pretty else self.infix
        return self.precedence if written else None

    def kinks(self, **params: float) -> tuple[float, ...]:
        """Points where a unary op's derivative jumps (``relu``: ``(0.0,)``), read from
        its pieces' conditions ``x OP c`` (plots draw a jump there)."""
        from gradviz.core import formula as F

        out = []
        env: dict[str, Any] = {**self.param_defaults(), **params}
        for p in self.pieces:
            cond = F.parse(p.when)
            if isinstance(cond, F.Cmp) and cond.a == F.Sym(self.args[0]) and \
                    not F.free_symbols(cond.b) - set(env):
                out.append(float(F.evaluate(cond.b, env, FUNCS)))
        return tuple(sorted(set(out)))


OPS: dict[str, Op] = {}
FUNCS: dict[str, Callable[..., Any]] = {}  # what formula templates call, by name


def register(**kw: Any) -> Op:
    """Add one record to :data:`OPS` (used by the modules of this package only).

    Examples
    --------
    >>> op = register(name="double_demo", symbol="2·", arity=1, args=("x",),
    ...               forward=lambda x: 2.0 * x, vjp=lambda g, out, x: (2.0 * g,),
    ...               formula="2*x", local=("2",))
    >>> OPS["double_demo"] is op, op.forward(np.array([1.5])).tolist()
    (True, [3.0])
    >>> del OPS["double_demo"]  # a demonstration only: leave the table as it was
    """
    record = Op(**kw)
    assert record.name not in OPS, record.name
    OPS[record.name] = record
    return record


from gradviz.core.ops import arith, tensor, activations, losses  # noqa: E402,F401,I001

ACTIVATIONS: tuple[str, ...] = tuple(n for n, o in OPS.items() if o.kind == "activation")
LOSSES: tuple[str, ...] = tuple(n for n, o in OPS.items() if o.kind == "loss")
