"""Losses: conventions at their kinks and clamps at the extremes, exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gradviz
from gradviz import OPS
from tests.helpers import run_graph as run


def test_l1_at_zero_difference_is_zero():
    t = run("p: input = 0.3\ny: input = 0.3\nL: loss = l1(p, y)")
    assert float(t.value("L")) == 0.0
    assert float(t.grad("p")) == 0.0
    assert float(t.grad("y")) == 0.0
    t = run("p: input = [0.3, 1.0]\ny: target = [0.3, 0.0]\nL: loss = l1(p, y)")
    assert t.grad("p").tolist() == [0.0, 0.5]



@pytest.mark.parametrize(("s", "y"), [(1.0, 1.0), (-1.0, -1.0)])
def test_hinge_at_margin_is_zero(s, y):
    t = run(f"s: input = {s}\ny: input = {y}\nL: loss = hinge(s, y)")
    assert float(t.value("L")) == 0.0
    assert float(t.grad("s")) == 0.0
    assert float(t.grad("y")) == 0.0
    # just inside the margin the gradient is −y
    t = run(f"s: input = {s * 0.5}\ny: target = {y}\nL: loss = hinge(s, y)")
    assert float(t.grad("s")) == -y



def test_huber_at_delta_is_continuous():
    t = run("p: input = 1.5\ny: target = 1\nL: loss = huber(p, y, delta=0.5)")
    assert float(t.grad("p")) == 0.5
    assert float(t.value("L")) == 0.125



@pytest.mark.parametrize(("p", "y", "loss"), [(0, 1, 100.0), (1, 0, 100.0), (0, 0, 0.0),
                                              (1, 1, 0.0)])
def test_bce_clamped_at_0_and_1(p, y, loss):
    o = OPS["bce"]
    pa, ya = np.array([float(p)]), np.array([float(y)])
    out = o.forward(pa, ya)
    assert out.tolist() == [loss]
    assert all(np.all(np.isfinite(g)) for g in o.vjp(np.ones(1), out, pa, ya))
    t = run(f"p: input = {p}\ny: input = {y}\nL: loss = bce(p, y)")
    assert float(t.value("L")) == loss
    assert np.isfinite(t.grad("p")) and np.isfinite(t.grad("y"))
    # a saturated sigmoid feeding bce
    t = run(f"z: input = {2000 * p - 1000}\ny: target = {y}\nL: loss = bce(sigmoid(z), y)")
    assert float(t.value("L")) == loss
    assert np.isfinite(t.grad("z"))



@pytest.mark.parametrize("z", [800.0, -800.0])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_bce_with_logits_extremes(z, y):
    o = OPS["bce_with_logits"]
    za, ya = np.array([z]), np.array([y])
    out = o.forward(za, ya)
    expected = max(z, 0.0) - z * y  # log1p(e^-800) = 0 in float64
    assert out.tolist() == [expected]
    assert all(np.all(np.isfinite(g)) for g in o.vjp(np.ones(1), out, za, ya))
    t = run(f"z: input = {z}\ny: input = {y}\nL: loss = bce_with_logits(z, y)")
    assert float(t.value("L")) == expected
    assert float(t.grad("z")) == (1.0 if z > 0 else 0.0) - y



def test_cross_entropy_with_zero_probability():
    o = OPS["cross_entropy"]
    p = np.array([[0.0, 0.5, 0.5]])
    for y in (np.array([[1.0, 0.0, 0.0]]), np.array([[0.0, 1.0, 0.0]]), np.array([0.0]),
              np.array([2.0])):
        out = o.forward(p, y)
        assert np.all(np.isfinite(out))
        assert all(np.all(np.isfinite(g)) for g in o.vjp(np.ones(1), out, p, y))
    t = run("p: input = [0, 0.5, 0.5]\ny: input = [1, 0, 0]\nL: loss = cross_entropy(p, y)")
    assert float(t.value("L")) == 100.0
    assert np.all(np.isfinite(t.grad("p"))) and np.all(np.isfinite(t.grad("y")))
    t = run("p: input = [0, 0.5, 0.5]\ny: target = 1\nL: loss = cross_entropy(p, y)")
    assert float(t.value("L")) == pytest.approx(math.log(2), rel=1e-15)
    assert np.all(np.isfinite(t.grad("p")))



def test_cross_entropy_class_index_must_be_integer():
    g = gradviz.parse("p: input = [0.2, 0.3, 0.5]\ny: target = 1\nL: loss = cross_entropy(p, y)")
    with pytest.raises(gradviz.GradvizError):
        gradviz.evaluate(g, y=0.5)
    with pytest.raises(gradviz.GradvizError):
        gradviz.evaluate(g, y=3)

