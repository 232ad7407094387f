"""Update cells (``w21+``): how students write them, and how a step is graded."""

from __future__ import annotations

import pytest

from gradviz import evaluate, example, fmt_value
from gradviz.teaching.check import check
from gradviz.teaching.quantities import match_quantity, split_update
from gradviz.views.answers import asked


@pytest.fixture(scope="module")
def trace():
    return evaluate(example("two_layer_relu"))  # asks w21+ with lr 0.1: 0.5 - 0.1*(-1.5)


def sheet(trace, **changes):
    rows = [(q, fmt_value(v, 4)) for q, v in asked(trace)]
    return [(q, changes.get(q, text)) for q, text in rows]


def cell(report, q="w21+"):
    (c,) = [c for c in report.cells if c.quantity == q]
    return c


@pytest.mark.parametrize("written", ["w21+", "w₂₁⁺", "$w_{21}^{+}$", "w_{21}^+", "w21_new",
                                     "new w21", "updated w_21"])
def test_the_ways_students_write_an_update(trace, written):
    assert match_quantity(written, trace.graph) == "w21+"


@pytest.mark.parametrize("written", ["∇w21+", "dL/dw21+", "w99+", "+", "new"])
def test_what_is_not_an_update(trace, written):
    assert match_quantity(written, trace.graph) is None


def test_split_update_leaves_plain_names():
    assert split_update("W1") == ("W1", False) and split_update("+") == ("+", False)


def test_right_and_rounded_updates(trace):
    assert cell(check(trace, sheet(trace))).status == "correct"
    assert cell(check(trace, sheet(trace, **{"w21+": "0.6500"}))).status == "correct"
    assert cell(check(trace, sheet(trace, **{"w21+": "0.65"}))).status == "correct"


def test_a_step_up_the_gradient_is_a_sign_error(trace):
    c = cell(check(trace, sheet(trace, **{"w21+": "0.35"})))
    assert (c.status, c.cause) == ("wrong", "sign") and "subtract" in c.explanation
    assert "0.65" in c.explanation and "−" in c.explanation


def test_the_learning_rate_left_out(trace):
    c = cell(check(trace, sheet(trace, **{"w21+": "2"})))  # 0.5 - (-1.5)
    assert c.cause == "arithmetic" and "learning rate" in c.explanation


def test_an_update_from_the_student_s_own_wrong_gradient_is_carried_forward(trace):
    c = cell(check(trace, sheet(trace, **{"∇w21": "-2.5", "w21+": "0.75"})))
    assert (c.status, c.cause, c.inherited_from) == ("wrong", "inherited", ["∇w21"])
    assert "∇w₂₁ = -2.5" in c.explanation
    r = check(trace, sheet(trace, **{"∇w21": "-2.5", "w21+": "0.75"}))
    assert r.score["inherited"] == 1 and r.score["wrong"] == 2  # ∇w21 itself, and w21+


def test_a_wrong_update_says_the_rule(trace):
    c = cell(check(trace, sheet(trace, **{"w21+": "0.9"})))
    assert (c.status, c.cause) == ("wrong", "arithmetic")
    assert "w₂₁⁺ = w₂₁ − η·∂MSE/∂w₂₁ = 0.65" in c.explanation


def test_an_update_the_problem_does_not_ask_for(trace):
    c = cell(check(trace, sheet(trace) + [("w11+", "0.3")]), "w11+")
    assert c.status == "unreadable" and "no update" in c.explanation
