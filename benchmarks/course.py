"""(p) Grading a class: `gradviz grade` on 500 students of `interesting`, each with their
own variant and a sheet (CSV) from their own key, a third of them with a sign slip carried
forward (so error-carried-forward grading and the mistake models run), a fiftieth missing.

The class is set up without `assign`'s sheets and keys (they are not what is timed): the
variants come from the generator, the manifest is written as `assign` writes it. Timed: the
checking and the outputs (gradebook, 1000 feedback files, class report), in this process,
wall clock and CPU time (the goal, issue #14: under a minute on one core).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from _bench import add_abs_row, add_info_row, notes

from gradviz import evaluate, example
from gradviz.core.format import fmt
from gradviz.course.manifest import Entry, Manifest
from gradviz.teaching.carry import Carry
from gradviz.teaching.generate import variants
from gradviz.views.answers import asked

STUDENTS = 500


def _sheet(trace, slip: bool) -> str:
    rows = {q: float(v) for q, v in asked(trace)}
    if slip:
        rows["∇H4"] = -rows["∇H4"]
        carry = Carry(trace, {}, {"H4": rows["∇H4"]})
        order = list(rows)
        for q in order[order.index("∇H4") + 1:]:
            rows[q] = float(carry.grad(q[1:]))
    return "quantity,value\n" + "".join(f"{q},{fmt(v, 4)}\n" for q, v in rows.items())


def setup(folder: Path, n: int) -> tuple[Path, Path]:
    """An assign-shaped folder of ``n`` students and their sheets."""
    hw, subs = folder / "hw", folder / "subs"
    subs.mkdir(parents=True)
    students = {}
    for k, g in enumerate(variants(example("interesting"), 2024, n)):
        sid = f"s{k:04d}"
        (hw / sid).mkdir(parents=True)
        (hw / sid / "graph.grad").write_text(g.to_text(), encoding="utf-8")
        students[sid] = Entry(f"{sid}/graph.grad", f"{sid}/problem.html", f"{sid}/key.html")
        if k % 50 != 49:
            (subs / f"{sid}.csv").write_text(_sheet(evaluate(g), k % 3 == 1), encoding="utf-8")
    Manifest("interesting", 2024, students).write(hw)
    return hw, subs


def grade_once(hw: Path, subs: Path, out: Path) -> tuple[float, float, int]:
    from gradviz.course.grade import grade_class, write_outputs
    from gradviz.course.rubric import Rubric

    t0, c0 = time.perf_counter(), time.process_time()
    book = grade_class(hw, subs, Rubric(ecf="half"))
    files = write_outputs(book, out / "gradebook.csv", "interesting")
    return time.perf_counter() - t0, time.process_time() - c0, len(files)


def run(quick: bool, n: int = STUDENTS) -> None:
    n = 100 if quick else n
    with tempfile.TemporaryDirectory() as tmp:
        hw, subs = setup(Path(tmp), n)
        wall, cpu, files = grade_once(hw, subs, Path(tmp) / "out")
    add_abs_row(f"(p) gradviz grade, a class of {n} (wall)", wall, 60.0 * n / STUDENTS,
                "< 60 s for 500")
    add_info_row(f"(p') the same, CPU time ({cpu / n * 1000:.0f} ms a student)", f"{cpu:.1f} s")
    notes.append(f"(p) wrote {files} files: gradebook, two feedback files a student, the "
                 "class report (HTML, CSV)")
