"""The forward pass: formula, definition, numbers, value; the branch taken, once."""

from __future__ import annotations

import numpy as np

from gradviz import evaluate, example
from gradviz.core.typeset import to_plain
from gradviz.views.solve.forward import branch_notes, forward_line, shape_words, value_rhs
from gradviz.views.solve.model import solution


def plain_eq(s, eq) -> str:
    parts = [to_plain(eq.lhs, name=s.sym.plain)]
    parts += [f"{r.rel} {to_plain(r.expr, name=s.sym.plain, number=s.num.text, explicit=r.numbers)}"
              for r in eq.rhs]
    return " ".join(parts)


def test_forward_lines_of_interesting():
    s = solution(evaluate(example("interesting")))
    lines = {x.node: plain_eq(s, x.eqs[0]) for x in s.forward}
    assert lines["H1"] == "H₁ = W₁(X₁ + X₂) = 1.5 × (2 + (−1)) = 1.5 × 1 = 1.5"
    assert lines["H4"] == "H₄ = W₂H₂/H₁ = (−3) × (−1)/1.5 = 3/1.5 = 2"
    assert lines["Yhat"].startswith("Ŷ = σ(z) = 1/(1 + exp(−z)) = 1/(1 + exp(−(−0.5)))")
    assert lines["Yhat"].endswith("≈ 0.3775")
    assert lines["L"].endswith("= −ln(0.3775) ≈ 0.9741")


def test_branches_once_where_taken():
    s = solution(evaluate(example("interesting")))
    notes = {x.node: x.notes for x in s.forward}
    assert len(notes["H5"]) == 1 and not notes["H1"] and not notes["H4"]
    text = "".join(p if isinstance(p, str) else to_plain(p, name=s.sym.plain)
                   for p in notes["H5"][0])
    assert text == "Since H₄ > H₁ (2 > 1.5), H₅ takes H₄: ∂H₅/∂H₄ = 1, ∂H₅/∂H₁ = 0."
    assert branch_notes(s.ctx, "H1") == []


def test_values_too_big_are_described():
    s = solution(evaluate(example("xyz")))
    rhs, words = value_rhs(s.ctx, np.zeros((20, 30)))
    assert rhs is None and words == ("(a 20 × 30 matrix, not written out)",)
    assert shape_words(np.zeros(5)) == "a vector of 5 numbers"
    assert forward_line(s.ctx, "w").data["value"] == 100.0
