"""HTML keys: one self-contained page, MathML, escaped text, embedded figures."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from gradviz import Builder, evaluate, example
from gradviz.views.solve import to_html
from gradviz.views.solve.figures import Drawn
from gradviz.views.solve.model import solution


def test_page_is_self_contained_mathml():
    page = to_html(solution(evaluate(example("mlp"))))
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "<link" not in page
    assert "http" not in page
    blocks = page.count('<math display="block">')
    assert blocks > 10 and page.count("<math") > blocks
    for chunk in page.split("<math")[1:]:
        ET.fromstring("<math" + chunk.split("</math>")[0] + "</math>")  # well-formed


def test_figures_are_data_uris_with_alt_text():
    s = solution(evaluate(example("xyz")))
    page = to_html(s, {"all": Drawn("data:image/svg+xml;base64,AAAA")})
    assert '<img src="data:image/svg+xml;base64,AAAA" alt="Values and gradients">' in page


def test_text_is_escaped():
    b = Builder(title="<script>alert(1)</script>", source='"x" & y')
    x = b.input("x", 1.0)
    b.loss("L", x * x)
    page = to_html(solution(evaluate(b.build())))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "&quot;x&quot; &amp; y" in page
