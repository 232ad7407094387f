"""Numbers as students write them in an answer cell, with the precision they wrote.

A cell holds a scalar, a vector or a matrix: ``-0.6225``, ``−0.6225`` (Unicode minus),
``6.9e-2``, ``6.9 × 10⁻²``, ``$6.9 \\times 10^{-2}$``, ``0.6224…``, ``-4/3``,
``\\frac{-4}{3}``, ``[a, b]``, ``(a, b)``, ``a, b``, ``a b``, ``[[a, b], [c, d]]``,
``\\begin{bmatrix} a & b \\\\ c & d \\end{bmatrix}``. :func:`read_value` returns the
numbers (each a :class:`~gradviz.teaching.precision.Number` that knows its digits) and the
array; a cell with no usable number raises :class:`Unusable` (the cell is *missing*), and
an absurd one (a number of hundreds of digits, brackets nested dozens deep, a cell of
tens of kilobytes) raises :class:`~gradviz.GradvizError`: such a file is not an answer sheet.

Examples
--------
>>> v = read_value("[−0.138, 1.38]")
>>> v.array, [n.digits for n in v.numbers]
(array([-0.138,  1.38 ]), [3, 3])
>>> read_value(r"$\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}$").array.shape
(2, 2)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from gradviz.core.errors import GradvizError
from gradviz.teaching.precision import Number, number

__all__ = ["Value", "Unusable", "read_value", "leading_value", "BLANKS", "MAX_CELL",
           "MAX_DEPTH", "MAX_TOKEN"]

MAX_CELL = 20_000  # characters in one cell
MAX_DEPTH = 16  # nested brackets in one cell
MAX_TOKEN = 60  # characters in one number
BLANKS = {"", "-", "--", "---", "—", "–", "?", "??", "n/a", "na", "none", "null", "nan",
          "todo", "tbd", "skip", "skipped", "blank", "x", "..."}


@dataclass(frozen=True)
class Value:
    """A cell's numbers (row-major) and their array."""

    numbers: tuple[Number, ...]
    array: np.ndarray


class Unusable(ValueError):
    """The cell has no usable number; ``blank`` tells an empty cell from other text."""

    def __init__(self, reason: str, blank: bool = False) -> None:
        super().__init__(reason)
        self.blank = blank


_MINUS = dict.fromkeys(map(ord, "\u2212\u2012\u2013\u2014\u2010\u2011\ufe63\uff0d"), "-")
_SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_REWRITES = [
    (re.compile(r"\\[dt]?frac\s*\{\s*([^{}]*)\}\s*\{\s*([^{}]*)\}"), r"\1/\2"),
    (re.compile(r"\\begin\{[bpvBV]?matrix\}"), "[["),
    (re.compile(r"\\end\{[bpvBV]?matrix\}"), "]]"),
    (re.compile(r"\\\\"), "],["),
    (re.compile(r"\s*(?:\\times|\\cdot|×|·|\*|x)\s*10\s*\^\s*\{?\s*([+-]?\d+)\s*\}?"), r"e\1"),
    (re.compile(r"\\[lc]?dots\b"), "…"),
    (re.compile(r"\\(?:left|right|approx|quad|qquad|mathrm|text)\b|\\[,;:! ]|[$`~≈\"']|\*\*"),
     " "),
    (re.compile(r"\\[(\[]"), " "),
    (re.compile(r"\\[)\]]"), " "),
]
_SCAN = re.compile(r"\s*(?:(?P<num>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
                   r"(?:\s*/\s*[+-]?\d+(?!\.))?)(?P<dots>\s*(?:…|\.\.\.))?|(?P<open>[\[({])"
                   r"|(?P<close>[\])}])|(?P<sep>[,;&]))")


def _normalize(text: str) -> str:
    text = text.translate(_MINUS)
    if re.search(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]", text):
        text = re.sub(r"10([⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)", lambda m: "10^" + m.group(1).translate(_SUPER),
                      text)
    for pattern, repl in _REWRITES:
        text = pattern.sub(repl, text)
    return text.strip()


