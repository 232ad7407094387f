"""Static figures: DOT/JSON snapshots, real Graphviz renders, escaping and determinism."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

import gradviz
from gradviz import evaluate, example, examples, render
from gradviz.views.figure import STYLES
from tests.helpers import SVG, svg_texts


def test_svg_png_pdf_render_for_real(tmp_path):
    trace = evaluate(example("interesting"))
    svg = render(trace, tmp_path / "f.svg").read_bytes()
    texts = svg_texts(svg)
    assert "0.38" in texts and "−1.45" in texts and "∇" in texts and "max" in texts
    png = render(trace, tmp_path / "f.png", dpi=150).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    pdf = render(trace, tmp_path / "f.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-" and len(pdf) > 2_000
    small = render(trace, tmp_path / "g.png", dpi=50).read_bytes()
    assert len(small) < len(png)


def test_every_example_renders_as_svg(tmp_path):
    for name in examples():
        for style in STYLES:
            root = ET.fromstring(render(example(name), tmp_path / f"{name}.svg",
                                        style=style).read_bytes())
            assert root.tag == f"{SVG}svg"


def test_writers_are_a_table_by_extension(tmp_path):
    from gradviz.views.dot import figure_model
    from gradviz.views.render import WRITERS, write

    assert set(WRITERS) == {"dot", "json", "svg", "png", "pdf"}
    model = figure_model(evaluate(example("xyz")))
    assert write(model, tmp_path / "x.DOT").read_text().startswith("digraph")


def test_unknown_extension(tmp_path):
    with pytest.raises(gradviz.GradvizError, match="format"):
        render(example("xyz"), tmp_path / "x.gif")


def test_missing_dot_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(gradviz.MissingDependencyError, match="apt-get install graphviz"):
        render(example("xyz"), tmp_path / "x.svg")
    assert render(example("xyz"), tmp_path / "x.dot").read_text().startswith("digraph")
    assert json.loads(render(example("xyz"), tmp_path / "x.json").read_text())
    assert example("xyz")._repr_svg_() is None  # Jupyter falls back to the text repr


