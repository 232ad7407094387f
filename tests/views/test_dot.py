"""DOT text: snapshots of every example, typesetting, themes, hostile names, stability."""

from __future__ import annotations

import re

import numpy as np
import pytest

import gradviz
from gradviz import Builder, evaluate, example, examples, to_dot, to_json
from gradviz.views.graphviz import run_dot
from gradviz.views.model import SHOWS, STYLES, Options
from gradviz.views.spec import to_spec
from tests.helpers import nasty_graph, svg_texts


@pytest.mark.parametrize("name", examples())
@pytest.mark.parametrize("show", SHOWS)
@pytest.mark.parametrize("style", STYLES)
def test_dot_snapshot(name, show, style, snapshot):
    assert to_dot(evaluate(example(name)), show=show, style=style) == snapshot


@pytest.mark.parametrize("name", ["interesting", "softmax_classifier"])
def test_fitted_dot_snapshot(name, snapshot):
    assert to_dot(evaluate(example(name)), Options(fit="slide")) == snapshot


def test_names_are_typeset():
    dot = to_dot(evaluate(example("mlp")), show="all")
    assert 'W<SUB><FONT POINT-SIZE="10">3</FONT></SUB>' in dot and "Ŷ" in dot and "∇" in dot
    texts = svg_texts(run_dot(dot, "svg"))
    assert "Ŷ" in texts


@pytest.mark.parametrize("theme", ["light", "dark", "print", "colorblind"])
def test_themes_render(theme):
    svg = run_dot(to_dot(evaluate(example("xyz")), theme=theme, rankdir="TB"), "svg")
    assert "170" in svg_texts(svg)


@pytest.mark.parametrize("style", STYLES)
def test_hostile_names_render_literally(style):
    trace = evaluate(nasty_graph())
    dot = to_dot(trace, style=style)
    assert "x" * 100 not in dot  # 20,000 characters are cut to a bounded label
    texts = "\n".join(svg_texts(run_dot(dot, "svg")))
    for name in ['"', "\\", "<b>x</b>", "\\N", "x:y", "{ | }", "graph", "-1.5", "&amp;", "]]>"]:
        assert name in texts, name
    assert "a\\u202Eb\\u200Fc" in texts  # bidi controls shown, not obeyed
    assert "x" * 60 in texts
    stmts = [line.split()[0] for line in dot.splitlines()[4:-1]]
    synthetic = r"[nowb]\d+|[tu]\d+_\d+|out|[nwb]\d+:r:[we]|\{rank=same;"
    assert all(re.fullmatch(synthetic, s) for s in stmts), stmts


def test_negative_zero_and_float_noise_print_stably():
    b = Builder()
    x = b.input("x", -0.0)
    y = b.input("y", 0.1)
    b.loss("L", x + y + 0.2)
    spec = to_spec(evaluate(b.build()), show="all")
    texts = {n["name"]: n["value_text"] for n in spec["nodes"]}
    assert texts["x"] == "0.0" and texts["L"] == "0.3"
    assert "-0" not in to_json(evaluate(b.build())) and "−0" not in to_json(evaluate(b.build()))


def test_values_are_formatted_by_the_one_formatter():
    spec = to_spec(evaluate(example("softmax_classifier")), show="all")
    d = spec["options"]["decimals"]
    z = next(n for n in spec["nodes"] if n["name"] == "yhat")
    want = "[" + ", ".join(gradviz.fmt(x, decimals=d, minus="−")
                           for x in np.array(z["value"])) + "]"
    assert z["value_text"] == want


def test_folded_and_wrapped_figures_have_their_own_statements():
    dot = to_dot(evaluate(example("interesting")), Options(bands=2))
    assert "subgraph cluster_band0" in dot and "subgraph cluster_band1" in dot
    assert re.search(r"t\d+_\d+ \[shape=box, style=\"rounded,dashed\"", dot)
    assert run_dot(dot, "svg")
