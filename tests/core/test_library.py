"""Evaluation: the reference answers of the seed problems, the chain rule edge by edge,"""

from __future__ import annotations

import numpy as np
import pytest

import gradviz
from gradviz import evaluate
from tests.helpers import (
    MLP_CONFIGS,
)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(("activation", "output", "loss"), MLP_CONFIGS)
def test_neuron_and_layer_mlp_agree(activation, output, loss, seed):
    kw = dict(activation=activation, output=output, loss=loss, seed=seed)
    neuron = evaluate(gradviz.mlp([3, 4, 2], granularity="neuron", **kw))
    layer = evaluate(gradviz.mlp([3, 4, 2], granularity="layer", **kw))
    assert float(neuron.value("L")) == pytest.approx(float(layer.value("L")), rel=1e-12,
                                                     abs=1e-14)
    # the same gradients, element by element
    W1 = layer.grad("W1")
    for j in range(4):
        for i in range(3):
            assert float(neuron.grad(f"w1_{i + 1}_{j + 1}")) == pytest.approx(
                float(W1[j, i]), rel=1e-10, abs=1e-13)
    np.testing.assert_allclose([float(neuron.grad(f"x{i}")) for i in (1, 2, 3)],
                               layer.grad("x"), rtol=1e-10, atol=1e-13)