def read_value(text: str) -> Value:
    """The numbers in one cell (see the module docstring for what is read).

    Examples
    --------
    >>> [n.text for n in read_value("0.6224… , -4/3, 6.9 × 10⁻²").numbers]
    ['0.6224', '-4/3', '6.9e-2']
    >>> read_value("see above")
    Traceback (most recent call last):
    ...
    gradviz.teaching.numbers.Unusable: not a number: 'see above'
    """
    if len(text) > MAX_CELL:
        raise GradvizError(f"a cell of {len(text)} characters is not an answer (at most "
                           f"{MAX_CELL})")
    raw = text.strip()
    if raw.strip("*_`$ ").lower() in BLANKS:
        raise Unusable("blank", blank=True)
    tree = _parse(_normalize(raw), raw)
    flat: list[Number] = []
    array = _array(tree, flat, raw)
    return Value(tuple(flat), array)


def leading_value(text: str, tries: int = 12) -> tuple[Value, str] | None:
    """The number a cell starts with when words follow it (``-1.452 (chain rule)``):
    the value and the text it was read from, or ``None``.

    Examples
    --------
    >>> v, used = leading_value("0.6225 (see page 2)")
    >>> float(v.array), used
    (0.6225, '0.6225')
    """
    cuts = [m.start() for m in re.finditer(
        r"\s+(?=\\?[(\[]?[^\W\d_]\w|--|—|–)|,\s+(?=[^\W\d_])", text)][:tries]
    for cut in cuts:
        head = text[:cut].strip()
        try:
            return read_value(head), head
        except Unusable:
            continue
    return None


def _parse(s: str, raw: str) -> list:
    """Nested lists of Numbers; a top level of several numbers is a vector."""
    stack: list[list] = [[]]
    pos = 0
    while pos < len(s):
        m = _SCAN.match(s, pos)
        if not m or m.end() == pos:
            if s[pos:].strip() == "":
                break
            raise Unusable(f"not a number: {_show(raw)}")
        pos = m.end()
        if m.group("num"):
            tok = re.sub(r"\s+", "", m.group("num"))
            if len(tok) > MAX_TOKEN:
                raise GradvizError(f"a number of {len(tok)} characters is not an answer")
            stack[-1].append(_number(tok, bool(m.group("dots"))))
        elif m.group("open"):
            if len(stack) > MAX_DEPTH:
                raise GradvizError(f"a cell nested more than {MAX_DEPTH} brackets deep is "
                                   "not an answer")
            stack.append([])
        elif m.group("close"):
            if len(stack) == 1:
                raise Unusable(f"unbalanced brackets: {_show(raw)}")
            inner = stack.pop()
            stack[-1].append(inner)
    if len(stack) != 1:
        raise Unusable(f"unbalanced brackets: {_show(raw)}")
    top = stack[0]
    if len(top) == 1 and isinstance(top[0], list):
        top = top[0]
    if not top or all(isinstance(x, list) and not x for x in top):
        raise Unusable("no number", blank=True)
    return top


def _number(tok: str, dots: bool) -> Number:
    try:
        n = number(tok, truncated=dots)
    except (ValueError, ZeroDivisionError, OverflowError):
        raise Unusable(f"not a number: {tok!r}") from None
    if not np.isfinite(n.value):
        raise Unusable(f"not a finite number: {tok!r}")
    return n


def _array(tree: list, flat: list[Number], raw: str) -> np.ndarray:
    """The array of a parsed cell (scalar, vector or matrix), filling ``flat``."""
    if len(tree) == 1 and isinstance(tree[0], Number):
        flat.append(tree[0])
        return np.array(tree[0].value)
    if all(isinstance(x, Number) for x in tree):
        flat.extend(tree)
        return np.array([n.value for n in tree])
    rows = [r for r in tree if not (isinstance(r, list) and not r)]
    if all(isinstance(r, list) and r and all(isinstance(x, Number) for x in r) for r in rows):
        if len({len(r) for r in rows}) != 1:
            raise Unusable(f"rows of different lengths: {_show(raw)}")
        for r in rows:
            flat.extend(r)
        return np.array([[n.value for n in r] for r in rows])
    raise Unusable(f"not a scalar, vector or matrix: {_show(raw)}")


def _show(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit - 1] + "…")
