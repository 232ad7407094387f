"""A student's feedback, in Markdown and HTML: their score, each cell's verdict with the
checker's explanation, and for the first wrong step the step worked correctly (its local
derivatives and upstream gradients, read from the evaluated variant).

Every piece of text from a student or a file (ids, what they wrote, the checker's sentences
that quote them) goes through :mod:`gradviz.core.escape` for its language.
"""

from __future__ import annotations

from dataclasses import dataclass

from gradviz.core import escape
from gradviz.core.evaluate import Trace
from gradviz.course.result import Graded, points_text
from gradviz.course.rubric import ECF, Rubric, credit
from gradviz.teaching.explain import number
from gradviz.teaching.report import Cell
from gradviz.views.answers import quantity_label

__all__ = ["Row", "rows", "verdict", "first_wrong", "correct_step", "feedback_markdown",
           "feedback_html"]

TITLE = "Backpropagation feedback"
_STYLE = ("body{font-family:system-ui,sans-serif;max-width:52em;margin:2em auto;"
          "line-height:1.5;color:#111}table{border-collapse:collapse}td,th{border:1px solid "
          "#999;padding:.2em .6em;text-align:left}.wrong{color:#a40000}.right{color:#005a9c}")


@dataclass(frozen=True)
class Row:
    """One asked quantity: label, what the student wrote, verdict, points, explanation."""

    label: str
    wrote: str
    verdict: str
    points: str
    explanation: str
    right: bool


def verdict(cell: Cell | None, rubric: Rubric) -> str:
    """A cell's verdict in words.

    Examples
    --------
    >>> verdict(Cell("L", "1", "L", "wrong", cause="sign"), Rubric())
    'wrong (sign)'
    >>> verdict(Cell("L", "1", "L", "wrong", cause="inherited"), Rubric(ecf="half"))
    'wrong only because of an earlier mistake (half credit)'
    """
    if cell is None or cell.status == "not_answered":
        return "not answered"
    if cell.status == "wrong" and cell.cause == "inherited":
        share = {1.0: "full", 0.5: "half", 0.0: "no"}[ECF[rubric.ecf]]
        return f"wrong only because of an earlier mistake ({share} credit)"
    if cell.status == "wrong":
        cause = cell.cause.replace("_", " ") if cell.cause else ""
        return f"wrong ({cause})" if cause else "wrong"
    return {"correct": "correct", "rounding": "right (rounding)", "missing": "blank",
            "unreadable": "unreadable"}[cell.status]


def rows(graded: Graded, rubric: Rubric) -> list[Row]:
    """A row per asked quantity, in the problem's order."""
    out = []
    for q, pts in graded.out_of.items():
        c = graded.cell(q)
        got = graded.points[q]
        wrote = c.text.strip() if c is not None else ""
        out.append(Row(quantity_label(q), wrote, verdict(c, rubric),
                       f"{points_text(got)} of {points_text(pts)}",
                       c.explanation if c is not None else "",
                       c is not None and credit(c, rubric) == 1.0))
    return out


def first_wrong(graded: Graded) -> str | None:
    """The first asked quantity that is wrong by its own mistake (not only inherited)."""
    for q in graded.out_of:
        c = graded.cell(q)
        if c is not None and c.status == "wrong" and c.cause != "inherited":
            return q
    return None


