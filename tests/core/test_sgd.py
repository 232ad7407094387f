"""One step of gradient descent: the seed problem's w21 = 0.65."""

from __future__ import annotations

import numpy as np
import pytest

from gradviz import evaluate, example, sgd_step


def test_two_layer_relu_update_of_w21():
    new = sgd_step(evaluate(example("two_layer_relu")), lr=0.1)
    assert float(new["w21"]) == pytest.approx(0.65, abs=1e-12)
    assert set(new) == set(example("two_layer_relu").leaves("param"))


def test_sgd_step_per_variant_and_leaves_the_trace_alone():
    t = evaluate(example("two_layer_relu"), w21=[0.5, 1.0])
    before = t.value("w21").copy()
    new = sgd_step(t, lr=0.1)
    assert new["w21"].shape == (2,)
    assert new["w21"] == pytest.approx(before - 0.1 * t.grad("w21"))
    assert (t.value("w21") == before).all()


def test_sgd_step_is_descend_on_every_param():
    from gradviz.core.sgd import descend

    t = evaluate(example("mlp"))
    new = sgd_step(t, 0.1)
    for n in t.graph.leaves("param"):
        np.testing.assert_array_equal(new[n], descend(t.value(n), t.grad(n), 0.1))
        np.testing.assert_allclose(new[n], t.value(n) - 0.1 * t.grad(n), rtol=0, atol=1e-15)
