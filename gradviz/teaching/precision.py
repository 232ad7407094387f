"""The precision policy: when a number a student wrote counts as right.

One function, :func:`judge`, with one parameter set, :class:`Policy`. The checker grades
every cell with it (against the true value, against the value recomputed from the
student's own earlier numbers, and against each mistake model), and the course tools grade
with the same function, so a student gets the same verdict everywhere.

The rubric (the README's "Checking answers" states it in the same words):

1. **Exact.** Within float noise of the value (relative ``exact``, 1e-9): right.
2. **Numbers read as exact.** A one-digit integer (``0``, ``1``, ``-1``), a decimal with a
   single significant digit (``0.7``, ``0.05``, ``3e-2``) and a fraction (``-4/3``) claim
   to be the value itself: nothing else is accepted. So ``0`` is not −0.415, ``1`` is not
   0.6225, ``-1`` is not −0.934.
3. **Integers of two or more digits** are the value rounded to units (``12`` for 12.37).
4. **Decimals with at least ``min_digits`` (2) significant digits** are right when they are
   the value rounded to the places written (verdict *correct*), or the value truncated
   there (1.068 for 1.0689), or within ``units`` (1) unit of the last written digit
   (verdict *rounding*: right, with a note).
5. **Rounding carried forward** (decimals of rule 4 only). Students round as they go: the
   checker also recomputes the cell from the student's own earlier cells, and allows on
   top of rule 4 the difference that rounding the numbers it is computed from (those
   earlier cells, each local derivative, each intermediate number not on the sheet) to
   ``max(carry_digits, d − 1)`` significant digits can make, where ``d`` is the number of
   significant digits of the answer (``allowance``; computed by
   :mod:`gradviz.teaching.carry`). Verdict *rounding*.

For exporters: :func:`window` gives the absolute half-width this policy accepts around a
value answered to a given number of significant digits (without rule 5), e.g. a
PrairieLearn ``pl-number-input`` with ``comparison="relabs" rtol="0" atol="<window>"``.

Examples
--------
>>> judge(number("0.6225"), 0.6224593), judge(number("1.068"), 1.0689)
('rounded', 'truncated')
>>> judge(number("0"), -0.415), judge(number("1"), 0.6225), judge(number("-1"), -0.934)
(None, None, None)
>>> judge(number("-0.828"), -0.82995, allowance=0.0021)
'carried'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Policy", "POLICY", "Number", "number", "judge", "judge_all", "window",
           "rounding_error", "local_digits", "RIGHT", "HOW"]

# how a number matched, from the closest to the loosest; None: it did not
HOW = ("exact", "rounded", "truncated", "unit", "carried")
RIGHT = {"exact": "correct", "rounded": "correct", "truncated": "rounding",
         "unit": "rounding", "carried": "rounding"}


@dataclass(frozen=True)
class Policy:
    """The precision policy's parameters (see the module docstring for the rubric).

    Attributes
    ----------
    min_digits : int
        Significant digits from which an answer gets the tolerances of rule 4 (2).
    units : float
        How many units of the last written digit an answer may be off (1).
    carry_digits : int
        The fewest significant digits intermediate numbers are assumed rounded to when
        rounding is carried forward (3; rule 5 uses ``max(carry_digits, d − 1)``).
    exact : float
        Relative difference that is float noise, not a difference (1e-9).
    """

    min_digits: int = 2
    units: float = 1.0
    carry_digits: int = 3
    exact: float = 1e-9


POLICY = Policy()


@dataclass(frozen=True)
class Number:
    """One number as written: its value and the precision the writing claims.

    ``digits`` counts significant digits (trailing zeros included, ``0.6900`` has 4;
    ``0`` and ``0.00`` have none); ``decimals`` the places after the point, shifted by an
    exponent (``6.9e-2`` has 3); ``kind`` is ``integer``, ``decimal`` or ``fraction``.
    """

    value: float
    text: str
    digits: int
    decimals: int
    kind: str
    truncated: bool = False  # written with a trailing … or ...

    @property
    def unit(self) -> float:
        """One unit of the last written digit."""
        return 10.0 ** (-self.decimals)


_TOKEN = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?")


def number(text: str, truncated: bool = False) -> Number:
    """Read one plain number token (``-0.6225``, ``6.9e-2``, ``170``, ``-4/3``).

    Examples
    --------
    >>> n = number("-0.06900")
    >>> n.value, n.digits, n.decimals, n.kind
    (-0.069, 4, 5, 'decimal')
    >>> number("170").digits, number("1.2e3").decimals, number("-4/3").kind
    (3, -2, 'fraction')
    """
    if "/" in text:
        a, b = (number(t) for t in text.split("/", 1))
        return Number(a.value / b.value, text, 99, 99, "fraction", truncated)
    m = _TOKEN.fullmatch(text)
    if not m or not (m.group(2) or m.group(3)):
        raise ValueError(f"not a number: {text!r}")
    whole, frac, exp = m.group(2), m.group(3), m.group(4)
    mantissa = (whole + (frac or "")).lstrip("0")
    places = len(frac or "") - int(exp or 0)
    kind = "integer" if frac is None and exp is None else "decimal"
    return Number(float(text), text, len(mantissa), places, kind, truncated)


def _close(x: float, e: float, policy: Policy) -> bool:
    return abs(x - e) <= policy.exact * max(abs(e), abs(x)) + 1e-12


def judge(n: Number, expected: float, allowance: float = 0.0,
          policy: Policy = POLICY) -> str | None:
    """How ``n`` matches ``expected`` under the policy: one of :data:`HOW`, or ``None``.

    ``allowance`` is the extra difference rounding carried forward explains (rule 5);
    ``exact``/``rounded`` mean *correct*, the others *rounding* (:data:`RIGHT`).

    Examples
    --------
    >>> judge(number("12"), 12.37), judge(number("0.61"), 0.6225), judge(number("-1.4"), -1.452)
    ('rounded', None, 'truncated')
    >>> judge(number("-1.5"), -1.43), judge(number("0.9744"), 0.97408, allowance=0.0003)
    ('unit', 'carried')
    >>> judge(number("0.50"), 0.5), judge(number("0.7"), 0.69), judge(number("-4/3"), -4 / 3)
    ('exact', None, 'exact')
    """
    x, e = n.value, float(expected)
    if not math.isfinite(e):
        return None
    if _close(x, e, policy):
        return "exact"
    if n.kind == "fraction" or n.digits < policy.min_digits:
        return None
    slack = 1e-9 * max(abs(e), n.unit)
    diff = abs(x - e)
    if diff <= 0.5 * n.unit + slack:
        return "rounded"
    if n.kind == "integer":
        return None
    if abs(x) <= abs(e) and diff < n.unit + slack and (x == 0 or (x > 0) == (e > 0)):
        return "truncated"
    if diff <= policy.units * n.unit + slack:
        return "unit"
    if allowance > 0 and diff <= policy.units * n.unit + allowance + slack:
        return "carried"
    return None


def judge_all(numbers: list[Number], expected: Any, allowance: Any = 0.0,
              policy: Policy = POLICY) -> str | None:
    """:func:`judge` element by element: the loosest match, or ``None`` if one fails.

    Examples
    --------
    >>> judge_all([number("-0.138"), number("1.38")], np.array([-0.1379949, 1.3799490]))
    'rounded'
    """
    e = np.asarray(expected, dtype=float).ravel()
    if len(numbers) != e.size:
        return None
    a = np.broadcast_to(np.asarray(allowance, dtype=float), np.shape(expected)).ravel()
    worst = 0
    for n, x, al in zip(numbers, e, a):
        how = judge(n, float(x), float(al), policy)
        if how is None:
            return None
        worst = max(worst, HOW.index(how))
    return HOW[worst]


def local_digits(numbers: list[Number], policy: Policy = POLICY) -> int:
    """Significant digits intermediate numbers are assumed rounded to (rule 5), from the
    answer's own digits: ``max(carry_digits, d − 1)``.

    Examples
    --------
    >>> local_digits([number("-1.451")]), local_digits([number("0.62")]), \
