"""Quantity names as students and the course write them."""

from __future__ import annotations

import pytest

from gradviz import evaluate, example, examples, mlp
from gradviz.teaching.quantities import Quantities, display, match_quantity
from gradviz.views.answers import asked

# The answer-table headers of the course's problem set, verbatim (seed 001, 3a and 3b:
# one tab-separated line each)
SEED_3A = "\t".join([
    r"$\hat{Y}$", r"$L$", r"$\nabla \mathbf{W}_3$", r"$\nabla \mathbf{B}_3$",
    r"$\nabla \mathbf{W}_2$", r"$\nabla \mathbf{B}_2$", r"$\nabla H_2$",
    r"$\nabla \mathbf{W}_1$", r"$\nabla \mathbf{B}_1$", r"$\nabla H_1$",
    r"$\nabla \mathbf{X}_1$", r"$\nabla \mathbf{X}_2$"])
SEED_3B = "\t".join([
    r"$\hat{Y}$", r"$L$", r"$\nabla H_5$", r"$\nabla H_4$", r"$\nabla H_3$", r"$\nabla H_2$",
    r"$\nabla H_1$", r"$\nabla \mathbf{W}_2$", r"$\nabla \mathbf{W}_1$",
    r"$\nabla \mathbf{B}_1$", r"$\nabla X_3$", r"$\nabla X_2$", r"$\nabla X_1$"])


@pytest.mark.parametrize("name, headers", [("mlp", SEED_3A), ("interesting", SEED_3B)])
def test_the_course_headers_name_the_asked_quantities(name, headers):
    g = example(name)
    q = Quantities(g)
    assert [q.match(h) for h in headers.split("\t")] == list(g.asks)


@pytest.mark.parametrize("written, quantity", [
    ("∇H_5", "∇H5"), ("∇H₅", "∇H5"), (r"\nabla_{H_5} L", "∇H5"), ("∇_H5 L", "∇H5"),
    ("dL/dH5", "∇H5"), ("∂L/∂H₅", "∇H5"), (r"\frac{\partial L}{\partial H_5}", "∇H5"),
    (r"\frac{dL}{dH_5}", "∇H5"), ("grad(H5)", "∇H5"), ("grad_H5", "∇H5"),
    ("gradient of H5", "∇H5"), ("dH5", "∇H5"), ("**∇H5**", "∇H5"), ("∇H5:", "∇H5"),
    ("Ŷ", "Yhat"), (r"\hat{Y}", "Yhat"), (r"\hat Y", "Yhat"), ("Y_hat", "Yhat"),
    ("yhat", "Yhat"), ("Y^", "Yhat"), ("L", "L"), ("loss", "L"), ("Loss", "L"),
    ("X_1", "X1"), (r"\mathbf{W}_2", "W2"), ("∇H6", None), ("Name", None), ("", None),
    ("x" * 500, None),
])
def test_spellings(written, quantity):
    assert match_quantity(written, example("interesting")) == quantity


def test_other_conventions():
    g = example("two_layer_relu")
    assert match_quantity(r"\frac{\partial MSE}{\partial w_{21}}", g) == "∇w21"
    assert match_quantity("∂MSE/∂w21", g) == "∇w21"
    assert match_quantity("loss", g) == "MSE"
    g = example("softmax_classifier")
    assert match_quantity(r"\nabla W^{[1]}", g) == "∇W1"
    assert match_quantity("z^{[2]}", g) == "z2"
    assert match_quantity("ŷ", g) == "yhat"
    assert match_quantity("dL/dz2", g) == "∇z2"


@pytest.mark.parametrize("name", examples())
def test_every_asked_quantity_matches_its_own_name_and_its_display(name):
    q = Quantities(example(name))
    for quantity, _ in asked(evaluate(example(name))):
        assert q.match(quantity) == quantity
        assert q.match(display(quantity)) == quantity


def test_names_that_share_a_spelling_match_exactly():
    g = mlp([10, 16, 16, 1], granularity="neuron")  # w2_1_11 and w2_11_1: both "w2111"
    q = Quantities(g)
    for quantity, _ in asked(evaluate(g)):
        assert q.match(quantity) == quantity and q.match(display(quantity)) == quantity


def test_display_keeps_the_nabla():
    assert display("∇W1") == "∇W₁" and display("Yhat") == "Ŷ" and display("∇H4") == "∇H₄"
