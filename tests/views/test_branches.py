"""Branch sentences: which side of a kink, min or max was taken, read from the op records'
pieces and the trace's values."""

from __future__ import annotations

import pytest

from gradviz import OPS, evaluate, example, parse
from gradviz.views.branches import branch_sentence, taken


def test_min_max_and_leaky():
    t = evaluate(example("interesting"))
    assert branch_sentence(t, "H5") == \
        "Since H₄ > H₁ (2 > 1.5), H₅ takes H₄: ∂H₅/∂H₄ = 1, ∂H₅/∂H₁ = 0."
    assert branch_sentence(t, "H3") == \
        "Since X₁ > H₁ (2 > 1.5), H₃ takes H₁: ∂H₃/∂X₁ = 0, ∂H₃/∂H₁ = 1."
    assert branch_sentence(t, "H1") is None  # smooth
    mlp = evaluate(example("mlp"))
    assert branch_sentence(mlp, "H1") == \
        "Since (W₁ · X + B₁) < 0 (−2 < 0), H₁ scales (W₁ · X + B₁) by 0.1: " \
        "∂H₁/∂(W₁ · X + B₁) = 0.1."


def test_ties_and_kinks_state_the_convention():
    tie = evaluate(example("interesting"), X1=3)  # H1 = 3 too
    sentence = branch_sentence(tie, "H3")
    assert sentence.startswith("Since X₁ = H₁ (3 = 3), H₃ is a tie: ∂H₃/∂X₁ = ½, ∂H₃/∂H₁ = ½.")
    assert OPS["min"].kink in sentence
    t = evaluate(parse("x: input = 0\nL: loss = relu(x)"))
    assert taken(t, "L").boundary
    assert branch_sentence(t, "L") == \
        f"Since x ≤ 0 (0 ≤ 0), L is off: ∂L/∂x = 0. {OPS['relu'].kink}"


@pytest.mark.parametrize(("text", "want"), [
    ("x: input = -2\nL: loss = leaky_relu(x, slope=0.2)", "L scales x by 0.2"),
    ("x: input = -2\nL: loss = abs(x)", "L flips the sign of x"),
    ("x: input = 3\nL: loss = hardtanh(x)", "L is clipped at 1"),
    ("s: input = 0.5\ny: target = 1\nL: loss = hinge(s, y)", "s is inside the margin: L is on"),
    ("p: input = 2\ny: target = 1\nL: loss = l1(p, y)", "p is above y"),
])
def test_every_piece_reads_from_its_record(text, want):
    t = evaluate(parse(text))
    assert want in branch_sentence(t, "L")


def test_vectors_and_batches_take_no_single_branch():
    t = evaluate(example("linear_f_linear_g"))
    assert taken(t, "h.1") is None or taken(t, "h.1").node == "h.1"
    assert branch_sentence(evaluate(example("interesting"), X1=[2.0, 3.0]), "H5") is None
