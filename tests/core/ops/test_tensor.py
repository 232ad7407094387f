"""Tensor ops: stop_gradient keeps the value and blocks the gradient."""

from __future__ import annotations

import numpy as np

import gradviz
from gradviz import OPS


def test_stop_gradient_keeps_the_value_and_blocks_the_gradient():
    g = gradviz.parse("x: input = 3\nL: loss = x * stop_gradient(x)")
    t = gradviz.evaluate(g)
    assert float(t.value("L")) == 9.0 and float(t.grad("x")) == 3.0  # only the first path
    x = np.array([[1.0, -2.0]])
    assert OPS["stop_gradient"].forward(x).tolist() == x.tolist()
    assert not np.any(OPS["stop_gradient"].vjp(np.ones_like(x), x, x)[0])

