"""``gradviz assign``: one distinct good variant per student, with sheets and keys.

A student's variant is the first good variant (:func:`gradviz.teaching.generate.draw`)
of the stream seeded by a hash of (course seed, student id), so it depends on nothing
else: adding a student to the roster changes no one else's problem. Should two students
draw the same numbers, the one later in sorted-id order takes the next good variant of
their own stream, so every student's problem is different.

``DIR/<folder>/`` holds ``graph.grad`` (the variant, what grading reads), ``problem.html``
(with the blank SVG figure inlined), ``key.html`` (the worked solution, its figures in
``key_figures/``) and, when pdflatex is installed, ``problem.pdf`` and ``key.pdf``.
``DIR/manifest.json`` lists them (:mod:`gradviz.course.manifest`) and ``DIR/students.csv``
is the roster with each student's folder and files added. Every file is written only if
its content changed: re-running with the same inputs changes no file.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from gradviz.core.errors import GradvizError
from gradviz.core.escape import terminal
from gradviz.core.evaluate import Trace, evaluate
from gradviz.core.files import write_if_changed
from gradviz.core.graph import Graph
from gradviz.course import latex
from gradviz.course.manifest import Entry, Manifest
from gradviz.course.roster import Roster, Student, student_seed
from gradviz.course.sheets import problem_html, problem_tex
from gradviz.teaching.generate import DEFAULT, Rules, draw, values_key, with_values

__all__ = ["Options", "assign", "pick_variants", "write_student", "blank_dot"]


@dataclass(frozen=True)
class Options:
    """How sheets are written: PDFs (``None``: when pdflatex is installed), paper size,
    the variant rules, and how many students are written at once (Graphviz and pdflatex
    run as subprocesses; 0: one per CPU)."""

    pdf: bool | None = None
    paper: str = "a4"
    rules: Rules = Rules()
    jobs: int = 0


def pick_variants(graph: Graph, ids: list[str], seed: int,
                  rules: Rules = DEFAULT) -> dict[str, dict[str, np.ndarray]]:
    """Each student's leaf values: distinct, reproducible from (seed, student id).

    Examples
    --------
    >>> from gradviz import example
    >>> a = pick_variants(example("xyz"), ["s1", "s2"], seed=7)
    >>> a["s1"] == pick_variants(example("xyz"), ["s1"], seed=7)["s1"], a["s1"] != a["s2"]
    (True, True)
    """
    taken: set[bytes] = set()
    out: dict[str, dict[str, np.ndarray]] = {}
    for sid in sorted(ids):
        for values in draw(graph, student_seed(seed, sid), rules):
            key = values_key(values)
            if key not in taken:
                taken.add(key)
                out[sid] = values
                break
        else:
            raise GradvizError(f"only {len(taken)} distinct good variants of "
                               f"{graph.name or 'the graph'} found for {len(ids)} students; "
                               "widen --range or use a finer --step")
    return {sid: out[sid] for sid in ids}


def blank_dot(graph: Graph) -> str:
    """The blank figure of a problem as DOT (leaf values shown, nothing computed)."""
    from gradviz.views.dot import model_to_dot
    from gradviz.views.figure import Options as Figure
    from gradviz.views.figure import layout_model

    return model_to_dot(layout_model(graph, Figure(show="blank")))


def write_student(variant: Graph, student: Student, folder: Path, options: Options,
                  root: Path) -> Entry:
    """Write one student's graph file, sheets and keys; returns their manifest entry."""
    from gradviz.views.render import run_dot
    from gradviz.views.solve import write_solution

    trace = evaluate(variant)
    write_if_changed(folder / "graph.grad", variant.to_text())
    dot = blank_dot(variant)
    svg = run_dot(dot, "svg").decode("utf-8")
    write_if_changed(folder / "problem.html", problem_html(variant, trace, student.id, svg))
    write_solution(trace, "html", folder / "key.html")
    if options.pdf:
        _write_pdfs(variant, trace, student, dot, folder, options.paper)
    rel = folder.relative_to(root).as_posix()
    return Entry(f"{rel}/graph.grad", f"{rel}/problem.html", f"{rel}/key.html")


def _write_pdfs(variant: Graph, trace: Trace, student: Student, dot: str, folder: Path,
                paper: str) -> None:
    """problem.pdf and key.pdf, compiled in a private temporary folder."""
    from gradviz.views.render import run_dot
    from gradviz.views.solve import write_solution

    with tempfile.TemporaryDirectory(prefix="gradviz-sheet-") as tmp:
        work = Path(tmp)
        (work / "problem_figures").mkdir()
        (work / "problem_figures" / "blank.pdf").write_bytes(
            latex.fixed_dates(run_dot(dot, "pdf")))
        (work / "problem.tex").write_text(problem_tex(
            variant, trace, student.id, "problem_figures/blank.pdf", paper), encoding="utf-8")
        pdf, _ = latex.pdflatex(work, "problem")
        write_if_changed(folder / "problem.pdf", pdf)
        write_solution(trace, "tex", work / "key.tex")
        for fig in (work / "key_figures").glob("*.pdf"):
            fig.write_bytes(latex.fixed_dates(fig.read_bytes()))
        pdf, _ = latex.pdflatex(work, "key")
        write_if_changed(folder / "key.pdf", pdf)


def assign(graph: Graph, ref: str, roster: Roster, seed: int, out: Path,
           options: Options = Options(),
           progress: Callable[[int, int], None] | None = None) -> Manifest:
    """Give every student of ``roster`` their own variant of ``graph``; write everything
    under ``out``. ``ref`` is how the graph was named (a built-in example or a file) and is
    recorded in the manifest; ``progress(done, total)`` is called as students are done."""
    if options.pdf is None:
        options = replace(options, pdf=latex.available())
    picks = pick_variants(graph, [s.id for s in roster.students], seed, options.rules)
    base = graph.name or "graph"
    jobs = options.jobs or os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(write_student, with_values(
            graph, picks[s.id], f"{base}_{s.folder}", f"variant for {s.folder}"), s,
            out / s.folder, options, out) for s in roster.students]
        for done, _ in enumerate(as_completed(futures), start=1):
            if progress:
                progress(done, len(futures))
        entries = {s.id: f.result() for s, f in zip(roster.students, futures)}
    manifest = Manifest(ref, seed, entries)
    manifest.write(out)
    write_if_changed(out / "students.csv", students_csv(roster, manifest))
    return manifest


def students_csv(roster: Roster, manifest: Manifest) -> str:
    """The roster, every column kept, with each student's folder and files added."""
    added = ["folder", "graph_file", "problem", "key"]
    clash = {c.lower() for c in roster.columns}
    added = [f"gradviz_{a}" if a in clash else a for a in added]
    others = [h for h, _ in roster.students[0].fields]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["student", *others, *added])
    for s in roster.students:
        e = manifest.students[s.id]
        w.writerow([s.id, *(v for _, v in s.fields), s.folder, e.graph_file, e.problem,
                    e.key])
    return buf.getvalue()


def describe(manifest: Manifest, out: Path, pdf: bool) -> str:
    """One line for the terminal about what was written."""
    n = len(manifest.students)
    return terminal(f"assigned {n} student{'s' * (n != 1)} a variant of {manifest.graph}: "
                    f"{out / 'manifest.json'} ({'HTML and PDF' if pdf else 'HTML'} sheets "
                    "and keys)")
