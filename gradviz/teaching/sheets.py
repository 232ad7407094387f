"""Read an answer sheet in any layout students and courses hand in.

Layouts: Markdown tables (a header row and a value row, split across several tables or
not, or transposed as rows of ``name | value``), CSV/TSV/semicolon-separated in either
orientation, JSON (``{"name": value}``, a list of ``{"quantity": ..., "value": ...}``, or
gradviz's own ``--json`` report), ``name: value`` / ``name = value`` / ``name value``
lines (the text after the last ``=`` when the student shows work: ``L = −ln(0.3775) =
0.9744``), and plain values one per line in the problem's order. Names are matched later
(:mod:`gradviz.teaching.quantities`); numbers too (:mod:`gradviz.teaching.numbers`).

Files are read defensively: at most ``limits.limit("max_sheet_bytes")`` bytes (so
``/dev/zero`` is refused at once), decoded as UTF-8, UTF-16/32 with a byte-order mark or
without one, else Windows-1252/Latin-1; binary files, JSON nested dozens deep and other
things that are not answer sheets stop with one :class:`~gradviz.GradvizError` line.

Examples
--------
>>> text = "| $\\\\hat{Y}$ | $L$ |\\n|---|---|\\n| 0.3775 | |"
>>> [(e.written, e.text) for e in read_sheet(text)]
[('$\\\\hat{Y}$', '0.3775'), ('$L$', '')]
>>> [(e.written, e.text) for e in read_sheet("Yhat: 0.69\\nL = -ln(0.31) = 1.17")]
[('Yhat', '0.69'), ('L', '1.17')]
"""

from __future__ import annotations

import codecs
import json
import re
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

from gradviz.core.errors import GradvizError
from gradviz.core.limits import LIMITS
from gradviz.teaching.numbers import Unusable, leading_value, read_value
from gradviz.teaching.tables import (
    Entry,
    delimited_rows,
    is_pipe_row,
    pair_rows,
    pipe_rows,
    split_outside_brackets,
)

__all__ = ["Entry", "read_sheet", "load_sheet", "decode"]

MAX_JSON_DEPTH = 32
NameTest = Callable[[str], bool]
_BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16")]
_BULLET = re.compile(r"^\s*(?:[-*•+]\s+|\d{1,2}[.)]\s+(?=\D)|\([a-zA-Z0-9]{1,3}\)\s+)")
_SEPARATORS = re.compile(r"\s*(?::=|[:=≈→])\s*")
_COMMENT = ("#", "//", "%", "```", "<!--")
_GFM_SEPARATOR = re.compile(r"\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)+\|?\s*")
MAX_NAME_WORDS = 8  # words in a name of a `name value` line