local_digits([number("0.622459")])
    (3, 3, 5)
    """
    d = min((n.digits for n in numbers if n.kind != "fraction"), default=policy.carry_digits)
    return max(policy.carry_digits, d - 1)


def _round_sig(x: np.ndarray, k: int) -> np.ndarray:
    with np.errstate(all="ignore"):
        mag = np.floor(np.log10(np.where(x == 0, 1.0, np.abs(x))))
        scale = 10.0 ** (k - 1 - mag)
        rounded = np.round(x * scale) / scale
    return np.where((x == 0) | ~np.isfinite(rounded), x, rounded)


def rounding_error(x: np.ndarray | float, k: int) -> np.ndarray:
    """What rounding ``x`` to ``k`` (or ``k + 1``) significant digits changes, elementwise.

    Examples
    --------
    >>> round(float(rounding_error(-4 / 3, 3)), 9), float(rounding_error(0.5, 3))
    (0.003333333, 0.0)
    >>> float(rounding_error(1e-320, 3))  # no overflow on the way
    0.0
    """
    a = np.asarray(x, dtype=float)
    a = np.where(np.isfinite(a), a, 0.0)
    return np.maximum(np.abs(_round_sig(a, k) - a), np.abs(_round_sig(a, k + 1) - a))


def window(expected: float, digits: int, policy: Policy = POLICY) -> float:
    """The absolute half-width the policy accepts around ``expected`` for an answer given
    to ``digits`` significant digits (rules 1-4; what an exporter writes as ``atol``).

    Examples
    --------
    >>> window(0.6224593, 4), window(-1.4524, 3), window(0.6224593, 1) < 1e-9
    (0.0001, 0.01, True)
    """
    e = abs(float(expected))
    if digits < policy.min_digits:
        return policy.exact * e
    mag = math.floor(math.log10(e)) if e > 0 else 0
    return round(policy.units * 10.0 ** (mag - digits + 1), 15)
