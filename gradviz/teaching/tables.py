"""Answer tables: Markdown pipe tables, CSV, TSV, in either orientation, split or not.

A table is a list of rows of cells. Each row is classified (:func:`kind`): a row of
*names* (a header), a row of *values*, a *pair* row (a name, then its value: a transposed
table), or a *separator*. Headers pair with the value row that follows them, column by
column, however many tables the answers are split across (the course prints its answer
table as two tables, one under the other); pair rows give one answer each. Which cells are
names is decided by ``is_name`` when the graph is known (the sheet reader passes it),
else by "not a number".

Examples
--------
>>> rows = [(1, ["Ŷ", "L"]), (2, ["---", "---"]), (3, ["0.3775", "0.9741"]),
...         (5, ["∇H5", "∇H4"]), (6, ["0.6225", ""])]
>>> [(e.written, e.text) for e in pair_rows(rows)]
[('Ŷ', '0.3775'), ('L', '0.9741'), ('∇H5', '0.6225'), ('∇H4', '')]
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import NamedTuple

from gradviz.core.errors import GradvizError
from gradviz.teaching.numbers import Unusable, read_value

__all__ = ["Entry", "pair_rows", "pipe_rows", "delimited_rows", "is_pipe_row", "kind",
           "split_outside_brackets"]

Row = tuple[int, list[str]]  # (line, cells)
_SEPARATOR = re.compile(r"\s*:?-{2,}:?\s*")


class Entry(NamedTuple):
    """One answer as the sheet gives it: the header as written (``None`` when the sheet
    gives values without names, in the problem's order), the cell text, and its line."""

    written: str | None
    text: str
    line: int


def cell_kind(cell: str, is_name: Callable[[str], bool] | None) -> str:
    """``name``, ``value``, ``blank`` or ``text`` (a word that names nothing)."""
    if is_name is not None and cell.strip() and is_name(cell):
        return "name"
    try:
        read_value(cell)
        return "value"
    except Unusable as e:
        if e.blank:
            return "blank"
    return "text" if is_name is not None else "name"


def kind(cells: list[str], is_name: Callable[[str], bool] | None) -> str:
    """``sep``, ``names``, ``values`` or ``pair`` (a name, then values: a transposed row)."""
    if all(_SEPARATOR.fullmatch(c) or not c.strip() for c in cells) and \
            any(c.strip() for c in cells):
        return "sep"
    kinds = [cell_kind(c, is_name) for c in cells]
    names, values = kinds.count("name"), kinds.count("value")
    if len(cells) >= 2 and kinds[0] == "name" and names == 1 and \
            (values or len(cells) == 2):
        return "pair"
    return "names" if names + kinds.count("text") > values else "values"


def pair_rows(rows: list[Row], is_name: Callable[[str], bool] | None = None) -> list[Entry]:
    """Answers from classified rows (see the module docstring)."""
    out: list[Entry] = []
    header: Row | None = None
    used = True
    for line, cells in rows:
        k = kind(cells, is_name)
        if k == "sep":
            continue
        if k == "pair":
            rest = [c.strip() for c in cells[1:] if c.strip()]
            out.append(Entry(cells[0].strip(), ", ".join(rest), line))
            used = True
        elif k == "names":
            if header is not None and not used:
                out.extend(_unanswered(header))
            header, used = (line, cells), False
        elif header is None:
            out.extend(Entry(None, c.strip(), line) for c in cells if c.strip())
        else:
            for i, name in enumerate(header[1]):
                if name.strip():
                    out.append(Entry(name.strip(), cells[i].strip() if i < len(cells) else "",
                                     line))
            used = True
    if header is not None and not used:
        out.extend(_unanswered(header))
    return out


def _unanswered(header: Row) -> list[Entry]:
    """A header row with no value row under it: every cell is there, and blank."""
    line, cells = header
    return [Entry(c.strip(), "", line) for c in cells if c.strip()]


def is_pipe_row(line: str) -> bool:
    return line.lstrip().startswith("|")


def pipe_rows(lines: list[tuple[int, str]]) -> list[Row]:
    """Cells of Markdown table rows (``| a | b |``; ``\\|`` is a literal bar)."""
    rows = []
    for n, line in lines:
        body = line.strip()
        body = body[1:] if body.startswith("|") else body
        body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
        cells = [c.replace("\\|", "|").strip() for c in re.split(r"(?<!\\)\|", body)]
        rows.append((n, cells))
    return rows


def split_outside_brackets(line: str, delim: str) -> list[str]:
    """Split on ``delim`` except inside brackets (an unquoted ``[a, b]`` stays one field)."""
    out: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in line:
        if ch in "[({":
            depth += 1
        elif ch in "])}":
            depth = max(0, depth - 1)
        if ch == delim and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def delimited_rows(lines: list[tuple[int, str]], delim: str, source: str) -> list[Row]:
    """Rows of CSV/TSV lines: quoted fields as CSV quotes them, brackets kept together."""
    rows = []
    for n, line in lines:
        if '"' in line:
            try:
                fields = next(csv.reader(io.StringIO(line), delimiter=delim,
                                         skipinitialspace=True))
            except csv.Error as e:
                raise GradvizError(f"not a CSV row ({e})", line=n, source=source) from None
            fields = _join_brackets(fields, delim)
        else:
            fields = split_outside_brackets(line, delim)
        rows.append((n, [f.strip() for f in fields]))
    return rows


def _join_brackets(fields: list[str], delim: str) -> list[str]:
    out: list[str] = []
    depth = 0
    for f in fields:
        if depth > 0 and out:
            out[-1] += delim + f
        else:
            out.append(f)
        depth = max(0, depth + sum(f.count(c) for c in "[(") - sum(f.count(c) for c in "])"))
    return out
