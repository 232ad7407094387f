"""Check a student's answer sheet the way a careful TA marks it.

The public entry is :func:`check`::

    check(trace, answers, policy=POLICY, require_all=False) -> Report

``trace`` is the evaluated problem (``gradviz.evaluate(graph, values)``); ``answers`` the
sheet as :func:`~gradviz.teaching.sheets.read_sheet` or
:func:`~gradviz.teaching.sheets.load_sheet` read it (a list of
:class:`~gradviz.teaching.tables.Entry`, or plain ``(header, text)`` pairs), best with the
graph's names so headers are told from other text::

    sheet = load_sheet(path, Quantities(trace.graph).is_name)
    report = check(trace, sheet)

``policy`` the
precision policy (:class:`~gradviz.teaching.precision.Policy`, the one parameter set, also
what a course exporter describes); ``require_all`` counts quantities the sheet does not
mention as failures. The :class:`~gradviz.teaching.report.Report` has a
:class:`~gradviz.teaching.report.Cell` per row, ``ok``, ``score``, ``text()`` and
``as_json()`` (the documented stable shape).

How a cell is graded:

1. Its number against the true value, by the precision policy (*correct*, or *rounding*:
   truncated, within a unit of the last digit, or rounding carried as one goes).
2. Otherwise against the value recomputed from the student's own earlier cells (error
   carried forward, :mod:`gradviz.teaching.carry`): if it matches and an earlier cell it
   depends on is wrong, it is *wrong* with cause ``inherited`` (and not penalised again);
   if those earlier cells are right but rounded, it is *rounding*.
3. Otherwise every mistake model (:mod:`gradviz.teaching.diagnose`) and swapped cells are
   tried; all that give the student's number are reported (``cause`` and ``also``), else
   ``forward`` (a wrong forward value) or ``arithmetic`` (with the step's correct local
   derivatives).

Cells that are the same (quantity and text) are graded once, so a sheet is checked in time
linear in its length.

Examples
--------
>>> from gradviz import evaluate, example
>>> t = evaluate(example("interesting"))
>>> r = check(t, [("Yhat", "0.3775"), ("L", "0.9744"), ("∇H4", "-0.6225"), ("∇H2", "1.245")])
>>> [(c.quantity, c.status, c.cause) for c in r.cells if c.status != "not_answered"]
[('Yhat', 'correct', None), ('L', 'rounding', None), ('∇H4', 'wrong', 'sign'), \
('∇H2', 'wrong', 'inherited')]
>>> r.ok, r.score["points"]
(False, 3)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from gradviz.core.errors import GradvizError
from gradviz.core.evaluate import Trace
from gradviz.teaching.carry import Carry
from gradviz.teaching.diagnose import CAUSES, models
from gradviz.teaching.explain import Explainer
from gradviz.teaching.numbers import Unusable, leading_value, read_value
from gradviz.teaching.precision import POLICY, RIGHT, Policy, judge_all, local_digits
from gradviz.teaching.quantities import Quantities, display, match_quantity
from gradviz.teaching.report import Cell, Report
from gradviz.teaching.sheets import load_sheet, read_sheet
from gradviz.teaching.tables import Entry
from gradviz.teaching.updates import grade_update
from gradviz.views.answers import asked, learning_rate

__all__ = ["check", "Report", "Cell", "read_sheet", "load_sheet", "match_quantity",
           "MAX_DIAGNOSED"]

MAX_DIAGNOSED = 64  # distinct wrong cells diagnosed per sheet (each costs graph variants)


def check(trace: Trace, answers: Sequence[Entry | tuple[str, str]], policy: Policy = POLICY,
          require_all: bool = False) -> Report:
    """Grade a sheet against an evaluated problem (see the module docstring)."""
    g = trace.graph
    wanted = asked(trace)
    updates = {q: np.asarray(v) for q, v in wanted if q.endswith("+")}
    entries = _entries(answers, [q for q, _ in wanted])
    quantities = Quantities(g)
    memo: dict[tuple[str | None, str], Cell | None] = {}
    cells: list[Cell] = []
    for e in entries:
        key = (e.written, e.text)
        if key not in memo:
            memo[key] = _read_cell(e, quantities, trace, updates)
        if memo[key] is not None:
            cells.append(_copy(memo[key], e))
    if entries and not any(c.quantity for c in cells):
        names = ", ".join(display(q) for q, _ in wanted)
        raise GradvizError(f"not an answer sheet for {g.name or 'this problem'}: none of its "
                           f"{len(entries)} answers names one of {names}")
    _Grader(trace, cells, policy).grade()
    seen = {c.quantity for c in cells}
    for q, v in wanted:
        if q not in seen:
            cells.append(Cell(display(q), "", q, "not_answered", expected=v))
    return Report(g.name or "graph", cells, require_all)


def _entries(answers: Sequence[Entry | tuple[str, str]], wanted: list[str]) -> list[Entry]:
    entries = [a if isinstance(a, Entry) else Entry(a[0], a[1], 0) for a in answers]
    if not any(e.written is None for e in entries):
        return entries
    if all(e.written is None for e in entries) and len(entries) == len(wanted):
        return [Entry(q, e.text, e.line) for q, e in zip(wanted, entries)]
    raise GradvizError(f"{len(entries)} values without names, but the problem asks for "
                       f"{len(wanted)} quantities: write each value with its name")


def _copy(cell: Cell | None, e: Entry) -> Cell:
    assert cell is not None
    return Cell(**{**cell.__dict__, "line": e.line, "also": list(cell.also)})


def _read_cell(e: Entry, quantities: Quantities, trace: Trace,
               updates: dict[str, np.ndarray]) -> Cell | None:
    """The cell before grading: its quantity and numbers, or why it has none."""
    written = e.written or ""
    q = quantities.match(written)
    try:
        value = read_value(e.text)
    except Unusable as why:
        lead = None if why.blank else leading_value(e.text)  # `0.6225 (see p. 2)`
        if lead is not None:
            value = lead[0]
        elif q is None:
            return None  # `Name: Jane Doe`: not an answer, not reported
        else:
            cell = Cell(written, e.text, q, "missing", e.line,
                        expected=_true(trace, q, updates))
            cell.explanation = "left blank" if why.blank else str(why)
            return cell
    if q is None:
        return Cell(written, e.text, None, "unreadable", e.line, explanation=(
            f"no quantity of {trace.graph.name or 'this problem'} is called {written!r}: "
            "not graded"))
    expected = _true(trace, q, updates)
    cell = Cell(written, e.text, q, "", e.line, value.numbers, value.array, expected)
    if expected is None:
        cell.status, cell.explanation = "unreadable", (
            f"the problem asks for no update of {display(q[:-1])}: not graded"
            if q.endswith("+") else
            f"{display(q[1:])} takes no gradient (it is not an input or a parameter)")
    elif value.array.size != np.size(expected):
        cell.status = "wrong"
        cell.explanation = (f"{value.array.size} number{'s' * (value.array.size != 1)}, but "
                            f"{display(q)} has {np.size(expected)}")
    else:
        cell.given = value.array.reshape(np.shape(expected))
    return cell


def _true(trace: Trace, q: str, updates: dict[str, np.ndarray]) -> np.ndarray | None:
    if q.endswith("+"):
        return updates.get(q)
    v = trace.grad(q[1:]) if q.startswith("∇") else trace.value(q)
    return None if v is None else np.asarray(v)


class _Grader:
    """Grades the cells of one sheet (statuses, causes, explanations), in place."""

    def __init__(self, trace: Trace, cells: list[Cell], policy: Policy) -> None:
        self.trace, self.cells, self.policy = trace, cells, policy
        self.updates = [c for c in cells if c.status == "" and c.quantity and
                        c.quantity.endswith("+")]
        self.todo = [c for c in cells if c.status == "" and c not in self.updates]
        self.first: dict[str, Cell] = {}
        for c in self.todo:
            if c.quantity is not None:
                self.first.setdefault(c.quantity, c)
        self.swaps = self._swaps()
        values, grads = self._student_numbers()
        self.carry = Carry(trace, values, grads)
        written = {q: c.text for q, c in self.first.items()}
        self.explain = Explainer(self.carry, written)
        self._truth: Carry | None = None

    def grade(self) -> None:
        groups: dict[tuple[str, str], list[Cell]] = {}
        for c in self.todo:
            groups.setdefault((c.quantity, c.text), []).append(c)  # type: ignore[arg-type]
        pending = {}
        for key, same in groups.items():
            verdict = self._against_truth(same[0])
            if verdict is None:
                pending[key] = same
            else:
                for c in same:
                    c.status, c.explanation = verdict
        wrong = [q for q, c in self.first.items() if (q, c.text) in pending]
        influence = self.carry.influence(wrong[:MAX_DIAGNOSED], sorted({q for q, _ in pending}))
        for n, (key, same) in enumerate(pending.items()):
            self._grade_wrong(same[0], influence.get(key[0], []), n < MAX_DIAGNOSED)
            for c in same[1:]:
                for f in ("status", "cause", "node", "also", "inherited_from", "explanation"):
                    setattr(c, f, getattr(same[0], f))
        for c in self.updates:
            self._grade_update(c)

    def _grade_update(self, c: Cell) -> None:
        node = c.quantity[:-1]  # type: ignore[index]
        mine = self.first.get(f"∇{node}")
        digits = local_digits(list(c.numbers), self.policy)
        grade_update(c, self.trace.value(node), self.trace.grad(node),
                     learning_rate(self.trace.graph),
                     None if mine is None else mine.given,
                     self.carry.allowance(f"∇{node}", digits), self.policy, self.explain.yours,
                     self.trace.loss)

    def _against_truth(self, c: Cell) -> tuple[str, str] | None:
        """``(status, explanation)`` when the cell is right by the policy, else ``None``."""
        assert c.quantity is not None and c.expected is not None
        how = judge_all(list(c.numbers), c.expected, 0.0, self.policy)
        digits = local_digits(list(c.numbers), self.policy)
        allowance: Any = 0.0
        if how is None:
            allowance = self.carry.allowance(c.quantity, digits)
            how = judge_all(list(c.numbers), c.expected, allowance, self.policy)
        if how is None:
            return None
        note = "" if RIGHT[how] == "correct" else \
            self.explain.rounding(how, c.quantity, c.expected, digits, allowance)
        return RIGHT[how], note

    def _grade_wrong(self, c: Cell, sources: list[str], diagnose: bool) -> None:
        q = c.quantity
        assert q is not None
        allowance = self.carry.allowance(q, local_digits(list(c.numbers), self.policy))
        c.inherited_from = sources or None
        if judge_all(list(c.numbers), self.carry.read(q), allowance, self.policy):
            if sources:
                c.status, c.cause = "wrong", "inherited"
                c.explanation = self.explain.inherited(q, sources)
            else:
                c.status = "rounding"
                c.explanation = self.explain.rounding("own", q, c.expected)
            return
        c.status = "wrong"
        if not diagnose:
            c.explanation = (f"not diagnosed: more than {MAX_DIAGNOSED} different wrong cells "
                             "on this sheet")
            return
        self._diagnose(c, allowance)
        if sources and c.cause not in ("inherited", "swap", "arithmetic", "forward"):
            used = ", ".join(self.explain.yours(s) for s in sources)
            c.explanation += f" (with your wrong {used})"

    def _diagnose(self, c: Cell, allowance: Any) -> None:
        q = c.quantity
        assert q is not None
        found: list[tuple[str, str | None, Any]] = []
        if q in self.swaps:
            found.append(("swap", self.swaps[q], None))
        carries = [self.carry]
        if not _close(self.carry.read(q), c.expected):
            carries.append(self._truth_carry())
        for carry in carries:
            for m in models(carry, q):
                if judge_all(list(c.numbers), m.value, allowance, self.policy):
                    found.append((m.cause, m.node, (carry, m)))
        found.sort(key=lambda f: CAUSES.index(f[0]))
        unique: list[tuple[str, str | None, Any]] = []
        for f in found:
            if (f[0], f[1]) not in [(u[0], u[1]) for u in unique]:
                unique.append(f)
        if not unique:
            c.cause = "arithmetic" if q.startswith("∇") else "forward"
            c.node = q.lstrip("∇")
            c.explanation = self.explain.arithmetic(q)
            return
        cause, node, how = unique[0]
        c.cause, c.node = cause, node
        c.also = [f"{u[0]}:{u[1]}" if u[1] else u[0] for u in unique[1:]]
        if cause == "swap":
            c.explanation = self.explain.swap(q, self.swaps[q])
        else:
            c.explanation = Explainer(how[0], self.explain.written).model(q, how[1])

    def _truth_carry(self) -> Carry:
        if self._truth is None:
            grads = {q[1:]: self.carry.true(q) for q in self.first if q.startswith("∇")}
            self._truth = Carry(self.trace, {}, grads)
        return self._truth

    def _swaps(self) -> dict[str, str]:
        """Pairs of cells each holding the other's true value."""
        wrong = [(q, c) for q, c in self.first.items()
                 if judge_all(list(c.numbers), c.expected, 0.0, self.policy) is None][:200]
        kind = {q: (q.startswith("∇"), np.shape(np.asarray(c.expected))) for q, c in wrong}
        out: dict[str, str] = {}
        for i, (qa, a) in enumerate(wrong):
            for qb, b in wrong[i + 1:]:
                if qa in out or qb in out or kind[qa] != kind[qb] or \
                        _close(a.expected, b.expected):
                    continue  # a swap is between two wrong cells of one kind and shape
                if judge_all(list(a.numbers), b.expected, 0.0, self.policy) and \
                        judge_all(list(b.numbers), a.expected, 0.0, self.policy):
                    out[qa], out[qb] = qb, qa
        return out

    def _student_numbers(self) -> tuple[dict, dict]:
        """The student's value and gradient cells (swapped cells put back in place)."""
        values, grads = {}, {}
        for q, c in self.first.items():
            source = self.first[self.swaps[q]] if q in self.swaps else c
            if q.startswith("∇"):
                grads[q[1:]] = source.given
            else:
                values[q] = source.given
        return values, grads


def _close(a: Any, b: Any) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=1e-12))
