"""Cards: value above, gradient below, the op glyph filling its circle, names readable."""

from __future__ import annotations

import pytest

from gradviz import evaluate, example
from gradviz.core.ops import OPS
from gradviz.views.video.cards import GLYPH_SHARE, NAME_CAP, _glyph, node_cards
from gradviz.views.video.text import cap_em, ink


def test_value_above_the_shape_and_gradient_below():
    cards = node_cards(evaluate(example("interesting")))
    for card in cards.values():
        top, bottom = card.shape_box[1], card.shape_box[3]
        for it in card.items:
            if it.kind == "value":
                assert it.box[3] <= top
            elif it.kind == "grad":
                assert it.box[1] >= bottom and it.text.startswith("∇")
        assert sum(card.rows) == card.height and card.rows[card.port] >= card.shape_box[3] - \
            card.shape_box[1] - 1


def test_unnamed_nodes_show_no_name_and_constants_show_once():
    t = evaluate(example("linear_f_linear_g"))
    cards = node_cards(t)
    for n, card in cards.items():
        names = [it.text for it in card.items if it.kind == "name"]
        if t.graph.is_generated(n) and not t.graph.is_leaf(n):
            assert names == []
        texts = [it.text for it in card.items]
        assert len(texts) == len(set(texts)) or t.graph.is_generated(n) is False


@pytest.mark.parametrize("op", sorted(OPS))
def test_every_op_glyph_fills_at_least_40_percent_of_its_circle(op):
    item, d = _glyph("n", OPS[op].symbol)
    side = max(item.box[2] - item.box[0], item.box[3] - item.box[1])
    assert side >= max(0.4, GLYPH_SHARE - 1e-9) * d
    assert item.box[2] - item.box[0] < d and item.box[3] - item.box[1] < d


def test_names_are_set_at_their_cap_height():
    b = ink("H", cap_em(NAME_CAP))
    assert b[3] - b[1] == pytest.approx(NAME_CAP, abs=0.3)
