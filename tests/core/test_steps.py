"""The vectorized steps: one gather per kind, gradients stored where the compiler found
the first write and added elsewhere."""

from __future__ import annotations

import numpy as np
import pytest

from gradviz.core.ops import OPS
from gradviz.core.steps import Each, One, Operand, Stacked, write


def test_one_node_step_with_a_broadcast_operand():
    # buffer 0: scalars (a, out); buffer 1: 3-vectors (v, out)
    a, v = Operand(0, (), (1,), 0), Operand(1, (3,), (3,), 0)
    step = One(OPS["mul"], {}, ["w"], Operand(1, (3,), (3,), 1), [a, v], [0, 1])
    step.mark([True, True], [True, True])
    vals = [np.array([[2.0]]), np.array([[[1.0, 2.0, 3.0]], [[0.0, 0.0, 0.0]]])]
    grads = [np.full((1, 1), np.nan), np.array([[[np.nan] * 3], [[1.0, 1.0, -1.0]]])]
    plan = step.bind(vals, grads, 1)
    out = step.forward(plan)
    np.testing.assert_array_equal(vals[1][1], [[2.0, 4.0, 6.0]])
    rows = step.backward(plan, out)
    assert grads[0][0, 0] == 0.0  # 1·1 + 1·2 − 1·3, stored over the nan that was there
    np.testing.assert_array_equal(grads[1][0], [[2.0, 2.0, -2.0]])  # stored, not added
    assert rows[0].shape == (1,) and np.shares_memory(step.contribution(rows, 0, 0), rows[0])


def test_a_second_write_to_a_slot_adds():
    x = Operand(0, (), (), 0)
    step = One(OPS["mul"], {}, ["y"], Operand(0, (), (), 1), [x, x], [0, 1])
    step.mark([True, False], [False, False])  # x * x: the first operand stores, the second adds
    vals = [np.array([[3.0], [0.0]])]
    grads = [np.array([[np.nan], [1.0]])]
    plan = step.bind(vals, grads, 1)
    step.backward(plan, step.forward(plan))
    assert grads[0][0, 0] == 6.0


def test_each_gathers_by_slice_and_index_and_sums_fan_in():
    # scalars: slots 0..2 leaves p, q, r; slots 3, 4 the outputs p*q and p*r
    left = Operand(0, (), (), slice(0, 1), False)
    step = Each(OPS["mul"], {}, ["pq", "pr"], Operand(0, (), (), slice(3, 5)),
                [Operand(0, (), (), np.array([0, 0]), True),
                 Operand(0, (), (), np.array([1, 2]), False)], [0, 1])
    assert left.fan_in is False
    step.mark([False, True], [False, False])
    vals = [np.array([[2.0], [3.0], [5.0], [0.0], [0.0]])]
    grads = [np.array([[0.0], [np.nan], [np.nan], [1.0], [10.0]])]
    plan = step.bind(vals, grads, 1)
    saved = step.forward(plan)
    np.testing.assert_array_equal(vals[0][3:, 0], [6.0, 10.0])
    rows = step.backward(plan, saved)
    np.testing.assert_array_equal(grads[0][:3, 0], [3.0 + 50.0, 2.0, 20.0])  # p fans out
    assert step.contribution(rows, 0, 1).tolist() == [50.0]


def test_stacked_affine_runs_the_kernel_on_all_operands_at_once():
    # affine(x1, w1, x2, w2, b) for two neurons sharing the inputs x1, x2
    idx = np.array([[0, 0], [2, 3], [1, 1], [4, 5], [6, 7]])
    ops = [Operand(0, (), (), ix, len(set(ix)) < 2) for ix in idx]
    to = Operand(0, (), (), idx[[1, 3, 4]], False)
    step = Stacked(OPS["affine"], {}, ["n1", "n2"], Operand(0, (), (), slice(8, 10)), ops,
                   [1, 3, 4], idx, to)
    step.mark([True], [True])
    vals = [np.array([[1.0], [2.0], [3.0], [4.0], [5.0], [6.0], [0.5], [-0.5], [0], [0]])]
    grads = [np.full((10, 1), np.nan)]
    grads[0][8:, 0] = [1.0, -1.0]
    plan = step.bind(vals, grads, 1)
    saved = step.forward(plan)
    np.testing.assert_array_equal(vals[0][8:, 0], [1 * 3 + 2 * 5 + 0.5, 1 * 4 + 2 * 6 - 0.5])
    step.backward(plan, saved)
    np.testing.assert_array_equal(grads[0][2:8, 0], [1.0, -1.0, 2.0, -2.0, 1.0, -1.0])


@pytest.mark.parametrize("sel", [1, slice(1, 2), np.array([1])])
def test_write_stores_then_adds(sel):
    buf = np.array([[5.0], [np.nan]])
    shape = buf[sel].shape
    write(buf, Operand(0, (), (), sel, False, True), np.full(shape, 0.5))
    assert buf[1, 0] == 0.5 and buf[0, 0] == 5.0  # the NaN was overwritten, not added to
    write(buf, Operand(0, (), (), sel, False, False), np.full(shape, 1.5))
    assert buf[1, 0] == 2.0 and buf[0, 0] == 5.0


def test_write_with_repeated_slots_sums_them():
    buf = np.zeros((3, 2))  # 3 slots, batch of 2
    write(buf, Operand(0, (), (), np.array([2, 0, 2]), True), np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(buf, [[2.0, 3.0], [0.0, 0.0], [4.0, 6.0]])
