"""Static figures: DOT/JSON snapshots, real Graphviz renders, escaping and determinism."""

from __future__ import annotations

import gradviz
from gradviz import evaluate, example, render
from gradviz.views.figure import Options, layout_model
from tests.helpers import svg_texts


def test_huge_graph_folds_and_renders(tmp_path):
    graph = gradviz.mlp([10, 64, 64, 1], granularity="neuron")
    assert graph.nx.number_of_nodes() > 5000
    model = layout_model(evaluate(graph))
    assert model.folded and len(model.nodes) < 30 and "folded" in model.notes[0]
    svg = render(graph, tmp_path / "big.svg").read_bytes()
    texts = svg_texts(svg)
    assert "Σ ×64" in texts and "param ×4160" in texts


def test_fold_can_be_forced_either_way():
    small = evaluate(example("mlp"))
    assert layout_model(small, Options(fold="always")).folded
    assert not layout_model(small, Options(fold="never")).folded


