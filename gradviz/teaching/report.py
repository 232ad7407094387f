"""The checker's report: a cell per row of the sheet, a score, text and JSON.

The JSON shape is stable (new keys may be added, none removed or changed)::

    {"graph": "interesting",
     "score": {"correct": 9, "rounding": 2, "wrong": 2, "inherited": 1, "missing": 0,
               "unreadable": 0, "not_answered": 0, "points": 12, "out_of": 13},
     "cells": [{"quantity": "∇W1", "written": "$\\\\nabla \\\\mathbf{W}_1$", "text": "-0.828",
                "given": -0.828, "expected": -1.452, "status": "wrong",
                "cause": "missing_path", "node": "H3", "also": ["wrong_branch:H5"],
                "inherited_from": null, "explanation": "..."}]}

``quantity`` is ``∇NODE`` or ``NODE`` (``null`` when the header names nothing in the
graph); ``given`` and ``expected`` are numbers or nested lists (``null`` when there is
none); ``status`` is one of :data:`STATUSES`; ``cause`` one of
:data:`~gradviz.teaching.diagnose.CAUSES` or ``null``; ``node`` the node the cause names
(for ``swap``, the other quantity); ``also`` equally good other causes as ``cause:node``;
``inherited_from`` the wrong cells this one's recomputed value depends on, or ``null``.
``points`` counts right cells and cells whose only fault is inherited (error carried
forward: not penalised twice); ``out_of`` the cells graded (not-answered ones too with
``require_all``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gradviz.core.format import MINUS, canonical, fmt
from gradviz.teaching.precision import Number
from gradviz.teaching.quantities import display

__all__ = ["Cell", "Report", "STATUSES", "MARKS"]

STATUSES = ("correct", "rounding", "wrong", "missing", "unreadable", "not_answered")
MARKS = {"correct": "✓", "rounding": "≈", "wrong": "✗", "missing": "·", "unreadable": "?",
         "not_answered": " "}
SHOW = 40  # characters of a student's text shown in the text report


@dataclass
class Cell:
    """One row of the sheet and its verdict."""

    written: str
    text: str
    quantity: str | None
    status: str
    line: int = 0
    numbers: tuple[Number, ...] = ()
    given: np.ndarray | None = None
    expected: np.ndarray | None = None
    cause: str | None = None
    node: str | None = None
    also: list[str] = field(default_factory=list)
    inherited_from: list[str] | None = None
    explanation: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"quantity": self.quantity, "written": self.written, "text": self.text,
                "given": None if self.given is None else canonical(self.given),
                "expected": None if self.expected is None else canonical(self.expected),
                "status": self.status, "cause": self.cause, "node": self.node,
                "also": list(self.also), "inherited_from": self.inherited_from,
                "explanation": self.explanation}

    def expected_text(self) -> str:
        """The right value at the precision the student wrote (4 digits if unknown)."""
        if self.expected is None:
            return ""
        e = np.asarray(self.expected, dtype=float)
        digits = [n.digits if 2 <= n.digits <= 17 else 0 for n in self.numbers]
        if len(digits) != e.size:
            digits = [0] * e.size
        flat = [fmt(x, d or 4, zeros=d > 0, minus=MINUS) for x, d in zip(e.ravel(), digits)]
        if e.ndim == 0:
            return flat[0]
        if e.ndim == 1:
            return "[" + ", ".join(flat) + "]"
        rows = np.array(flat, dtype=object).reshape(e.shape)
        return "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]"


@dataclass
class Report:
    """What :func:`~gradviz.teaching.check.check` found, cell by cell."""

    graph: str
    cells: list[Cell]
    require_all: bool = False

    @property
    def ok(self) -> bool:
        """Every answered cell is right (and, with ``require_all``, every one answered)."""
        bad = {"wrong", "missing"} | ({"not_answered"} if self.require_all else set())
        return not any(c.status in bad and c.quantity is not None for c in self.cells)

    @property
    def score(self) -> dict[str, int]:
        counts = {s: sum(c.status == s for c in self.cells) for s in STATUSES}
        inherited = sum(c.status == "wrong" and c.cause == "inherited" for c in self.cells)
        graded = [c for c in self.cells if c.quantity is not None and
                  (c.status != "not_answered" or self.require_all)]
        return {**{s: counts[s] for s in STATUSES[:3]}, "inherited": inherited,
                **{s: counts[s] for s in STATUSES[3:]},
                "points": counts["correct"] + counts["rounding"] + inherited,
                "out_of": len(graded)}

    def as_json(self) -> str:
        """The documented JSON object (see the module docstring), one line."""
        return json.dumps({"graph": self.graph, "score": self.score,
                           "cells": [c.as_dict() for c in self.cells]}, ensure_ascii=False)

    def text(self) -> str:
        """The report for a terminal (pass it through ``escape.terminal``)."""
        s = self.score
        head = (f"{self.graph}: {s['correct']} correct, {s['rounding']} right with rounding, "
                f"{s['wrong']} wrong ({s['inherited']} only inherited), {s['missing']} "
                f"missing" + (f", {s['not_answered']} not answered" if s["not_answered"]
                              else "") + f"; {s['points']} of {s['out_of']} points")
        shown = [c for c in self.cells if c.status != "not_answered"]
        names = [display(c.quantity) if c.quantity else _clip(c.written) for c in shown]
        width = max((len(n) for n in names), default=4)
        lines = [head]
        for c, name in zip(shown, names):
            lines.append(f"{MARKS[c.status]} {name.ljust(width)}  {self._verdict(c)}")
            if c.explanation:
                lines.append(f"  {' ' * width}  → {c.explanation}")
        left = [display(c.quantity) for c in self.cells
                if c.status == "not_answered" and c.quantity]
        if left:
            lines.append("not answered" + (" (required)" if self.require_all else "") + ": " +
                         ", ".join(left))
        return "\n".join(lines)

    @staticmethod
    def _verdict(c: Cell) -> str:
        wrote = _clip(c.text) if c.text.strip() else "(blank)"
        if c.status == "correct":
            return f"{wrote}  correct"
        if c.status == "rounding":
            return f"{wrote}  right (rounding)"
        if c.status == "wrong":
            cause = f" ({_cause(c.cause, c.node)}" if c.cause else ""
            also = "; also " + ", ".join(_cause(*a.split(":", 1)) for a in c.also) \
                if c.also else ""
            return f"{wrote}  wrong{cause}{also}{')' if cause else ''}, expected " \
                f"{c.expected_text()}"
        if c.status == "missing":
            return f"{wrote}  missing, expected {c.expected_text()}"
        return f"{wrote}  unreadable"


def _cause(cause: str, node: str | None = None) -> str:
    """``missing_path H₃``, ``swap ∇X₁``: a cause and what it names, for people."""
    if not node:
        return cause
    return f"{cause} {display(node) if node.startswith('∇') else display(node)}"


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHOW else text[:SHOW - 1] + "…"
