"""Formulas from the op records: a step's formula, what an activation stands for, the local
derivative across unnamed intermediates, and the chain rule in vector form."""

from __future__ import annotations

import numpy as np
import pytest

from gradviz import evaluate, example
from gradviz.core.typeset import to_plain
from gradviz.views.solve.algebra import Algebra, drop_reductions, literal, template
from gradviz.views.solve.steps import steps_of
from gradviz.views.solve.symbols import Symbols


def algebra(name: str) -> tuple[Algebra, Symbols]:
    st = steps_of(evaluate(example(name)))
    sym = Symbols(st.display, st.deltas, st.trace.loss)
    return Algebra(st, sym), sym


def show(sym: Symbols, e) -> str:
    return to_plain(e, name=sym.plain)


@pytest.mark.parametrize(("v", "u", "want"), [
    ("H4", "H1", "−W₂H₂/H₁²"), ("H4", "H2", "W₂/H₁"), ("H4", "W2", "H₂/H₁"),
    ("H2", "X2", "X₁X₃"), ("H1", "W1", "X₁ + X₂"), ("H1", "X1", "W₁"), ("H5", "H4", "1"),
    ("H3", "X1", "0"), ("L", "Yhat", "(Ŷ − Y)/(Ŷ(1 − Ŷ))")])
def test_local_derivatives_of_interesting(v, u, want):
    alg, sym = algebra("interesting")
    assert show(sym, alg.local(v, u)) == want


def test_formulas_and_definitions():
    alg, sym = algebra("mlp")
    z1 = next(n for n, d in alg.st.display.items() if d == "z1")
    assert show(sym, alg.formula(z1)) == "W₁ · X + B₁"
    assert show(sym, alg.formula("H1")) == "LeakyReLU(z₁)"
    assert show(sym, alg.definition("H1")) == "max(z₁, 0.1z₁)"
    assert show(sym, alg.definition("L")) == "−Y · ln(Ŷ) − (1 − Y) · ln(1 − Ŷ)"


def test_an_entry_of_a_stack_is_its_operand():
    alg, sym = algebra("mlp")
    z3 = next(n for n, d in alg.st.display.items() if d == "z3")
    assert show(sym, alg.local(z3, "H1")) == "W₃,₁"
    assert show(sym, alg.local(z3, "W3")) == "[H₁, H₂]"
    assert show(sym, alg.local("X", "X2")) == "1" or alg.size("X") > 1


def test_vector_forms():
    alg, sym = algebra("softmax_classifier")
    g = sym.grad("z2")
    assert show(sym, alg.vjp("z2", "W2", g)) == "δ₂a₁ᵀ"
    assert show(sym, alg.vjp("z2", "a1", g)) == "W₂ᵀδ₂"
    assert show(sym, alg.vjp("a1", "z1", sym.grad("a1"))) == "∂L/∂a₁ ⊙ LeakyReLU′(z₁)"
    assert show(sym, alg.vjp("yhat", "z2", sym.grad("yhat"))) == "ŷ ⊙ (∂L/∂ŷ − ∂L/∂ŷ · ŷ)"


def test_mse_of_stacks_is_written_term_by_term():
    alg, sym = algebra("two_layer_relu")
    assert show(sym, alg.definition("MSE")) == "½((o₁ − t₁)² + (o₂ − t₂)²)"
    assert show(sym, alg.local("MSE", "o2")) == "o₂ − t₂"


def test_helpers():
    assert literal(np.arange(13.0)) is None and literal(np.float64(2.0)).value == 2.0
    assert to_plain(drop_reductions(template("mean(x*y)"))) == "xy"
    assert template("a*b") is template("a*b")  # parsed once
