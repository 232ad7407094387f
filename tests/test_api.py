"""Figures straight from a Graph: evaluated when the figure needs numbers."""

from __future__ import annotations

import pytest

import gradviz
from gradviz import evaluate, example
from gradviz.views import dot


def test_graph_is_evaluated_for_values_but_not_for_blank():
    g = example("xyz")
    assert gradviz.to_dot(g) == dot.to_dot(evaluate(g))
    assert gradviz.to_dot(g, show="blank") == dot.to_dot(g, show="blank")
    with pytest.raises(gradviz.GradvizError, match="evaluate"):
        dot.to_dot(g)  # the view itself never evaluates


def test_render_and_json(tmp_path):
    out = gradviz.render(example("xyz"), tmp_path / "x.json")
    assert out.read_text() == gradviz.to_json(example("xyz"))
