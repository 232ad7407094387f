"""Mistake models: each a graph variant, generic over the op records."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from gradviz import Builder, evaluate, example
from gradviz.core.ops import OPS
from gradviz.teaching import carry, diagnose, explain, surgery
from gradviz.teaching.carry import Carry
from gradviz.teaching.diagnose import CAUSES, activation_alternatives, models


def found(c, q, value, tol=1e-6):
    return sorted({(m.cause, m.node) for m in models(c, q)
                   if np.allclose(m.value, value, atol=tol)}, key=str)


def truth(name, **values):
    t = evaluate(example(name), **values)
    grads = {q[1:]: t.grad(q[1:]) for q in t.graph.asks if q.startswith("∇")}
    return t, Carry(t, {}, grads)


def test_the_issues_coincidence_is_said_in_full():
    # leaving out the path through H3 and the wrong branch at H5 give the same ∇H1
    _, c = truth("interesting")
    assert {("missing_path", "H3"), ("wrong_branch", "H5")} <= \
        set(found(c, "∇H1", -0.6224593 * 4 / 3))


@pytest.mark.parametrize("name, q, value, cause, node", [
    ("interesting", "∇H4", -0.6224593, "sign", None),
    ("interesting", "∇X2", -2.1786076, "missing_path", "H2"),
    ("interesting", "∇H4", 1.0, "local_only", "H5"),
    ("interesting", "∇H2", 0.6224593, "no_local", "H4"),
    ("interesting", "∇X1", -1.5561483, "wrong_branch", "H3"),
    ("mlp", "∇B1", 0.6899745, "wrong_branch", "H1"),
    ("mlp", "∇X1", 0.0689974, "missing_path", "H2"),   # through the stacked X
    ("mlp", "∇B1", 0.1, "local_only", "H1"),
    ("two_layer_relu", "∇w12", -3.0, "wrong_branch", "h4"),
    ("two_layer_relu", "∇w11", 5.0, "sign", "o1"),      # one term's sign, inside the chain
    ("softmax_classifier", "∇b1", [1.0094026, 1.1267508, -0.0739564, 0.0170558],
     "wrong_branch", "a1"),
])
def test_models(name, q, value, cause, node):
    _, c = truth(name)
    assert (cause, node) in found(c, q, value)


def test_activation_derivatives_come_from_the_records():
    _, c = truth("interesting_tanh")
    yhat = c.value("Yhat")
    alternatives = [v for v, _ in activation_alternatives(c, "Yhat")]
    assert any(np.isclose(v, 1 - yhat) for v in alternatives)          # 1 − ŷ for tanh′
    assert any(np.isclose(v, yhat * (1 - yhat)) for v in alternatives)  # σ′ = ŷ(1 − ŷ)
    assert not any(np.isclose(v, 1 - yhat ** 2) for v in alternatives)  # never the right one
    dz = (yhat - 1) * (1 - yhat)
    assert ("wrong_activation_derivative", "Yhat") in found(c, "∇H5", -dz)
    _, c = truth("mlp")  # a kink: the activations with the same kinks (leaky ReLU as ReLU)
    kinked = [d["activation"] for _, d in activation_alternatives(c, "H1")]
    assert "relu" in kinked and "hardtanh" not in kinked and "sigmoid" not in kinked


def test_forward_models_swap_activations_before_a_value():
    t = evaluate(example("interesting_tanh"))
    c = Carry(t, {}, {})
    assert ("forward", "Yhat") in found(c, "Yhat", 1 / (1 + np.exp(0.5)))


@pytest.mark.parametrize("name", sorted(n for n, op in OPS.items() if op.pieces and op.arity))
def test_wrong_branch_for_every_piecewise_record(name):
    op = OPS[name]
    b = Builder()
    xs = [b.input(f"x{i}", v) for i, v in enumerate([0.7, -0.4][:op.arity])]
    y = b.op(name, *xs, name="y")
    b.loss("L", b.op("sum", y * 3.0))
    t = evaluate(b.build())
    c = Carry(t, {}, {})
    branches = [m for m in models(c, "∇x0") if m.cause == "wrong_branch"]
    assert branches and all(m.node == "y" for m in branches), name


def test_no_model_branches_on_op_names():
    names = [n for n, op in OPS.items() if op.pieces or op.kind == "activation"]
    for module in (carry, diagnose, explain, surgery):
        source = inspect.getsource(module)
        assert not [n for n in names if f'"{n}"' in source], module.__name__


def test_models_that_change_nothing_are_left_out():
    _, c = truth("interesting")
    base = c.read("∇X3")
    assert all(not np.allclose(m.value, base) for m in models(c, "∇X3"))
    assert CAUSES[0] == "inherited" and CAUSES[-1] == "arithmetic"


def test_one_use_of_a_repeated_operand_left_out():
    _, c = truth("xyz")
    assert ("missing_path", "b") in found(c, "∇x", 145.0)  # x + x counted once
    assert ("missing_path", "b") in found(c, "∇x", 120.0)  # the whole path through b
