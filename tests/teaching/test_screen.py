"""The screening rules, one at a time: each rejects what it names and nothing else."""

from __future__ import annotations

import numpy as np
import pytest

from gradviz import evaluate, example
from gradviz.core.ops import OPS
from gradviz.teaching.screen import (
    RULES,
    Rules,
    exact_nodes,
    quality,
    rule_text,
    screen,
    transcendental,
)

# the op table's transcendental ops, by name: the oracle for reading the records
TRANSCENDENTAL = {"exp", "log", "sqrt", "sigmoid", "tanh", "softplus", "gelu", "gelu_tanh",
                  "elu", "silu", "softmax", "log_softmax", "bce", "bce_with_logits",
                  "cross_entropy", "cross_entropy_with_logits", "cosine_similarity"}


def test_transcendental_ops_are_read_from_the_records():
    assert {n for n, op in OPS.items() if transcendental(op)} == TRANSCENDENTAL


def test_exact_nodes_stop_at_the_first_transcendental_op():
    assert exact_nodes(example("interesting"))[-1] == "Yhat.1"  # H3 − H5, before σ
    assert "h" not in exact_nodes(example("linear_f_linear_g_tanh_sigmoid_bce"))
    assert exact_nodes(example("xyz")) == ["a.1", "a", "b.1", "b", "w"]


def candidates(name: str, **leaves) -> tuple:
    g = example(name)
    return evaluate(g, leaves), evaluate(g)


# one candidate per rule that breaks it, beside the original values (which pass them all).
# interesting: H1 = W1(X1 + X2), H2 = X1·X2·X3 + B1, H3 = min(X1, H1), H4 = W2·H2/H1,
# H5 = max(H4, H1), Ŷ = σ(H3 − H5); originally H1 = 1.5, H4 = 2
BAD = {
    "branch": ("interesting", {"B1": [1.0, -1.0], "W1": [1.5, 2.0]}),  # H3 = min(2, 2): a tie
    "sign": ("interesting", {"B1": [1.0, 1.5], "W1": [1.5, -3.0]}),  # H1 = -3, branches kept
    "finite": ("xyz", {"z": [-1.0, 1.5]}),  # ∇x = 240 > 170, the original's largest
    "unsaturated": ("interesting", {"B1": [1.0, -1.0]}),  # H4 = 6: σ(-4.5)
    "loss": ("two_layer_relu", {"b4": [0.5, -3.0]}),  # o2 = -5: MSE = 15.625
    "hand": ("interesting", {"W2": [-3.0, -2.5]}),  # H4 = 2.5/1.5 = 1.666...
    "small": ("xyz", {"x": [2.0, 0.5], "y": [3.0, 2.0]}),  # a = x·y + z = 0
    "trivial": ("interesting", {"W1": [1.5, 1.0]}),  # H1 = 1: H4 = W2·H2 ÷ 1
    "visible": ("xyz", {"x": [2.0, 0.5], "y": [3.0, 2.0]}),  # a = 0: ∂w/∂b = a vanishes
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_rejects_its_own_failure(rule):
    name, leaves = BAD[rule]
    trace, original = candidates(name, **leaves)
    masks = screen(trace, original, Rules())
    assert masks[rule].tolist() == [True, False], {k: v.tolist() for k, v in masks.items()}
    assert quality(trace, original, Rules()).tolist() == [True, False]


def test_rules_keep_the_margin_from_kinks():
    trace, original = candidates("two_layer_relu", b2=[-0.5, -0.25, -0.1])  # relu(h2), h2 < 0
    assert screen(trace, original, Rules())["branch"].tolist() == [True, True, False]
    assert screen(trace, original, Rules(margin=0.5))["branch"].tolist() == [True] + [False] * 2


def test_quality_agrees_with_screen_on_a_random_batch():
    g = example("interesting")
    rng = np.random.default_rng(0)
    grid = Rules().for_graph(g).grid()
    leaves = {n: grid[rng.integers(0, len(grid), 4000)] for n in ("X1", "X2", "X3", "W1",
                                                                   "B1", "W2")}
    trace = evaluate(g, leaves, check_finite=False)
    masks = screen(trace, evaluate(g), Rules())
    both = np.logical_and.reduce(list(masks.values()))
    assert 0 < both.sum() < 4000 and (quality(trace, evaluate(g), Rules()) == both).all()
    assert all(not m.all() for m in masks.values() if m is not masks["loss"])


def test_rule_text_names_every_rule_and_its_numbers():
    text = rule_text(Rules(small=0.02, saturation=4))
    assert set(RULES) | {"leaves"} == set(text)
    assert "0.02" in text["small"] and "±4" in text["unsaturated"]
