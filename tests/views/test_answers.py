"""The answer table a problem asks for, in its order."""

from __future__ import annotations

from gradviz import evaluate, example, fmt, parse
from gradviz.views.answers import asked


def test_asks_order_and_numbers():
    rows = asked(evaluate(example("interesting")))
    assert [q for q, _ in rows][:3] == ["Yhat", "L", "∇H5"]
    assert fmt(rows[0][1]) == "0.3775"


def test_default_table_without_asks():
    rows = asked(evaluate(parse("x: input = 3\nw: param = 2\nL: loss = w * x")))
    assert [q for q, _ in rows] == ["L", "∇w", "∇x"]
