"""A student's problem sheet: the blank figure, the given values, and a table to fill.

Two forms of one content: :func:`problem_html`, a self-contained page with the figure
inlined as SVG, and :func:`problem_tex`, a LaTeX document for a printed sheet whose text
block (16 cm × 22 cm, centred) fits A4 and US Letter alike. Student ids and titles are
user text: escaped for each language (:mod:`gradviz.core.escape`), and broken into pieces
LaTeX may wrap so a long one never runs off the page. Given values are written in full
(never elided), with the exact numbers of the graph file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gradviz.core import escape, names
from gradviz.core.evaluate import Trace
from gradviz.core.format import MINUS, fmt_value
from gradviz.core.graph import Graph
from gradviz.views.answers import asked

__all__ = ["Quantity", "quantities", "given", "problem_html", "problem_tex", "PAPERS"]

PAPERS = {"a4": "a4paper", "letter": "letterpaper"}
# two (quantity, answer) pairs per row: 2 × (3 + 4.3 cm) plus three column gaps < 16 cm
_ASK_COLUMNS = r">{\raggedright\arraybackslash}p{3cm}p{4.3cm}"
DEFINITION = "∇Q stands for ∂L/∂Q, the gradient of the loss L with respect to Q."


@dataclass(frozen=True)
class Quantity:
    """One asked quantity: ``∇W1`` or ``Yhat``, and the shape of its answer."""

    ask: str
    shape: tuple[int, ...]

    @property
    def node(self) -> str:
        return self.ask[1:] if self.is_grad else self.ask

    @property
    def is_grad(self) -> bool:
        return self.ask.startswith("∇")

    def plain(self) -> str:
        return ("∇" if self.is_grad else "") + names.plain(self.node)

    def tex(self) -> str:
        return (r"\nabla " if self.is_grad else "") + names.tex(self.node)

    def size_text(self) -> str:
        if not self.shape:
            return ""
        return f"vector of {self.shape[0]}" if len(self.shape) == 1 else \
            f"{self.shape[0]}×{self.shape[1]} matrix"


def quantities(trace: Trace) -> list[Quantity]:
    """The quantities the problem asks for, in its order."""
    return [Quantity(q, tuple(np.shape(np.asarray(v)))) for q, v in asked(trace)]


def given(graph: Graph) -> list[tuple[str, str, np.ndarray]]:
    """``(name, kind, value)`` of every named leaf, in the graph's order."""
    return [(n, graph.kind(n), graph.default(n)) for n in graph.leaves()
            if not graph.is_generated(n)]


# ---------------------------------------------------------------------------- HTML
_CSS = ("body{font-family:system-ui,sans-serif;max-width:50rem;margin:1.5rem auto;"
        "padding:0 1rem;color:#111}svg{max-width:100%;height:auto}table{border-collapse:"
        "collapse;margin:.5rem 0}td,th{border:1px solid #999;padding:.3rem .7rem;"
        "text-align:left;vertical-align:top}td.answer{min-width:14rem;height:2.2rem}"
        ".who{font-size:1.1rem}.note{color:#444}@page{margin:15mm}"
        "@media print{body{margin:0;max-width:none}}")


def _html_value(v: np.ndarray) -> str:
    a = np.asarray(v)
    if a.ndim < 2:
        return escape.html(fmt_value(a, None, minus=MINUS))
    rows = "".join("<tr>" + "".join(f"<td>{escape.html(fmt_value(x, None, minus=MINUS))}</td>"
                                    for x in row) + "</tr>" for row in a)
    return f'<table class="matrix">{rows}</table>'


def problem_html(graph: Graph, trace: Trace, student: str, svg: str) -> str:
    """The problem sheet as one HTML page; ``svg`` is the blank figure (inlined)."""
    e = escape.html
    title = e(graph.title or graph.name or "Backpropagation problem")
    rows = "".join(f"<tr><td>{e(names.plain(n))}</td><td>{e(kind)}</td>"
                   f"<td>{_html_value(v)}</td></tr>" for n, kind, v in given(graph))
    asks = "".join(f"<tr><td>{e(q.plain())}</td><td class=\"note\">{e(q.size_text())}</td>"
                   '<td class="answer"></td></tr>' for q in quantities(trace))
    figure = svg[svg.find("<svg"):] if "<svg" in svg else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{title}</title><style>{_CSS}</style></head><body>\n"
            f"<h1>{title}</h1>\n<p class=\"who\">Student: <strong>{e(student)}</strong></p>\n"
            f"<figure>{figure}<figcaption>The computational graph</figcaption></figure>\n"
            "<h2>Given</h2>\n<table><tr><th>name</th><th>kind</th><th>value</th></tr>"
            f"{rows}</table>\n<h2>Compute</h2>\n<p>Run the forward pass, then backpropagate, "
            f"showing your work. {e(DEFINITION)} Round as you go to 4 significant figures."
            "</p>\n<table><tr><th>quantity</th><th></th><th>your answer</th></tr>"
            f"{asks}</table>\n</body></html>\n")


