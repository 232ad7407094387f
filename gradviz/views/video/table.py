"""The answer table that closes a video: the asked quantities in the problem's order, in
as few columns as fit, filled column by column, numbers aligned on their decimal point."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from gradviz.core.evaluate import Trace
from gradviz.core.format import MINUS, fmt_value
from gradviz.views.answers import asked, quantity_label
from gradviz.views.video.cards import NUMBER_CAP, Item, number_lines
from gradviz.views.video.text import Box, advance, cap_em, ink, shift

__all__ = ["table_columns", "MAX_ENTRIES"]

Entry = tuple[str, list[str], str]  # name, value lines, colour role
MAX_ENTRIES = 24  # a longer list is no table to read in a video
ROW_PITCH = 1.5  # in ems
COLUMN_GAP = 90.0
NAME_GAP = 36.0


def _entries(trace: Trace) -> list[Entry]:
    out = []
    for q, v in asked(trace):
        grad = q.startswith("∇")
        name = quantity_label(q)  # ∇W₁, Ŷ, w₂₁⁺
        a = np.asarray(v)
        lines = [fmt_value(a, minus=MINUS)] if a.ndim == 0 else number_lines(a)
        out.append((name, lines, "grad" if grad else "value"))
    return out


def _point(text: str) -> str:
    """The text before the decimal point (all of it for an integer or a vector)."""
    if text.startswith("["):
        return ""
    return text.split(".")[0].split("e")[0]


def _column(entries: list[Entry], x: float, y: float, em: float,
            key0: int) -> tuple[list[Item], float]:
    """One column at ``(x, y)``: names left-aligned, numbers on one decimal point."""
    pitch = em * ROW_PITCH
    name_w = max(advance(n, em) for n, _, _ in entries)
    lead = max(advance(_point(ls[0]), em) for _, ls, _ in entries)
    items: list[Item] = []
    right = x
    for i, (name, lines, color) in enumerate(entries):
        base = y + em * CAP_LINE
        nb = ink(name, em)
        items.append(Item(f"table:{key0 + i}:name", name, "table", shift(nb, x, base), "fg"))
        for j, line in enumerate(lines):
            origin = x + name_w + NAME_GAP + lead - advance(_point(line), em)
            b = shift(ink(line, em), origin, base + j * pitch)
            items.append(Item(f"table:{key0 + i}:{j}", line, "table", b, color))
            right = max(right, b[2])
        y += pitch * len(lines)
    return items, right


CAP_LINE = 1.0  # baseline one em below a row's top


def table_columns(trace: Trace, stage: Box) -> list[list[Item]] | None:
    """The table's columns, centred on ``stage``; ``None`` if it does not fit there."""
    entries = _entries(trace)
    if not entries or len(entries) > MAX_ENTRIES:
        return None
    em = cap_em(NUMBER_CAP)
    pitch = em * ROW_PITCH
    room_h = stage[3] - stage[1]
    for ncols in range(1, 5):
        per = math.ceil(len(entries) / ncols)
        chunks = [entries[i:i + per] for i in range(0, len(entries), per)]
        if max(sum(len(ls) for _, ls, _ in c) for c in chunks) * pitch > room_h:
            continue
        cols, x, k = [], 0.0, 0
        for c in chunks:
            items, right = _column(c, x, 0.0, em, k)
            cols.append(items)
            x, k = right + COLUMN_GAP, k + len(c)
        width = x - COLUMN_GAP
        if width > stage[2] - stage[0]:
            continue
        height = max(max(it.box[3] for it in col) for col in cols)
        top = min(min(it.box[1] for it in col) for col in cols)
        dx = (stage[0] + stage[2]) / 2 - width / 2
        dy = (stage[1] + stage[3]) / 2 - (top + height) / 2
        return [[replace(it, box=shift(it.box, dx, dy)) for it in col]
                for col in cols]
    return None
