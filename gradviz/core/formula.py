"""Symbolic op-table formulas: parse, substitute, simplify, evaluate.

Templates are Python syntax over operand names (``"-a/b**2"``, ``"x >= 0"``, ``"g @ T(B)"``),
parsed behind an allowlist, never ``eval``. Negative literals are ``Num(-v)``; ``Neg(Num(v))``
prints the same. ``a @ b`` reads as ``matmul(a, b)``. Typesetting (plain Unicode, LaTeX,
MathML, Python source) is :mod:`gradviz.core.typeset`.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = ["Num", "Sym", "Neg", "Add", "Sub", "Mul", "Div", "Pow", "Call", "Cmp", "Expr",
           "parse", "subst", "simplify", "evaluate", "free_symbols", "calls", "margin", "CmpOp",
           "children", "transform"]

Array: TypeAlias = npt.NDArray[Any]
Funcs: TypeAlias = Mapping[str, Callable[..., Array]]
CmpOp: TypeAlias = Literal["<", "<=", ">", ">=", "=="]
_CMPF: dict[str, np.ufunc] = {"<": np.less, "<=": np.less_equal, ">": np.greater,
                              ">=": np.greater_equal, "==": np.equal}

@dataclass(frozen=True)
class Num:
    """A number; negative literals are ``Num(-v)``."""
    value: float

@dataclass(frozen=True)
class Sym:
    """A symbol (operand name) such as ``x``, ``W2`` or ``out``."""
    name: str

@dataclass(frozen=True)
class Neg:
    """Unary minus ``-x``."""
    x: Expr

@dataclass(frozen=True)
class _Bin:
    a: Expr
    b: Expr

class Add(_Bin):
    """Sum ``a + b``."""
class Sub(_Bin):
    """Difference ``a - b``."""
class Mul(_Bin):
    """Product ``a * b``."""
class Div(_Bin):
    """Quotient ``a / b``."""
class Pow(_Bin):
    """Power ``a ** b``."""

@dataclass(frozen=True)
class Call:
    """Call ``fn(*args)`` of a function by name."""
    fn: str
    args: tuple[Expr, ...]

@dataclass(frozen=True)
class Cmp:
    """Comparison ``a op b`` with ``op`` one of ``< <= > >= ==``."""
    op: CmpOp
    a: Expr
    b: Expr

Expr: TypeAlias = Num | Sym | Neg | Add | Sub | Mul | Div | Pow | Call | Cmp
_BINS = (Add, Sub, Mul, Div, Pow)
_ZERO, _ONE = Num(0.0), Num(1.0)  # Num(0) == Num(-0.0) == _ZERO
_ARITH = {Add: np.add, Sub: np.subtract, Mul: np.multiply, Div: np.divide, Pow: np.power}
_AST_BIN: dict[type[ast.operator], Callable[[Expr, Expr], Expr]] = {
    **dict(zip([ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow], _BINS, strict=True)),
    ast.MatMult: lambda a, b: Call("matmul", (a, b))}
_AST_CMP: dict[type[ast.cmpop], CmpOp] = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">",
                                          ast.GtE: ">=", ast.Eq: "=="}

def parse(text: str) -> Expr:
    """Parse Python syntax behind an allowlist; ``ValueError`` says what is not allowed.

    Allowed: numbers, names not starting with ``_``, ``+ - * / ** @``, unary ``-`` and ``+``,
    calls of a plain name with positional arguments, one comparison at the top.

    Examples
    --------
    >>> parse("-a/b**2")
    Div(a=Neg(x=Sym(name='a')), b=Pow(a=Sym(name='b'), b=Num(value=2.0)))
    >>> parse("g @ B")
    Call(fn='matmul', args=(Sym(name='g'), Sym(name='B')))
    """
    if len(text) > 2000:  # a formula, not a program
        raise ValueError("formula longer than 2000 characters")
    try:
        body = ast.parse(text.strip(), mode="eval").body
        if not isinstance(body, ast.Compare):
            return _node(body, text)
        op = _AST_CMP.get(type(body.ops[0]))
        if len(body.ops) > 1 or op is None:
            raise ValueError(f"formula {text!r}: allowed is one comparison < <= > >= ==")
        return Cmp(op, _node(body.left, text), _node(body.comparators[0], text))
    except (SyntaxError, RecursionError, OverflowError) as exc:  # deep nesting, 10**400
        raise ValueError(f"cannot parse formula {text!r}: {exc}") from None

def _node(n: ast.AST, text: str) -> Expr:
    c = n.value if isinstance(n, ast.Constant) else None
    if isinstance(c, int | float) and not isinstance(c, bool):
        return Num(float(c))
    if isinstance(n, ast.Name) and not n.id.startswith("_"):
        return Sym(n.id)
    if isinstance(n, ast.BinOp) and type(n.op) in _AST_BIN:
        return _AST_BIN[type(n.op)](_node(n.left, text), _node(n.right, text))
    if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.UAdd | ast.USub):
        x, literal = _node(n.operand, text), isinstance(n.operand, ast.Constant)
        return x if isinstance(n.op, ast.UAdd) else \
            Num(-x.value) if literal and isinstance(x, Num) else Neg(x)
    if isinstance(n, ast.Call) and not n.keywords:
        if isinstance(n.func, ast.Name) and not n.func.id.startswith("_"):
            return Call(n.func.id, tuple(_node(a, text) for a in n.args))
        n = n.func  # blame the callee
    what = "keyword arguments in" if isinstance(n, ast.Call) and n.keywords else type(n).__name__
    raise ValueError(f"{what} {ast.unparse(n)!r} is not allowed in formula {text!r}")

def _kids(e: Expr) -> tuple[Expr, ...]:
    return e.args if isinstance(e, Call) else (e.x,) if isinstance(e, Neg) else \
        (e.a, e.b) if isinstance(e, Cmp | _Bin) else ()

def _map(e: Expr, f: Callable[[Expr], Expr]) -> Expr:
    k = tuple(f(x) for x in _kids(e))
    return Call(e.fn, k) if isinstance(e, Call) else Neg(k[0]) if isinstance(e, Neg) else \
        Cmp(e.op, *k) if isinstance(e, Cmp) else type(e)(*k) if isinstance(e, _BINS) else e

def children(e: Expr) -> tuple[Expr, ...]:
    """The sub-expressions of ``e`` (operands, arguments).

    Examples
    --------
    >>> children(parse("a*b + max(x, 0)"))
    (Mul(a=Sym(name='a'), b=Sym(name='b')), Call(fn='max', args=(Sym(name='x'), Num(value=0.0))))
    >>> children(Sym("x"))
    ()
    """
    return _kids(e)

def transform(e: Expr, f: Callable[[Expr], Expr]) -> Expr:
    """``e`` with ``f`` applied to each of its children (one level, not recursive).

    Examples
    --------
    >>> from gradviz.core.typeset import to_python
    >>> to_python(transform(parse("a + b*c"), lambda k: Neg(k)))  # b*c negated whole, not b
    '-a + (-(b*c))'
    """
    return _map(e, f)

def subst(e: Expr, mapping: Mapping[str, Expr]) -> Expr:
    """Replace symbols by expressions, all at once (inserted expressions are not rescanned).

    Examples
    --------
    >>> from gradviz.core.typeset import to_python
    >>> to_python(subst(parse("a*b + a"), {"a": parse("x + 1"), "b": Sym("a")}))
    '(x + 1)*a + (x + 1)'
    """
    return mapping.get(e.name, e) if isinstance(e, Sym) else _map(e, lambda k: subst(k, mapping))

def free_symbols(e: Expr) -> frozenset[str]:
    """Names of the symbols in ``e``.

    Examples
    --------
    >>> sorted(free_symbols(parse("max(x, slope*x)")))
    ['slope', 'x']
    """
    return frozenset([e.name] if isinstance(e, Sym) else []).union(*map(free_symbols, _kids(e)))

def calls(e: Expr) -> frozenset[str]:
    """Names of the functions called in ``e``.

    Examples
    --------
    >>> sorted(calls(parse("sigmoid(x)*(1 - tanh(max(x, 0)))")))
    ['max', 'sigmoid', 'tanh']
    """
    return frozenset([e.fn] if isinstance(e, Call) else []).union(*map(calls, _kids(e)))

def _negated(e: Expr) -> Expr | None:  # b if e is -b (a negation or a negative number)
    return e.x if isinstance(e, Neg) else Num(-e.value) if isinstance(e, Num) and e.value < 0 \
        else None

def _step(e: Expr) -> Expr:  # one bottom-up pass: at most one rewrite per node
    e = _map(e, _step)
    if isinstance(e, Neg):
        return e.x.x if isinstance(e.x, Neg) else Num(-e.x.value) if isinstance(e.x, Num) else e
    if not isinstance(e, _BINS):
        return e
    a, b, nb = e.a, e.b, _negated(e.b)
    if isinstance(a, Num) and isinstance(b, Num):
        with np.errstate(all="ignore"):
            v = float(_ARITH[type(e)](float(a.value), float(b.value)))
        if math.isfinite(v):
            return Num(v)
    if isinstance(e, Add | Sub):
        if a == _ZERO or b == _ZERO:
            return a if b == _ZERO else b if isinstance(e, Add) else Neg(b)
        if isinstance(e, Add) and a == b:
            return Mul(Num(2.0), a)
        return e if nb is None else Sub(a, nb) if isinstance(e, Add) else Add(a, nb)
    if isinstance(e, Pow):
        return a if b == _ONE else _ONE if b == _ZERO else e
    if b == _ONE or a == _ZERO:
        return a  # x*1, x/1, 0*x, 0/x
    if isinstance(e, Mul) and (b == _ZERO or a == _ONE):
        return b  # x*0, 1*x
    if isinstance(e, Mul) and (a == Num(-1.0) or b == Num(-1.0)):
        return Neg(b if a == Num(-1.0) else a)  # -1*x, x*(-1)
    if isinstance(a, Neg) or isinstance(b, Neg):
        return Neg(type(e)(a.x, b)) if isinstance(a, Neg) else Neg(type(e)(a, nb or b))
    if isinstance(e, Mul) and isinstance(b, Div) and b.a == _ONE:
        return Div(a, b.b)  # a*(1/b)
    if isinstance(e, Mul) and isinstance(a, Div) and not isinstance(b, Div):
        return Div(Mul(a.a, b), a.b)  # (a/b)*c, and then 1*c → c
    return Pow(a, Num(2.0)) if isinstance(e, Mul) and a == b else e

def simplify(e: Expr) -> Expr:
    """Light algebra, repeated until nothing changes (so it is idempotent).

    Folds finite constants, drops 0 and 1 where neutral, ``0*x`` → 0, ``x**0`` → 1, lifts
    minus signs out of products and quotients, ``a + (-b)`` ↔ ``a - b``, ``--x`` → ``x``,
    ``a*(1/b)`` and ``(a/b)*c`` → ``a*c/b``, ``x*x`` → ``x**2``, ``x + x`` → ``2*x``,
    ``-1*x`` → ``-x``; leaves calls alone.

    Examples
    --------
    >>> from gradviz.core.typeset import to_python
    >>> to_python(simplify(parse("-(-x)*(1/b) + 0*y - (-2) + (a/b)*(-c)")))
    'x/b + 2 - a*c/b'
    """
    while repr(new := _step(e)) != repr(e):  # repr, not ==, since Num(nan) != Num(nan)
        e = new
    return e

def evaluate(e: Expr, env: Mapping[str, float | Array], funcs: Funcs) -> Array:
    """Evaluate with numpy broadcasting; comparisons give boolean arrays.

    ``KeyError`` names a symbol missing from ``env`` or a function missing from ``funcs``.

    Examples
    --------
    >>> evaluate(parse("max(x, 0.1*x)"), {"x": np.array([-2.0, 3.0])}, {"max": np.maximum})
    array([-0.2,  3. ])
    >>> evaluate(parse("y*s < 1"), {"y": 1.0, "s": np.array([0.5, 2.0])}, {})
    array([ True, False])
    """
    if isinstance(e, Sym) and e.name not in env:
        raise KeyError(f"unknown symbol {e.name!r}")
    if isinstance(e, Num | Sym):
        return np.asarray(e.value if isinstance(e, Num) else env[e.name], dtype=float)
    if isinstance(e, Call) and e.fn not in funcs:
        raise KeyError(f"unknown function {e.fn!r}")
    f = funcs[e.fn] if isinstance(e, Call) else np.negative if isinstance(e, Neg) else \
        _CMPF[e.op] if isinstance(e, Cmp) else _ARITH[type(e)]
    return np.asarray(f(*(evaluate(k, env, funcs) for k in _kids(e))))

def margin(cond: Cmp, env: Mapping[str, float | Array], funcs: Funcs) -> Array:
    """Distance ``|lhs - rhs|`` of a comparison from its boundary (to keep off kinks).

    Examples
    --------
    >>> margin(Cmp("<", parse("y*s"), Num(1)), {"y": 1.0, "s": np.array([0.5, 2.0])}, {})
    array([0.5, 1. ])
    """
    return np.asarray(np.abs(evaluate(cond.a, env, funcs) - evaluate(cond.b, env, funcs)))
