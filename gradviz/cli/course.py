"""``gradviz assign | grade | export-prairielearn``: a variant per student, on paper or
online, and the class graded against each student's own variant."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from gradviz.cli._options import at_least, finite, positive

if TYPE_CHECKING:
    from gradviz.teaching.generate import Rules

__all__ = ["configure"]


def configure(name: str, s: argparse.ArgumentParser) -> None:
    """Add ``name``'s options to its parser."""
    {"assign": _assign_options, "grade": _grade_options,
     "export-prairielearn": _export_options}[name](s)


def _rule_options(s: argparse.ArgumentParser) -> None:
    s.add_argument("--range", type=finite, nargs=2, default=None, metavar=("LO", "HI"),
                   help="leaf value range (default -3 3 with halves, -2 2 with tenths)")
    s.add_argument("--step", type=positive, default=None,
                   help="leaf value step, a multiple of 0.1 (default 0.5, or 0.1 when the "
                        "original's leaves have tenths)")


def _rules(args: argparse.Namespace) -> Rules:
    from gradviz.teaching.generate import Rules

    low, high = args.range if args.range else (None, None)
    return Rules(low=low, high=high, step=args.step)


def _assign_options(s: argparse.ArgumentParser) -> None:
    s.description = (
        "Give every student of a roster their own variant of a problem (the rules of "
        "`gradviz generate --help`), reproducible from the course seed and the student's "
        "id, and different for every student. Writes, per student, DIR/<folder>/graph.grad "
        "(their variant), problem.html (the blank figure inlined) and key.html (the worked "
        "solution), plus problem.pdf and key.pdf when pdflatex is installed; "
        "DIR/manifest.json ({\"graph\", \"seed\", \"students\": {id: {\"graph_file\", "
        "\"problem\", \"key\"}}}) and DIR/students.csv (the roster with each student's "
        "files). A student's folder is their id when it is a plain lower-case name, else a "
        "slug of it plus a hash. Re-running with the same inputs changes no file.")
    s.epilog = ("ROSTER is a CSV file with a header row and a `student` column; other "
                "columns are kept\nin students.csv.\n\nexamples:\n"
                "  gradviz assign interesting --roster class.csv --seed 2024 -o hw3/\n"
                "  gradviz assign my_graph.grad --roster class.csv --seed 1 --paper letter "
                "-o hw3/")
    s.add_argument("graph", metavar="NAME|FILE")
    s.add_argument("--roster", required=True, metavar="ROSTER", help="the class list (CSV)")
    s.add_argument("--seed", type=at_least(0), required=True,
                   help="the course seed (with a student's id, it fixes their variant)")
    s.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder")
    s.add_argument("--pdf", action=argparse.BooleanOptionalAction, default=None,
                   help="PDF sheets and keys through pdflatex (default: when installed)")
    s.add_argument("--paper", choices=("a4", "letter"), default="a4",
                   help="paper of the PDF problem sheets (default a4; the layout fits both)")
    _rule_options(s)
    s.set_defaults(run=_assign)


def _grade_options(s: argparse.ArgumentParser) -> None:
    s.description = (
        "Grade every student's answer sheet against their own variant (DIR is what `gradviz "
        "assign` wrote). SUBMISSIONS is a folder of sheets named <student id>.<extension> "
        "(only the last extension is the format; any layout `gradviz check` reads; a "
        "student's assign folder name works too). Writes OUTPUT (the gradebook: student, "
        "score, max, points per asked quantity, feedback, note; missing and unreadable "
        "submissions score 0 with a note) and beside it feedback/<folder>.md and .html per "
        "student and class_report.html and .csv (score distribution, each mistake at each "
        "node). With --gradescope, SUBMISSIONS is one sheet, DIR a graph (or an assign folder "
        "with --student) and OUTPUT Gradescope's results.json.")
    s.epilog = ('rubric.toml (all optional):\n  ecf = "half"     # credit for cells wrong only '
                'because of an earlier mistake:\n                   # "full" (default), '
                '"half" or "none"\n  default = 1      # points per asked quantity\n'
                '  [points]\n  "∇W1" = 2\n\nexamples:\n  gradviz grade hw3/ submissions/ '
                '-o grades/gradebook.csv --rubric rubric.toml\n  gradviz grade interesting '
                '/autograder/submission/answers.csv --gradescope \\\n'
                '      -o /autograder/results/results.json')
    s.add_argument("folder", metavar="DIR", help="the assign folder (with --gradescope: a "
                                                 "graph NAME|FILE or an assign folder)")
    s.add_argument("submissions", metavar="SUBMISSIONS",
                   help="folder of sheets (with --gradescope: one sheet)")
    s.add_argument("-o", "--output", required=True, metavar="OUTPUT",
                   help="gradebook CSV (with --gradescope: results.json)")
    s.add_argument("--rubric", metavar="TOML", default=None, help="points and ECF policy")
    s.add_argument("--gradescope", action="store_true",
                   help="grade one sheet and write Gradescope's results.json")
    s.add_argument("--student", metavar="ID", default=None,
                   help="with --gradescope and an assign folder: whose variant to use")
    s.set_defaults(run=_grade)


