"""Static figures: DOT/JSON snapshots, real Graphviz renders, escaping and determinism."""

from __future__ import annotations

import pytest

import gradviz
from gradviz import evaluate, example, to_dot
from gradviz.views.figure import Options
from gradviz.views.spec import to_spec


def test_blank_figure_of_a_graph_needs_no_evaluation():
    spec = to_spec(example("interesting"), show="blank")
    values = {n["name"]: n["value"] for n in spec["nodes"]}
    assert values["W2"] == -3.0 and values["H1"] is None
    assert all(n["grad"] is None for n in spec["nodes"])


def test_values_and_gradients_come_from_the_trace():
    trace = evaluate(example("interesting"))
    spec = to_spec(trace, show="all")
    by_name = {n["name"]: n for n in spec["nodes"]}
    for name in trace.order:
        assert by_name[name]["value"] == pytest.approx(float(trace.value(name)))
        g = trace.grad(name)
        assert by_name[name]["grad"] == (None if g is None else pytest.approx(float(g)))
    ids = {n["id"]: n["name"] for n in spec["nodes"]}
    for e in spec["edges"]:
        edge = trace.edge(ids[e["dst"]], e["arg"])
        if edge.contribution is None:
            assert e["contribution"] is None
        else:
            assert e["contribution"] == pytest.approx(float(edge.contribution))


def test_modes_hide_what_they_should():
    trace = evaluate(example("mlp"))
    blank, values, grads = (to_spec(trace, show=s) for s in ("blank", "values", "grads"))
    assert all(n["grad"] is None for n in blank["nodes"] + values["nodes"])
    assert all(e["contribution"] is None for e in blank["edges"] + values["edges"])
    ops = [n for n in blank["nodes"] if n["kind"] == "op"]
    assert ops and all(n["value"] is None for n in ops)
    assert all(n["value"] is not None for n in values["nodes"])
    assert any(n["grad"] is not None for n in grads["nodes"])


def test_highlight_marks_every_path_from_the_loss():
    spec = to_spec(evaluate(example("interesting")), show="grads", highlight="H1")
    path = {n["name"] for n in spec["nodes"] if n["emphasis"] == "path"}
    assert {"H1", "H3", "H4", "H5", "Yhat", "L"} <= path
    assert "H2" not in path and "X3" not in path
    ids = {n["id"]: n["name"] for n in spec["nodes"]}
    from_h1 = [e for e in spec["edges"] if ids[e["src"]] == "H1"]
    assert len(from_h1) == 3 and all(e["emphasis"] == "path" for e in from_h1)


def test_highlight_of_unknown_node_is_a_clear_error():
    with pytest.raises(gradviz.GradvizError, match="no such node"):
        to_dot(evaluate(example("xyz")), highlight="nope")


def test_edge_labels_carry_local_derivatives():
    spec = to_spec(evaluate(example("interesting")), show="all", edge_labels=True)
    ids = {n["id"]: n["name"] for n in spec["nodes"]}
    h5 = {ids[e["src"]]: e for e in spec["edges"] if ids[e["dst"]] == "H5"}
    assert h5["H4"]["local"] == 1.0 and h5["H1"]["local"] == 0.0
    assert h5["H4"]["contribution_text"] == "0.6225"


def test_bad_options_are_rejected():
    for kw in ({"show": "most"}, {"style": "fancy"}, {"theme": "neon"}, {"rankdir": "RL"},
               {"digits": 0}):
        with pytest.raises(gradviz.GradvizError):
            Options(**kw)


def test_digits_option():
    spec = to_spec(evaluate(example("mlp")), show="values", digits=7)
    assert {n["name"]: n["value_text"] for n in spec["nodes"]}["Yhat"] == "0.6899745"


