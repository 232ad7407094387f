"""The figure model: numbers from the trace, each quantity drawn once, one number of
decimals per figure, the minus sign, and value and gradient apart by position."""

from __future__ import annotations

import re

import numpy as np
import pytest

import gradviz
from gradviz import evaluate, example, examples, to_dot
from gradviz.views.dot import model_to_dot
from gradviz.views.figure import layout_model, number, numbers
from gradviz.views.graphviz import run_dot
from gradviz.views.model import Options
from gradviz.views.spec import to_spec
from tests.svg import edge_points, measure

NUMBER = re.compile(r"^[−-]?\d+(?:\.(\d+))?$")


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
    assert h5["H4"]["local_text"] == "1.00" and "local" in h5["H4"]["drawn"]


def test_digits_and_decimals():
    trace = evaluate(example("mlp"))
    yhat = {n["name"]: n for n in to_spec(trace, show="values", digits=7)["nodes"]}["Yhat"]
    assert yhat["value_text"] == "0.689974"
    yhat = {n["name"]: n for n in to_spec(trace, show="values", decimals=1)["nodes"]}["Yhat"]
    assert yhat["value_text"] == "0.7"


@pytest.mark.parametrize("name", examples())
def test_each_quantity_is_drawn_once(name):
    """No wire repeats its source's value or gradient: a wire carries a contribution only
    where its source branches, and the figure has exactly one cell per drawn number."""
    model = layout_model(evaluate(example(name)), Options(show="all"))
    by_id = {n.id: n for n in model.nodes}
    for e in model.edges:
        if "contribution" in e.drawn:
            assert by_id[e.src].fanout > 1
    cells = sum(len(r) for n in model.nodes for num in (n.value_num, n.grad_num)
                if num is not None for r in num.rows)
    cells += sum(len(r) for e in model.edges if "contribution" in e.drawn
                 for r in e.contribution_num.rows)
    shown = [t for t in measure(run_dot(model_to_dot(model), "svg")).texts
             if not t.sub and NUMBER.match(t.text) and not t.text.isdigit()
             or (t.text.isdigit() and not t.sub and model.decimals == 0)]
    assert len(shown) == cells


@pytest.mark.parametrize("name", examples())
def test_one_number_of_decimals_and_the_minus_sign(name):
    model = layout_model(evaluate(example(name)))
    texts = [t.text for t in measure(run_dot(model_to_dot(model), "svg")).texts]
    assert not any(re.search(r"(?<![\w)])-\d", t) for t in texts), "hyphen as a minus"
    places = {len(m.group(1) or "") for t in texts if (m := NUMBER.match(t))
              and "." in t}
    assert places <= {model.decimals}


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_value_and_gradient_apart_by_position(rankdir):
    """Left to right a wire's value sits above it and its gradient below it; top to
    bottom, the value left of it and the gradient right of it."""
    model = layout_model(evaluate(example("xyz")), Options(rankdir=rankdir))
    svg = run_dot(model_to_dot(model), "svg")
    m = measure(svg)
    a = next(n for n in model.nodes if n.name == "a")  # a = x·y + z: one consumer
    x, y = edge_points(svg, f"{a.id}->w{a.id[1:]}:")[-1]  # where the wire enters the rule

    def near(text):
        return min((t for t in m.texts if t.text == text),
                   key=lambda t: abs((t.box[0] + t.box[2]) / 2 - x) + abs(t.box[3] - y))

    value, grad = near(a.value_text), near(a.grad_text)
    if rankdir == "LR":
        assert value.box[3] <= y + 1 and grad.box[1] >= y - 1
    else:
        assert value.box[2] <= x + 1 and grad.box[0] >= x - 1
    assert value.fill != grad.fill


def test_numbers_of_a_figure_are_its_numbers_made_once():
    trace = evaluate(gradviz.mlp([3, 4, 1]))
    num = numbers(3)
    for name in trace.order:
        for v in (trace.value(name), trace.grad(name)):
            if v is not None:
                assert num(v) == number(v, 3)
    assert num(np.float64(0.25)) is num(np.array(0.25))  # formatted once
    assert num(np.float64(-0.0)) == number(0.0, 3) and num(np.nan).text == 'nan'
    assert num(np.arange(10.0)) == number(np.arange(10.0), 3)
