"""A graph too big to narrate node by node, folded to layers: one card per group of like
nodes (the figure's folded model), the forward pass group by group, then the backward pass
back through them. Shapes, not numbers: a thousand gradients are no table to read."""

from __future__ import annotations

from gradviz.core.evaluate import Trace
from gradviz.views.figure import Model, Options, layout_model
from gradviz.views.story import Step
from gradviz.views.video.beats import Beat
from gradviz.views.video.cards import NAME_CAP, NUMBER_CAP, Card, Item, line_item, stack
from gradviz.views.video.options import VideoOptions
from gradviz.views.video.text import width

__all__ = ["folded_model", "group_cards", "group_beats", "group_edges"]

BOX_PAD = (22.0, 16.0)


def folded_model(trace: Trace) -> Model:
    return layout_model(trace, Options(fold="always"))


def group_edges(model: Model) -> list[tuple[str, str, int]]:
    """Edges between groups, each with its port on the head: ``(src, dst, k)``."""
    seen: dict[str, int] = {}
    out = []
    for e in model.edges:
        k = seen[e.dst] = seen.get(e.dst, -1) + 1
        out.append((e.src, e.dst, k))
    return out


def group_cards(model: Model) -> dict[str, Card]:
    """One card per group: its lines (what, shape, members) in a box."""
    ports = {}
    for _, dst, k in group_edges(model):
        ports[dst] = k + 1
    cards = {}
    for n in model.nodes:
        lines, y = [], 0.0
        for i, text in enumerate(n.title.split("\n")):
            item = line_item(f"{n.id}:name:{i}", text, "name", NAME_CAP if i == 0 else
                             NUMBER_CAP, "fg", 0.0, y)
            lines.append(item)
            y = item.box[3] + 12.0
        w = max(width(it.box) for it in lines)
        box = (w + 2 * BOX_PAD[0], y - 12.0 + 2 * BOX_PAD[1])
        inner = [Item(it.key, it.text, it.kind, (it.box[0] + (w - width(it.box)) / 2,
                                                 it.box[1], it.box[2] + (w - width(it.box)) / 2,
                                                 it.box[3]), it.color) for it in lines]
        cards[n.id] = stack(n.id, "group", [inner], box, 0, ports.get(n.id, 0))
    return cards


def group_beats(trace: Trace, model: Model, opts: VideoOptions) -> list[Beat]:
    """Intro, then forward group by group, then backward in reverse."""
    head = {n.id: n.title.split("\n")[0] for n in model.nodes}
    computed = [n.id for n in model.nodes if n.kind == "group"]
    note = model.notes[0] if model.notes else "folded to layers"
    beats = [Beat("intro", (), (f"Folded: {note.split(' (')[0]}",),
                  opts.reading_seconds(note), frozenset(), frozenset(), (computed[-1],))]
    loss = computed[-1]
    for gid in computed:
        text = f"Forward: {head[gid]}, from its inputs"
        step = Step("loss" if gid == loss else "forward", gid, None, text)
        beats.append(Beat(step.kind, (step,), (text,), opts.reading_seconds(text),
                          frozenset(), frozenset(), (gid,)))
    for gid in reversed(computed):
        text = f"Backward: ∂{trace.graph.display_name(trace.loss)}/∂({head[gid]}), " \
               "from its consumers"
        step = Step("seed" if gid == loss else "grad", gid, None, text)
        beats.append(Beat(step.kind, (step,), (text,), opts.reading_seconds(text),
                          frozenset(), frozenset(), (gid,)))
    return beats
