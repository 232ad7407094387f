"""The class report: the score distribution (an SVG bar chart drawn here, no script) and
how many students made each mistake at each node ("31 of 120 left out the path through
H₃"), as a self-contained HTML page and as CSV with the same numbers.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass

from gradviz.core import escape
from gradviz.course.result import Gradebook
from gradviz.teaching.diagnose import CAUSES
from gradviz.teaching.quantities import display

__all__ = ["Mistake", "BINS", "distribution", "mistakes", "sentence", "bar_chart",
           "report_html", "report_csv", "WORDS"]

BINS = 10  # score bins of 10% of the maximum each (the last includes 100%)

# What a cause at a node means, in words for a class ({node}: the node or quantity).
WORDS = {
    "inherited": "carried an earlier mistake into {node}",
    "swap": "swapped {quantity} and {node}",
    "sign": "got the sign of {node} wrong",
    "sign at": "flipped the sign of the local derivative of {node} on the way",
    "missing_path": "left out the path through {node}",
    "wrong_branch": "took the wrong branch at {node}",
    "local_only": "used the local derivative alone (no upstream gradient) for {node}",
    "no_local": "passed the upstream gradient on without the local derivative for {node}",
    "wrong_activation_derivative": "used the wrong activation derivative at {node}",
    "forward": "computed the forward value of {node} wrong",
    "arithmetic": "made a slip no common mistake explains in {node}",
}


@dataclass(frozen=True)
class Mistake:
    """How many students made ``cause`` at ``node`` (``quantity``: a cell it showed in)."""

    cause: str
    node: str
    quantity: str
    students: int


def distribution(book: Gradebook) -> list[int]:
    """Students per score bin (10% of the maximum each)."""
    counts = [0] * BINS
    for r in book.results:
        share = r.score / r.max if r.max else 0.0
        counts[min(BINS - 1, int(share * BINS + 1e-9))] += 1
    return counts


def mistakes(book: Gradebook) -> list[Mistake]:
    """Each (cause, node) and how many students made it, most common first."""
    seen: Counter[tuple[str, str]] = Counter()
    where: dict[tuple[str, str], str] = {}
    for r in book.results:
        keys = set()
        for c in (r.report.cells if r.report else []):
            if c.status == "wrong" and c.cause and c.quantity:
                key = (c.cause, c.node or c.quantity)
                keys.add(key)
                where.setdefault(key, c.quantity)
        seen.update(keys)
    order = sorted(seen, key=lambda k: (-seen[k], CAUSES.index(k[0]) if k[0] in CAUSES
                                        else len(CAUSES), k[1]))
    return [Mistake(k[0], k[1], where[k], seen[k]) for k in order]


def sentence(m: Mistake, of: int) -> str:
    """``31 of 120 left out the path through H₃``.

    Examples
    --------
    >>> sentence(Mistake("missing_path", "H3", "∇H1", 31), 120)
    '31 of 120 left out the path through H₃'
    >>> sentence(Mistake("sign", "∇H4", "∇H4", 2), 120)
    '2 of 120 got the sign of ∇H₄ wrong'
    """
    key = "sign at" if m.cause == "sign" and not m.node.startswith("∇") else m.cause
    words = WORDS.get(key, m.cause.replace("_", " ") + " at {node}")
    return f"{m.students} of {of} " + words.format(node=display(m.node),
                                                   quantity=display(m.quantity))


def _bins() -> list[str]:
    return [f"{10 * k}–{10 * k + 9}%" if k < BINS - 1 else "90–100%" for k in range(BINS)]


def bar_chart(counts: list[int], labels: list[str]) -> str:
    """An SVG bar chart (inline, no script), bars labelled with their counts."""
    width, height, pad = 640, 300, 40
    top = max(counts, default=0) or 1
    step = (width - 2 * pad) / max(1, len(counts))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" '
             'aria-label="students per score band">',
             f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
             'stroke="#333"/>']
    for k, (n, label) in enumerate(zip(counts, labels)):
        h = round((height - 2 * pad - 20) * n / top, 1)
        x = round(pad + k * step + step * 0.1, 1)
        y = round(height - pad - h, 1)
        w = round(step * 0.8, 1)
        parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="#0072b2"/>')
        cx = round(x + w / 2, 1)
        parts.append(f'<text x="{cx}" y="{round(y - 4, 1)}" text-anchor="middle" '
                     f'font-size="13">{n}</text>')
        parts.append(f'<text x="{cx}" y="{height - pad + 16}" text-anchor="middle" '
                     f'font-size="11">{escape.html(label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _counts(book: Gradebook) -> dict[str, int]:
    status = Counter(r.status for r in book.results)
    return {"students": len(book.results), "graded": status["graded"],
            "missing": status["missing"], "unreadable": status["unreadable"]}


LISTED = 20  # file names a report lists before "and N more"


def _listed(names: list[str]) -> str:
    """The first :data:`LISTED` names, and how many more there are.

    Examples
    --------
    >>> _listed(["a.md", "b.md"]), _listed([f"{i}.md" for i in range(23)])[-17:]
    ('a.md, b.md', '19.md, and 3 more')
    """
    more = f", and {len(names) - LISTED} more" if len(names) > LISTED else ""
    return ", ".join(names[:LISTED]) + more


def report_html(book: Gradebook, title: str = "") -> str:
    """The class report as one self-contained HTML page."""
    h = escape.html
    n = _counts(book)
    dist = distribution(book)
    items = "\n".join(f"<li>{h(sentence(m, n['students']))}</li>" for m in mistakes(book))
    extra = (f"<p>Files naming no student (not graded): {h(_listed(book.unmatched))}</p>"
             if book.unmatched else "")
    head = h(f"Class report: {title}" if title else "Class report")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{head}</title><style>body{{font-family:system-ui,sans-serif;"
            "max-width:52em;margin:2em auto;line-height:1.5}</style></head><body>\n"
            f"<h1>{head}</h1>\n<p>{n['students']} students: {n['graded']} graded, "
            f"{n['missing']} missing, {n['unreadable']} unreadable.</p>\n{extra}"
            "<h2>Scores</h2>\n" + bar_chart(dist, _bins()) +
            "\n<h2>Mistakes</h2>\n" + (f"<ul>\n{items}\n</ul>" if items else
                                       "<p>No mistakes.</p>") + "\n</body></html>\n")


def report_csv(book: Gradebook) -> str:
    """The class report's numbers: ``section,label,students,of,description``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    n = _counts(book)
    w.writerow(["section", "label", "students", "of", "description"])
    for key in ("graded", "missing", "unreadable"):
        w.writerow(["submissions", key, n[key], n["students"], ""])
    for label, count in zip(_bins(), distribution(book)):
        w.writerow(["score", label, count, n["students"], ""])
    for m in mistakes(book):
        w.writerow(["mistake", f"{m.cause}:{m.node}", m.students, n["students"],
                    sentence(m, n["students"])])
    return buf.getvalue()
