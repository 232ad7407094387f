"""What grading found: one student's result (:class:`Graded`) and the class's
(:class:`Gradebook`), read by the gradebook, the feedback, the class report and the
Gradescope results."""

from __future__ import annotations

from dataclasses import dataclass, field

from gradviz.core.evaluate import Trace
from gradviz.core.format import fmt
from gradviz.course.rubric import Rubric
from gradviz.teaching.report import Cell, Report

__all__ = ["Graded", "Gradebook", "points_text"]



@dataclass
class Graded:
    """One student's result: ``status`` is graded, missing or unreadable."""

    student: str
    status: str
    trace: Trace
    points: dict[str, float]
    out_of: dict[str, float]
    report: Report | None = None
    note: str = ""
    sheet: str = ""

    @property
    def score(self) -> float:
        return sum(self.points.values())

    @property
    def max(self) -> float:
        return sum(self.out_of.values())

    def cell(self, q: str) -> Cell | None:
        """The cell that grades quantity ``q`` (the first the sheet has for it)."""
        if self.report is None:
            return None
        return next((c for c in self.report.cells if c.quantity == q), None)


@dataclass
class Gradebook:
    """The class in roster order, the asked quantities, and files naming no student."""

    results: list[Graded]
    quantities: list[str]
    rubric: Rubric
    unmatched: list[str] = field(default_factory=list)


def points_text(x: float) -> str:
    """Points for a gradebook: at most 4 decimals, no trailing zeros.

    Examples
    --------
    >>> points_text(3.0), points_text(0.5), points_text(2 / 3)
    ('3', '0.5', '0.6667')
    """
    return fmt(round(x, 4), None)  # the shortest text of the rounded points
