"""The pieces a worked solution is made of, the same for every output format: equation
chains (:class:`Eq`), sentences with inline math (``Text``), and steps (:class:`Line`) that
carry both and the numbers behind them (for JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias

from gradviz.core.evaluate import Trace
from gradviz.core.formula import Expr
from gradviz.core.typeset import to_plain
from gradviz.views.solve.algebra import Algebra
from gradviz.views.solve.numbers import Numbers
from gradviz.views.solve.steps import Steps
from gradviz.views.solve.symbols import Symbols

__all__ = ["Text", "Rhs", "Eq", "Line", "Context", "MAX_SUBSTITUTED"]

MAX_SUBSTITUTED = 64  # characters of a formula worth writing again with its numbers

Text: TypeAlias = tuple  # of str (words) and Expr (inline math)


@dataclass(frozen=True)
class Rhs:
    """One step of an equation chain: ``rel`` (``=`` or ``≈``) and the expression;
    ``numbers`` marks a substitution (factors joined by ×)."""

    rel: str
    expr: Expr
    numbers: bool = False


@dataclass
class Eq:
    """``lhs = rhs₁ = rhs₂ ≈ …``, with words after it (``note``)."""

    lhs: Expr | None
    rhs: list[Rhs]
    note: Text = ()


@dataclass
class Line:
    """One step of the solution: a forward line, a backward block or an update.

    ``title`` heads a backward block; ``intro`` is the sentence before the equations;
    ``eqs`` are the local derivatives and then the chain rule; ``notes`` come after (the
    branch taken, a standard simplification); ``data`` is the step as JSON data.
    """

    node: str
    kind: str
    eqs: list[Eq]
    title: Text = ()
    intro: Text = ()
    notes: list[Text | Eq] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    """What the builders of one solution share."""

    trace: Trace
    steps: Steps
    sym: Symbols
    alg: Algebra
    num: Numbers

    def substitute(self, e: Expr) -> Expr | None:
        """``e`` with the numbers in, unless ``e`` is too long to be read that way (the
        numbers of a formula over :data:`MAX_SUBSTITUTED` characters are left out)."""
        if len(to_plain(e, name=self.sym.plain)) > MAX_SUBSTITUTED:
            return None
        return self.num.substitute(e)
