"""Arithmetic: ties split ½/½, and the non-finite policy of division, log and sqrt."""

from __future__ import annotations

import re

import numpy as np
import pytest

import gradviz
from tests.helpers import run_graph as run

NONFINITE = [
    ("x/0", "x: input = 1\ny: input = 0\nratio = x / y\nL: loss = ratio * 2", "ratio", 3,
     ("value", "ratio", np.inf)),
    ("log(0)", "x: input = 0\nlg = log(x)\nL: loss = lg + 1", "lg", 2, ("value", "lg", -np.inf)),
    ("log(-1)", "x: input = -1\nlg = log(x)\nL: loss = lg + 1", "lg", 2, ("value", "lg", np.nan)),
    ("sqrt'(0)", "x: input = 0\nroot = sqrt(x)\nL: loss = root * 2", "root", 2,
     ("grad", "x", np.inf)),
]


@pytest.mark.parametrize("fn", ["max", "min"])
def test_tie_splits_half_half(fn):
    t = run(f"a: input = 2\nb: input = 2\nL: loss = {fn}(a, b)")
    assert float(t.grad("a")) == 0.5
    assert float(t.grad("b")) == 0.5
    # the same node twice: two edges, ½ each, summing to 1
    t = run(f"a: input = -1.25\nL: loss = {fn}(a, a)")
    assert [float(e.contribution) for e in t.edges_into("L")] == [0.5, 0.5]
    assert float(t.grad("a")) == 1.0
    # a tie inside a vector splits per element
    t = run(f"a: input = [1, 2, 3]\nb: input = [1, 5, 0]\nL: loss = sum({fn}(a, b))")
    big, small = ([0.5, 0.0, 1.0], [0.5, 1.0, 0.0]) if fn == "max" else \
        ([0.5, 1.0, 0.0], [0.5, 0.0, 1.0])
    assert t.grad("a").tolist() == big
    assert t.grad("b").tolist() == small



@pytest.mark.parametrize(("text", "node", "line"), [pytest.param(*c[1:4], id=c[0])
                                                     for c in NONFINITE])
def test_nonfinite_raises_naming_the_node(text, node, line):
    g = gradviz.parse(text)
    with pytest.raises(gradviz.EvalError) as info:
        gradviz.evaluate(g)
    e = info.value
    assert re.search(rf"\b{node}\b", str(e)), str(e)
    assert e.line == line



@pytest.mark.parametrize(("text", "raw"), [pytest.param(c[1], c[4], id=c[0]) for c in NONFINITE])
def test_nonfinite_raw_without_check(text, raw):
    t = gradviz.evaluate(gradviz.parse(text), check_finite=False)
    what, node, expected = raw
    got = float(t.value(node) if what == "value" else t.grad(node))
    if np.isnan(expected):
        assert np.isnan(got)
    else:
        assert got == expected



def test_nonfinite_from_builder_names_node_without_line():
    b = gradviz.Builder()
    x, y = b.input("x", 1.0), b.input("y", 0.0)
    b.loss("L", b.op("div", x, y, name="ratio") * 2)
    with pytest.raises(gradviz.EvalError) as info:
        gradviz.evaluate(b.build())
    assert "ratio" in str(info.value)
    assert info.value.line is None