# --------------------------------------------------------------------------- LaTeX
def breakable_tex(text: str, piece: int = 16) -> str:
    """User text for LaTeX text mode, escaped, with a break allowed every ``piece``
    characters (a long id without spaces still wraps).

    Examples
    --------
    >>> breakable_tex("a_b" * 7, piece=8)
    'a\\\\_ba\\\\_ba\\\\_\\\\allowbreak{}ba\\\\_ba\\\\_ba\\\\allowbreak{}\\\\_ba\\\\_b'
    """
    return r"\allowbreak{}".join(escape.tex(text[i:i + piece])
                                 for i in range(0, len(text), piece)) or "?"


def _tex_value(v: np.ndarray) -> str:
    a = np.asarray(v)
    if a.ndim == 0:
        return f"${fmt_value(a, None)}$"
    if a.ndim == 2 and a.shape[1] <= 8:
        body = r" \\ ".join(" & ".join(fmt_value(x, None) for x in row) for row in a)
        return rf"$\begin{{pmatrix}}{body}\end{{pmatrix}}$"
    rows = [", \\allowbreak ".join(fmt_value(x, None) for x in row)
            for row in (a if a.ndim == 2 else [a])]
    return r"\newline ".join(f"$[{r}]$" for r in rows)


def _tex_given(graph: Graph) -> list[str]:
    """The given values: one per row, or side by side in two columns when all are scalars
    and there are many."""
    rows = [rf"${names.tex(n)}$ & {escape.tex(kind)} & {_tex_value(v)}"
            for n, kind, v in given(graph)]
    if len(rows) > 6 and all(np.ndim(v) == 0 for _, _, v in given(graph)):
        half = (len(rows) + 1) // 2
        right = rows[half:] + [" & & "]
        return [r"\begin{longtable}{@{}lll@{\hspace{2cm}}lll@{}}",
                r"name & kind & value & name & kind & value \\ \hline \endhead",
                *(f"{a} & {b}" + r" \\" for a, b in zip(rows[:half], right)),
                r"\end{longtable}"]
    return [r"\begin{longtable}{@{}l l >{\raggedright\arraybackslash}p{11cm}@{}}",
            r"name & kind & value \\ \hline \endhead", *(r + r" \\" for r in rows),
            r"\end{longtable}"]


def problem_tex(graph: Graph, trace: Trace, student: str, figure: str,
                paper: str = "a4") -> str:
    """The problem sheet as a LaTeX document; ``figure`` is the blank figure's PDF path
    (relative, checked by :func:`gradviz.core.escape.tex_path`)."""
    title = breakable_tex(graph.title or graph.name or "Backpropagation problem", 24)
    out = [r"\documentclass[11pt]{article}",
           rf"\usepackage[{PAPERS[paper]},textwidth=16cm,textheight=22cm,centering]"
           r"{geometry}",
           r"\usepackage[T1]{fontenc}", r"\usepackage{amsmath,graphicx,array,longtable}",
           r"\setlength{\parindent}{0pt}\setlength{\LTpre}{4pt}\setlength{\LTpost}{4pt}"
           r"\setlength{\LTleft}{0pt}",
           r"\begin{document}", rf"{{\Large\bfseries\raggedright {title}\par}}\medskip",
           rf"{{\raggedright Student: \textbf{{\texttt{{{breakable_tex(student)}}}}}\par}}",
           r"\begin{center}\includegraphics[width=\linewidth,height=0.36\textheight,"
           rf"keepaspectratio]{{{escape.tex_path(figure)}}}\end{{center}}",
           r"\textbf{Given}\par"] + _tex_given(graph) + [
           r"\textbf{Compute}\par",
            r"Run the forward pass, then backpropagate, showing your work. "
            r"$\nabla Q$ stands for $\partial L/\partial Q$, the gradient of the loss $L$ "
            r"with respect to $Q$. Round as you go to 4 significant figures.\par",
            r"\renewcommand{\arraystretch}{2}",
            r"\begin{longtable}{@{}" + _ASK_COLUMNS * 2 + "@{}}",
            r"quantity & your answer & quantity & your answer \\ \hline \endhead"]
    cells = [rf"${q.tex()}$" + (rf" {{\footnotesize ({escape.tex(q.size_text())})}}"
                                if q.shape else "") + " & " for q in quantities(trace)]
    cells += [" & "] * (len(cells) % 2)
    out += [f"{a} & {b}" + r"\\ \hline" for a, b in zip(cells[::2], cells[1::2])]
    out += [r"\end{longtable}", r"\end{document}"]
    return "\n".join(out) + "\n"
