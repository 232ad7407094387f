"""Worked solutions, "show your work" style: Markdown, LaTeX, HTML or JSON.

Forward pass one line per named node (formula, numbers substituted, result); the loss with
its formula; backward pass one block per named node in reverse order, with the chain rule
summed over every consumer, the local derivatives, and the branch taken at every kink;
then the answer table in the problem's order. Every number is read from the trace (local
derivatives through unnamed intermediates come from evaluating that sub-expression with
the same evaluator); the text only arranges them.
"""

from __future__ import annotations

import html as _html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gradviz.core.errors import GradvizError
from gradviz.core.evaluate import Trace
from gradviz.core.files import write_if_changed
from gradviz.core.format import canonical, fmt_compact, fmt_operand, fmt_value
from gradviz.core.graph import Graph
from gradviz.core.names import plain, tex
from gradviz.views.answers import asked
from gradviz.views.branches import branch_sentence
from gradviz.views.optable import forward_text, role_derivative
from gradviz.views.story import story

__all__ = ["Solution", "solution", "to_markdown", "to_latex", "to_html", "to_json",
           "write_solution", "named_chain", "FORMATS"]


@dataclass
class Term:
    """One path in a chain-rule sum: ∂L/∂v · ∂v/∂u = upstream · local = contribution."""

    via: str
    upstream: np.ndarray
    local: np.ndarray | None
    contribution: np.ndarray


@dataclass
class Block:
    node: str
    terms: list[Term]
    grad: np.ndarray
    locals_text: list[str] = field(default_factory=list)
    branches: list[str] = field(default_factory=list)


@dataclass
class Solution:
    trace: Trace
    given: list[tuple[str, str, np.ndarray]]
    forward: list[tuple[str, str]]  # (node, sentence)
    loss_formula: str
    blocks: list[Block]
    answers: list[tuple[str, np.ndarray | None]]
    forward_branches: list[str]


# ------------------------------------------------------------------- named view
def named_chain(trace: Trace, u: str) -> list[Term]:
    """The chain-rule terms of ``∂L/∂u`` over its named consumers, read from the trace
    (local derivatives through unnamed intermediates such as ``W2 * H2`` inside
    ``H4 = W2 * H2 / H1`` included)."""
    terms = []
    for v in trace.graph.named_consumers(u):
        contribution = trace.through(u, v)
        if contribution is None:
            continue
        local = trace.local_through(v, u) if np.ndim(trace.value(v)) == 0 else None
        terms.append(Term(v, trace.grad(v), local, contribution))
    return terms


# ------------------------------------------------------------------------ model
def solution(trace: Trace) -> Solution:
    """Assemble the worked solution of a single evaluated trace.

    Examples
    --------
    >>> from gradviz import evaluate, example
    >>> s = solution(evaluate(example("interesting")))
    >>> s.forward[3][1]
    'H₄ = W₂ · H₂ / H₁ = -3 · (-1) / 1.5 = 2'
    >>> [b.node for b in s.blocks][:3]
    ['Yhat', 'H5', 'H4']
    """
    if trace.batch is not None:
        raise GradvizError("a solution is written for one variant; evaluate without a batch")
    g = trace.graph
    st = story(trace)
    named = set(g.named())
    forward = [(s.node, s.text) for s in st.steps
               if s.kind in ("forward", "loss") and s.node in named]
    given = [(n, g.kind(n), trace.value(n)) for n in g.leaves() if not g.is_generated(n)]
    loss_op = g.op_of(trace.loss)
    loss_formula = forward_text(loss_op) \
        if loss_op is not None and loss_op.kind == "loss" else ""
    fwd_branches = []
    for n in g.order:
        op = g.op_of(n)
        if op is not None and op.pieces:
            sentence = branch_sentence(trace, n)
            if sentence:
                fwd_branches.append(sentence)
    blocks = []
    for u in reversed(g.order):
        if u not in named or u == trace.loss or not trace.requires_grad(u):
            continue
        terms = named_chain(trace, u)
        block = Block(u, terms, trace.grad(u))
        for t in terms:
            users = {w for w, _ in g.consumers(u)}
            for w in g.expression(t.via):
                op = g.op_of(w)
                if w in users or w == t.via:
                    if op.pieces:
                        sentence = branch_sentence(trace, w)
                        if sentence and sentence not in block.branches:
                            block.branches.append(sentence)
            direct = [e for e in trace.edges_from(u) if e.dst == t.via]
            if direct and len(g.expression(t.via)) == 1:
                block.locals_text.append(_local_formula(g, t.via, u, [e.arg for e in direct]))
        blocks.append(block)
    return Solution(trace, given, forward, loss_formula, blocks, asked(trace), fwd_branches)