def _export_options(s: argparse.ArgumentParser) -> None:
    from gradviz.course.prairielearn import Tolerance

    tol = Tolerance()
    s.description = (
        "Write a PrairieLearn question folder: info.json (a uuid derived from the graph, "
        "title, topic, tags), question.html (the blank figure in <pl-graph>, the given "
        "values, one <pl-number-input> per number asked), server.py, whose generate(data) "
        "draws a variant with gradviz's generator from PrairieLearn's variant_seed (the same "
        "seed gives the same variant), graph.grad and README.md.")
    s.epilog = (f"Answers are correct within {tol.rtol:g}·|key| + {tol.atol:g} (comparison "
                "relabs).\nserver.py imports gradviz: PrairieLearn puts the course's "
                "serverFilesCourse on the Python\npath, and --server-files copies gradviz "
                "there.\n\nexamples:\n  gradviz export-prairielearn interesting -o "
                "course/questions/backprop/interesting \\\n"
                "      --server-files course/serverFilesCourse")
    s.add_argument("graph", metavar="NAME|FILE")
    s.add_argument("-o", "--output", required=True, metavar="DIR", help="question folder")
    s.add_argument("--server-files", metavar="DIR", default=None,
                   help="copy the gradviz package into DIR (the course's serverFilesCourse)")
    s.set_defaults(run=_export)


def _assign(args: argparse.Namespace) -> int:
    from gradviz.core.errors import MissingDependencyError
    from gradviz.core.library import resolve
    from gradviz.course import latex
    from gradviz.course.assign import Options, assign, describe
    from gradviz.course.roster import read_roster

    pdf = latex.available() if args.pdf is None else args.pdf
    if pdf and not latex.available():
        raise MissingDependencyError(latex.INSTALL)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    out = Path(args.output)
    graph, roster = resolve(args.graph), read_roster(args.roster)
    columns = (TextColumn("sheets and keys"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True,
                  disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("", total=len(roster.students))
        manifest = assign(graph, args.graph, roster, args.seed, out,
                          Options(pdf, args.paper, _rules(args)),
                          progress=lambda done, _: bar.update(task, completed=done))
    print(describe(manifest, out, pdf))
    return 0


def _grade(args: argparse.Namespace) -> int:
    from gradviz.core.escape import terminal
    from gradviz.core.files import write_atomic
    from gradviz.course.rubric import Rubric, load_rubric

    rubric = load_rubric(args.rubric) if args.rubric else Rubric()
    out = Path(args.output)
    if args.gradescope:
        from gradviz.course.gradescope import grade_submission, results_json

        graded = grade_submission(args.folder, args.submissions, args.student, rubric)
        write_atomic(out, results_json(graded, rubric))
        print(terminal(f"{graded.score:g} of {graded.max:g} points; wrote {out}"))
        return 0
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from gradviz.course.grade import grade_class, summary, write_outputs

    columns = (TextColumn("grading"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True,
                  disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("", total=None)
        book = grade_class(args.folder, args.submissions, rubric,
                           progress=lambda done, n: bar.update(task, completed=done, total=n))
    write_outputs(book, out)
    print(terminal(summary(book, out)))
    return 0


def _export(args: argparse.Namespace) -> int:
    from gradviz.core.escape import terminal
    from gradviz.core.library import resolve
    from gradviz.course.prairielearn import export

    out = Path(args.output)
    server = Path(args.server_files) if args.server_files else None
    export(resolve(args.graph), out, server)
    where = f"; gradviz copied into {server}" if server else ""
    print(terminal(f"wrote the PrairieLearn question {out}{where}"))
    return 0
