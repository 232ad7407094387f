"""The backward blocks: users, local derivatives as formulas, with numbers and values, the
chain rule's products and sum, and the standard simplifications."""

from __future__ import annotations

from gradviz import evaluate, example, parse
from gradviz.core.typeset import to_plain
from gradviz.views.solve.backward import backward_line, chain_eq, terms, through_eq
from gradviz.views.solve.model import solution


def plain_eq(s, eq) -> str:
    parts = [to_plain(eq.lhs, name=s.sym.plain)]
    parts += [f"{r.rel} {to_plain(r.expr, name=s.sym.plain, number=s.num.text, explicit=r.numbers)}"
              for r in eq.rhs]
    return " ".join(parts)


def test_h1_sums_three_users():
    s = solution(evaluate(example("interesting")))
    ts = terms(s.ctx, "H1")
    assert [t.v for t in ts] == ["H3", "H4", "H5"] and {t.kind for t in ts} == {"scalar"}
    assert plain_eq(s, chain_eq(s.ctx, "H1", ts)) == (
        "∂L/∂H₁ = ∂L/∂H₃ · ∂H₃/∂H₁ + ∂L/∂H₄ · ∂H₄/∂H₁ + ∂L/∂H₅ · ∂H₅/∂H₁ = "
        "(−0.6225) × 1 + 0.6225 × (−1.333) + 0.6225 × 0 = −0.6225 + (−0.8299) + 0 ≈ −1.452")
    line = backward_line(s.ctx, "H1", True)
    assert [plain_eq(s, e) for e in line.eqs[:3]] == [
        "∂H₃/∂H₁ = 1", "∂H₄/∂H₁ = −W₂H₂/H₁² = −(−3) × (−1)/1.5² ≈ −1.333", "∂H₅/∂H₁ = 0"]
    assert line.eqs[0].note and line.data["consumers"] == ["H3", "H4", "H5"]


def test_sigmoid_with_bce_simplifies():
    s = solution(evaluate(example("mlp")))
    z3 = next(n for n, d in s.ctx.steps.display.items() if d == "z3")
    words, eq = through_eq(s.ctx, z3)
    assert words[0].startswith("σ followed by BCE")
    assert plain_eq(s, eq) == "δ₃ = Ŷ − Y = 0.6900 − 0 ≈ 0.6900"
    assert through_eq(s.ctx, "H1") is None


def test_activation_derivative_is_named_then_expanded():
    s = solution(evaluate(example("interesting_tanh")))
    z = next(iter(s.ctx.steps.display))
    line = backward_line(s.ctx, z, False)
    assert plain_eq(s, line.eqs[0]).startswith("∂Ŷ/∂z = tanh′(z) = 1 − tanh(z)² = 1 − Ŷ² = ")


def test_a_node_whose_users_do_not_reach_the_loss():
    s = solution(evaluate(parse("x: input = 1\ny: input = 2\nu = x * y\nL: loss = x * 3")))
    assert plain_eq(s, chain_eq(s.ctx, "y", terms(s.ctx, "y"))) == \
        "∂L/∂y = ∂L/∂u · ∂u/∂y = 0 × 1 = 0"
    assert plain_eq(s, chain_eq(s.ctx, "y", [])) == "∂L/∂y = 0"
