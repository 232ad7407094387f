"""The solution as data: given values in the problem's order, notation, forward, backward,
updates, answers; batches refused; big graphs summarised."""

from __future__ import annotations

import pytest

import gradviz
from gradviz import evaluate, example
from gradviz.core.typeset import to_plain
from gradviz.views.solve.model import solution


def words(s, t) -> str:
    return "".join(p if isinstance(p, str) else to_plain(p, name=s.sym.plain) for p in t)


def test_given_in_the_files_order_and_notation():
    s = solution(evaluate(example("two_layer_relu")))
    kinds = [k for k, _ in s.given]
    assert kinds == ["Inputs", "Parameters", "Targets"]
    params = [words(s, x) for x in dict(s.given)["Parameters"]]
    assert params[:3] == ["w₁₁ = 1", "w₁₂ = −0.5", "w₂₁ = 0.5"]
    notation = [words(s, t) for t in s.notation]
    assert any(t.startswith("ReLU: ReLU(x) = max(0, x); ReLU′(x) = 1 if x > 0, 0 if x ≤ 0")
               for t in notation)
    assert s.num.lr == 0.1 and [u.node for u in s.updates] == ["w21"]


def test_answers_in_the_asked_order():
    s = solution(evaluate(example("mlp")))
    assert [q for q, _, _ in s.answers][:4] == ["Yhat", "L", "∇W3", "∇B3"]
    assert s.answers[2][2].shape == (2,)


def test_batches_are_refused():
    with pytest.raises(gradviz.GradvizError, match="one variant"):
        solution(evaluate(example("xyz"), x=[1.0, 2.0]))
