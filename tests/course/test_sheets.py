"""Problem sheets: HTML with the blank SVG inlined, LaTeX that fits A4 and US Letter."""

from __future__ import annotations

import re

import pytest

from gradviz import evaluate, example
from gradviz.core.format import MINUS
from gradviz.course import latex
from gradviz.course.assign import blank_dot
from gradviz.course.sheets import breakable_tex, problem_html, problem_tex, quantities
from gradviz.views.render import run_dot

HOSTILE = "<b>O'Brien</b> & \\input{/etc/passwd} {{x}} $y$ %" + "z" * 120


def test_html_sheet_inlines_the_figure_and_escapes_the_student():
    g = example("mlp")
    t = evaluate(g)
    page = problem_html(g, t, HOSTILE, run_dot(blank_dot(g), "svg").decode())
    assert page.count("<svg") == 1 and "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert "<b>O" not in page and "&lt;b&gt;O&#x27;Brien&lt;/b&gt; &amp;" in page
    assert f"<td>W₁</td><td>param</td><td>[1, {MINUS}1]</td>" in page
    assert page.count('class="answer"') == len(quantities(t)) == 12
    assert "∇W₃</td><td class=\"note\">vector of 2</td>" in page


def test_tex_sheet_escapes_and_can_break_long_ids():
    g = example("interesting")
    text = problem_tex(g, evaluate(g), HOSTILE, "f/blank.pdf")
    assert r"\textbackslash{}input\{/etc/pas" in text and "\\input{/etc" not in text
    assert r"\$y\$ \%" in text and r"\allowbreak{}" in text
    with pytest.raises(Exception, match="cannot be written into LaTeX"):
        problem_tex(g, evaluate(g), "s", "../blank.pdf")
    assert breakable_tex("") == "?"


SIZES = r"\typeout{SIZES \the\paperwidth,\the\paperheight,\the\textwidth,\the\textheight}"
PT_PER_CM = 72.27 / 2.54
PAPERS = {"a4": (21.0, 29.7), "letter": (21.59, 27.94)}  # cm


def sizes(log: str) -> list[float]:
    """Paper width and height, text width and height, in cm, as TeX reported them."""
    m = re.search(r"SIZES ([0-9.]+)pt,([0-9.]+)pt,([0-9.]+)pt,([0-9.]+)pt", log)
    assert m
    return [float(x) / PT_PER_CM for x in m.groups()]


@pytest.mark.parametrize("name", ["interesting", "softmax_classifier", "sigmoid_regression",
                                  "linear_f_linear_g"])
def test_pdf_sheets_fit_a4_and_letter_without_overflow(tmp_path, name):
    g = example(name)
    trace = evaluate(g)
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "blank.pdf").write_bytes(latex.fixed_dates(run_dot(blank_dot(g), "pdf")))
    for paper, size in PAPERS.items():
        text = problem_tex(g, trace, HOSTILE, "f/blank.pdf", paper)
        (tmp_path / "p.tex").write_text(text.replace("\\end{document}",
                                                     SIZES + "\n\\end{document}"))
        pdf, log = latex.pdflatex(tmp_path, "p")
        assert pdf.startswith(b"%PDF") and latex.overfull(log) == [], latex.overfull(log)
        paper_w, paper_h, text_w, text_h = sizes(log)
        assert (paper_w, paper_h) == pytest.approx(size, abs=0.02)
        for w, h in PAPERS.values():  # the same text block leaves 2 cm margins on both
            assert w - text_w >= 4 and h - text_h >= 4
