"""Graph surgery for the checker's mistake models: the original never changes."""

from __future__ import annotations

import numpy as np

from gradviz import evaluate, example
from gradviz.core.edit import GraphEdit


def test_cutting_one_use_of_x_in_x_plus_x():
    g = example("xyz")
    e = GraphEdit(g)
    e.replace_operand("b.1", 1, e.op("stop_gradient", "x"))
    assert float(evaluate(e.build()).grad("x")) == 145.0
    assert float(evaluate(g).grad("x")) == 170.0  # the original is untouched


def test_keep_value_send_gradient_takes_the_other_branch_of_max():
    g = example("interesting")  # H5 = max(H4, H1) takes H4
    e = GraphEdit(g)
    e.keep_value_send_gradient("H5", e.op("max", "H4", "H1"), "H1")
    t, t0 = evaluate(e.build()), evaluate(g)
    assert float(t.value("H5")) == float(t0.value("H5"))
    assert float(t.grad("H4")) == 0.0 and float(t.grad("H1")) != float(t0.grad("H1"))


def test_weighted_sum_is_a_probe_of_the_chain_rule():
    g = example("interesting")
    e = GraphEdit(g)
    probe = e.build(loss=e.weighted_sum({"H3": np.array(2.0), "H4": np.array(-1.0)}))
    t = evaluate(probe)
    t0 = evaluate(g)
    want = 2.0 * float(t0.local_through("H3", "H1")) - float(t0.local_through("H4", "H1"))
    assert float(t.grad("H1")) == pytest_approx(want)


def pytest_approx(x):
    import pytest

    return pytest.approx(x, rel=1e-12)
