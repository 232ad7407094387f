"""Worked solutions, as a careful instructor writes them: Markdown, LaTeX, HTML or JSON.

The forward pass one line per step in the course's notation (formula, what an activation
or a loss stands for, numbers substituted, value; the branch a kink or min/max took); the
backward pass from the loss, layer by layer, one block per step: which nodes use it, each
local derivative as a formula, with numbers and its value, the chain rule summed over every
user in symbols, with numbers, each product and the sum; the standard simplifications the
op records name; vectors and matrices in vector form; the parameter updates asked for; the
answer table in the problem's order.

Modules: :mod:`.steps` (which nodes, their names, the order), :mod:`.symbols`,
:mod:`.algebra` (formulas from the op records), :mod:`.numbers`, :mod:`.forward`,
:mod:`.backward`, :mod:`.model` (the :class:`Solution`), :mod:`.doc` (the outline),
:mod:`.layout` (line breaking), and one writer per format: :mod:`.markdown`,
:mod:`.latex`, :mod:`.html` (MathML), :mod:`.json`; :mod:`.figures` draws the graphs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gradviz.core.errors import GradvizError
from gradviz.core.evaluate import Trace
from gradviz.core.files import write_if_changed
from gradviz.core.limits import LIMITS
from gradviz.views.solve.doc import document
from gradviz.views.solve.figures import draw
from gradviz.views.solve.html import HtmlWriter
from gradviz.views.solve.json import to_json
from gradviz.views.solve.latex import LatexWriter
from gradviz.views.solve.markdown import MarkdownWriter
from gradviz.views.solve.model import Solution, solution

__all__ = ["Solution", "solution", "to_markdown", "to_latex", "to_html", "to_json",
           "write_solution", "FORMATS"]


def to_markdown(s: Solution, figures: dict[str, str] | None = None) -> str:
    """The solution as Markdown (``figures``: key → relative path of a drawn graph)."""
    return MarkdownWriter(s, document(s, figures is not None), figures).render()


def to_latex(s: Solution, figures: dict[str, str] | None = None) -> str:
    """The solution as a LaTeX document that pdflatex compiles."""
    return LatexWriter(s, document(s, figures is not None), figures).render()


def to_html(s: Solution, figures: dict[str, str] | None = None) -> str:
    """The solution as a self-contained HTML page with MathML."""
    return HtmlWriter(s, document(s, figures is not None), figures).render()


FORMATS: dict[str, Callable[..., str]] = {  # by --format
    "md": to_markdown, "tex": to_latex, "html": to_html, "json": to_json}


def write_solution(trace: Trace, fmt: str, out: Path | None, figures: bool = True,
                   say: Callable[[str], None] | None = None) -> str:
    """Render the solution of ``trace`` in format ``fmt``; with ``out``, write it and
    (unless ``figures=False``) its figures beside it (SVG for md, PDF for tex; html embeds
    them). Without Graphviz the text is written without figures and ``say`` is told so.
    Returns the text.

    Examples
    --------
    >>> from gradviz import evaluate, example
    >>> text = write_solution(evaluate(example("xyz")), "md", None)
    >>> text.splitlines()[0]
    '# Solution: a = x\\\\*y \\\\+ z'
    """
    if fmt not in FORMATS:
        raise GradvizError(f"format must be one of {', '.join(FORMATS)}")
    s = solution(trace)
    figs = None
    if out is not None and figures and fmt != "json":
        figs = draw(trace, Path(out), fmt, say)
    text = FORMATS[fmt](s) if fmt == "json" else FORMATS[fmt](s, figs)
    LIMITS["max_output"].check(len(text.encode("utf-8")), f"the {fmt} solution")
    if out is not None:
        write_if_changed(Path(out), text)
    return text
