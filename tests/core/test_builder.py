"""Building graphs from Python: names for unnamed values, leaves, ops, errors."""

from __future__ import annotations

import pytest

import gradviz
from gradviz import Builder, evaluate


def test_unnamed_values_are_named_after_their_user():
    b = Builder()
    x, y = b.input("x", 2.0), b.input("y", 3.0)
    b.loss("L", b.sigmoid(x * y + x))
    g = b.build()
    assert [n for n in g.order if g.is_generated(n)] == ["L.1", "L.2"]
    assert g.op_of("L").name == "sigmoid" and g.inputs("L") == ["L.2"]


def test_ops_by_attribute_and_params():
    b = Builder()
    z = b.input("z", -2.0)
    b.loss("L", b.leaky_relu(z, slope=0.1))
    assert float(evaluate(b.build()).grad("z")) == 0.1


@pytest.mark.parametrize("bad", [
    lambda b: b.leaf("x", "weird", 1.0),
    lambda b: b.op("nope", 1.0),
    lambda b: b.op("add", 1.0),
    lambda b: b.op("leaky_relu", 1.0, alpha=2.0),
])
def test_bad_calls_raise_graph_errors(bad):
    with pytest.raises(gradviz.GraphError):
        bad(Builder())


def test_two_losses_and_no_loss_are_errors():
    b = Builder()
    x = b.input("x", 1.0)
    b.loss("L", x * x)
    with pytest.raises(gradviz.GraphError, match="second loss"):
        b.loss("M", x + x)
    b2 = Builder()
    b2.input("x", 1.0)
    with pytest.raises(gradviz.GraphError, match="no loss"):
        b2.build()


def test_meta_reaches_the_graph():
    b = Builder(title="t", asks=["L"], meta={"lr": "0.1"})
    x = b.input("x", 1.0)
    b.loss("L", x * x)
    g = b.build()
    assert g.title == "t" and g.asks == ("L",) and g.meta == {"lr": "0.1"}


def test_a_var_follows_its_value_when_the_value_is_named():
    # (a Var kept its first name before: reusing t after naming it was a KeyError)
    b = Builder()
    x = b.input("x", 2.0)
    t = x * 3.0
    assert t.node.startswith("\0")
    h = b.let("h", t + 1.0)  # post-order: the constant 3 (h.1), t (h.2), the constant 1 (h.3)
    assert (t.node, h.node, repr(h)) == ("h.2", "h", "Var('h')")
    assert b.let("k", t * 2.0).node == "k"  # a named value is an operand, not renamed again
    b.loss("L", h * b.let("m", x + 1.0))
    g = b.build()
    assert g.inputs("k") == ["h.2", "k.1"] and g.inputs("h") == ["h.2", "h.3"]


def test_values_no_named_value_uses_are_t_k_in_creation_order():
    b = Builder()
    x = b.input("x", 2.0)
    b.sigmoid(x)
    b.tanh(x * 2.0)
    b.loss("L", x * x)
    g = b.build()
    assert [g.op_of(n).name for n in ("t.1", "t.3", "t.4")] == ["sigmoid", "mul", "tanh"]
    assert g.kind("t.2") == "const" and g.is_generated("t.2")


def test_build_can_build_again():
    b = Builder()
    x = b.input("x", 2.0)
    b.loss("L", x * x)
    g1 = b.build()
    g2 = b.build()
    assert dict(g1.nx.nodes(data="kind")) == dict(g2.nx.nodes(data="kind"))
