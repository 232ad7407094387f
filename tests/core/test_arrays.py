"""The array convention both evaluators share: padding, un-broadcasting, broadcast shapes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradviz.core.arrays import broadcast_shape, pad, unbroadcast
from gradviz.core.ops import OPS

shapes = st.lists(st.sampled_from([1, 2, 3]), min_size=0, max_size=3).map(tuple)


@given(st.lists(shapes, min_size=1, max_size=4))
def test_broadcast_shape_is_numpys(core_shapes):
    try:
        want = np.broadcast_shapes(*core_shapes)
    except ValueError:
        want = None
    assert broadcast_shape(*core_shapes) == want


def test_pad_inserts_core_axes_after_the_batch_axis():
    a, v, m = np.ones(4), np.ones((4, 3)), np.ones((4, 2, 3))
    assert [x.shape for x in pad([a, v, m], OPS["add"])] == [(4, 1, 1), (4, 1, 3), (4, 2, 3)]
    assert pad([m, v], OPS["matmul"])[1] is v  # ops that do not broadcast get them as they are


@given(st.lists(shapes, min_size=2, max_size=3), st.integers(1, 3))
def test_unbroadcast_sums_what_broadcasting_spread(core_shapes, B):
    """Each element's gradient is the sum of g over the places broadcasting copied it to."""
    try:
        full = np.broadcast_shapes(*core_shapes)
    except ValueError:
        return
    g = np.random.default_rng(0).normal(size=(B,) + full)
    for s in core_shapes:
        size = int(np.prod(s, dtype=int))
        padded = (1,) * (len(full) - len(s)) + s
        where = np.broadcast_to(np.arange(size).reshape(padded), full).ravel()
        want = np.stack([np.bincount(where, weights=gb.ravel(), minlength=size) for gb in g])
        got = unbroadcast(g, (B,) + s)
        assert got.shape == (B,) + s
        np.testing.assert_allclose(got.reshape(B, -1), want, rtol=1e-12, atol=1e-12)


def test_unbroadcast_keeps_the_batch_axis_and_returns_fitting_gradients_as_they_are():
    g = np.arange(6.0).reshape(2, 3)
    assert unbroadcast(g, (2, 3)) is g
    np.testing.assert_array_equal(unbroadcast(g, (2,)), [3.0, 12.0])
    np.testing.assert_array_equal(unbroadcast(g, (2, 1)), [[3.0], [12.0]])
    small = unbroadcast(np.ones((2, 1)), (2, 3))  # a gradient smaller than its operand
    assert small.shape == (2, 3)


@pytest.mark.parametrize(("shapes", "want"), [
    (((), ()), ()), (((3,), ()), (3,)), (((2, 1), (3,)), (2, 3)), (((2,), (3,)), None),
])
def test_broadcast_shape_cases(shapes, want):
    assert broadcast_shape(*shapes) == want
