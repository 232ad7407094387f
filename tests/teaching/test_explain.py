"""Every explanation states what was computed: its numbers are checked here."""

from __future__ import annotations

import re

import pytest

from gradviz import evaluate, example
from gradviz.core.format import MINUS
from gradviz.teaching.check import check

ROWS = [("Yhat", "0.3775"), ("L", "0.9741"), ("∇H5", "0.6225"), ("∇H4", "0.6225"),
        ("∇H3", "-0.6225"), ("∇H2", "-1.245"), ("∇H1", "-1.452"), ("∇W2", "-0.4150"),
        ("∇W1", "-1.452"), ("∇B1", "-1.245"), ("∇X3", "2.490"), ("∇X2", "-4.668"),
        ("∇X1", "-0.9337")]


def cell(name, changes, q):
    t = evaluate(example(name))
    rows = [(k, changes.get(k, v)) for k, v in ROWS] if name == "interesting" else \
        list(changes.items())
    return next(c for c in check(t, rows).cells if c.quantity == q)


def num(text):
    return float(text.replace(MINUS, "-"))


def test_arithmetic_shows_a_step_whose_numbers_add_up():
    c = cell("interesting", {"∇X2": "-4.123"}, "∇X2")
    assert c.cause == "arithmetic"
    step = c.explanation.split("= ", 2)[2]
    terms = re.findall(r"\((\S+)\) · \((\S+)\)", step)
    total = num(re.search(r"= (\S+) \(", step).group(1))
    assert terms and sum(num(a) * num(b) for a, b in terms) == pytest.approx(total, abs=2e-3)
    assert "∂H₁/∂X₂" in c.explanation and "∂H₂/∂X₂" in c.explanation  # the local derivatives
    assert "your ∇H₁ = -1.452" in c.explanation


def test_missing_path_names_the_edge_and_its_number():
    c = cell("interesting", {"∇X2": "-2.179"}, "∇X2")
    assert (c.cause, c.node) == ("missing_path", "H2")
    assert "without X₂ → H₂ it is −2.178" in c.explanation  # −2.17861


def test_wrong_branch_states_the_condition_that_holds_with_its_numbers():
    c = cell("interesting", {"∇X1": "-1.556"}, "∇X1")
    assert "here X₁ > H₁ (X₁ = 2, H₁ = 1.5)" in c.explanation  # min(2, 1.5) takes H₁
    assert "as if X₁ < H₁" in c.explanation


def test_inherited_quotes_the_students_cell_and_the_recomputed_step():
    c = cell("interesting", {"∇H4": "-0.6225", "∇H2": "1.245"}, "∇H2")
    assert c.explanation == ("follows from your wrong ∇H₄ = -0.6225: with it this step gives "
                             "1.245, which is what you wrote")


def test_local_only_and_no_local_quote_the_factors():
    c = cell("interesting", {"∇H4": "1"}, "∇H4")
    assert "∂H₅/∂H₄ = 1 alone" in c.explanation and "∇H₅ = 0.6225" in c.explanation
    c = cell("interesting", {"∇H2": "0.6225"}, "∇H2")
    assert "without the local derivative ∂H₄/∂H₂ = −2" in c.explanation


def test_activation_and_forward_say_which_formula():
    c = cell("interesting_tanh", {"∇H5": "2.138"}, "∇H5")
    assert "taken as 1 − Ŷ" in c.explanation and "tanh′ = 1 − Ŷ² = 0.7864" in c.explanation
    c = cell("interesting_tanh", {"Yhat": "0.3775"}, "Yhat")
    assert "used sigmoid instead of tanh at Ŷ" in c.explanation


def test_rounding_notes_say_which_rounding():
    c = cell("interesting", {"∇X1": "-0.9336"}, "∇X1")
    assert c.status == "rounding" and c.explanation.startswith("truncated (−0.933689")
    c = cell("interesting", {"L": "0.9744"}, "L")
    assert c.status == "rounding" and "from your Ŷ = 0.3775: 0.974185" in c.explanation


def test_a_cell_not_answered_upstream_is_said_to_be_the_true_value():
    c = cell("interesting_tanh", {"∇X2": "-9.5"}, "∇X2")
    assert "not asked (the true value)" in c.explanation


def test_nodes_nobody_asked_for_say_where_their_gradient_comes_from():
    t = evaluate(example("mlp"))
    rows = [("∇H1", "0.3712"), ("∇H2", "0.3712"), ("∇X1", "-0.3341")]
    c = next(c for c in check(t, rows).cells if c.quantity == "∇X1")
    assert c.cause == "inherited" and "(∇X is not asked: derived from your ∇H₁, ∇H₂)" in \
        c.explanation