def _local_formula(g: Graph, v: str, u: str, args: list[int]) -> str:
    """``∂H₅/∂H₁ = 1 if b > a, ½ if a = b, else 0 (max, u as b)`` from the op table."""
    op = g.op_of(v)
    n = len(g.inputs(v))
    roles = sorted({op.role(a, n) for a in args})
    parts = [f"{role_derivative(op, r)} (as {op.args[r]})" for r in roles]
    return f"{_d(v, u)}: {op.name} gives " + " and ".join(parts)


def _d(a: str, b: str) -> str:
    return f"∂{plain(a)}/∂{plain(b)}"


def chain_text(s: Solution, b: Block) -> str:
    """``∂L/∂H₁ = ∂L/∂H₃·∂H₃/∂H₁ + … = (-0.6225)·1 + … = -1.452``."""
    loss = s.trace.loss
    if not b.terms:
        return f"{_d(loss, b.node)} = 0 (no path to {plain(loss)})"
    symbolic = " + ".join(f"{_d(loss, t.via)}·{_d(t.via, b.node)}" for t in b.terms)
    if all(t.local is not None and np.ndim(t.local) == 0 for t in b.terms):
        numbers = " + ".join(f"{fmt_operand(t.upstream)}·{fmt_operand(t.local)}" for t in b.terms)
    else:
        numbers = " + ".join(fmt_operand(t.contribution) for t in b.terms)
    return f"{_d(loss, b.node)} = {symbolic} = {numbers} = {fmt_value(b.grad)}"


def _answer_name(q: str) -> str:
    return "∇" + plain(q[1:]) if q.startswith("∇") else plain(q)


# ---------------------------------------------------------------------- markdown
def to_markdown(s: Solution, figures: dict[str, str] | None = None) -> str:
    g = s.trace.graph
    out = [f"# Solution: {g.title or g.name or 'graph'}", ""]
    if g.source:
        out += [f"*{g.source}*", ""]
    for key, caption in (("blank", "The graph"), ("all", "Values and gradients")):
        if figures and key in figures:
            out += [f"![{caption}]({figures[key]})", ""]
    out += ["## Given", "", "| name | kind | value |", "|---|---|---|"]
    out += [f"| {plain(n)} | {k} | {fmt_value(v)} |" for n, k, v in s.given]
    out += ["", "## Forward pass", ""]
    out += [f"- {text}" for _, text in s.forward]
    if s.loss_formula:
        out += ["", f"The loss: {s.loss_formula}."]
    if s.forward_branches:
        out += ["", "Branches taken:", ""] + [f"- {b}" for b in s.forward_branches]
    out += ["", "## Backward pass", "",
            f"Start from {_d(s.trace.loss, s.trace.loss)} = 1 and go back in reverse "
            "order; a node used by several others sums the chain rule over every path.", ""]
    for b in s.blocks:
        out += [f"### {_answer_name('∇' + b.node)}", "", f"    {chain_text(s, b)}", ""]
        out += [f"- local: {t}" for t in b.locals_text]
        out += [f"- {t}" for t in b.branches]
        if b.locals_text or b.branches:
            out.append("")
    out += ["## Answer table", "", "| quantity | value |", "|---|---|"]
    out += [f"| {_answer_name(q)} | {'—' if v is None else fmt_value(v)} |"
            for q, v in s.answers]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------- LaTeX
_TEX_SUBS = [("·", r"\cdot "), ("−", "-"), ("½", r"\tfrac12"), ("∂", r"\partial "),
             ("≥", r"\ge "), ("≤", r"\le "), ("×", r"\times "), ("…", r"\dots ")]


