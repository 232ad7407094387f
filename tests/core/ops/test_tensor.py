"""Tensor ops: stop_gradient keeps the value and blocks the gradient; a VJP that writes
into given arrays (`Op.into`), and a forward that writes into ``out`` (`Op.forward_out`),
give what they return otherwise, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz
from gradviz import OPS
from gradviz.core.evaluate import reference


def test_stop_gradient_keeps_the_value_and_blocks_the_gradient():
    g = gradviz.parse("x: input = 3\nL: loss = x * stop_gradient(x)")
    t = gradviz.evaluate(g)
    assert float(t.value("L")) == 9.0 and float(t.grad("x")) == 3.0  # only the first path
    x = np.array([[1.0, -2.0]])
    assert OPS["stop_gradient"].forward(x).tolist() == x.tolist()
    assert not np.any(OPS["stop_gradient"].vjp(np.ones_like(x), x, x)[0])



INTO_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)),
               ((40, 30), (30,)), ((30,), (30, 40)), ((300,), (300,))]  # small: einsum; large: BLAS


@pytest.mark.parametrize("name", [n for n, op in OPS.items() if op.into])
@pytest.mark.parametrize("shapes", INTO_SHAPES)
@pytest.mark.parametrize("B", [1, 3])
def test_a_vjp_into_given_arrays_writes_there_bit_for_bit(name, shapes, B):
    op, rng = OPS[name], np.random.default_rng(len(shapes[0]) + B)
    xs = [rng.normal(size=(B,) + s) for s in shapes]
    out = op.forward(*xs)
    if op.forward_out:  # the same for the value written into a given array
        given = np.full(out.shape, np.nan)
        assert op.forward(*xs, out=given) is given and given.tobytes() == out.tobytes()
    g = rng.normal(size=out.shape)
    new = op.vjp(g, out, *xs)
    for k in range(len(xs)):  # one operand's gradient into a given array, the other new
        dests = tuple(np.full(x.shape, np.nan) if i == k else None for i, x in enumerate(xs))
        given = op.vjp(g, out, *xs, into=dests)
        assert given[k] is dests[k]
        for a, b, x in zip(given, new, xs):
            assert a.shape == x.shape and np.array_equal(a, b)  # exact, not close


def test_a_layer_mlp_writes_weight_gradients_straight_into_their_slots():
    g = gradviz.mlp([4, 300, 2], granularity="layer")  # W1 is 300 × 4: a BLAS outer product
    t = gradviz.evaluate(g)
    ref = reference(g)[1]
    for n in ("W1", "b1", "W2", "x"):
        assert np.array_equal(t.grad(n), ref[n][0]), n
