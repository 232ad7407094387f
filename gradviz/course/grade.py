"""``gradviz grade``: every student's sheet checked against their own variant.

:func:`grade_sheet` grades one sheet (the checker's report, then the rubric's points per
asked quantity); :func:`grade_class` grades an ``assign`` folder's class from a folder of
sheets (:mod:`gradviz.course.submissions`) and :func:`write_outputs` writes, beside the
gradebook::

    gradebook.csv        student,score,max,<one column per asked quantity>,feedback,note
    feedback/<folder>.md and .html   each student's feedback (gradviz.course.feedback)
    class_report.html and .csv       the class report (gradviz.course.classreport)

Missing and unreadable submissions are in the gradebook with score 0 and a note, never
dropped. Everything is in roster order and written only when it changed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from gradviz.core.errors import GradvizError
from gradviz.core.evaluate import Trace, evaluate
from gradviz.core.files import write_if_changed
from gradviz.course.classreport import report_csv, report_html
from gradviz.course.feedback import feedback_html, feedback_markdown
from gradviz.course.manifest import Manifest
from gradviz.course.result import Gradebook, Graded, points_text
from gradviz.course.roster import folder_name
from gradviz.course.rubric import Rubric, credit
from gradviz.course.submissions import find_submissions
from gradviz.teaching.check import check
from gradviz.teaching.quantities import Quantities
from gradviz.teaching.sheets import load_sheet
from gradviz.views.answers import asked, quantity_label

__all__ = ["grade_sheet", "grade_file", "grade_class",
           "gradebook_csv", "write_outputs", "safe_cell", "summary"]

Progress = Callable[[int, int], None]


def _points_table(trace: Trace, rubric: Rubric) -> dict[str, float]:
    quantities = Quantities(trace.graph)
    return rubric.resolve([q for q, _ in asked(trace)], quantities.match)


def grade_sheet(student: str, trace: Trace, entries: list, rubric: Rubric) -> Graded:
    """Check ``entries`` (a read sheet) against ``trace`` and score it by the rubric."""
    out_of = _points_table(trace, rubric)
    report = check(trace, entries)
    graded = Graded(student, "graded", trace, dict.fromkeys(out_of, 0.0), out_of, report)
    for q, pts in out_of.items():
        c = graded.cell(q)
        graded.points[q] = 0.0 if c is None else pts * credit(c, rubric)
    return graded


def grade_file(student: str, trace: Trace, path: Path | None, rubric: Rubric) -> Graded:
    """Grade a sheet file; a missing or unreadable one scores 0 with the reason."""
    out_of = _points_table(trace, rubric)
    if path is None:
        return Graded(student, "missing", trace, dict.fromkeys(out_of, 0.0), out_of,
                      note="no submission")
    quantities = Quantities(trace.graph)
    try:
        entries = load_sheet(path, lambda s: quantities.match(s) is not None)
        graded = grade_sheet(student, trace, entries, rubric)
    except GradvizError as e:
        reason = " ".join(str(e).replace(str(path), path.name).split())
        return Graded(student, "unreadable", trace, dict.fromkeys(out_of, 0.0), out_of,
                      note=f"unreadable: {reason}", sheet=path.name)
    graded.sheet = path.name
    return graded


def grade_class(folder: str | Path, submissions: str | Path, rubric: Rubric,
                progress: Progress | None = None) -> Gradebook:
    """Grade every student of an ``assign`` folder from a folder of sheets."""
    manifest = Manifest.load(folder)
    students = list(manifest.students)
    found = find_submissions(submissions, students)
    results = []
    for done, sid in enumerate(students, start=1):
        files = found.sheets[sid]
        trace = evaluate(manifest.graph_of(folder, sid))
        graded = grade_file(sid, trace, files[0] if files else None, rubric)
        if len(files) > 1:
            graded.note = "; ".join(filter(None, [graded.note, "also submitted " + ", ".join(
                p.name for p in files[1:]) + " (not graded)"]))
        results.append(graded)
        if progress:
            progress(done, len(students))
    quantities = list(results[0].out_of) if results else []
    return Gradebook(results, quantities, rubric, found.unmatched)


def safe_cell(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula.

    Examples
    --------
    >>> safe_cell("=HYPERLINK(1)"), safe_cell("ann"), safe_cell("-x")
    ("'=HYPERLINK(1)", 'ann', "'-x")
    """
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def feedback_path(student: str) -> str:
    """A student's feedback file, relative to the gradebook's folder (HTML; the Markdown
    is beside it)."""
    return f"feedback/{folder_name(student)}.html"


def gradebook_csv(book: Gradebook) -> str:
    """``gradebook.csv``: a row per student, in roster order."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", "score", "max", *(quantity_label(q) for q in book.quantities),
                "feedback", "note"])
    for r in book.results:
        w.writerow([safe_cell(r.student), points_text(r.score), points_text(r.max),
                    *(points_text(r.points.get(q, 0.0)) for q in book.quantities),
                    safe_cell(feedback_path(r.student)), safe_cell(r.note)])
    return buf.getvalue()


def write_outputs(book: Gradebook, gradebook: Path, title: str = "") -> list[Path]:
    """Write the gradebook, every feedback file and the class report; returns them."""
    folder = gradebook.parent
    files = {gradebook: gradebook_csv(book)}
    for r in book.results:
        html_file = folder / feedback_path(r.student)
        files[html_file.with_suffix(".md")] = feedback_markdown(r, book.rubric)
        files[html_file] = feedback_html(r, book.rubric)
    files[folder / "class_report.html"] = report_html(book, title)
    files[folder / "class_report.csv"] = report_csv(book)
    for path, text in files.items():
        write_if_changed(path, text)
    return list(files)


def summary(book: Gradebook, gradebook: Path) -> str:
    """What ``gradviz grade`` prints (pass it through ``escape.terminal``)."""
    status = [r.status for r in book.results]
    scores = [r.score for r in book.results if r.status == "graded"]
    mean = points_text(sum(scores) / len(scores)) if scores else "-"
    top = points_text(book.results[0].max) if book.results else "0"
    extra = f"; {len(book.unmatched)} files name no student" if book.unmatched else ""
    return (f"graded {status.count('graded')} of {len(status)} students (mean {mean} of "
            f"{top}; {status.count('missing')} missing, {status.count('unreadable')} "
            f"unreadable{extra}); wrote {gradebook}, feedback/ and class_report.html beside it")
