"""The whole video decided before a frame is drawn: the frame's bands, the graph's place,
the beats with their captions and lit labels, where the camera looks, and the answer table.

The scene draws exactly this plan, and the storyboard is this plan written out, so what a
storyboard says is what the frames show. A graph that fits the stage at the text sizes a
hall can read is drawn whole, stretched to fill the stage (``full``); one that does not is
drawn at those sizes anyway and the camera follows the story across it (``focused``); a
graph too big to draw node by node is folded to layers (``folded``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from gradviz.core.evaluate import Trace
from gradviz.views.figure import Options
from gradviz.views.video.beats import Beat, story_beats
from gradviz.views.video.captions import wrap
from gradviz.views.video.cards import Item, node_cards
from gradviz.views.video.folded import folded_model, group_beats, group_cards, group_edges
from gradviz.views.video.layout import (
    CAPTION_CAP,
    LINE_PITCH,
    Frame,
    GraphGeom,
    frame,
    place,
    title_item,
)
from gradviz.views.video.options import VideoOptions
from gradviz.views.video.table import table_columns
from gradviz.views.video.text import Box, advance, cap_em, ink, shift, union

__all__ = ["Plan", "plan", "HOT", "DIM", "TABLE_CAPTION", "still_beat"]

HOT, DIM = 1.0, 0.35  # finished numbers dim to at most 40%
MAX_CAPTION_LINES = 4
TABLE_CAPTION = "The answers, in the problem's order"
CLEAR_SECONDS = 0.8
FOLD_LIMIT = Options().fold_limit  # nodes: a bigger graph is folded to layers
Point = tuple[float, float]


@dataclass(frozen=True)
class Plan:
    """Everything the scene draws, in pixels of a 1080-line frame (``scale`` converts to
    the output's pixels)."""

    width: int
    height: int
    fps: float
    frame: Frame
    view: str  # full | focused | folded | still
    geom: GraphGeom
    title: Item
    beats: tuple[Beat, ...]
    cameras: tuple[Point, ...]  # per beat: frame = world - camera
    captions: tuple[tuple[Item, ...], ...]  # per beat
    table: tuple[tuple[Item, ...], ...]  # columns; beats of kind "table" reveal them
    theme: str

    @property
    def scale(self) -> float:
        return self.height / self.frame.height


def caption_items(lines: list[str], f: Frame) -> tuple[Item, ...]:
    """Caption lines, left-aligned in a block centred in the caption band."""
    em = cap_em(CAPTION_CAP)
    pitch = em * LINE_PITCH
    room = f.caption_band[2] - f.caption_band[0]
    wrapped = [w for line in lines for w in wrap(line, em, room)]
    widths = [advance(w, em) for w in wrapped]
    left = (f.caption_band[0] + f.caption_band[2]) / 2 - max(widths, default=0) / 2
    band_mid = (f.caption_band[1] + f.caption_band[3]) / 2
    first = band_mid - pitch * (len(wrapped) - 1) / 2 + cap_em(CAPTION_CAP) * 0.36
    items = []
    for i, text in enumerate(wrapped):
        stripped = text.lstrip(" ")
        x = left + advance(text[: len(text) - len(stripped)], em)
        items.append(Item(f"caption:{i}", stripped, "caption",
                          shift(ink(stripped, em), x, first + i * pitch), "fg"))
    return tuple(items)


def _caption_lines(beats: list[Beat], aspect: float) -> int:
    f = frame(aspect, 1)
    em, room = cap_em(CAPTION_CAP), f.caption_band[2] - f.caption_band[0]
    return min(MAX_CAPTION_LINES, max(sum(len(wrap(line, em, room)) for line in b.lines)
                                      for b in beats))


def _aim(geom: GraphGeom, nodes: tuple[str, ...], window: Point) -> Box:
    """The box the camera must show: the beat's nodes, as many as fit, subject first."""
    boxes = [geom.nodes[n].card_box for n in nodes]
    for k in range(len(boxes), 0, -1):
        b = union(boxes[:k])
        if b[2] - b[0] <= window[0] and b[3] - b[1] <= window[1]:
            return b
    return boxes[0]


def _follow(cam: float, aim: tuple[float, float], view: tuple[float, float],
            bounds: tuple[float, float]) -> float:
    """Along one axis: the least move that brings ``aim`` inside ``view`` (with a margin),
    never past the graph's ends."""
    margin = 24.0
    if aim[0] < view[0] + margin:
        cam -= view[0] + margin - aim[0]
    elif aim[1] > view[1] - margin:
        cam += aim[1] - (view[1] - margin)
    return min(max(cam, bounds[0]), bounds[1])


def _cameras(geom: GraphGeom, beats: list[Beat], stage: Box) -> list[Point]:
    """Per beat, how far the world is shifted: kept still while the beat's nodes are in
    view, else moved as little as brings them in (never past the graph's edges)."""
    win = (stage[2] - stage[0], stage[3] - stage[1])
    lo = (geom.box[0] - stage[0], geom.box[1] - stage[1])
    hi = (max(lo[0], geom.box[2] - stage[2]), max(lo[1], geom.box[3] - stage[3]))
    cam = lo if geom.box[2] - geom.box[0] > win[0] else (0.0, 0.0)
    cam = (cam[0], lo[1] if geom.box[3] - geom.box[1] > win[1] else 0.0)
    out = []
    for b in beats:
        nodes = b.nodes if b.kind != "intro" or len(beats) == 1 else beats[1].nodes
        if nodes:
            aim = _aim(geom, nodes, (win[0] - 48, win[1] - 48))
            cam = tuple(_follow(cam[j], (aim[j], aim[j + 2]),  # type: ignore[assignment]
                                (stage[j] + cam[j], stage[j + 2] + cam[j]), (lo[j], hi[j]))
                        if hi[j] > lo[j] else cam[j] for j in (0, 1))
        out.append(cam)
    return out


def _table_beats(trace: Trace, f: Frame, opts: VideoOptions,
                 last: Beat) -> tuple[list[Beat], tuple[tuple[Item, ...], ...]]:
    cols = table_columns(trace, f.stage)
    if not cols:
        return [], ()
    beats = []
    for i, col in enumerate(cols):
        seconds = opts.reading_seconds(" ".join(it.text for it in col)) / 2
        beats.append(Beat("table", (), (TABLE_CAPTION,), max(seconds, opts.min_step)
                          + (CLEAR_SECONDS if i == 0 else 0), frozenset(), frozenset(), (),
                          done=last.done))
    return beats, tuple(tuple(c) for c in cols)


def still_beat(trace: Trace, beats: list[Beat]) -> Beat:
    """The fully annotated graph: every value and gradient, all bright."""
    g = trace.graph
    slots = frozenset({(n, "value") for n in g.order}
                      | {(n, "grad") for n in g.order if trace.grad(n) is not None})
    return Beat("still", (), (), 1.0, slots, slots, (g.loss,),
                done=frozenset(g.edges()) & beats[-1].done if beats else frozenset())


def plan(trace: Trace, opts: VideoOptions | None = None, size: tuple[int, int] = (1920, 1080),
         fps: float = 60.0, still: bool = False) -> Plan:
    """Plan the backprop video of ``trace`` (or, with ``still``, its final annotated frame)
    for frames of ``size`` pixels."""
    opts = opts or VideoOptions()
    aspect = size[0] / size[1]
    folded = opts.fold == "always" or (opts.fold == "auto" and len(trace.graph) > FOLD_LIMIT)
    if folded:
        model = folded_model(trace)
        cards, edges, beats = group_cards(model), group_edges(model), \
            group_beats(trace, model, opts)
    else:
        cards, edges, beats = node_cards(trace), trace.graph.edges(), story_beats(trace, opts)
    if still:
        beats = [still_beat(trace, beats)]
    f = frame(aspect, 0 if still else _caption_lines(beats, aspect))
    geom = place(cards, edges, f.stage)
    view = "folded" if folded else "full"
    if geom is None:
        view = "folded" if folded else "still" if still else "focused"
        geom = place(cards, edges, f.stage, "shrink" if still else "pan")
    assert geom is not None
    table: tuple = ()
    if opts.answer_table and not still:
        extra, table = _table_beats(trace, f, opts, beats[-1])
        beats += extra
    beats = [replace(b, seconds=math.ceil(b.seconds * fps - 1e-6) / fps) for b in beats]
    title = title_item(trace.graph.title or trace.graph.name or "backprop", f)
    cams = _cameras(geom, beats, f.stage)
    caps = tuple(caption_items(list(b.lines), f) for b in beats)
    return Plan(size[0], size[1], fps, f, view, geom, title, tuple(beats), tuple(cams), caps,
                table, opts.theme)
