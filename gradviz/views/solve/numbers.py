"""Numbers in a solution: one precision, exact values written exactly, rounded ones with ≈,
and substitution of the trace's values into formulas.

A value that is exact at the solution's precision is written exactly (``1.5``, ``2``,
``0.65``); any other is rounded to that many significant figures with its trailing zeros
(``0.6900``, ``2.490``) and follows ``≈`` rather than ``=``. Minus is U+2212 (the typesetters
write it). Every number comes from the trace.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gradviz.core import formula as F
from gradviz.core.evaluate import Trace
from gradviz.core.format import canonical, fmt
from gradviz.core.formula import Expr
from gradviz.views.solve.algebra import MAX_ITEMS, literal
from gradviz.views.solve.symbols import Symbols

__all__ = ["Numbers", "MAX_DATA"]

MAX_DATA = 10_000  # numbers of one value a JSON solution writes out


class Numbers:
    """Formatting and substitution at one precision.

    Examples
    --------
    >>> n = Numbers(None, None, 4)
    >>> n.text(0.6899744811), n.text(1.5), n.text(-0.2), n.rel(0.6899744811), n.rel(2.0)
    ('0.6900', '1.5', '-0.2', '≈', '=')
    """

    def __init__(self, trace: Trace | None, symbols: Symbols | None, digits: int = 4,
                 updates: dict[str, np.ndarray] | None = None, lr: float | None = None) -> None:
        self.trace, self.sym, self.digits = trace, symbols, digits
        self.updates, self.lr = updates or {}, lr

    # ---------------------------------------------------------------- formatting
    def exact(self, x: float) -> bool:
        """Whether ``x`` is written exactly at this precision (up to float64 noise:
        0.1 + 0.2 is 0.3)."""
        if not np.isfinite(x):
            return True
        shown = float(fmt(x, self.digits))
        return abs(shown - float(x)) <= 1e-12 * max(1.0, abs(shown))

    def text(self, x: float) -> str:
        """One number (a hyphen for minus: the typesetters write U+2212)."""
        return fmt(x, self.digits) if self.exact(x) else fmt(x, self.digits, zeros=True)

    @property
    def number(self) -> Callable[[float], str]:
        return self.text

    def rel(self, value: object) -> str:
        """``=`` before an exact value, ``≈`` before a rounded one."""
        a = np.asarray(value, dtype=np.float64)
        return "=" if all(self.exact(float(x)) for x in a.ravel()[:MAX_ITEMS * 100]) else "≈"

    # -------------------------------------------------------------- substitution
    def value(self, key: str) -> np.ndarray | None:
        """The value a symbol stands for, read from the trace."""
        assert self.sym is not None and self.trace is not None
        s = self.sym.symbol(key)
        if s is None:
            return None
        tr = self.trace
        if s.kind == "node":
            return np.asarray(tr.value(s.parts[0]))
        if s.kind == "delta" or (s.kind == "d" and s.parts[0] == tr.loss):
            return tr.grad(s.parts[-1])
        if s.kind == "entry":
            return np.asarray(tr.value(s.parts[0]))[s.parts[1]]
        if s.kind == "gentry":
            g = tr.grad(s.parts[0])
            return None if g is None else np.asarray(g)[s.parts[1]]
        if s.kind == "var":
            return np.asarray(np.pi) if s.parts[0] == "pi" else None
        if s.kind == "eta" and self.lr is not None:
            return np.asarray(self.lr)
        if s.kind == "plus" and s.parts[0] in self.updates:
            return self.updates[s.parts[0]]
        return None

    def substitute(self, e: Expr, limit: int = MAX_ITEMS,
                   known: dict[Expr, Expr] | None = None) -> Expr | None:
        """``e`` with every symbol replaced by its value; ``None`` if a value is unknown or
        too big to write (more than ``limit`` numbers). ``known`` replaces whole
        sub-expressions first (an activation's derivative ``f′(z)`` by its values)."""
        if known:
            e = _replace(e, known)
        mapping: dict[str, Expr] = {}
        for name in F.free_symbols(e):
            v = self.value(name)
            lit = None if v is None else literal(v, limit)
            if lit is None:
                return None
            mapping[name] = lit
        return F.subst(e, mapping)

    def literal(self, value: object, limit: int = MAX_ITEMS) -> Expr | None:
        return literal(np.asarray(value, dtype=np.float64), limit)

    def data(self, value: object) -> object:
        """A value as JSON data: full precision, or its shape when it is big."""
        a = np.asarray(value, dtype=np.float64)
        if a.size > MAX_DATA:
            return {"shape": list(a.shape), "omitted": "too big for a written solution"}
        return canonical(a)


def _replace(e: Expr, known: dict[Expr, Expr]) -> Expr:
    if e in known:
        return known[e]
    return F.transform(e, lambda x: _replace(x, known))
