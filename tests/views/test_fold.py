"""Folding: a huge MLP to layers, a deep chain and a wide fan-out to a few dozen boxes,
unnamed intermediates into their named node; each fold says what it folded."""

from __future__ import annotations

import gradviz
from gradviz import Builder, evaluate, example, render
from gradviz.views.figure import layout_model
from gradviz.views.fold import MAX_BANDS, groups
from gradviz.views.model import Options
from tests.helpers import svg_texts


def test_huge_graph_folds_and_renders(tmp_path):
    graph = gradviz.mlp([10, 64, 64, 1], granularity="neuron")
    assert graph.nx.number_of_nodes() > 5000
    model = layout_model(evaluate(graph))
    assert model.folded and len(model.nodes) < 30 and "folded" in model.notes[0]
    svg = render(graph, tmp_path / "big.svg").read_bytes()
    texts = svg_texts(svg)
    assert "Σ ×64" in texts and "param ×4160" in texts


def chain(n: int) -> gradviz.Graph:
    b = Builder()
    h = b.input("x", 0.5)
    for _ in range(n):
        h = b.tanh(h * 1.01)
    b.loss("L", h * h)
    return b.build()


def fan_out(n: int) -> gradviz.Graph:
    b = Builder()
    x = b.input("x", 0.5)
    total = None
    for i in range(n):
        term = b.tanh(x * float(i % 7 + 1))
        total = term if total is None else total + term
    b.loss("L", total * total)
    return b.build()


def test_a_deep_chain_folds_into_bands(tmp_path):
    graph = chain(1500)
    model = layout_model(graph, Options(show="blank"))
    assert model.folded and len(model.nodes) <= 4 * MAX_BANDS
    assert "levels gathered into 24 bands" in model.notes[0]
    svg = render(graph, tmp_path / "chain.svg", show="blank").read_bytes()
    assert any("tanh ×" in t for t in svg_texts(svg))


def test_a_wide_fan_out_folds():
    graph = fan_out(1000)
    key = groups(graph)
    assert len(set(key.values())) <= 4 * MAX_BANDS + 4
    model = layout_model(graph, Options(show="blank"))
    assert model.folded and "folded into" in model.notes[0]


def test_fold_can_be_forced_either_way():
    small = evaluate(example("mlp"))
    assert layout_model(small, Options(fold="always")).folded
    assert not layout_model(small, Options(fold="never")).folded


def test_named_fold_draws_each_expression_in_its_node():
    trace = evaluate(example("interesting"))
    model = layout_model(trace, Options(fold="named"))
    exprs = {n.name: n.title for n in model.nodes if n.kind == "expr"}
    assert exprs["H2"] == "H₂ = X₁ · X₂ · X₃ + B₁"
    assert not any(trace.graph.is_generated(n.name) for n in model.nodes)
    into_h4 = {model.nodes[[n.id for n in model.nodes].index(e.src)].name: e
               for e in model.edges if e.dst == next(n.id for n in model.nodes
                                                     if n.name == "H4")}
    assert set(into_h4) == {"W2", "H2", "H1"}
    assert float(into_h4["H2"].contribution) == float(trace.through("H2", "H4"))
    assert "unnamed intermediates" in model.notes[0]
