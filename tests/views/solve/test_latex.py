"""LaTeX keys: a document pdflatex compiles, align* rows that fit, escaped words."""

from __future__ import annotations

import re

from gradviz import Builder, evaluate, example, parse
from gradviz.views.solve import to_latex
from gradviz.views.solve.figures import Drawn
from gradviz.views.solve.model import solution


def test_document_structure():
    tex = to_latex(solution(evaluate(example("interesting"))))
    assert tex.startswith(r"\documentclass[11pt]{article}") and tex.endswith("\\end{document}\n")
    assert tex.count(r"\begin{align*}") == tex.count(r"\end{align*}") > 10
    assert r"\begin{longtable}{ll}" in tex and r"\approx" in tex
    assert "≈" not in tex and "−" not in tex  # every symbol typeset as TeX


def test_rows_fit_the_width():
    from gradviz.views.solve.latex import LatexWriter

    terms = " + ".join(f"x{i} * w{i}" for i in range(1, 13))
    text = "".join(f"x{i}: input = {i / 7}\nw{i}: param = -{i / 3}\n" for i in range(1, 13))
    tex = to_latex(solution(evaluate(parse(text + f"L: loss = {terms}"))))
    assert LatexWriter.limit <= 80 and r"&\quad {} + " in tex
    for row in re.findall(r"^.*\\\\$", tex, re.M):
        assert len(row) < 400


def test_figures_scaled_or_explained():
    s = solution(evaluate(example("xyz")))
    tex = to_latex(s, {"blank": Drawn("f/blank.pdf", 0.5, 9.0), "all": Drawn("f/all.pdf", None)})
    assert r"\includegraphics[scale=0.5]{f/blank.pdf}" in tex
    assert "cannot be printed on the page with labels of 8 pt" in tex and "all.pdf" in tex


def test_words_are_escaped():
    b = Builder(title=r"50% \input{x} & $y$", source="~#_^")
    x = b.input("x", 1.0)
    b.loss("L", x * x)
    tex = to_latex(solution(evaluate(b.build())))
    assert r"\section*{Solution: 50\% \textbackslash{}input\{x\} \& \$y\$}" in tex
    assert not re.search(r"(?<!\\textbackslash\{\})\\input", tex)
