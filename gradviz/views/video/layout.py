"""Where everything goes in a frame: bands for the title and the caption, the stage between
them, and the graph's cards placed by Graphviz and stretched to fill the stage.

Graphviz lays the cards out at their real size (``dot -Tjson``; each card is an HTML table
of fixed-size rows, with one port per operand on the shape's row), routing every edge
around every card. The positions and the edges are then stretched, never shrunk, to fill
the stage: the cards keep their size and every edge stays clear of every card, because
stretching by a factor of at least one only widens the room dot left between them. A graph
that does not fit at its true text sizes is not shrunk: :func:`place` returns ``None`` and
the caller folds it or follows the story across it with the camera.

Everything is in pixels of a 1080-line frame, y downwards.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from gradviz.views.render import run_dot
from gradviz.views.video.cards import Card, Item
from gradviz.views.video.text import Box, cap_em, center, ink, scale, shift, union

__all__ = ["REF_HEIGHT", "Frame", "frame", "NodeGeom", "EdgeGeom", "GraphGeom", "place",
           "bezier_points"]

REF_HEIGHT = 1080.0
MARGIN = 40.0
TITLE_CAP = 36.0
CAPTION_CAP = 30.0
LINE_PITCH = 1.45  # caption line spacing, in caption ems
SEPARATIONS = ((28.0, 64.0), (16.0, 40.0))  # (nodesep, ranksep) in px, roomy first
Edge3 = tuple[str, str, int]
Point = tuple[float, float]


@dataclass(frozen=True)
class Frame:
    """The frame's bands: the title on top, the caption at the bottom, the stage between."""

    width: float
    height: float
    title_band: Box
    caption_band: Box
    stage: Box


def frame(aspect: float, caption_lines: int) -> Frame:
    """The bands of a frame of ``aspect`` (width / height) whose caption has up to
    ``caption_lines`` lines.

    >>> f = frame(16 / 9, 2)
    >>> f.width, f.stage[1] < f.stage[3] < f.caption_band[1]
    (1920.0, True)
    """
    w, h = round(REF_HEIGHT * aspect, 3), REF_HEIGHT
    title_h = 2 * 24.0 + TITLE_CAP * 1.3
    pitch = cap_em(CAPTION_CAP) * LINE_PITCH
    caption_h = 2 * 22.0 + pitch * max(caption_lines, 1)
    title = (MARGIN, 0.0, w - MARGIN, title_h)
    caption = (MARGIN, h - caption_h, w - MARGIN, h)
    return Frame(w, h, title, caption, (MARGIN, title_h + 8.0, w - MARGIN, h - caption_h - 8.0))


@dataclass(frozen=True)
class NodeGeom:
    node: str
    shape: str  # circle | box | group
    shape_box: Box
    card_box: Box


@dataclass(frozen=True)
class EdgeGeom:
    """An edge as cubic Bézier control points (3k + 1), from the tail's shape to the
    head's; the arrow tip is at the last point, pointing along +x."""

    edge: Edge3
    points: tuple[Point, ...]


@dataclass(frozen=True)
class GraphGeom:
    nodes: dict[str, NodeGeom]
    edges: tuple[EdgeGeom, ...]
    items: dict[str, Item]  # every node label, placed
    box: Box  # cards and edges

    def shapes_box(self) -> Box:
        return union([n.shape_box for n in self.nodes.values()])


def _dot_table(card: Card) -> str:
    cells = []
    for r, h in enumerate(card.rows):
        if r != card.port:
            cells.append(f'<TR><TD COLSPAN="3" FIXEDSIZE="TRUE" WIDTH="{card.width}" '
                         f'HEIGHT="{h}"></TD></TR>')
            continue
        k = max(card.inputs, 1)
        parts = [h // k + (1 if j < h % k else 0) for j in range(k)]
        cells.append(f'<TR><TD PORT="i0" FIXEDSIZE="TRUE" WIDTH="1" HEIGHT="{parts[0]}"></TD>'
                     f'<TD ROWSPAN="{k}" FIXEDSIZE="TRUE" WIDTH="{card.width - 2}" '
                     f'HEIGHT="{h}"></TD><TD PORT="o" ROWSPAN="{k}" FIXEDSIZE="TRUE" '
                     f'WIDTH="1" HEIGHT="{h}"></TD></TR>')
        cells += [f'<TR><TD PORT="i{j}" FIXEDSIZE="TRUE" WIDTH="1" HEIGHT="{parts[j]}"></TD>'
                  "</TR>" for j in range(1, k)]
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
            + "".join(cells) + "</TABLE>>")


