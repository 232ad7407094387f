"""Worked solutions, the answer checker and problem variants."""

from __future__ import annotations

import numpy as np
import pytest

from gradviz import evaluate, example
from gradviz.teaching.generate import Rules, quality, variants


@pytest.mark.parametrize("name", ["interesting", "mlp", "xyz", "two_layer_relu",
                                  "softmax_classifier", "sigmoid_regression"])
def test_variants_are_reproducible_and_good(name):
    g = example(name)
    a = variants(g, seed=11, count=3)
    b = variants(g, seed=11, count=3)
    assert [v.to_text() for v in a] == [v.to_text() for v in b]
    assert a[0].to_text() != variants(g, seed=12, count=1)[0].to_text()
    original = evaluate(g)
    for v in a:
        trace = evaluate(v)  # finite, or this raises
        batch = evaluate(v, {n: np.asarray(trace.value(n))[None]
                             for n in v.leaves("input")}, check_finite=False)
        assert quality(batch, original, Rules()).all()


def test_variant_keeps_min_max_branches_and_avoids_small_divisors():
    original = evaluate(example("interesting"))
    for v in variants(example("interesting"), seed=5, count=5):
        t = evaluate(v)
        assert (float(t.value("H4")) > float(t.value("H1"))) == \
            (float(original.value("H4")) > float(original.value("H1")))
        assert (float(t.value("X1")) > float(t.value("H1"))) == \
            (float(original.value("X1")) > float(original.value("H1")))
        assert abs(float(t.value("H1"))) >= 0.25


