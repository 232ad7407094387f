"""``gradviz export-prairielearn``: a problem as a PrairieLearn question folder.

The folder holds ``info.json`` (a uuid derived from the graph, so re-exporting keeps the
question), ``question.html``, ``server.py``, ``graph.grad`` (the original problem) and a
``README.md`` for instructors. Every student's variant is drawn by ``server.py``'s
``generate(data)`` with gradviz's own generator from PrairieLearn's ``variant_seed`` (the
same seed always gives the same variant): it fills ``data["params"]`` (the blank figure as
DOT, the given values, the variant's graph file) and ``data["correct_answers"]`` (one
number per answer box).

``question.html`` has the blank figure in ``<pl-graph>`` as ``{{params.dot}}``: Mustache
escapes it and PrairieLearn's HTML parser unescapes it, so the ``<`` of Graphviz's
HTML-like labels never reaches the parser raw. Static text is HTML-escaped and never holds
``{{``. Each asked quantity gets one ``<pl-number-input>`` per number (a vector or matrix
answer is asked element by element) with the tolerance of :func:`tolerance`.

PrairieLearn runs ``server.py`` with the question folder first on ``sys.path`` and then
``serverFilesCourse``: gradviz must be importable from there (``--server-files`` copies the
package into it; numpy, scipy and networkx are in PrairieLearn's image).
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gradviz.core import escape, names
from gradviz.core.evaluate import Trace, evaluate
from gradviz.core.files import write_if_changed
from gradviz.core.format import MINUS, fmt_value
from gradviz.core.graph import Graph
from gradviz.course.assign import blank_dot
from gradviz.course.sheets import Quantity, given, quantities

__all__ = ["Tolerance", "Cell", "tolerance", "cells", "info_json", "question_html",
           "SERVER_PY", "generate_data", "grade_data", "question_folder", "export", "vendor",
           "GRAPH_FILE"]

GRAPH_FILE = "graph.grad"
TOPIC = "Backpropagation"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "prairielearn.gradviz")


@dataclass(frozen=True)
class Tolerance:
    """A ``<pl-number-input>`` tolerance: correct when |answer − key| ≤ atol + rtol·|key|
    (PrairieLearn's ``relabs`` comparison)."""

    rtol: float = 0.01
    atol: float = 5e-5

    def attributes(self) -> dict[str, str]:
        return {"comparison": "relabs", "rtol": f"{self.rtol:g}", "atol": f"{self.atol:g}"}


def tolerance(quantity: Quantity) -> Tolerance:
    """The tolerance of one asked quantity: 1% of the key plus 0.00005, so an answer
    rounded as it is worked out (4 significant figures) passes and a zero gradient takes
    ``0``. (One policy for every quantity; the checker's precision policy replaces it.)"""
    return Tolerance()


@dataclass(frozen=True)
class Cell:
    """One answer box: its ``answers-name``, quantity, element index and label."""

    name: str
    quantity: Quantity
    index: tuple[int, ...]

    def label(self) -> str:
        at = "[" + ", ".join(str(i + 1) for i in self.index) + "]" if self.index else ""
        return f"${self.quantity.tex()}{at} =$"

    def value(self, trace: Trace) -> float:
        q = self.quantity
        v = trace.grad(q.node) if q.is_grad else trace.value(q.node)
        return float(np.asarray(v)[self.index]) + 0.0


def cells(trace: Trace) -> list[Cell]:
    """The answer boxes, in the problem's order: ``q3`` for a number, ``q3_2`` for the
    second element of a vector, ``q3_2_1`` for a matrix element."""
    out = []
    for k, q in enumerate(quantities(trace), start=1):
        for index in np.ndindex(*q.shape):
            out.append(Cell("_".join(map(str, (f"q{k}", *(i + 1 for i in index)))), q,
                            tuple(int(i) for i in index)))
    return out


def _static(text: str) -> str:
    """Escaped HTML that Mustache leaves alone (``{{`` would open a tag)."""
    return escape.html(text).replace("{{", "{&#123;")


def info_json(graph: Graph) -> str:
    """``info.json``: uuid (from the graph file's text), title, topic, tags, type v3."""
    tags = ["gradviz", "backpropagation"] + ([graph.name] if graph.name else [])
    data = {"uuid": str(uuid.uuid5(_NAMESPACE, graph.to_text())),
            "title": graph.title or graph.name or "Backpropagation problem",
            "topic": TOPIC, "tags": tags, "type": "v3",
            "comment": "Written by gradviz export-prairielearn; see README.md."}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def question_html(graph: Graph, trace: Trace) -> str:
    """``question.html``: the figure, the given values, one number input per answer."""
    loss = names.tex(graph.loss)
    rows = "\n".join(f"      <tr><td>${_static(names.tex(n))}$</td><td>{_static(kind)}</td>"
                     f"<td>{{{{params.given.v{i}}}}}</td></tr>"
                     for i, (n, kind, _) in enumerate(given(graph), start=1))
    inputs = []
    for c in cells(trace):
        attrs = {"answers-name": c.name, "label": c.label(),
                 **tolerance(c.quantity).attributes()}
        text = " ".join(f'{k}="{_static(v)}"' for k, v in attrs.items())
        inputs.append(f"<p><pl-number-input {text}></pl-number-input></p>")
    title = _static(graph.title or graph.name or "Backpropagation problem")
    return (f"<pl-question-panel>\n  <p><strong>{title}</strong></p>\n"
            f"  <p>The computational graph below computes ${_static(loss)}$. Run the forward "
            "pass, then backpropagate. $\\nabla Q$ stands for "
            f"$\\partial {_static(loss)}/\\partial Q$. Round as you go to 4 significant "
            "figures.</p>\n  <pl-graph engine=\"dot\">{{params.dot}}</pl-graph>\n"
            "  <table class=\"table table-sm w-auto\">\n"
            "      <tr><th>name</th><th>kind</th><th>value</th></tr>\n"
            f"{rows}\n  </table>\n</pl-question-panel>\n\n" + "\n".join(inputs) + "\n")


SERVER_PY = '''"""PrairieLearn server code of a gradviz question (from gradviz export-prairielearn).

generate() draws this variant of graph.grad with gradviz's generator, seeded by
PrairieLearn's data["variant_seed"] (the same seed always gives the same variant), and
fills data["params"] and data["correct_answers"]. grade() runs gradviz's answer checker on
the submission against that variant and writes its explanation of every answer into
data["feedback"] and data["partial_scores"][name]["feedback"] (scores are left as the
answer boxes set them). gradviz must be importable from serverFilesCourse: see README.md.
"""

from gradviz.course.prairielearn import generate_data, grade_data, question_folder


def generate(data):
    generate_data(data, question_folder(data))


def grade(data):
    grade_data(data)
'''


def question_folder(data: dict[str, Any]) -> Path:
    """The question's folder: ``data["options"]["question_path"]``, else the working
    folder (PrairieLearn runs ``server.py`` there)."""
    path = (data.get("options") or {}).get("question_path")
    return Path(path) if path else Path(os.getcwd())


def generate_data(data: dict[str, Any], folder: str | Path) -> None:
    """What ``server.py``'s ``generate(data)`` does: draw the variant of ``variant_seed``
    and fill ``data["params"]`` and ``data["correct_answers"]`` (JSON numbers and text)."""
    from gradviz.core.parse import load
    from gradviz.teaching.generate import variants

    graph = load(Path(folder) / GRAPH_FILE)
    (variant,) = variants(graph, int(data["variant_seed"]), 1)
    trace = evaluate(variant)
    data["params"]["dot"] = blank_dot(variant)
    data["params"]["given"] = {f"v{i}": fmt_value(v, None, minus=MINUS)
                               for i, (_, _, v) in enumerate(given(variant), start=1)}
    data["params"]["graph"] = variant.to_text()
    data["correct_answers"].update({c.name: c.value(trace) for c in cells(trace)})


def _answer(data: dict[str, Any], name: str) -> str | None:
    """A box's answer as the student typed it (else as PrairieLearn parsed it)."""
    raw = (data.get("raw_submitted_answers") or {}).get(name)
    if isinstance(raw, str) and raw.strip():
        return raw.strip()
    value = (data.get("submitted_answers") or {}).get(name)
    return repr(float(value)) if isinstance(value, (int, float)) and \
        not isinstance(value, bool) else None


def _entries(data: dict[str, Any], boxes: list[Cell]) -> tuple[list[tuple[str, str]],
                                                               dict[str, list[str]]]:
    """The submission as sheet rows (a vector's boxes joined) and each quantity's boxes."""
    by_quantity: dict[str, list[Cell]] = {}
    for c in boxes:
        by_quantity.setdefault(c.quantity.ask, []).append(c)
    rows, names = [], {}
    for ask, group in by_quantity.items():
        names[ask] = [c.name for c in group]
        texts = [_answer(data, c.name) for c in group]
        if any(t is None for t in texts):
            continue
        shape = group[0].quantity.shape
        flat = np.array(texts, dtype=object).reshape(shape) if shape else None
        text = texts[0] if flat is None else json.dumps(flat.tolist()).replace('"', "")
        rows.append((ask, str(text)))
    return rows, names


def grade_data(data: dict[str, Any]) -> None:
    """What ``server.py``'s ``grade(data)`` does: check the submission against the variant
    in ``data["params"]["graph"]`` and put the checker's verdict and explanation of each
    answer into ``data["feedback"][box]`` and ``data["partial_scores"][box]["feedback"]``,
    and the whole report into ``data["feedback"]["gradviz"]``. Scores are not changed."""
    from gradviz.core.errors import GradvizError
    from gradviz.core.parse import parse
    from gradviz.teaching.check import check

    trace = evaluate(parse(data["params"]["graph"], "variant"))
    rows, names = _entries(data, cells(trace))
    feedback = data.setdefault("feedback", {})
    try:
        report = check(trace, rows)
    except GradvizError as e:
        feedback["gradviz"] = f"not checked: {e}"
        return
    feedback["gradviz"] = report.text()
    for c in report.cells:
        if c.quantity not in names or c.status == "not_answered":
            continue
        verdict = {"correct": "correct", "rounding": "right (rounding)"}.get(
            c.status, "wrong" + (f" ({c.cause.replace('_', ' ')})" if c.cause else ""))
        text = verdict + (f": {c.explanation}" if c.explanation else "")
        for name in names[c.quantity]:
            feedback[name] = text
            part = (data.get("partial_scores") or {}).get(name)
            if isinstance(part, dict):  # the box's element scored it
                part["feedback"] = text


def readme(graph: Graph) -> str:
    """Notes for instructors (PrairieLearn shows a question's README.md on its preview)."""
    tol = Tolerance()
    return (f"# {graph.title or graph.name}\n\nWritten by `gradviz export-prairielearn`. Each "
            "variant is drawn by `server.py` from PrairieLearn's variant seed with gradviz's "
            "generator (`gradviz generate --help` lists the rules a variant keeps); the "
            "original problem is `graph.grad`.\n\n## gradviz on the server\n\n`server.py` "
            "imports gradviz. PrairieLearn puts the course's `serverFilesCourse` folder on "
            "the Python path, so copy the package there, either with\n\n    gradviz "
            "export-prairielearn NAME -o questions/NAME --server-files serverFilesCourse\n\n"
            "or as PrairieLearn's runtime guide says for any library:\n\n    docker run -it "
            "--rm -v COURSE:/course prairielearn/prairielearn uv pip install --target "
            "/course/serverFilesCourse gradviz\n\nnumpy, scipy and networkx come with "
            "PrairieLearn's image.\n\n## Tolerance\n\nEvery answer box uses `relabs`: an "
            f"answer is correct within {tol.rtol:g}·|key| + {tol.atol:g} of the key (1%, so "
            "rounding to 4 significant figures as one goes passes; a zero gradient takes 0)."
            "\n\n## Topic and tags\n\nAdd the topic `Backpropagation` and the tags "
            "`gradviz`, `backpropagation` to `infoCourse.json` to give them colours.\n")


def vendor(dest: Path) -> list[Path]:
    """Copy the gradviz package (its Python files and built-in graphs) into ``dest``."""
    package = Path(__file__).resolve().parents[1]
    written = []
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package)
        if path.is_file() and "__pycache__" not in rel.parts and path.suffix in (".py",
                                                                                 ".grad"):
            write_if_changed(dest / "gradviz" / rel, path.read_bytes())
            written.append(dest / "gradviz" / rel)
    return written


def export(graph: Graph, out: Path, server_files: Path | None = None) -> list[Path]:
    """Write the question folder ``out`` (and gradviz into ``server_files``, if given)."""
    from gradviz.teaching.generate import variants

    variants(graph, 0, 1)  # the problem has good variants (else a clear error, now)
    trace = evaluate(graph)
    files = {"info.json": info_json(graph), "question.html": question_html(graph, trace),
             "server.py": SERVER_PY, GRAPH_FILE: graph.to_text(), "README.md": readme(graph)}
    for name, text in files.items():
        write_if_changed(out / name, text)
    if server_files is not None:
        vendor(server_files)
    return [out / name for name in files]
