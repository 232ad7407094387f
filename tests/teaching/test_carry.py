"""Error carried forward: the student's graph, its read-outs, dependence and rounding."""

from __future__ import annotations

import numpy as np
import pytest

from gradviz import evaluate, example
from gradviz.teaching.carry import Carry


def test_inherited_means_the_chain_rule_with_the_students_numbers():
    t = evaluate(example("interesting"))
    c = Carry(t, {}, {"H5": 5.0, "H4": 0.6225, "H3": -0.6225})
    # ∂H5/∂H1 = 0: a wrong ∇H5 changes nothing in ∇H1, which stays the true value
    assert float(c.read("∇H1")) == pytest.approx(-0.6225 + 0.6225 * -4 / 3)
    assert c.influence(["∇H5"], ["∇H1", "∇H4"]) == {"∇H1": [], "∇H4": ["∇H5"]}


def test_nodes_the_problem_does_not_ask_for_come_from_the_students_cells():
    t = evaluate(example("mlp"))
    c = Carry(t, {}, {"H1": 1.0, "H2": 2.0})
    # ∇X1 = ∇H1·f′(z1)·W1[0] + ∇H2·f′(z2)·W2[0], through the stacked X nobody asked for
    assert float(c.read("∇X1")) == pytest.approx(1.0 * 0.1 * 1 + 2.0 * 1 * -1)
    assert c.chain("X1").through == ["X"] and c.sources("X") == ["H1", "H2"]
    assert Carry(t, {}, {}).sources("X") == []  # nothing on the sheet: the true values


def test_fan_out_sums_every_consumer():
    t = evaluate(example("interesting"))
    c = Carry(t, {}, {"H1": 1.0, "H2": 10.0, "H3": 100.0})
    assert float(c.read("∇X1")) == pytest.approx(1.0 * 1.5 + 10.0 * -1 + 100.0 * 0)
    assert float(c.read("∇X2")) == pytest.approx(1.0 * 1.5 + 10.0 * 2)


def test_forward_values_carry_into_later_values_and_gradients():
    t = evaluate(example("interesting"))
    c = Carry(t, {"Yhat": 0.3775}, {})
    assert float(c.read("L")) == pytest.approx(-np.log(0.3775))
    assert float(c.value("Yhat")) == 0.3775 and c.evaluations == 2


def test_allowance_covers_the_rounding_of_locals_and_of_the_students_numbers():
    t = evaluate(example("interesting"))
    c = Carry(t, {}, {"H3": -0.6225, "H4": 0.6225, "H5": 0.6225})
    # −1.33 for ∂H4/∂H1 = −4/3 moves ∇H1 by 0.6225/300; 0.6225 to 0.623 by 0.0005·(1 + 4/3)
    a = float(c.allowance("∇H1", 3))
    assert a == pytest.approx(0.6225 / 300 + 0.0005 * (1 + 4 / 3), rel=0.05)
    assert float(c.allowance("∇H1", 6)) < a / 50
    assert float(Carry(t, {"Yhat": 0.3775}, {}).allowance("L", 3)) == \
        pytest.approx(0.0005 / 0.3775, rel=0.01)  # Ŷ carried at 3 digits: 0.378
