"""Activation samples: the op table's own derivative, exact at the kinks."""

from __future__ import annotations

import numpy as np
import pytest

import gradviz
from gradviz import ACTIVATIONS
from gradviz.core.ops import OPS
from gradviz.views.video.activations import activation_samples, decimals, pieces, tick


def test_derivative_is_the_vjp_not_a_numerical_one():
    for name in ACTIVATIONS:
        x, f, df = activation_samples(name, -3, 3, 61)
        out = OPS[name].forward(x)
        (vjp,) = OPS[name].vjp(np.ones_like(x), out, x)
        np.testing.assert_allclose(df, vjp, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(f, out, rtol=1e-12, atol=1e-15)
    _, _, df = activation_samples("relu", -1, 1, 3)
    assert df.tolist() == [0.0, 0.0, 1.0]  # relu'(0) = 0, exactly
    _, _, df = activation_samples("leaky_relu", -1, 1, 3, slope=0.1)
    assert df.tolist() == [0.1, 1.0, 1.0]  # the course's f'(0) = 1


def test_unknown_activation():
    with pytest.raises(gradviz.GradvizError):
        activation_samples("softmax")


def test_kinks_split_the_derivative_plot():
    x = np.linspace(-4, 4, 801)
    parts = pieces("relu", x)
    assert len(parts) == 2 and parts[0].max() < 0 < parts[1].min()
    assert len(pieces("sigmoid", x)) == 1
    assert len(pieces("hardtanh", x)) == 3


def test_ticks():
    assert tick(-0.2, 1.3) == 0.25 and decimals(0.25) == 2 and decimals(2) == 0
