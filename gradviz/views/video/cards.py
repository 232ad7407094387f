"""What each node shows in a video, as a card of text rows around its shape.

An op node's card: its name (unnamed nodes show none: the caption names them by their
expression), its value *above* the circle, the op glyph *in* the circle, its gradient
(``∇ …``) *below* it. A leaf's card: value above, its name in a rounded box, gradient below.
Values and gradients thus differ by position and by the ∇ mark, not by colour alone.

Cards are measured in pixels of a 1080-line frame (the sizes a hall reads: names 38 px cap
height, numbers 30 px); :mod:`~gradviz.views.video.layout` places them and scales the whole
plan to the output's size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from gradviz.core.evaluate import Trace
from gradviz.core.format import MINUS, fmt_compact
from gradviz.core.names import tex
from gradviz.views.video.text import Box, cap_em, height, ink, shift, union, width

__all__ = ["Item", "Card", "node_cards", "NAME_CAP", "NUMBER_CAP", "GAP", "number_lines",
           "line_item", "stack"]

NAME_CAP = 38.0  # px at 1080p: issue target >= 36
NUMBER_CAP = 30.0  # target >= 28
CIRCLE = 96.0  # smallest op circle
GLYPH_SHARE = 0.46  # the op glyph's larger side, as a share of the circle (target >= 0.4)
GAP = 10.0  # between the rows of a card
PAD = 8.0  # around a card's widest row
NAME_PAD = (16.0, 12.0)  # around a leaf's name, inside its box
ROUND = {"·": "•"}  # DejaVu's middle dot is square: scaled up, the dot product is a disc


@dataclass(frozen=True)
class Item:
    """One line of text: its key (``node:kind:line``), kind, ink box and colour role."""

    key: str
    text: str
    kind: str  # name | value | grad | op | caption | title | table
    box: Box
    color: str  # a Theme field: fg, value, grad, ...
    tex: str = ""  # a node name's LaTeX, for ``--tex`` (fitted inside ``box``)


@dataclass(frozen=True)
class Card:
    """A node's text rows around its shape; boxes relative to the card's top-left corner.

    ``rows`` are the row heights (for Graphviz); ``port`` is the index of the shape's row,
    where edges attach; ``inputs`` is how many edges come in (one port each).
    """

    node: str
    shape: str  # circle | box | group
    shape_box: Box
    items: tuple[Item, ...]
    width: int
    rows: tuple[int, ...]
    port: int
    inputs: int

    @property
    def height(self) -> int:
        return sum(self.rows)


def number_lines(v: object) -> list[str]:
    """A value as the lines a card shows (minus signs, not hyphens)."""
    return fmt_compact(np.asarray(v), minus=MINUS).split("\n")


def line_item(key: str, text: str, kind: str, cap: float, color: str, x: float = 0.0,
              y: float = 0.0) -> Item:
    """A line of text whose ink box has its top-left corner at ``(x, y)``."""
    b = ink(text, cap_em(cap))
    return Item(key, text, kind, shift(b, x - b[0], y - b[1]), color)


def _block(node: str, kind: str, lines: list[str], cap: float, color: str) -> list[Item]:
    """Lines stacked from y = 0, each ink box starting at x = 0 (centred later)."""
    out, y = [], 0.0
    for i, text in enumerate(lines):
        item = line_item(f"{node}:{kind}:{i}", text, kind, cap, color, 0.0, y)
        out.append(item)
        y = item.box[3] + GAP / 2
    return out


def _glyph(node: str, symbol: str) -> tuple[Item, float]:
    """The op glyph and the circle's diameter: the glyph's larger side is GLYPH_SHARE of
    the circle, small symbols are scaled up, long words widen the circle."""
    symbol = ROUND.get(symbol, symbol)
    item = line_item(f"{node}:op:0", symbol, "op", NUMBER_CAP, "fg")
    w, h = width(item.box), height(item.box)
    k = GLYPH_SHARE * CIRCLE / max(w, h, 1e-9)
    if k > 1:  # a small symbol: grow it to the share
        item = Item(item.key, symbol, "op", (0.0, 0.0, w * k, h * k), "fg")
        w, h = w * k, h * k
    diameter = max(CIRCLE, w / 0.72, h / 0.6)  # room between the word and the ring
    return item, diameter


def _centred(block: list[Item], box: Box) -> list[Item]:
    """The block's lines moved together so that their union is centred on ``box``."""
    u = union([it.box for it in block])
    dx = (box[0] + box[2]) / 2 - (u[0] + u[2]) / 2
    dy = (box[1] + box[3]) / 2 - (u[1] + u[3]) / 2
    return [replace(it, box=shift(it.box, dx, dy)) for it in block]


