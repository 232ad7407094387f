"""The compiled schedule: grouping, buffers, which gradient writes store, shared leaves."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gradviz
from gradviz import evaluate, example, parse
from gradviz.core.schedule import _all_finite, compile_graph
from gradviz.core.steps import One, Stacked


def test_compiled_once_and_cached():
    g = example("interesting")
    assert compile_graph(g) is compile_graph(g)


def test_a_neuron_layer_is_one_stacked_step():
    g = gradviz.mlp([3, 16, 16, 1], granularity="neuron", activation="relu", loss="mse")
    sched = compile_graph(g)
    affine = [st for st in sched.steps if st.op.name == "affine"]
    assert [len(st.nodes) for st in affine] == [16, 16, 1]
    assert all(isinstance(st, Stacked) for st in affine)
    assert len(sched.steps) < 15  # ~450 nodes in a handful of numpy calls
    assert sched.layout.zero is None  # neurons share inputs: gradients add up from zero


def test_layer_mlp_stores_every_gradient_and_zeroes_only_what_takes_none():
    g = gradviz.mlp([4, 8, 3], granularity="layer", activation="relu", loss="mse")
    sched = compile_graph(g)
    assert all(isinstance(st, One) for st in sched.steps)
    assert all(o.assign for st in sched.steps for o in st.writes())
    # what is zeroed: the target t (takes no gradient); nothing else
    zeroed = sum(b - a for a, b in sched.layout.zero)
    assert zeroed == 3
    assert float(evaluate(g).grad("L")) == 1.0


def test_x_times_x_stores_then_adds():
    sched = compile_graph(parse("x: input = 3\nL: loss = x * x"))
    (step,) = sched.steps
    assert [o.assign for o in step.writes()] == [True, False]
    assert float(evaluate(parse("x: input = 3\nL: loss = x * x")).grad("x")) == 6.0


def test_shapes_of_leaves_only_share_their_defaults_read_only():
    g = gradviz.mlp([4, 8, 3], granularity="layer", activation="relu", loss="mse")
    sched = compile_graph(g)
    shared = [b.shape for b in sched.layout.buffers if not b.pooled]
    assert (8, 4) in shared and (3, 8) in shared
    t = evaluate(g)
    W1 = t.value("W1")
    assert not W1.flags.writeable
    before = W1.copy()
    t2 = evaluate(g, W1=np.ones((8, 4)))  # an override writes a copy, not the shared one
    np.testing.assert_array_equal(t2.value("W1"), np.ones((8, 4)))
    np.testing.assert_array_equal(evaluate(g).value("W1"), before)
    tb = evaluate(g, x=np.ones((5, 4)))  # a batch sees the shared default in every variant
    assert tb.value("W1").shape == (5, 8, 4)
    np.testing.assert_array_equal(tb.value("W1")[3], before)


def test_dead_nodes_get_zero_gradients():
    g = parse("x: input = 2\nunused = x * 3\nL: loss = x * x")
    t = evaluate(g)
    assert float(t.grad("unused")) == 0.0 and float(t.grad("x")) == 4.0
    x_edge, const_edge = t.edges_into("unused")
    assert float(x_edge.contribution) == 0.0 and const_edge.contribution is None


def test_a_non_finite_value_the_loss_ignores_does_not_poison_gradients():
    g = parse("x: input = 0\nunused = x / x\nL: loss = x * x + x")
    t = evaluate(g, check_finite=False)
    assert np.isnan(t.value("unused")) and float(t.grad("x")) == 1.0
    with pytest.raises(gradviz.EvalError, match="the value of unused = x / x is nan"):
        evaluate(g)  # the value is still reported


def test_a_node_after_the_loss_adds_to_the_loss_gradient_nothing():
    g = parse("x: input = 2\nL: loss = x * x\nM = L * 5")
    t = evaluate(g)
    assert float(t.grad("L")) == 1.0 and float(t.grad("M")) == 0.0


def test_pass_reads_values_gradients_and_contributions():
    g = example("xyz")
    run = compile_graph(g).run(g, {}, 1, True)
    assert float(run.value("w")[0]) == 100.0 and float(run.grad("x")[0]) == 170.0
    assert float(run.contribution("w", 1)[0]) == 5.0
    assert run.contribution("x", 0) is None  # a leaf has no operands


def test_an_op_refusing_its_values_names_the_node_and_line():
    text = "z: input = [1, 2, 3]\ny: target = 5\nL: loss = cross_entropy(softmax(z), y)"
    g = parse(text)
    with pytest.raises(gradviz.ShapeError, match=r"^<string>:3:1: L: a class index must be"):
        evaluate(g)
    assert float(evaluate(g, y=2).grad("L")) == 1.0  # a valid index, by override
    with pytest.raises(gradviz.ShapeError, match=r"3:1: L: a class index"):
        evaluate(g, y=[0, 1, 7])  # one bad variant in a batch


@pytest.mark.parametrize("batch", [None, 3])
def test_a_gradient_is_never_negative_zero(batch):
    g = parse("x: input = -1\nr = relu(x)\nL: loss = r * -2")  # ∂L/∂x = −2 · 0 = −0.0
    t = evaluate(g) if batch is None else evaluate(g, x=[-1.0, -2.0, -3.0])
    grad = np.asarray(t.grad("x"))
    assert (grad == 0.0).all() and not np.signbit(grad).any()


def test_a_matmul_step_writes_its_gradients_into_their_slots():
    g = gradviz.mlp([4, 3, 2], granularity="layer")
    sched = compile_graph(g)
    run = sched.run(g, {}, 1, True)
    t, _ = sched.where["z1.1"]  # W1 @ x
    assert isinstance(sched.steps[t], One)
    i, j = sched.slot["W1"]
    assert np.shares_memory(run.contribution("z1.1", 0), run.workspace.grads[i][j])


def test_a_weight_in_two_matmuls_keeps_each_edge_contribution():
    # b's backward runs first and stores into W's gradient slot, a's adds to it: b's
    # contribution must stay its own, not become a view of the sum (Op.into)
    g = parse("W: param = [[1, 2], [3, 4]]\nx: input = [1, -1]\na = W @ x\nb = W @ a\n"
              "L: loss = sum(b * b)")
    t = evaluate(g)
    W, x = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, -1.0])
    a = W @ x
    gb = 2 * (W @ a)
    np.testing.assert_array_equal(t.edge("b", 0).contribution, np.outer(gb, a))
    np.testing.assert_array_equal(t.edge("a", 0).contribution, np.outer(W.T @ gb, x))
    np.testing.assert_array_equal(t.grad("W"), np.outer(gb, a) + np.outer(W.T @ gb, x))


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), max_size=300))
def test_all_finite_is_isfinite_all_even_where_the_squares_overflow(xs):
    a = np.array(xs, dtype=np.float64)
    with np.errstate(all="ignore"):
        assert _all_finite(a) == bool(np.isfinite(a).all())


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
@pytest.mark.parametrize("at", [0, 1, 4095, 26999])
def test_all_finite_finds_one_bad_number_among_many_huge_ones(bad, at):
    a, b = np.full(27000, 1e200), np.zeros(27000)  # a · a overflows: the exact check decides
    with np.errstate(all="ignore"):
        assert _all_finite(a) and _all_finite(b)
        a[at] = b[at] = bad
        assert not _all_finite(a) and not _all_finite(b)


def test_a_non_finite_gradient_is_found_where_the_gradients_squares_overflow():
    g = parse("x: input = 1e200\nL: loss = 3 * x + x * 0")  # the gradients are finite
    assert float(evaluate(g).grad("x")) == 3.0
    g = parse("x: input = 1e-300\nL: loss = 1e300 * (1e300 * x)")  # values 1 and 1e300
    with pytest.raises(gradviz.EvalError, match="gradient from .* to x is inf"):
        evaluate(g)