def _dot(cards: list[Card], edges: list[Edge3], nodesep: float, ranksep: float) -> str:
    """DOT text with synthetic ids only: no user text reaches Graphviz."""
    ids = {c.node: f"n{i}" for i, c in enumerate(cards)}
    lines = ["digraph G {",
             f"graph [rankdir=LR, nodesep={nodesep / 72:.4f}, ranksep={ranksep / 72:.4f}, "
             "splines=true];", 'node [shape=plain, label=""];', "edge [arrowhead=none];"]
    lines += [f"{ids[c.node]} [label={_dot_table(c)}];" for c in cards]
    lines += [f"{ids[u]}:o:e -> {ids[v]}:i{k}:w;" for u, v, k in edges]
    return "\n".join(lines + ["}"])


def _spline(text: str, bb_h: float) -> list[Point]:
    pts = [tuple(float(v) for v in p.split(",")) for p in text.split()
           if not p.startswith(("e,", "s,"))]
    return [(x, bb_h - y) for x, y in pts]


def _run_layout(cards: list[Card], edges: list[Edge3],
                sep: tuple[float, float]) -> tuple[dict[str, Point], list[list[Point]]]:
    """Card centres and edge splines (in the order of ``edges``) from Graphviz, in px,
    y downwards. Each edge is found by its head and port: one port per operand."""
    data = json.loads(run_dot(_dot(cards, edges, *sep), "json"))
    bb_h = float(data["bb"].split(",")[3])
    centres, by_gvid = {}, {}
    for o in data.get("objects", []):
        x, y = (float(v) for v in o["pos"].split(","))
        node = cards[int(o["name"][1:])].node
        centres[node] = (x, bb_h - y)
        by_gvid[o["_gvid"]] = node
    found = {(by_gvid[e["head"]], int(e["headport"].split(":")[0][1:])): _spline(e["pos"], bb_h)
             for e in data.get("edges", [])}
    return centres, [found[(v, k)] for _, v, k in edges]


def _extent(pos: list[float], half: list[float], s: float) -> float:
    return max(s * p + h for p, h in zip(pos, half)) - min(s * p - h for p, h in zip(pos, half))


def _stretch(pos: list[float], half: list[float], room: float) -> float | None:
    """The largest stretch >= 1 of the centres ``pos`` whose cards fit ``room``."""
    if _extent(pos, half, 1.0) > room + 1e-6:
        return None
    lo, hi = 1.0, 64.0
    if _extent(pos, half, hi) <= room:
        return hi
    for _ in range(50):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _extent(pos, half, mid) <= room else (lo, mid)
    return lo


def _straight(p: Point, q: Point) -> list[Point]:
    return [p, (p[0] + (q[0] - p[0]) / 3, p[1] + (q[1] - p[1]) / 3),
            (p[0] + 2 * (q[0] - p[0]) / 3, p[1] + 2 * (q[1] - p[1]) / 3), q]


def _entry(node: NodeGeom, y: float) -> float:
    """Where a horizontal line at height ``y`` from the left meets the node's shape."""
    b = node.shape_box
    if node.shape != "circle":
        return b[0]
    r, cy = (b[2] - b[0]) / 2, (b[1] + b[3]) / 2
    return (b[0] + b[2]) / 2 - math.sqrt(max(r * r - (y - cy) ** 2, 0.0))


def place(cards: dict[str, Card], edges: list[Edge3], stage: Box,
          mode: str = "fit") -> GraphGeom | None:
    """Lay the cards out over ``stage``.

    ``fit``: stretch (never shrink) to fill the stage, or ``None`` if the cards do not fit
    at their size; ``pan``: stretch along the axes where they fit and keep their natural
    size along the others (the camera follows the story across); ``shrink``: scale the whole
    drawing, text included, down to the stage (a still for a slide).
    """
    order = list(cards.values())
    names = [c.node for c in order]
    for sep in SEPARATIONS:
        centres, splines = _run_layout(order, edges, sep)
        xs, ys = [centres[n][0] for n in names], [centres[n][1] for n in names]
        hw, hh = [c.width / 2 for c in order], [c.height / 2 for c in order]
        room = (stage[2] - stage[0], stage[3] - stage[1])
        sx, sy = _stretch(xs, hw, room[0]), _stretch(ys, hh, room[1])
        if sx is not None and sy is not None:
            return _placed(cards, edges, stage, centres, splines, (sx, sy, 1.0))
    if mode == "pan":
        return _placed(cards, edges, stage, centres, splines, (sx or 1.0, sy or 1.0, 1.0))
    if mode == "shrink":
        k = min(room[0] / _extent(xs, hw, 1.0), room[1] / _extent(ys, hh, 1.0))
        return _placed(cards, edges, stage, centres, splines, (k, k, k))
    return None


