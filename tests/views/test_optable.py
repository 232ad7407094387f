"""The op table in words, generated from the records."""

from __future__ import annotations

from gradviz import OPS
from gradviz.views.optable import derivatives, forward_text, op_table


def test_every_op_has_a_row():
    table = op_table(markdown=True)
    assert all(f"| `{name}` |" in table for name in OPS)


def test_rows_read_like_formulas():
    assert derivatives(OPS["div"]) == "∂/∂a: 1/b; ∂/∂b: −a/b²"
    assert forward_text(OPS["relu"]) == "ReLU(x) = max(0, x)"
    assert forward_text(OPS["sigmoid"]) == "σ(x) = 1/(1 + exp(−x))"
    assert forward_text(OPS["mse"]) == "MSE(ŷ, y) = ½Σ(ŷ − y)²"
    assert derivatives(OPS["matmul"]) == "∇A = gBᵀ; ∇B = Aᵀg"  # the chain rule, g upstream
    assert "1 if x ≥ 0" in derivatives(OPS["leaky_relu"])