def _tex_expr(g: Graph, n: str) -> str:
    text = g.expr(n, show=lambda u: tex(u), pretty=True)
    text = re.sub(r"\b([a-z_]+)\(", lambda m: r"\operatorname{" + m.group(1).replace(
        "_", r"\_") + "}(", text)
    for a, b in _TEX_SUBS:
        text = text.replace(a, b)
    return text


def _tex_num(v) -> str:
    a = np.asarray(v)
    if a.ndim == 2 and a.shape[0] <= 8 and a.shape[1] <= 6:
        rows = [" & ".join(fmt_value(x) for x in row) for row in a]
        return r"\begin{pmatrix}" + r" \\ ".join(rows) + r"\end{pmatrix}"
    return fmt_compact(v).replace("…", r"\dots ")


def _tex_d(a: str, b: str) -> str:
    return rf"\frac{{\partial {tex(a)}}}{{\partial {tex(b)}}}"


def to_latex(s: Solution, figures: dict[str, str] | None = None) -> str:
    """A standalone LaTeX document (article, amsmath, graphicx) that pdflatex compiles."""
    g, t = s.trace.graph, s.trace
    title = re.sub(r"[^A-Za-z0-9 ,.:()'-]", " ", g.title or g.name or "graph")
    out = [r"\documentclass[11pt]{article}", r"\usepackage{amsmath,amssymb,graphicx}",
           r"\usepackage[margin=2cm]{geometry}", r"\begin{document}",
           rf"\section*{{Solution: {title}}}"]
    for key in ("blank", "all"):
        if figures and key in figures:
            out.append(rf"\begin{{center}}\includegraphics[width=\linewidth]{{{figures[key]}}}"
                       r"\end{center}")
    out.append(r"\subsection*{Given}")
    out.append(r"\[ " + r",\quad ".join(f"{tex(n)} = {_tex_num(v)}" for n, _, v in s.given)
               + r" \]")
    out.append(r"\subsection*{Forward pass}")
    out.append(r"\begin{align*}")
    rows = []
    for n, _ in s.forward:
        rows.append(f"{tex(n)} &= {_tex_expr(g, n)} = {_tex_num(t.value(n))}")
    out.append(r" \\".join(rows))
    out.append(r"\end{align*}")
    out.append(r"\subsection*{Backward pass}")
    for b in s.blocks:
        loss = t.loss
        if b.terms:
            sym = " + ".join(f"{_tex_d(loss, x.via)} {_tex_d(x.via, b.node)}" for x in b.terms)
            nums = " + ".join(f"({_tex_num(x.contribution)})" for x in b.terms)
            out.append(rf"\[ {_tex_d(loss, b.node)} = {sym} = {nums} = {_tex_num(b.grad)} \]")
        for sentence in b.branches:
            out.append(_tex_text(sentence) + r"\par")
    out.append(r"\subsection*{Answer table}")
    out.append(r"\begin{tabular}{ll}\hline quantity & value \\ \hline")
    for q, v in s.answers:
        name = rf"\nabla {tex(q[1:])}" if q.startswith("∇") else tex(q)
        out.append(rf"${name}$ & ${'-' if v is None else _tex_num(v)}$ \\")
    out.append(r"\hline\end{tabular}")
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


def _tex_text(sentence: str) -> str:
    """A branch sentence as LaTeX text: names and symbols mapped, everything else escaped."""
    out = []
    for ch in sentence:
        if ch in "<>":
            out.append(f"${ch}$")
        elif ch.isascii() and (ch.isalnum() or ch in " .,:;()=+-/'"):
            out.append(ch)
        elif ch in "₀₁₂₃₄₅₆₇₈₉":
            out.append(f"$_{'₀₁₂₃₄₅₆₇₈₉'.index(ch)}$")
        else:
            out.append({"∂": r"$\partial$", "−": "-", "½": r"$\frac12$", "≥": r"$\ge$",
                        "≤": r"$\le$", "′": "'", "·": r"$\cdot$", "α": r"$\alpha$",
                        "Ŷ": r"$\hat{Y}$", "ŷ": r"$\hat{y}$", "σ": r"$\sigma$"}.get(ch, " "))
    return "".join(out)


