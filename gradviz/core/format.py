"""The one number formatter: every number gradviz prints goes through here."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

__all__ = ["fmt", "fmt_value", "fmt_operand", "fmt_compact", "canonical", "DEFAULT_DIGITS",
           "MINUS", "decimals_for", "fmt_cells", "fixed", "MAX_ITEMS"]

DEFAULT_DIGITS = 4
MINUS = "\u2212"  # the minus sign, for text people read (graph files keep the hyphen)
MAX_ITEMS = 8  # a vector longer than this is elided, a matrix wider than 6 summarised


def fmt(x: float, digits: int | None = DEFAULT_DIGITS, *, decimals: int | None = None,
        minus: str = "-", zeros: bool = False) -> str:
    """Format one number: ``digits`` significant digits, no trailing zeros.

    Stable on every platform: ``-0.0`` prints as ``0``, ``0.1 + 0.2`` as ``0.3``,
    integers without a decimal point, non-finite values as ``inf``, ``-inf``, ``nan``.
    ``digits=None`` gives the shortest text that reads back as the same float64 (what
    graph files are written with).

    For people rather than machines: ``decimals`` fixes the places after the point (one
    precision for a whole figure or table), ``zeros=True`` keeps trailing zeros that carry
    precision (``0.6900`` to 4 significant figures), and ``minus="−"`` writes the minus
    sign U+2212 instead of a hyphen.

    Examples
    --------
    >>> fmt(0.6899744811)
    '0.69'
    >>> fmt(0.1 + 0.2), fmt(-0.0), fmt(170.0), fmt(1.5e-7), fmt(float("-inf"))
    ('0.3', '0', '170', '1.5e-07', '-inf')
    >>> fmt(0.62246, digits=3), fmt(1 / 3, None), fmt(0.71, None), fmt(3.0, None)
    ('0.622', '0.3333333333333333', '0.71', '3')
    >>> fmt(0.6899744811, zeros=True), fmt(-1.5, decimals=2, minus=MINUS), fmt(2.0, zeros=True)
    ('0.6900', '−1.50', '2.000')
    """
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return ("inf" if x > 0 else minus + "inf")
    if digits is None and decimals is None:
        text = repr(x + 0.0)
        text = text[:-2] if text.endswith(".0") else text
    elif decimals is not None:
        text = f"{x:.{decimals}f}"
    else:
        text = _significant(x, digits or DEFAULT_DIGITS, zeros)
    if float(text) == 0.0:
        text = text.lstrip("-")
    return minus + text[1:] if text.startswith("-") else text


def _significant(x: float, digits: int, zeros: bool) -> str:
    """``digits`` significant digits; trailing zeros kept only with ``zeros``."""
    text = f"{x:.{digits}g}" if not zeros else f"{x:#.{digits}g}"
    if "e" in text:
        mant, exp = text.split("e")
        text = f"{mant.rstrip('.')}e{exp[0]}{exp[1:].rjust(2, '0')}"
    elif zeros:
        text = text.rstrip(".")
    if not zeros and float(text) == 0.0:
        return "0"
    return text


def fmt_value(v: Any, digits: int | None = DEFAULT_DIGITS, **style: Any) -> str:
    """Format a scalar, vector or matrix compactly: ``0.5``, ``[1, -1]``, ``[[1, 2], [3, 4]]``.

    Examples
    --------
    >>> fmt_value(np.array([1.0, -0.5]))
    '[1, -0.5]'
    >>> fmt_value(np.array([[1, 2], [3, 4.25]]))
    '[[1, 2], [3, 4.25]]'
    """
    a = np.asarray(v, dtype=np.float64)
    if a.ndim == 0:
        return fmt(float(a), digits, **style)
    return "[" + ", ".join(fmt_value(row, digits, **style) for row in a) + "]"


def fmt_operand(v: Any, digits: int | None = DEFAULT_DIGITS, **style: Any) -> str:
    """:func:`fmt_value`, in brackets when negative: for products written out, ``0.6 · (-1)``.

    Examples
    --------
    >>> fmt_operand(-1.0), fmt_operand(2.5)
    ('(-1)', '2.5')
    """
    text = fmt_value(v, digits, **style)
    return f"({text})" if text[:1] in ("-", MINUS) else text


def fmt_compact(v: Any, digits: int = DEFAULT_DIGITS, max_items: int = 8, **style: Any) -> str:
    """Format for a figure label: short vectors in full, long ones elided with their
    length, small matrices one row per line, big ones by their shape.

    Examples
    --------
    >>> fmt_compact(np.arange(20.0))
    '[0, 1, 2, …, 19] (20)'
    >>> print(fmt_compact(np.eye(2)))
    [1, 0]
    [0, 1]
    >>> fmt_compact(np.zeros((10, 64)))
    '10×64 matrix'
    """
    a = np.asarray(v, dtype=np.float64)
    if a.ndim == 0 or (a.ndim == 1 and a.size <= max_items):
        return fmt_value(a, digits, **style)
    if a.ndim == 1:
        head = ", ".join(fmt(x, digits, **style) for x in a[:3])
        return f"[{head}, …, {fmt(a[-1], digits, **style)}] ({a.size})"
    if a.shape[0] <= max_items and a.shape[1] <= 6:
        return "\n".join(fmt_value(row, digits, **style) for row in a)
    return f"{a.shape[0]}×{a.shape[1]} matrix"


def decimals_for(values: Any, digits: int = DEFAULT_DIGITS, most: int = 6) -> int:
    """One number of decimals for every number of a figure, chosen from the numbers.

    Enough places to give the typical (median nonzero) magnitude ``digits`` significant
    digits, at most ``most``; fewer when every number is exact with fewer (integers get
    none). Small numbers then show fewer significant digits, as in a printed table.

    Examples
    --------
    >>> decimals_for([2, -1, 1.5, 0.3775, -1.452, 0.6225, 2.49])
    3
    >>> decimals_for([2, 3, -1, 6, 170]), decimals_for([0.5, -1.5, 2]), decimals_for([])
    (0, 1, 0)
    >>> decimals_for([0.0031, 0.0042], digits=2)
    4
    """
    a = np.abs(np.asarray(values, dtype=np.float64)).ravel()
    a = a[np.isfinite(a) & (a > 0)]
    if a.size == 0:
        return 0
    typical = float(np.median(a))
    need = min(most, max(0, digits - 1 - math.floor(math.log10(typical))))
    for d in range(need):
        if np.all(np.abs(np.round(a, d) - a) <= 1e-9 * np.maximum(a, 1.0)):
            return d
    return need


def fmt_cells(v: Any, decimals: int, max_items: int = MAX_ITEMS
              ) -> tuple[tuple[tuple[str, ...], ...], str]:
    """The cells of a value for a figure, and a summary of what they leave out.

    Fixed ``decimals`` and the minus sign U+2212, so that columns align on the point. A
    scalar is one row of one cell, a vector one row (elided in the middle past
    ``max_items``, the summary giving its length), a small matrix one row per matrix row;
    anything bigger has no cells, only its shape as the summary.

    Examples
    --------
    >>> fmt_cells(-1.5, 2)
    ((('−1.50',),), '')
    >>> fmt_cells(np.arange(10.0), 0)
    ((('0', '1', '2', '…', '9'),), '(10)')
    >>> fmt_cells(np.eye(2), 1), fmt_cells(np.zeros((10, 64)), 1)
    (((('1.0', '0.0'), ('0.0', '1.0')), ''), ((), '10×64 matrix'))
    """
    one = fixed(decimals)
    if isinstance(v, float):
        return ((one(v),),), ""
    a = np.asarray(v, dtype=np.float64)
    if a.ndim == 0:
        return ((one(float(a)),),), ""
    if a.ndim == 1 and a.size <= max_items:
        return (tuple(one(x) for x in a.tolist()),), ""
    if a.ndim == 1:
        return (tuple(one(x) for x in a[:3].tolist()) + ("…", one(float(a[-1]))),), \
            f"({a.size})"
    if a.ndim == 2 and a.shape[0] <= max_items and a.shape[1] <= 6:
        return tuple(tuple(one(x) for x in row) for row in a.tolist()), ""
    return (), "×".join(map(str, a.shape)) + (" matrix" if a.ndim == 2 else " array")


@lru_cache(maxsize=16)
def fixed(decimals: int) -> Callable[[float], str]:
    """:func:`fmt` with fixed ``decimals`` and the minus sign, as a fast function (a
    figure formats thousands of numbers): the same text, ``-0.00`` as ``0.00`` included.

    Examples
    --------
    >>> one = fixed(2)
    >>> one(-1.5), one(-0.001), one(3.14159) == fmt(3.14159, decimals=2, minus=MINUS)
    ('−1.50', '0.00', True)
    """
    spec = f".{decimals}f"

    def one(x: float) -> str:
        text = format(x, spec)
        if text[0] != "-":
            return text
        return text[1:] if float(text) == 0.0 else MINUS + text[1:]
    return one


def canonical(v: Any) -> Any:
    """A JSON-ready form of a value: full-precision floats, nested lists, stable text.

    ``-0.0`` becomes ``0.0``; non-finite numbers become the strings ``"inf"``,
    ``"-inf"`` and ``"nan"`` (JSON has no such numbers).

    Examples
    --------
    >>> canonical(np.array([0.1 + 0.2, -0.0, np.inf]))
    [0.30000000000000004, 0.0, 'inf']
    """
    a = np.asarray(v, dtype=np.float64)
    if a.ndim:
        return [canonical(row) for row in a]
    x = float(a)
    if math.isfinite(x):
        return x + 0.0  # turns -0.0 into 0.0
    return fmt(x)
