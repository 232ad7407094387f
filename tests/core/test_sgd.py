"""One step of gradient descent: the seed problem's w21 = 0.65."""

from __future__ import annotations

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
