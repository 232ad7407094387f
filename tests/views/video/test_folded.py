"""A huge graph, folded to layers: group cards and a beat per group each way."""

from __future__ import annotations

import gradviz
from gradviz import evaluate
from gradviz.views.video.folded import folded_model, group_beats, group_cards, group_edges
from gradviz.views.video.options import VideoOptions


def test_groups_forward_then_backward():
    t = evaluate(gradviz.mlp([6, 40, 40, 1]))
    model = folded_model(t)
    cards = group_cards(model)
    assert set(cards) == {n.id for n in model.nodes}
    ports: dict[str, int] = {}
    for _, dst, k in group_edges(model):
        ports[dst] = max(ports.get(dst, 0), k + 1)
    assert all(cards[g].inputs == k for g, k in ports.items())
    beats = group_beats(t, model, VideoOptions())
    kinds = [b.kind for b in beats]
    groups = sum(n.kind == "group" for n in model.nodes)
    assert kinds[0] == "intro" and len(beats) == 1 + 2 * groups
    assert kinds.index("seed") == groups + 1  # the backward pass starts at the loss
    assert all(not b.shown for b in beats)  # shapes, not numbers
