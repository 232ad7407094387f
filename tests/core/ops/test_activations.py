"""Activations: the conventions at kinks, exactly, and numerics at the extremes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradviz import ACTIVATIONS, OPS
from tests.helpers import run_graph as run


@pytest.mark.parametrize(("name", "params", "kinks"), [
    ("relu", {}, (0.0,)), ("leaky_relu", {}, (0.0,)), ("abs", {}, (0.0,)),
    ("elu", {"alpha": 2.0}, (0.0,)), ("hardtanh", {}, (-1.0, 1.0)),
    ("hardtanh", {"min_val": 0.0, "max_val": 6.0}, (0.0, 6.0)), ("sigmoid", {}, ()),
])
def test_kinks_come_from_the_pieces(name, params, kinks):
    assert OPS[name].kinks(**params) == kinks



@pytest.mark.parametrize(("expr", "x", "expected"), [
    ("relu(x)", 0.0, 0.0),
    ("relu(x)", 1e-300, 1.0),
    ("relu(x)", -1e-300, 0.0),
    ("leaky_relu(x, slope=0.1)", 0.0, 1.0),
    ("leaky_relu(x, slope=0.1)", -1e-12, 0.1),
    ("leaky_relu(x, slope=0.1)", -1e-300, 0.1),
    ("leaky_relu(x)", 0.0, 1.0),
    ("leaky_relu(x)", -1e-12, 0.01),
    ("abs(x)", 0.0, 0.0),
    ("abs(x)", -1e-300, -1.0),
    ("elu(x)", 0.0, 1.0),
    ("elu(x, alpha=1.5)", 0.0, 1.5),
    ("elu(x, alpha=1.5)", 1e-300, 1.0),
])
def test_kinks_exact(expr, x, expected):
    t = run(f"x: input = {x!r}\nL: loss = {expr}")
    assert float(t.grad("x")) == expected



@pytest.mark.parametrize(("name", "xs", "expected"), [
    ("relu", [-1.0, 0.0, 2.0], [0.0, 0.0, 1.0]),
    ("leaky_relu", [-1.0, 0.0, 2.0], [0.1, 1.0, 1.0]),
    ("abs", [-1.0, 0.0, 2.0], [-1.0, 0.0, 1.0]),
    ("elu", [0.0], [1.5]),
    ("hardtanh", [-1.0, -0.5, 0.0, 1.0, 2.0], [0.0, 1.0, 1.0, 0.0, 0.0]),
])
def test_kinks_of_the_vjp(name, xs, expected):
    params = {"leaky_relu": {"slope": 0.1}, "elu": {"alpha": 1.5}}.get(name, {})
    x = np.array(xs)
    out = OPS[name].forward(x, **params)
    assert OPS[name].vjp(np.ones_like(x), out, x, **params)[0].tolist() == expected



def test_sigmoid_extremes():
    sig = OPS["sigmoid"]
    x = np.array([1000.0, -1000.0])
    out = sig.forward(x)
    assert out.tolist() == [1.0, 0.0]
    (g,) = sig.vjp(np.ones(2), out, x)
    assert np.all(np.isfinite(g))
    for v, expected in ((1000, 1.0), (-1000, 0.0)):
        t = run(f"x: input = {v}\nL: loss = sigmoid(x)")
        assert float(t.value("L")) == expected
        assert np.isfinite(t.grad("x"))



def test_softmax_extremes():
    z = np.array([[1000.0, 1000.0, -1000.0]])
    s = OPS["softmax"].forward(z)
    assert np.all(np.isfinite(s))
    np.testing.assert_allclose(s, [[0.5, 0.5, 0.0]], atol=1e-300)
    (g,) = OPS["softmax"].vjp(np.array([[1.0, -2.0, 3.0]]), s, z)
    assert np.all(np.isfinite(g))
    ls = OPS["log_softmax"].forward(z)
    np.testing.assert_allclose(ls, [[-math.log(2), -math.log(2), -2000 - math.log(2)]],
                               rtol=1e-15)
    (g,) = OPS["log_softmax"].vjp(np.array([[1.0, -2.0, 3.0]]), ls, z)
    assert np.all(np.isfinite(g))
    text = "z: input = [1000, 1000, -1000]\nw: const = [1, -2, 3]\nL: loss = sum({}(z) * w)"
    t = run(text.format("softmax"))
    np.testing.assert_allclose(t.value("L"), -0.5, rtol=1e-15)
    assert np.all(np.isfinite(t.grad("z")))
    t = run(text.format("log_softmax"))
    assert np.all(np.isfinite(t.value("L"))) and np.all(np.isfinite(t.grad("z")))
    np.testing.assert_allclose(t.grad("z"), [1 - 1, -2 - 1, 3], atol=1e-12)



@pytest.mark.parametrize("name", [n for n in ACTIVATIONS])
@pytest.mark.parametrize("x", [1000.0, -1000.0])
def test_activations_finite_at_extremes(name, x):
    o = OPS[name]
    xs = np.array([x])
    out = o.forward(xs)
    assert np.all(np.isfinite(out))
    assert np.all(np.isfinite(o.vjp(np.ones(1), out, xs)[0]))
    t = run(f"x: input = {x}\nL: loss = {name}(x)")
    assert np.isfinite(t.value("L")) and np.isfinite(t.grad("x"))



def test_softplus_extremes():
    t = run("x: input = 1000\nL: loss = softplus(x)")
    assert float(t.value("L")) == 1000.0 and float(t.grad("x")) == 1.0
    t = run("x: input = -1000\nL: loss = softplus(x)")
    assert float(t.value("L")) == 0.0 and float(t.grad("x")) == 0.0