def _placed(cards: dict[str, Card], edges: list[Edge3], stage: Box, centres: dict[str, Point],
            splines: list[list[Point]], s: tuple[float, float, float]) -> GraphGeom:
    """Centres stretched by ``(sx, sy)``, cards scaled by ``k``; an axis that overflows the
    stage starts at the stage's top-left corner."""
    sx, sy, k = s
    names = list(cards)
    x0 = min(sx * centres[n][0] - k * cards[n].width / 2 for n in names)
    x1 = max(sx * centres[n][0] + k * cards[n].width / 2 for n in names)
    y0 = min(sy * centres[n][1] - k * cards[n].height / 2 for n in names)
    y1 = max(sy * centres[n][1] + k * cards[n].height / 2 for n in names)
    ox = (stage[0] + stage[2]) / 2 - (x0 + x1) / 2
    oy = (stage[1] + stage[3]) / 2 - (y0 + y1) / 2
    ox = ox if x1 - x0 <= stage[2] - stage[0] + 1e-6 else stage[0] - x0
    oy = oy if y1 - y0 <= stage[3] - stage[1] + 1e-6 else stage[1] - y0

    def t(p: Point) -> Point:
        return (ox + sx * p[0], oy + sy * p[1])

    nodes, items = {}, {}
    for n, card in cards.items():
        cx, cy = t(centres[n])
        left, top = cx - k * card.width / 2, cy - k * card.height / 2
        nodes[n] = NodeGeom(n, card.shape, shift(scale(card.shape_box, k), left, top),
                            (left, top, left + k * card.width, top + k * card.height))
        for it in card.items:
            items[it.key] = replace(it, box=shift(scale(it.box, k), left, top))
    geoms = tuple(_edge(e, sp, nodes, centres, t, k) for e, sp in zip(edges, splines))
    box = union([n.card_box for n in nodes.values()]
                + [(x, y, x, y) for g in geoms for x, y in g.points])
    return GraphGeom(nodes, geoms, items, box)


def _edge(e: Edge3, spline: list[Point], nodes: dict[str, NodeGeom],
          centres: dict[str, Point], t: Callable[[Point], Point], k: float) -> EdgeGeom:
    """The stretched spline, its ends moved back onto the (unstretched) cards, joined to
    the shapes by straight stubs inside the cards."""
    u, v, _ = e
    pts = [t(p) for p in spline]
    for end, hand, node in ((0, 1, u), (-1, -2, v)):
        cx, cy = centres[node]
        bx, by = center(nodes[node].card_box)
        want = (bx + k * (spline[end][0] - cx), by + k * (spline[end][1] - cy))
        d = (want[0] - pts[end][0], want[1] - pts[end][1])
        for i in (end, hand):
            pts[i] = (pts[i][0] + d[0], pts[i][1] + d[1])
    tail = nodes[u].shape_box
    start = (tail[2], (tail[1] + tail[3]) / 2)
    stop = (_entry(nodes[v], pts[-1][1]), pts[-1][1])
    points = _straight(start, pts[0])[:-1] + pts + _straight(pts[-1], stop)[1:]
    return EdgeGeom(e, tuple(points))


def bezier_points(points: tuple[Point, ...], per_segment: int = 16) -> list[Point]:
    """Sample a chain of cubic Bézier segments (for tests and hit checks).

    >>> [(round(x, 6), y) for x, y in bezier_points(((0, 0), (1, 0), (2, 0), (3, 0)), 3)]
    [(0.0, 0.0), (1.0, 0.0), (2.0, 0.0), (3.0, 0.0)]
    """
    out: list[Point] = []
    for i in range(0, len(points) - 1, 3):
        p0, p1, p2, p3 = points[i:i + 4]
        for j in range(per_segment + (1 if i + 4 >= len(points) else 0)):
            t = j / per_segment
            a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3
            out.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                        a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return out


def title_item(text: str, f: Frame) -> Item:
    """The title, centred in its band (a title too long for the band is set smaller)."""
    em = cap_em(TITLE_CAP)
    band = f.title_band
    b = ink(text, em)
    if b[2] - b[0] > band[2] - band[0]:
        em *= (band[2] - band[0]) / (b[2] - b[0])
        b = ink(text, em)
    x = (band[0] + band[2]) / 2 - (b[0] + b[2]) / 2
    y = (band[1] + band[3]) / 2 - (b[1] + b[3]) / 2
    return Item("title", text, "title", shift(b, x, y), "fg")