def stack(node: str, shape: str, blocks: list[list[Item]], shape_size: tuple[float, float],
           port_block: int, inputs: int) -> Card:
    """Stack blocks of lines in one centred column, with GAP rows between them; the block
    at ``port_block`` is the shape's row (exactly the shape's height) with its text centred
    on the shape."""
    widths = [max((width(i.box) for i in b), default=0.0) for b in blocks]
    widths[port_block] = max(widths[port_block], shape_size[0])
    w = math.ceil(max(widths) + 2 * PAD)
    rows: list[int] = []
    items: list[Item] = []
    shape_box: Box = (0.0, 0.0, 0.0, 0.0)
    port = 0
    for i, block in enumerate(blocks):
        if i:
            rows.append(int(GAP))
        y = float(sum(rows))
        if i == port_block:
            h, port = math.ceil(shape_size[1]), len(rows)
            shape_box = ((w - shape_size[0]) / 2, y + (h - shape_size[1]) / 2,
                         (w + shape_size[0]) / 2, y + (h + shape_size[1]) / 2)
            items += _centred(block, shape_box)
        else:
            h = math.ceil(max(it.box[3] for it in block))
            items += [replace(it, box=shift(it.box, (w - width(it.box)) / 2, y))
                      for it in block]
        rows.append(h)
    return Card(node, shape, shape_box, tuple(items), w, tuple(rows), port, inputs)


def op_card(trace: Trace, n: str) -> Card:
    g = trace.graph
    glyph, d = _glyph(n, g.op_of(n).symbol)  # type: ignore[union-attr]
    blocks: list[list[Item]] = []
    if not g.is_generated(n):
        blocks.append(_name(trace, n))
    blocks.append(_block(n, "value", number_lines(trace.value(n)), NUMBER_CAP, "value"))
    blocks.append([glyph])
    port = len(blocks) - 1
    if trace.requires_grad(n):
        lines = number_lines(trace.grad(n))
        blocks.append(_block(n, "grad", ["∇ " + lines[0]] + lines[1:], NUMBER_CAP, "grad"))
    return stack(n, "circle", blocks, (d, d), port, len(g.inputs(n)))


def _name(trace: Trace, n: str) -> list[Item]:
    item = line_item(f"{n}:name:0", trace.graph.display_name(n), "name", NAME_CAP, "fg")
    return [replace(item, tex=tex(n))]


def leaf_card(trace: Trace, n: str) -> Card:
    g = trace.graph
    (name,) = _name(trace, n)
    size = (width(name.box) + 2 * NAME_PAD[0], height(name.box) + 2 * NAME_PAD[1])
    blocks: list[list[Item]] = []
    value = number_lines(trace.value(n))
    if not (g.is_generated(n) and value == [g.display_name(n)]):  # a constant shows once
        blocks.append(_block(n, "value", value, NUMBER_CAP, "value"))
    blocks.append([name])
    port = len(blocks) - 1
    if trace.requires_grad(n) and trace.grad(n) is not None:
        lines = number_lines(trace.grad(n))
        blocks.append(_block(n, "grad", ["∇ " + lines[0]] + lines[1:], NUMBER_CAP, "grad"))
    return stack(n, "box", blocks, size, port, 0)


def node_cards(trace: Trace) -> dict[str, Card]:
    """Every node's card, in the graph's order."""
    g = trace.graph
    return {n: op_card(trace, n) if g.op_of(n) else leaf_card(trace, n) for n in g.order}
