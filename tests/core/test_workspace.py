"""Workspaces: the arrays of a pass, reused only when nothing of the last pass is held."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import gradviz
from gradviz import evaluate, example, parse
from gradviz.core.schedule import compile_graph


def test_reused_when_nothing_is_held_and_never_while_a_trace_lives():
    g = example("interesting")
    t = evaluate(g)
    x1 = float(t.grad("X1"))
    t2 = evaluate(g, X1=3.0)  # t is alive: a workspace of its own
    assert t2._run.workspace is not t._run.workspace
    assert float(t.grad("X1")) == x1  # untouched by the second pass
    del t2
    evaluate(g, X1=3.0)  # t2's workspace is free now: reused, t's is not
    assert float(t.grad("X1")) == x1
    first = id(evaluate(g)._run.workspace)
    assert id(evaluate(g)._run.workspace) == first


def test_an_array_taken_from_a_trace_keeps_its_numbers():
    g = example("xyz")
    w = evaluate(g).value("w")  # the trace is gone, its value is not
    g_x = evaluate(g).grad("x")
    for x in (1.0, 5.0, -2.0):
        evaluate(g, x=x)
    assert float(w) == 100.0 and float(g_x) == 170.0


@pytest.mark.parametrize("text", [
    "W: param = [[1, 2], [3, 4]]\nx: input = [1, -1]\nh = W @ x\nL: loss = sum(h * h)",
    "x: input = [1, -1]\nh = identity(x)\nL: loss = sum(h * h)",
    "x: input = [1, -1]\nc: input = [3, 4]\nh = x + c\nL: loss = sum(h * h)"])
def test_a_contribution_taken_from_a_batch_trace_keeps_its_numbers(text):
    # a single node's contribution may be the very view a step writes its gradient
    # into (matmul's VJP writes there, identity and add pass g on): holding it must
    # hold the workspace
    g = parse(text)
    t = evaluate(g, x=[[1.0, -1.0], [2.0, 0.5]])
    held = [e.contribution for e in t.edges if e.contribution is not None]
    before = [c.copy() for c in held]
    del t
    gc.collect()  # edges refer to their trace: a cycle
    evaluate(g, x=[[9.0, 8.0], [7.0, 6.0]])
    for c, b in zip(held, before):
        np.testing.assert_array_equal(c, b)


def test_a_reused_workspace_starts_from_the_defaults_again():
    g = parse("x: input = 2\ny: input = 3\nL: loss = x * y")
    assert float(evaluate(g, x=10.0).value("L")) == 30.0
    assert float(evaluate(g).value("L")) == 6.0  # x is back to its default
    assert float(evaluate(g, y=[1.0, 2.0]).value("L")[1]) == 4.0
    assert float(evaluate(g, y=[1.0, 2.0]).grad("y")[0]) == 2.0


def test_overridden_weights_get_a_private_buffer_and_the_shared_one_stays():
    g = gradviz.mlp([4, 8, 3], granularity="layer", activation="relu", loss="mse")
    W1 = compile_graph(g).layout.defaults[
        compile_graph(g).slot["W1"][0]].copy()
    for value in (np.ones((8, 4)), np.zeros((8, 4))):
        t = evaluate(g, W1=value)
        np.testing.assert_array_equal(t.value("W1"), value)
        del t
    t = evaluate(g)
    np.testing.assert_array_equal(t.value("W1"), W1[0, 0])
    assert not t.value("W1").flags.writeable  # the shared default, read-only


def test_gradients_added_up_start_from_zero_in_every_pass():
    g = gradviz.mlp([3, 16, 16, 1], granularity="neuron", activation="relu", loss="mse")
    assert compile_graph(g).layout.zero is None
    first = {n: float(evaluate(g).grad(n)) for n in ("x1", "w1_1_1", "b2_3")}
    for _ in range(3):
        again = {n: float(evaluate(g).grad(n)) for n in first}
        assert again == first
