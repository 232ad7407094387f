"""Line breaking for equation chains, shared by the writers.

An equation chain ``lhs = a = b ≈ c`` becomes rows that fit a width (measured on its plain
Unicode text, which is never narrower than the typeset one): steps are packed onto a row
while they fit, and a step too long for a row is broken before the ``+`` or ``−`` of its
sum, each piece on a row of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from gradviz.core.formula import Add, Call, Cmp, Div, Expr, Mul, Neg, Num, Pow, Sub, Sym
from gradviz.core.typeset import FUNCTIONS, to_plain
from gradviz.views.solve.lines import Eq, Rhs
from gradviz.views.solve.numbers import Numbers
from gradviz.views.solve.symbols import Symbols

__all__ = ["Piece", "rows", "width", "dedupe", "HOLE"]

HOLE = "§"  # the empty left operand of a continued sum ("+ (−0.8299)")


@dataclass(frozen=True)
class Piece:
    """One piece of a row: ``rel`` (``=``, ``≈``) and an expression, or a continued sum
    (``rel`` is ``""`` and ``expr`` is ``HOLE + term``)."""

    rel: str
    expr: Expr
    numbers: bool = False


def width(sym: Symbols, num: Numbers, e: Expr, numbers: bool = False) -> int:
    """About how many characters wide ``e`` is typeset (fractions stacked, exponents
    small), erring on the wide side."""
    return int(1.1 * _est(sym, num, e, numbers)) + 1


def _est(sym: Symbols, num: Numbers, e: Expr, numbers: bool) -> float:
    def w(x: Expr) -> float:
        return _est(sym, num, x, numbers)
    if isinstance(e, Num):
        return len(num.text(abs(e.value))) + (3.0 if e.value < 0 else 0.0)
    if isinstance(e, Sym):
        text = sym.plain(e.name)
        return float(max(len(p) for p in text.split("/")) + 1 if "/" in text else len(text))
    if isinstance(e, Neg):
        return 1 + w(e.x)
    if isinstance(e, Div):
        return max(w(e.a), w(e.b)) + 1
    if isinstance(e, Pow):
        return w(e.a) + 0.7 * w(e.b) + 2
    if isinstance(e, Add | Sub | Cmp):
        return w(e.a) + 3 + w(e.b)
    if isinstance(e, Mul):
        return w(e.a) + (3 if numbers else 1.5) + w(e.b) + 2
    if isinstance(e, Call):
        return _call(e, [w(x) for x in e.args])
    return float(len(str(e)))


def _call(e: Call, ws: list[float]) -> float:
    if e.fn == "matrix":
        rows = [a.args for a in e.args if isinstance(a, Call)]
        cols = max((len(r) for r in rows), default=1)
        return 3.0 + cols * 2 + max(ws, default=0.0)
    if e.fn in ("vector", "stack", "row"):
        return 2.0 + sum(ws) + 2 * len(ws)
    head = len(FUNCTIONS.get(e.fn.rstrip("'"), (e.fn,))[0]) + 1
    return head + 3 + sum(ws) + 2 * len(ws)


def dedupe(sym: Symbols, num: Numbers, eq: Eq) -> list[Rhs]:
    """The steps of a chain without a step that reads like the one before it (``≈`` wins)."""
    out: list[Rhs] = []
    seen = to_plain(eq.lhs, name=sym.plain, number=num.text) if eq.lhs is not None else None
    for r in eq.rhs:
        text = to_plain(r.expr, name=sym.plain, number=num.text, explicit=r.numbers)
        if text == seen:
            if out and r.rel == "≈":
                out[-1] = Rhs("≈", out[-1].expr, out[-1].numbers)
            continue
        out.append(r)
        seen = text
    return out


def _terms(e: Expr) -> list[tuple[str, Expr]]:
    """A sum as its signed terms: ``a - b + c`` → ``[(+, a), (−, b), (+, c)]``."""
    if isinstance(e, Add | Sub):
        head = _terms(e.a)
        return head + [("+" if isinstance(e, Add) else "-", e.b)]
    return [("+", e)]


def _continued(sign: str, term: Expr) -> Expr:
    hole = Sym(HOLE)  # typeset as nothing: "+ (−0.8299)", "− W₂"
    return Sub(hole, term) if sign == "-" else Add(hole, term)


def rows(sym: Symbols, num: Numbers, eq: Eq, limit: int) -> list[list[Piece]]:
    """The rows of an equation chain; the first row starts with ``eq.lhs``."""
    lhs = width(sym, num, eq.lhs) if eq.lhs is not None else 0
    out: list[list[Piece]] = [[]]
    used = lhs
    for r in dedupe(sym, num, eq):
        w = width(sym, num, r.expr, r.numbers) + 3
        if out[-1] and used + w > limit:
            out.append([])
            used = lhs
        if used + w <= limit or not isinstance(r.expr, Add | Sub):
            out[-1].append(Piece(r.rel, r.expr, r.numbers))
            used += w
            continue
        _break(sym, num, r, out, lhs, limit)
        used = limit  # a broken sum ends its row
    return [row for row in out if row]


def _break(sym: Symbols, num: Numbers, r: Rhs, out: list[list[Piece]], lhs: int,
           limit: int) -> None:
    """Put a long sum on several rows, breaking before its ``+`` and ``−``."""
    terms = _terms(r.expr)
    current: Expr = terms[0][1]
    used = _est(sym, num, current, r.numbers)
    first = True
    for sign, term in terms[1:]:
        more = 3 + _est(sym, num, term, r.numbers)
        if int(1.1 * (used + more)) + 1 + lhs + 3 <= limit:  # as width() measures the sum
            current = Add(current, term) if sign == "+" else Sub(current, term)
            used += more
            continue
        out[-1].append(Piece(r.rel if first else "", current, r.numbers))
        out.append([])
        first = False
        current = _continued(sign, term)
        used = more
    out[-1].append(Piece(r.rel if first else "", current, r.numbers))