def decode(data: bytes, source: str = "answers") -> str:
    """Text of a sheet file: UTF-8, UTF-16/32, else Windows-1252; binary is refused.

    Examples
    --------
    >>> decode("Ŷ: 0.3775".encode("utf-16")), decode("µ: 0.5".encode("latin-1"))
    ('Ŷ: 0.3775', 'µ: 0.5')
    """
    text = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _try(data, encoding)
            break
    else:
        if b"\x00" in data:
            even, odd = data[0::2].count(0), data[1::2].count(0)
            if max(even, odd) > 0.4 * len(data) / 2 and min(even, odd) == 0:
                text = _try(data, "utf-16-le" if odd else "utf-16-be")
        else:
            text = _try(data, "utf-8")
            if text is None:
                text = _try(data, "cp1252") or data.decode("latin-1")
    if text is None or not _is_text(text):
        raise GradvizError(f"{source}: not a text file (binary data or an unknown encoding); "
                           "an answer sheet is CSV, JSON, Markdown or plain text")
    return text


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _is_text(text: str) -> bool:
    if "\x00" in text:
        return False
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f\v")
    return controls <= max(8, len(text) // 100)


def load_sheet(path: str | Path, is_name: NameTest | None = None) -> list[Entry]:
    """Read a sheet file (``-`` is standard input), within the answer-sheet size limit."""
    limit = LIMITS["max_sheet_bytes"]
    source = str(path)
    try:
        if source == "-":
            data = sys.stdin.buffer.read(limit.value + 1)
        else:
            with open(path, "rb") as f:
                data = f.read(limit.value + 1)
    except OSError as e:
        raise GradvizError(f"cannot read {source}: {e.strerror or e}") from None
    if len(data) > limit.value:
        raise GradvizError(f"{source} is over the limit of {limit.value} bytes for an answer "
                           f"sheet (raise it with {limit.env})")
    return read_sheet(decode(data, source), source, is_name)


def read_sheet(text: str, source: str = "answers", is_name: NameTest | None = None
               ) -> list[Entry]:
    """The answers of a sheet, in order (see the module docstring for the layouts).

    ``is_name`` tells a quantity name from other text (the checker passes its graph's);
    without it, any cell that is not a number may be a name.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not _is_text(text):
        raise GradvizError(f"{source}: not text (control characters or NUL bytes)")
    lines = [(i + 1, ln) for i, ln in enumerate(text.split("\n"))]
    content = [(i, ln) for i, ln in lines if ln.strip() and not ln.lstrip().startswith(_COMMENT)]
    if not content:
        raise GradvizError(f"{source}: no answers (the file is empty)")
    try:
        entries = _read(text, content, source, is_name)
    except GradvizError as e:
        raise e.at(source) from None
    if not entries:
        raise GradvizError(f"{source}: not an answer sheet (no answers found)")
    _refuse_absurd(entries, source)
    return entries


def _refuse_absurd(entries: list[Entry], source: str) -> None:
    """Stop at a cell no answer sheet has (hundreds of digits, brackets nested dozens deep)."""
    seen: set[str] = set()
    for e in entries:
        if e.text in seen:
            continue
        seen.add(e.text)
        try:
            read_value(e.text)
        except Unusable:
            pass
        except GradvizError as err:
            raise GradvizError(err.message, line=e.line, source=source) from None


def _read(text: str, content: list[tuple[int, str]], source: str,
          is_name: NameTest | None) -> list[Entry]:
    first = text.lstrip()[:1]
    if first == "{" or (first == "[" and _json_like(text)):
        return _json(text, source)
    gfm = any(_GFM_SEPARATOR.fullmatch(ln) for _, ln in content)
    pipes = [(i, ln) for i, ln in content if is_pipe_row(ln) or (gfm and "|" in ln)]
    if pipes:
        table = {i for i, _ in pipes}
        rest = [(i, _pair(_BULLET.sub("", ln).strip(), is_name)) for i, ln in content
                if i not in table and is_name is not None]
        return pair_rows(pipe_rows(pipes), is_name) + \
            [Entry(p[0], p[1], i) for i, p in rest if p is not None and is_name
             and is_name(p[0])]
    stripped = [(i, _line(ln)) for i, ln in content]
    pairs = [(i, _pairs(ln, is_name)) for i, ln in stripped]
    named = [(i, p) for i, ps in pairs if ps for p in ps]
    lines_named = sum(1 for _, ps in pairs if ps)
    delim = _delimiter(stripped)
    if delim and lines_named < 0.6 * len(stripped):
        return pair_rows(delimited_rows(stripped, delim, source), is_name)
    if named and lines_named >= 0.6 * len(stripped):
        return [Entry(p[0], p[1], i) for i, p in named]
    values = [(i, ln) for i, ln in stripped if _is_value(ln)]
    if len(values) == len(stripped):
        return [Entry(None, ln, i) for i, ln in values]
    alternating = _alternating(stripped, is_name)
    if alternating:
        return alternating
    raise GradvizError("not an answer sheet: expected a table (Markdown, CSV) of quantity "
                       "names and values, JSON, or `name: value` lines")


def _alternating(lines: list[tuple[int, str]], is_name: NameTest | None) -> list[Entry]:
    """A name on one line, its value on the next (a one-column table)."""
    if len(lines) < 2 or len(lines) % 2:
        return []
    out = []
    for (i, name), (_, value) in zip(lines[0::2], lines[1::2]):
        if _is_value(name) or not _is_value(value) or (is_name and not is_name(name)):
            return []
        out.append(Entry(name, value, i + 1))
    return out


def _is_value(text: str) -> bool:
    try:
        read_value(text)
        return True
    except Unusable:
        return False


def _line(line: str) -> str:
    """A line without its list bullet, and without LaTeX alignment (``&=``, a final ``\\``)."""
    line = _BULLET.sub("", line).strip()
    if "matrix" not in line:
        line = re.sub(r"\\\\\s*$", "", line)
        line = re.sub(r"&\s*(?=[=≈])", "", line).strip()
    return line


def _pairs(line: str, is_name: NameTest | None) -> list[tuple[str, str]]:
    """The answers of one line: ``Ŷ = 0.3775, L = 0.9741`` holds two."""
    pieces: list[str] = []
    for piece in (p for part in split_outside_brackets(line, ";")
                  for p in split_outside_brackets(part, ",")):
        if pieces and not _SEPARATORS.search(piece):
            pieces[-1] += "," + piece  # a vector `a, b` or words, not another answer
        else:
            pieces.append(piece)
    found = [_pair(p.strip(), is_name) for p in pieces] if len(pieces) > 1 else []
    if len(pieces) > 1 and all(f is not None for f in found):
        return [f for f in found if f is not None]
    one = _pair(line, is_name)
    return [one] if one is not None else []


def _pair(line: str, is_name: NameTest | None) -> tuple[str, str] | None:
    """``(name, value text)`` of a ``name: value``, ``name = value`` or ``name value`` line;
    with work shown (``L = −ln(Ŷ) = 0.9741``) the value is the last part, the name the
    first part that names a quantity."""
    parts = _SEPARATORS.split(line)
    if len(parts) > 1 and "," not in parts[0] and "\t" not in parts[0]:
        first = parts[1] if _is_value(parts[1]) else (leading_value(parts[1]) or (None, None))[1]
        value = first or (parts[-1] if _is_value(parts[-1]) else parts[1])
        heads = [p for p in parts[:-1] if p and not _is_value(p)]
        named = [p for p in heads if is_name is not None and is_name(p)]
        if heads:
            return (named or heads)[0].strip(), value.strip()
    tokens = line.split()
    for k in range(1, min(len(tokens), MAX_NAME_WORDS + 1)):
        head, tail = " ".join(tokens[:k]), " ".join(tokens[k:])
        if _is_value(tail) and not _is_value(head) and \
                (is_name is None or is_name(head)):
            return head, tail
    return None


def _delimiter(lines: list[tuple[int, str]]) -> str | None:
    """The field separator most lines share (tab, comma or semicolon), if any."""
    for delim in ("\t", ";", ","):
        having = sum(1 for _, ln in lines if len(split_outside_brackets(ln, delim)) > 1)
        if having and having >= 0.6 * len(lines):
            return delim
    return None


def _json_like(text: str) -> bool:
    try:
        _json(text, "")
        return True
    except GradvizError:
        return False


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


class _Num(str):
    """A JSON number, kept as written (its digits are the student's precision)."""


def _json(text: str, source: str) -> list[Entry]:
    depth = _json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise GradvizError(f"JSON nested {depth} deep is not an answer sheet")
    try:
        data = json.loads(text, parse_float=_Num, parse_int=_Num, parse_constant=_Num)
    except json.JSONDecodeError as e:
        raise GradvizError(f"not valid JSON: {e.msg}", e.lineno, e.colno) from None
    except RecursionError:
        raise GradvizError("JSON nested too deep") from None
    if isinstance(data, dict):
        for key in ("answers", "cells", "values"):
            if isinstance(data.get(key), dict | list) and len(data) <= 4:
                data = data[key]
                break
    if isinstance(data, dict):
        return [Entry(str(k), _json_text(v), 1) for k, v in data.items()]
    if isinstance(data, list) and all(isinstance(x, dict) for x in data):
        return [e for e in (_json_record(x) for x in data) if e is not None]
    if isinstance(data, list) and all(isinstance(x, list) and len(x) == 2 and
                                      isinstance(x[0], str) and not isinstance(x[0], _Num)
                                      for x in data):
        return [Entry(x[0], _json_text(x[1]), 1) for x in data]
    if isinstance(data, list):
        return [Entry(None, _json_text(x), 1) for x in data]
    raise GradvizError("JSON without answers: expected {\"name\": value, ...}")


def _json_record(x: dict) -> Entry | None:
    name = next((x[k] for k in ("quantity", "written", "name", "cell", "key") if
                 isinstance(x.get(k), str)), None)
    if isinstance(x.get("written"), str) and x["written"]:
        name = x["written"]
    value = next((x[k] for k in ("text", "value", "answer", "given") if k in x), None)
    return None if name is None else Entry(name, _json_text(value), 1)


def _json_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(_json_text(x) for x in v) + "]"
    return json.dumps(v) if isinstance(v, bool | dict) else str(v)


def _json_depth(text: str) -> int:
    """The deepest bracket nesting of a JSON text, strings skipped (linear, no recursion)."""
    depth = deepest = 0
    for ch in _BRACKETS.findall(_STRINGS.sub("", text)):
        depth += 1 if ch in "[{" else -1
        deepest = max(deepest, depth)
    return deepest