def correct_step(trace: Trace, q: str) -> str:
    """The step that computes ``q``, worked with the true numbers.

    Examples
    --------
    >>> from gradviz import evaluate, example
    >>> print(correct_step(evaluate(example("interesting")), "∇W1"))
    ∇W₁ = ∇H₁ · ∂H₁/∂W₁, where H₁ = W₁ · (X₁ + X₂): the local derivative ∂H₁/∂W₁ = 1 \
and ∇H₁ = −1.452, so ∇W₁ = −1.452
    """
    g = trace.graph
    node, name = q.lstrip("∇"), g.display_name
    if not q.startswith("∇"):
        if g.is_leaf(node):
            return f"{name(node)} is given: {number(trace.value(node))}"
        shown = g.expr(node, show=lambda n: number(trace.value(n)), pretty=True)
        return f"{name(node)} = {shown} = {number(trace.value(node))}"
    users = [v for v in g.named_consumers(node) if trace.requires_grad(v)]
    if not users:
        return f"{name(node)} does not reach the loss: its gradient is 0"
    terms, parts = [], []
    for v in users:
        d = f"∂{name(v)}/∂{name(node)}"
        terms.append(f"∇{name(v)} · {d}")
        jac = trace.local_through(v, node, limit=1)
        where = "" if g.is_generated(v) else \
            f", where {name(v)} = {g.expr(v, show=name, pretty=True)}"
        local = f"the local derivative {d} = {number(jac)}" if jac is not None else \
            f"the local derivative {d} (a Jacobian: see your worked key)"
        upstream = "" if v == g.loss else f" and ∇{name(v)} = {number(trace.grad(v))}"
        parts.append(f"{where.removeprefix(', ')}: {local}{upstream}" if where else
                     f"{local}{upstream}")
    return (f"∇{name(node)} = {' + '.join(terms)}, " + "; ".join(parts) +
            f", so ∇{name(node)} = {number(trace.grad(node))}")


def _problem(graded: Graded) -> str:
    g = graded.trace.graph
    return g.title or g.name or "graph"


def _summary(graded: Graded) -> tuple[str, str]:
    score = f"{points_text(graded.score)} of {points_text(graded.max)} points"
    return score, graded.note


def feedback_markdown(graded: Graded, rubric: Rubric) -> str:
    """The feedback as Markdown."""
    md = escape.markdown
    score, note = _summary(graded)
    lines = [f"# {TITLE}: {md(graded.student)}", "",
             f"Problem: {md(_problem(graded))}. Score: **{score}**.", ""]
    if note:
        lines += [f"Note: {md(note)}", ""]
    table = rows(graded, rubric)
    if graded.status == "graded":
        lines += ["| Quantity | You wrote | Verdict | Points |", "| --- | --- | --- | --- |"]
        lines += [f"| {md(r.label)} | {md(r.wrote) or '(blank)'} | {r.verdict} | {r.points} |"
                  for r in table]
        lines += ["", "## Cell by cell", ""]
        lines += [f"- **{md(r.label)}**: {r.verdict}" + (f". {md(r.explanation)}"
                  if r.explanation else "") for r in table]
    q = first_wrong(graded)
    if q is not None:
        lines += ["", f"## The first wrong step: {md(quantity_label(q))}", "",
                  md(correct_step(graded.trace, q))]
    return "\n".join(lines) + "\n"


def feedback_html(graded: Graded, rubric: Rubric) -> str:
    """The feedback as a self-contained HTML page."""
    h = escape.html
    score, note = _summary(graded)
    student = h(graded.student)
    body = [f"<h1>{TITLE}: {student}</h1>",
            f"<p>Problem: {h(_problem(graded))}. Score: <strong>{score}</strong>.</p>"]
    if note:
        body.append(f"<p>Note: {h(note)}</p>")
    if graded.status == "graded":
        body.append("<table><tr><th>Quantity</th><th>You wrote</th><th>Verdict</th>"
                    "<th>Points</th><th>Why</th></tr>")
        for r in rows(graded, rubric):
            klass = "right" if r.right else "wrong"
            body.append(f"<tr><td>{h(r.label)}</td><td>{h(r.wrote) or '(blank)'}</td>"
                        f"<td class=\"{klass}\">{h(r.verdict)}</td><td>{r.points}</td>"
                        f"<td>{h(r.explanation)}</td></tr>")
        body.append("</table>")
    q = first_wrong(graded)
    if q is not None:
        body += [f"<h2>The first wrong step: {h(quantity_label(q))}</h2>",
                 f"<p>{h(correct_step(graded.trace, q))}</p>"]
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{TITLE}: {student}</title><style>{_STYLE}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")