# -------------------------------------------------------------------------- HTML
def to_html(s: Solution, figures: dict[str, str] | None = None) -> str:
    """A self-contained HTML page of the solution."""
    g = s.trace.graph
    e = _html.escape
    parts = [f"<h1>Solution: {e(g.title or g.name or 'graph')}</h1>"]
    if g.source:
        parts.append(f"<p><em>{e(g.source)}</em></p>")
    for key, caption in (("blank", "The graph"), ("all", "Values and gradients")):
        if figures and key in figures:
            parts.append(f'<figure><img src="{e(figures[key])}" alt="{e(caption)}">'
                         f"<figcaption>{e(caption)}</figcaption></figure>")
    parts.append("<h2>Given</h2><table><tr><th>name</th><th>kind</th><th>value</th></tr>"
                 + "".join(f"<tr><td>{e(plain(n))}</td><td>{k}</td><td>{e(fmt_value(v))}</td>"
                           "</tr>" for n, k, v in s.given) + "</table>")
    parts.append("<h2>Forward pass</h2><ul>"
                 + "".join(f"<li><code>{e(text)}</code></li>" for _, text in s.forward)
                 + "</ul>")
    if s.loss_formula:
        parts.append(f"<p>The loss: <code>{e(s.loss_formula)}</code>.</p>")
    if s.forward_branches:
        parts.append("<ul>" + "".join(f"<li>{e(b)}</li>" for b in s.forward_branches) + "</ul>")
    parts.append("<h2>Backward pass</h2>")
    for b in s.blocks:
        parts.append(f"<h3>{e(_answer_name('∇' + b.node))}</h3>"
                     f"<p><code>{e(chain_text(s, b))}</code></p>")
        items = [f"local: {x}" for x in b.locals_text] + b.branches
        if items:
            parts.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>")
    parts.append("<h2>Answer table</h2><table><tr><th>quantity</th><th>value</th></tr>"
                 + "".join(f"<tr><td>{e(_answer_name(q))}</td><td>"
                           f"{'—' if v is None else e(fmt_value(v))}</td></tr>"
                           for q, v in s.answers) + "</table>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Solution: {e(g.title or g.name or 'graph')}</title><style>"
            "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
            "padding:0 1rem}code{font-size:1.05rem}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:.2rem .6rem}img{max-width:100%}"
            "</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n")


def to_json(s: Solution) -> str:
    data = {
        "graph": s.trace.graph.name, "title": s.trace.graph.title, "loss": s.trace.loss,
        "forward": [{"node": n, "text": t} for n, t in s.forward],
        "backward": [{"node": b.node, "text": chain_text(s, b), "grad": canonical(b.grad),
                      "terms": [{"via": t.via, "upstream": canonical(t.upstream),
                                 "local": None if t.local is None else canonical(t.local),
                                 "contribution": canonical(t.contribution)}
                                for t in b.terms], "branches": b.branches}
                     for b in s.blocks],
        "answers": [{"quantity": q, "value": None if v is None else canonical(v)}
                    for q, v in s.answers],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


FORMATS = {"md": to_markdown, "tex": to_latex, "html": to_html, "json": to_json}  # by --format


def write_solution(trace: Trace, fmt: str, out: Path | None, figures: bool = True) -> str:
    """Render the solution; with ``out``, write it and (unless ``figures=False``) its
    figures beside it (SVG for md/html, PDF for tex). Returns the text."""
    if fmt not in FORMATS:
        raise GradvizError(f"format must be one of {', '.join(FORMATS)}")
    s = solution(trace)
    figs = None
    if out is not None and figures and fmt != "json":
        from gradviz.views.render import render

        folder = out.parent / f"{out.stem}_figures"
        ext = "pdf" if fmt == "tex" else "svg"
        figs = {}
        for show in ("blank", "all"):
            path = render(trace, folder / f"{show}.{ext}", show=show)
            figs[show] = f"{folder.name}/{path.name}"
    text = FORMATS[fmt](s) if fmt == "json" else FORMATS[fmt](s, figs)
    if out is not None:
        write_if_changed(out, text)
    return text

