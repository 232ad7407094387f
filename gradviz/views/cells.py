"""Graphviz HTML-like label pieces: numbers in fixed-size cells, brackets, names.

Every number of a figure sits in a fixed-size cell, right-aligned: with one number of
decimals per figure the points line up. Scalars share one width (the widest number's,
from the font metrics below), so a hidden one tells nothing, not even its sign; the
columns of a vector or a matrix are as wide as their widest entry, value and gradient
alike, so the two align between their brackets. A hidden number (a slide frame's future
answer) is the same cell with nothing in it: frames keep one layout and hold no answer.
Subscripts are set at :data:`SUB` of the text size.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from gradviz.core.names import escape
from gradviz.views.model import Number

__all__ = ["Style", "text_width", "number_width", "number_table", "stack", "name_markup",
           "font", "SUB", "column_widths", "cell", "table", "Cells"]

SUB = 0.7  # subscripts, relative to the text they belong to
LINE = 1.3  # line height, relative to the font size
GAP = 0.25  # space between columns, in ems
# advance widths in ems, the wider of DejaVu Sans (what fontconfig gives for Helvetica on
# Linux) and Helvetica, so that a fixed cell always holds its text
_EM = {**dict.fromkeys("0123456789", 0.637), ".": 0.319, ",": 0.319, "−": 0.839,
       "-": 0.362, "+": 0.839, "e": 0.616, "…": 1.0, "×": 0.839, " ": 0.319, "∇": 0.67,
       "∂": 0.518, "[": 0.391, "]": 0.391, "(": 0.391, ")": 0.391, "n": 0.635, "a": 0.614,
       "i": 0.279, "f": 0.353}
_OTHER = 0.75
_ZEROS = str.maketrans("123456789", "000000000")


def text_width(text: str, size: float) -> float:
    """A generous width of ``text`` in points at ``size``.

    Examples
    --------
    >>> round(text_width("−1.452", 10), 2)
    37.06
    """
    em = _EM
    return size * sum(em.get(c, _OTHER) for c in text)


def number_width(numbers: Iterable[Number], size: float) -> int:
    """The width of a number cell that holds every cell text of ``numbers``."""
    texts = {t for num in numbers for row in num.rows for t in row}  # many repeat
    # digits all have one width: "−1.25" is as wide as "−0.00"
    shapes = {t.translate(_ZEROS) for t in texts}
    w = max((text_width(t, size) for t in shapes), default=size)
    return math.ceil(w + GAP * size)


def font(text: str, color: str, size: float | None = None, bold: bool = False,
         italic: bool = False) -> str:
    """``text`` (already markup) in a colour and optionally a size and style."""
    body = f"<B>{text}</B>" if bold else text
    body = f"<I>{body}</I>" if italic else body
    size_attr = f' POINT-SIZE="{size:g}"' if size else ""
    return f'<FONT COLOR="{color}"{size_attr}>{body}</FONT>'


def name_markup(markup: str, size: float) -> str:
    """A typeset name with its subscript at :data:`SUB` of ``size``."""
    if "<SUB>" not in markup:
        return markup
    sub = math.ceil(size * SUB)  # Graphviz writes whole points
    return markup.replace("<SUB>", f'<SUB><FONT POINT-SIZE="{sub}">') \
                 .replace("</SUB>", "</FONT></SUB>")


@dataclass(frozen=True)
class Style:
    """What every number cell of one figure shares."""

    size: float  # font size (points)
    width: int  # number cell width (points)
    line: int  # number cell height (points)
    mark: int  # width of the ∇ column (points)
    value: str  # value colour
    grad: str  # gradient colour
    fg: str
    italic_grads: bool = False

    @classmethod
    def of(cls, size: float, width: int, value: str, grad: str, fg: str,
           italic_grads: bool = False) -> Style:
        return cls(size, width, math.ceil(size * LINE),
                   math.ceil(text_width("∇", size) + 0.15 * size), value, grad, fg,
                   italic_grads)


def _cell(text: str, st: Style, color: str, hidden: bool, italic: bool = False,
          width: int = 0) -> str:
    # number cells come from fmt_cells: digits, the point, −, inf, nan, …: nothing to escape
    body = "" if hidden else font(text, color, italic=italic)
    return (f'<TD FIXEDSIZE="TRUE" WIDTH="{width or st.width}" HEIGHT="{st.line}" '
            f'ALIGN="RIGHT">{body}</TD>')


def column_widths(nums: list[Number], size: float) -> list[int]:
    """Per-column widths that hold every cell of ``nums`` (a value and its gradient share
    them, so their columns align)."""
    cols: list[float] = []
    for num in nums:
        for row in num.rows:
            for j, t in enumerate(row):
                w = text_width(t, size)
                if j == len(cols):
                    cols.append(w)
                elif w > cols[j]:
                    cols[j] = w
    return [math.ceil(c + GAP * size) for c in cols]


def _free(text: str, st: Style, color: str, hidden: bool) -> str:
    """A cell for a non-number (a shape summary, a count), fixed to its own width."""
    w = math.ceil(text_width(text, st.size) + GAP * st.size)
    body = "" if hidden else font(escape(text), color)
    return f'<TD FIXEDSIZE="TRUE" WIDTH="{w}" HEIGHT="{st.line}" ALIGN="LEFT">{body}</TD>'


def number_table(num: Number, st: Style, color: str, hidden: bool = False,
                 mark: str | None = None, italic: bool = False,
                 widths: list[int] | None = None) -> str:
    """One number as a table: an optional ``mark`` column (``∇``, or ``""`` to stay aligned
    with a row that has one), then its cells, between brackets for a vector or a matrix.
    Numbers of one shape give tables of one width, so stacked ones align column by column.
    A lone scalar is a bare cell (``<TD>``), to be put in a row as it is (see :func:`cell`).
    """
    n = len(num.rows)
    if n == 1 and num.ndim == 0 and mark is None:  # most numbers: a scalar, a bare cell
        body = "" if hidden else font(num.rows[0][0], color, italic=italic)
        return (f'<TD FIXEDSIZE="TRUE" WIDTH="{st.width}" HEIGHT="{st.line}" '
                f'ALIGN="RIGHT">{body}</TD>')
    lead = ""
    if mark is not None:
        span = f' ROWSPAN="{n}"' if n > 1 else ""
        lead = (f'<TD FIXEDSIZE="TRUE" WIDTH="{st.mark}" HEIGHT="{st.line}" ALIGN="LEFT"'
                f'{span}>{font(mark, color) if mark and not hidden else ""}</TD>')
    if not n:
        return table(f"<TR>{lead}{_free(num.summary, st, color, hidden)}</TR>")
    out = []
    for r, row in enumerate(num.rows):
        cells = "".join(_cell(t, st, color, hidden, italic, widths[j] if widths else 0)
                        for j, t in enumerate(row))
        if num.ndim == 0:
            out.append(f"<TR>{lead}{cells}</TR>")
            continue
        if r == 0:
            left = (f'<TD ROWSPAN="{n}" BORDER="1" SIDES="LTB" WIDTH="3" '
                    f'COLOR="{color}"></TD>')
            right = (f'<TD ROWSPAN="{n}" BORDER="1" SIDES="RTB" WIDTH="3" '
                     f'COLOR="{color}"></TD>')
            tail = (_free(num.summary, st, color, hidden) if num.summary else "")
            out.append(f"<TR>{lead}{left}{cells}{right}{tail}</TR>")
        else:
            out.append(f"<TR>{cells}</TR>")
    return table("".join(out))


_OPEN = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'


def table(rows: str) -> str:
    """Table rows (``<TR>…</TR>``) in a table with no borders, spacing or padding."""
    return _OPEN + rows + "</TABLE>"


def cell(part: str) -> str:
    """``part`` as a table cell: a bare number cell as it is, anything else wrapped."""
    return part if part.startswith("<TD") else f"<TD>{part}</TD>"


@lru_cache(maxsize=64)
def _rule(wire: str, across: bool) -> str:
    """The cell a wire (``"COLOUR|WIDTH"``) runs through: a rule, its port named ``r``."""
    color, width = wire.split("|")
    side = "L" if across else "B"
    size = 'WIDTH="1"' if across else 'HEIGHT="1"'
    return f'<TD PORT="r" {size} BORDER="{width}" SIDES="{side}" COLOR="{color}"></TD>'


def stack(parts: list[str], wire: str = "", across: bool = False) -> str:
    """Tables one under the other (``across``: side by side); a ``wire``
    (``"COLOUR|WIDTH"``) goes between the first part and the rest: a rule the edge runs
    through, its port named ``r``."""
    cells = [cell(p) for p in parts]
    if wire:
        cells.insert(1, _rule(wire, across))
    if across:
        return table("<TR>" + "".join(cells) + "</TR>")
    return table("".join([f"<TR>{c}</TR>" for c in cells]))


class Cells:
    """The number tables and wire labels of one figure, each made once: a figure's
    numbers repeat (a scalar's cell is kept by its text), and many wires carry the same
    ones. ``across``: the figure runs top to bottom, so a vector stays a row."""

    def __init__(self, st: Style, across: bool) -> None:
        self.st, self.across = st, across
        self.made: dict[tuple, str] = {}

    def column(self, num: Number) -> Number:
        if num.ndim == 1 and num.rows and not self.across:
            return Number(tuple((c,) for c in num.rows[0]), num.text, 2, num.summary)
        return num  # left to right, a vector stands as a column

    def number(self, num: Number | None, color: str, hidden: bool,
               pair: Number | None = None) -> str:
        """A number's table; ``pair``: the value or gradient it shares columns with."""
        if num is None:
            return ""
        italic = self.st.italic_grads and color == self.st.grad
        if not num.ndim:  # a bare cell of its one text
            key = (num.text, color, hidden)
            if key not in self.made:
                self.made[key] = number_table(num, self.st, color, hidden, italic=italic)
            return self.made[key]
        num = self.column(num)
        both = [num] if pair is None else [num, self.column(pair)]
        return number_table(num, self.st, color, hidden, italic=italic,
                            widths=column_widths(both, self.st.size))

    def wired(self, parts: list[str], line: str) -> str:
        """``parts`` stacked around a wire of colour ``line`` (see :func:`stack`)."""
        key = ("wire", line, *parts)
        if key not in self.made:
            self.made[key] = stack(parts, f"{line}|1", self.across)
        return self.made[key]
