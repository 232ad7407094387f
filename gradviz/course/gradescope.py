"""``gradviz grade --gradescope``: one submission graded as a Gradescope autograder's
``results.json``.

The shape is Gradescope's (https://gradescope-autograders.readthedocs.io/en/latest/specs/)::

    {"score": 11.5, "output": "...",
     "tests": [{"name": "∇W₁", "number": "8", "score": 1.0, "max_score": 1.0,
                "output": "correct"}, ...]}

one test per asked quantity, in the problem's order. A missing or unreadable sheet still
gives a valid file (score 0, the reason in ``output``): Gradescope shows "The autograder
failed to execute correctly" when ``results.json`` is absent or malformed.
"""

from __future__ import annotations

import json
from pathlib import Path

from gradviz.core.errors import GradvizError
from gradviz.core.evaluate import Trace, evaluate
from gradviz.course.feedback import correct_step, first_wrong, rows
from gradviz.course.grade import grade_file
from gradviz.course.manifest import MANIFEST, Manifest
from gradviz.course.result import Graded, points_text
from gradviz.course.rubric import Rubric

__all__ = ["results", "results_json", "trace_of", "grade_submission"]


def trace_of(source: str, student: str | None) -> Trace:
    """The variant to grade against: a student's in an ``assign`` folder, else the graph
    ``source`` names (a built-in example or a graph file)."""
    if Path(source, MANIFEST).is_file():
        if not student:
            raise GradvizError(f"{source} is an assign folder: say whose sheet it is with "
                               "--student ID")
        return evaluate(Manifest.load(source).graph_of(source, student))
    from gradviz.core.library import resolve

    return evaluate(resolve(source))


def grade_submission(source: str, sheet: str | Path, student: str | None,
                     rubric: Rubric) -> Graded:
    """Grade one sheet (a missing file is a missing submission, not an error)."""
    trace = trace_of(source, student)
    path = Path(sheet)
    return grade_file(student or path.name, trace, path if path.is_file() else None, rubric)


def results(graded: Graded, rubric: Rubric) -> dict:
    """Gradescope's results object for one graded sheet."""
    tests = []
    for k, (q, row) in enumerate(zip(graded.out_of, rows(graded, rubric)), start=1):
        output = row.verdict + (f": {row.explanation}" if row.explanation else "")
        if graded.status != "graded":
            output = f"not graded: {graded.note}"
        tests.append({"name": row.label, "number": str(k),
                      "score": round(graded.points[q], 4),
                      "max_score": round(graded.out_of[q], 4), "output": output})
    summary = f"{points_text(graded.score)} of {points_text(graded.max)} points"
    if graded.note:
        summary += f". {graded.note}"
    first = first_wrong(graded)
    if first is not None:
        summary += f"\nThe first wrong step, worked: {correct_step(graded.trace, first)}"
    return {"score": round(graded.score, 4), "output": summary, "tests": tests}


def results_json(graded: Graded, rubric: Rubric) -> str:
    """``results.json`` text (deterministic)."""
    return json.dumps(results(graded, rubric), ensure_ascii=False, indent=1) + "\n"
