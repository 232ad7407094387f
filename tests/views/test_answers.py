"""The answer table a problem asks for, in its order: values, gradients and updates."""

from __future__ import annotations

import pytest

from gradviz import GradvizError, evaluate, example, fmt, parse, sgd_step
from gradviz.views.answers import asked, learning_rate, quantity_label


def test_asks_order_and_numbers():
    rows = asked(evaluate(example("interesting")))
    assert [q for q, _ in rows][:3] == ["Yhat", "L", "∇H5"]
    assert fmt(rows[0][1]) == "0.3775"


def test_default_table_without_asks():
    rows = asked(evaluate(parse("x: input = 3\nw: param = 2\nL: loss = w * x")))
    assert [q for q, _ in rows] == ["L", "∇w", "∇x"]


def test_updates_with_the_graphs_learning_rate():
    t = evaluate(example("two_layer_relu"))
    (q, v), = [r for r in asked(t) if r[0].endswith("+")]
    assert q == "w21+" and v == sgd_step(t, 0.1)["w21"] and round(float(v), 12) == 0.65
    s = evaluate(example("sigmoid_regression"))
    assert sum(q.endswith("+") for q, _ in asked(s)) == 8


def test_labels_and_a_missing_learning_rate():
    assert [quantity_label(q) for q in ("∇W1", "Yhat", "w21+")] == ["∇W₁", "Ŷ", "w₂₁⁺"]
    g = parse("w: param = 2\nL: loss = w * w")
    with pytest.raises(GradvizError, match="#: lr:"):
        learning_rate(g)
    with pytest.raises(GradvizError, match="update"):
        parse("#: asks: w+\nw: param = 2\nL: loss = w * w")
    with pytest.raises(GradvizError, match="param"):
        parse("#: asks: x+\n#: lr: 0.1\nx: input = 2\nL: loss = x * x")
    assert asked(evaluate(parse("#: asks: w+\n#: lr: 0.5\nw: param = 2\nL: loss = w * w")))[0][1] \
        == 0.0
