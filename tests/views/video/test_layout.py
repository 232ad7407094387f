"""Layout: bands, cards placed by Graphviz and stretched (never shrunk) over the stage,
edges clear of every card."""

from __future__ import annotations

import pytest

from gradviz import evaluate, example
from gradviz.views.video.cards import node_cards
from gradviz.views.video.layout import bezier_points, frame, place
from gradviz.views.video.text import overlap


def test_frame_bands():
    f = frame(16 / 9, 3)
    assert f.title_band[3] < f.stage[1] < f.stage[3] < f.caption_band[1] <= f.height == 1080
    assert frame(16 / 9, 1).stage[3] > f.stage[3]  # fewer caption lines: more stage


def test_a_graph_that_fits_is_stretched_to_fill_the_stage():
    t = evaluate(example("xyz"))
    stage = frame(16 / 9, 2).stage
    geom = place(node_cards(t), t.graph.edges(), stage)
    assert geom is not None
    area = (geom.box[2] - geom.box[0]) * (geom.box[3] - geom.box[1])
    assert area >= 0.95 * (stage[2] - stage[0]) * (stage[3] - stage[1])
    assert stage[0] - 0.5 <= geom.box[0] and geom.box[2] <= stage[2] + 0.5


def test_a_graph_that_does_not_fit_is_not_shrunk():
    t = evaluate(example("interesting"))
    cards = node_cards(t)
    stage = frame(16 / 9, 2).stage
    assert place(cards, t.graph.edges(), stage) is None
    geom = place(cards, t.graph.edges(), stage, "pan")
    assert geom.box[2] - geom.box[0] > stage[2] - stage[0]  # wider than the stage: panned
    for n, card in cards.items():  # every card at its true size
        b = geom.nodes[n].card_box
        assert b[2] - b[0] == pytest.approx(card.width) and b[3] - b[1] == pytest.approx(
            card.height)
    still = place(cards, t.graph.edges(), stage, "shrink")
    assert still.box[2] - still.box[0] <= stage[2] - stage[0] + 0.5


@pytest.mark.parametrize("name", ["xyz", "interesting", "mlp", "two_layer_relu"])
def test_edges_never_cross_a_card_nor_cards_each_other(name):
    t = evaluate(example(name))
    geom = place(node_cards(t), t.graph.edges(), frame(16 / 9, 2).stage, "pan")
    cards = list(geom.nodes.values())
    for i, a in enumerate(cards):
        for b in cards[i + 1:]:
            assert not overlap(a.card_box, b.card_box)
    labels = list(geom.items.values())
    for e in geom.edges:
        pts = bezier_points(e.points, 32)
        for it in labels:
            x0, y0, x1, y1 = it.box
            assert not [p for p in pts if x0 - 1 < p[0] < x1 + 1 and y0 - 1 < p[1] < y1 + 1], \
                (e.edge, it.text)
        u, v, _ = e.edge  # from the tail's shape to the head's
        assert e.points[0][0] == pytest.approx(geom.nodes[u].shape_box[2])
        assert geom.nodes[v].shape_box[0] - 0.5 <= e.points[-1][0] <= geom.nodes[v].shape_box[2]
