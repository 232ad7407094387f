"""The answer table: the problem's order, column by column, decimal points aligned."""

from __future__ import annotations

from gradviz import evaluate, example
from gradviz.views.answers import asked
from gradviz.views.video.layout import frame
from gradviz.views.video.table import table_columns
from gradviz.views.video.text import advance, cap_em, ink


def point_x(item) -> float:
    em = cap_em(30)
    origin = item.box[0] - ink(item.text, em)[0]
    return origin + advance(item.text.split(".")[0], em)


def test_columns_in_the_problems_order_with_aligned_points():
    t = evaluate(example("two_layer_relu"))
    stage = frame(16 / 9, 2).stage
    cols = table_columns(t, stage)
    assert len(cols) >= 2
    names = [it.key for c in cols for it in c if it.key.endswith(":name")]
    assert names == [f"table:{i}:name" for i in range(len(asked(t)))]
    for c in cols:
        xs = {round(point_x(it), 1) for it in c if not it.key.endswith(":name")}
        assert len(xs) == 1
        assert all(stage[0] <= it.box[0] and it.box[2] <= stage[2] for it in c)
    lefts = [min(it.box[0] for it in c) for c in cols]
    assert lefts == sorted(lefts)


def test_a_table_too_long_to_read_is_left_out():
    import gradviz

    t = evaluate(gradviz.mlp([4, 8, 1]))
    assert len(asked(t)) > 24 and table_columns(t, frame(16 / 9, 2).stage) is None
