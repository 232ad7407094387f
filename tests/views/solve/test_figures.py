"""Figures of a solution: SVG beside Markdown, embedded in HTML, PDF for LaTeX at a legible
scale; safe folder names; no Graphviz, no figures (and a word why)."""

from __future__ import annotations

from gradviz import evaluate, example
from gradviz.views.solve.figures import MIN_LABEL_PT, TEXT_WIDTH_PT, draw


def test_markdown_svg_beside(tmp_path):
    figs = draw(evaluate(example("xyz")), tmp_path / "my key!.md", "md")
    assert figs["blank"].path == "my_key_figures/blank.svg"
    assert (tmp_path / "my_key_figures" / "all.svg").read_bytes().startswith(b"<?xml")


def test_html_embeds(tmp_path):
    figs = draw(evaluate(example("xyz")), tmp_path / "k.html", "html")
    assert figs["all"].path.startswith("data:image/svg+xml;base64,")


def test_latex_pdf_legible_and_fitting(tmp_path):
    figs = draw(evaluate(example("xyz")), tmp_path / "k}\\input{x}.tex", "tex")
    for f in figs.values():
        assert f.path.startswith("k_input_x_figures/") and f.label >= MIN_LABEL_PT
        assert 0 < f.scale <= 1
    assert TEXT_WIDTH_PT < 500


def test_without_graphviz_the_text_goes_on(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    said = []
    assert draw(evaluate(example("xyz")), tmp_path / "k.md", "md", said.append) is None
    assert len(said) == 1 and "without figures" in said[0]
