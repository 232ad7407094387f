"""Evaluation: the reference answers of the seed problems, the chain rule edge by edge,
batches against loops, the Trace API, and the reference evaluator read on its own (the
property tests hold it equal to the compiled one everywhere)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gradviz
from gradviz import evaluate, example
from gradviz.core.evaluate import reference
from tests.helpers import (
    EDGE_GRAPHS,
    assert_batch_matches_loop,
    assert_trace,
    graph_named,
    sig,
)


def test_mlp_reference():
    y = 0.6899744811
    assert_trace(evaluate(example("mlp")), {
        "Yhat": y, "L": 1.1711006659, "∇W3": [-0.1379948962, 1.3799489623], "∇B3": y,
        "∇W2": [-y, y], "∇B2": y, "∇H2": y, "∇W1": [-0.0689974481, 0.0689974481],
        "∇B1": 0.0689974481, "∇H1": y, "∇X1": -0.6209770330, "∇X2": 0.2759897925,
    })


@pytest.mark.parametrize(("name", "yhat", "loss"), [
    ("mlp_tanh", 0.6640367703, 1.3845091864),
    ("interesting_tanh", -0.4621171573, 1.0688932908),
])
def test_tanh_variants_reference(name, yhat, loss):
    assert_trace(evaluate(example(name)), {"Yhat": yhat, "L": loss})


def test_xyz_reference():
    assert_trace(evaluate(example("xyz")), {"a": 5, "b": 20, "w": 100, "∇x": 170, "∇y": 80,
                                     "∇z": 40}, tol=1e-12)


def test_two_layer_relu_reference():
    t = evaluate(example("two_layer_relu"))
    assert_trace(t, {"h1": 2.0, "h2": -0.5, "o1": 0.0, "o2": -1.5, "MSE": 2.5, "∇w21": -1.5},
          tol=1e-12)
    assert float(gradviz.sgd_step(t, 0.1)["w21"]) == pytest.approx(0.65, abs=1e-12)


def test_interesting_by_hand():
    X1, X2, X3, W1, B1, W2, Y = 2.0, -1.0, 1.0, 1.5, 1.0, -3.0, 1.0
    # forward
    H1 = W1 * (X1 + X2)
    H2 = X1 * X2 * X3 + B1
    H3 = min(X1, H1)
    H4 = W2 * H2 / H1
    H5 = max(H4, H1)
    S = H3 - H5
    Yhat = sig(S)
    L = -(Y * math.log(Yhat) + (1 - Y) * math.log(1 - Yhat))
    # backward, every path
    gYhat = -Y / Yhat + (1 - Y) / (1 - Yhat)
    gS = gYhat * Yhat * (1 - Yhat)
    gH3, gH5 = gS, -gS
    assert H4 != H1 and X1 != H1  # no ties at the defaults
    gH4 = gH5 * (1.0 if H4 > H1 else 0.0)
    gH1_from_H5 = gH5 * (1.0 if H1 > H4 else 0.0)
    gX1_from_H3 = gH3 * (1.0 if X1 < H1 else 0.0)
    gH1_from_H3 = gH3 * (1.0 if H1 < X1 else 0.0)
    gW2 = gH4 * H2 / H1
    gH2 = gH4 * W2 / H1
    gH1_from_H4 = gH4 * (-W2 * H2 / H1**2)
    gH1 = gH1_from_H3 + gH1_from_H4 + gH1_from_H5  # H1 fans out to H3, H4, H5
    gB1 = gH2
    gX3 = gH2 * X1 * X2
    gW1 = gH1 * (X1 + X2)
    gX2 = gH2 * X1 * X3 + gH1 * W1
    gX1 = gH2 * X2 * X3 + gH1 * W1 + gX1_from_H3  # X1 fans out to H1, H2, H3
    t = evaluate(example("interesting"))
    assert_trace(t, {"Yhat": Yhat, "L": L, "∇H5": gH5, "∇H4": gH4, "∇H3": gH3, "∇H2": gH2,
              "∇H1": gH1, "∇W2": gW2, "∇W1": gW1, "∇B1": gB1, "∇X3": gX3, "∇X2": gX2,
              "∇X1": gX1}, tol=1e-12)
    assert example("interesting").asks == ("Yhat", "L", "∇H5", "∇H4", "∇H3", "∇H2", "∇H1",
                                           "∇W2", "∇W1", "∇B1", "∇X3", "∇X2", "∇X1")
    assert gH1 == pytest.approx(-1.452, abs=1e-3)  # the docstring of gradviz shows -1.452


def test_sigmoid_regression_by_hand():
    x1, x2, x3, target = -1.67, 0.98, -0.71, -0.49
    w11, w21, w31, b1 = 0.39, 0.47, 0.06, -0.01
    w12, w22, w32, b2 = -0.15, 0.49, 0.19, -0.57
    w11_2, w21_2, b_out = -0.01, 0.33, 0.11
    h1 = sig(x1 * w11 + x2 * w21 + x3 * w31 + b1)
    h2 = sig(x1 * w12 + x2 * w22 + x3 * w32 + b2)
    f = h1 * w11_2 + h2 * w21_2 + b_out
    L = (target - f) ** 2
    gf = -2.0 * (target - f)
    gh1, gh2 = gf * w11_2, gf * w21_2
    gz1, gz2 = gh1 * h1 * (1 - h1), gh2 * h2 * (1 - h2)
    assert_trace(evaluate(example("sigmoid_regression")), {
        "h1": h1, "h2": h2, "f": f, "L": L,
        "∇w11": gz1 * x1, "∇w21": gz1 * x2, "∇w31": gz1 * x3, "∇b1": gz1,
        "∇w12": gz2 * x1, "∇w22": gz2 * x2, "∇w32": gz2 * x3, "∇b2": gz2,
        "∇w11_2": gf * h1, "∇w21_2": gf * h2, "∇b_out": gf,
    }, tol=1e-12)


def test_softmax_classifier():
    g = example("softmax_classifier")
    t = evaluate(g)
    yhat, y = t.value("yhat"), t.value("y")
    np.testing.assert_allclose(yhat.sum(), 1.0, rtol=1e-15)
    np.testing.assert_allclose(t.grad("z2"), yhat - y, rtol=1e-12, atol=1e-15)
    (edge,) = t.edges_into("yhat")
    assert edge.src == "z2"
    np.testing.assert_allclose(edge.local, np.diag(yhat) - np.outer(yhat, yhat), rtol=1e-12,
                               atol=1e-15)
    np.testing.assert_allclose(t.value("L"), -np.log(yhat[1]), rtol=1e-14)
    gc = gradviz.gradcheck(g)
    assert gc.ok, gc.max_error
    for name in ("W1", "b1", "W2", "b2", "x"):
        assert t.grad(name).shape == t.value(name).shape
        np.testing.assert_allclose(gc.analytic[name], t.grad(name), rtol=0, atol=0)
        np.testing.assert_allclose(t.grad(name), gc.numeric[name], rtol=1e-6, atol=1e-8)


def test_x_times_x_keeps_two_edges():
    t = evaluate(gradviz.parse("x: input = 3\nL: loss = x * x"))
    assert float(t.grad("x")) == 6.0
    edges = t.edges_into("L")
    assert len(edges) == 2
    assert [e.arg for e in edges] == [0, 1]
    assert [(e.src, float(e.contribution), float(e.local)) for e in edges] == \
        [("x", 3.0, 3.0), ("x", 3.0, 3.0)]
    assert len(t.edges_from("x")) == 2


def test_x_plus_x_keeps_two_edges():
    t = evaluate(gradviz.parse("x: input = 3\nL: loss = x + x"))
    assert float(t.grad("x")) == 2.0
    edges = t.edges_into("L")
    assert len(edges) == 2
    assert [float(e.contribution) for e in edges] == [1.0, 1.0]


def test_builder_x_times_x():
    b = gradviz.Builder()
    x = b.input("x", -2.5)
    b.loss("L", x * x)
    t = evaluate(b.build())
    assert float(t.grad("x")) == -5.0
    assert len(t.edges_into("L")) == 2


@pytest.mark.parametrize("name", EDGE_GRAPHS)
def test_fan_out_contributions_sum_to_gradient(name):
    t = evaluate(graph_named(name))
    for n in t.order:
        grad = t.grad(n)
        if grad is None:
            assert all(e.contribution is None and e.upstream is None for e in t.edges_from(n))
            continue
        if n == t.loss:
            assert float(grad) == 1.0
            continue
        total = np.zeros(np.shape(grad))
        for e in t.edges_from(n):
            assert e.src == n
            assert np.shape(e.contribution) == np.shape(grad), (e.dst, e.arg)
            total = total + e.contribution
        np.testing.assert_allclose(total, grad, rtol=1e-12, atol=1e-15, err_msg=n)


@pytest.mark.parametrize("name", EDGE_GRAPHS)
def test_edges_chain_rule(name):
    t = evaluate(graph_named(name))
    assert len(t.edges) == t.graph.nx.number_of_edges()
    for e in t.edges:
        if e.contribution is None:
            continue
        np.testing.assert_array_equal(e.upstream, t.grad(e.dst))
        local = np.asarray(e.local)
        up = np.asarray(e.upstream)
        assert local.shape == up.shape + np.shape(t.value(e.src))
        if up.ndim == 0 and local.ndim == 0:
            assert float(e.contribution) == pytest.approx(float(up * local), rel=1e-12,
                                                          abs=1e-15)
        else:  # vector-Jacobian product: contribution = upstreamᵀ · local
            vjp = np.tensordot(up, local, axes=up.ndim)
            np.testing.assert_allclose(e.contribution, vjp, rtol=1e-12, atol=1e-15)


def test_batched_interesting():
    assert_batch_matches_loop(example("interesting"), X1=np.array([2.0, 0.5, -1.3, 2.7]))


def test_batched_interesting_two_leaves():
    assert_batch_matches_loop(example("interesting"), X1=np.array([2.0, 0.5, -1.3]),
                              W2=np.array([-3.0, 1.0, 0.25]))


def test_batched_mlp_vector_param():
    W1 = np.array([[1.0, -1.0], [0.5, 2.0], [-1.0, 0.3]])
    assert_batch_matches_loop(example("mlp"), W1=W1)


def test_batched_softmax_classifier():
    x = np.array([[0.5, -1.2, 2.0], [1.0, 0.0, -1.0], [-0.3, 0.8, 0.1], [2.0, 2.0, -2.0],
                  [0.0, 0.1, 0.2]])
    assert_batch_matches_loop(example("softmax_classifier"), x=x)


@pytest.mark.parametrize("B", [2, 3, 4])
def test_batched_stack_of_scalar_and_vector(B):
    """``[a, v]`` with a scalar a and a 3-vector v evaluates unbatched (a is broadcast);
    a batch of a must give the same as a loop of single evaluations."""
    g = gradviz.parse("a: input = 1\nv: input = [1, 2, 3]\nS = [a, v]\nL: loss = sum(S * S)")
    t = evaluate(g)
    np.testing.assert_array_equal(t.value("S"), [[1, 1, 1], [1, 2, 3]])
    assert float(t.grad("a")) == 6.0
    assert_batch_matches_loop(g, a=np.arange(1.0, B + 1.0))


def test_negative_base_constant_exponent():
    """d/db of a**b is nan for a < 0, harmless when b is a constant."""
    t = evaluate(gradviz.parse("x: input = -2\nL: loss = x ** 3"))
    assert float(t.value("L")) == -8.0
    assert float(t.grad("x")) == 12.0
    assert gradviz.gradcheck(t.graph).ok


def test_batch_size_mismatch():
    with pytest.raises(gradviz.EvalError):
        evaluate(example("interesting"), X1=[1.5, 2.0, 2.5], X2=[1.0, -1.0])


def test_unknown_leaf_and_computed_node():
    g = example("interesting")
    with pytest.raises(gradviz.EvalError, match="nope"):
        evaluate(g, nope=1.0)
    with pytest.raises(gradviz.EvalError, match="H1"):
        evaluate(g, H1=1.0)
    with pytest.raises(gradviz.EvalError):
        evaluate(g, X1=np.ones((2, 2)))  # wrong shape for a scalar


def test_values_mapping_and_overrides_agree():
    g = example("xyz")
    a = evaluate(g, {"x": 1.0, "y": -2.0})
    b = evaluate(g, x=1.0, y=-2.0)
    assert float(a.value("w")) == float(b.value("w"))
    assert float(a.grad("x")) == float(b.grad("x"))


def test_grad_none_for_targets_and_consts():
    t = evaluate(example("interesting"))
    assert t.grad("Y") is None
    assert not t.requires_grad("Y")
    assert float(t.grad("L")) == 1.0
    for name in gradviz.examples():
        g = example(name)
        t = evaluate(g)
        assert float(t.grad(g.loss)) == 1.0
        for leaf in g.leaves("target", "const"):
            assert t.grad(leaf) is None, (name, leaf)
        for leaf in g.leaves("input", "param"):
            assert t.grad(leaf) is not None
            assert np.shape(t.grad(leaf)) == np.shape(t.value(leaf))
    consts = example("sigmoid_regression").leaves("const")
    assert consts  # the 2 of ** 2


def test_grad_none_for_nodes_computed_from_constants():
    g = gradviz.parse("x: input = 1.5\nc: const = 2\nt: target = 3\nk = c * t\n"
                      "L: loss = x * k")
    t = evaluate(g)
    assert t.grad("k") is None and t.grad("c") is None and t.grad("t") is None
    assert float(t.grad("x")) == 6.0
    assert float(t.grad("L")) == 1.0
    assert all(e.contribution is None for e in t.edges_into("k"))




def test_reference_evaluator_answers_the_seed_problem_by_itself():
    val, grad = reference(example("interesting"))
    assert val["L"].shape == (1,)  # batch axis first
    assert float(grad["H1"][0]) == pytest.approx(-1.452, abs=1e-3)
    assert "Y" in grad  # it computes every gradient it can, even for targets
    t = evaluate(example("interesting"))
    assert float(grad["X1"][0]) == pytest.approx(float(t.grad("X1")), rel=1e-12)


def test_reference_batches_and_leaves_nodes_the_loss_ignores_without_gradient():
    g = gradviz.parse("x: input = 2\nunused = x * 3\nL: loss = x * x")
    val, grad = reference(g, {"x": [1.0, -0.0, 3.0]})
    np.testing.assert_array_equal(val["unused"], [3.0, 0.0, 9.0])
    np.testing.assert_array_equal(grad["x"], [2.0, 0.0, 6.0])
    assert not np.signbit(val["x"][1])  # -0.0 given is read as 0.0, as leaf values are
    assert "unused" not in grad


def test_values_and_gradients_are_float64_of_the_node_shape():
    t = evaluate(graph_named("broadcast"))
    for n in t.order:
        assert t.value(n).dtype == np.float64
        assert np.shape(t.value(n)) == t._run.sched.shapes[n]
    assert t.values["k"] is not None and set(t.grads) == set(t.order)
    with pytest.raises(KeyError, match="no node named 'nope'"):
        t.value("nope")
    with pytest.raises(IndexError, match="has no operand 5"):
        t.edge("k", 5)
    assert repr(t) == f"<Trace of graph: {len(t.order)} nodes>"
    assert repr(evaluate(example("xyz"), x=[1.0, 2.0])) == "<Trace of xyz: 8 nodes, batch=2>"


def test_a_local_jacobian_over_the_limit_is_refused(monkeypatch):
    g = gradviz.parse("v: input = [" + ", ".join(["1"] * 20) + "]\nL: loss = sum(v * v)")
    t = evaluate(g)
    np.testing.assert_array_equal(t.edge("L.1", 0).local, np.eye(20))
    monkeypatch.setenv("GRADVIZ_MAX_ELEMENTS", "100")
    with pytest.raises(gradviz.GradvizError, match="the Jacobian of L.1 needs 400 numbers"):
        _ = evaluate(g).edge("L.1", 0).local
