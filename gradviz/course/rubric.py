"""The grading rubric: points per asked quantity and the error-carried-forward policy.

A rubric is a small TOML file (every key optional)::

    ecf = "half"          # credit for a cell whose only fault is an earlier mistake:
                          # "full" (the default), "half" or "none"
    default = 1           # points of an asked quantity the table below does not name
    [points]
    "∇W1" = 2             # a quantity as the problem asks it, or as a student writes it
    L = 0.5

A cell that is right (or right up to rounding as one goes) earns its points; a cell the
checker marks wrong with cause ``inherited`` earns the ECF share; every other cell none.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gradviz.core.errors import GradvizError
from gradviz.core.escape import terminal
from gradviz.core.limits import LIMITS
from gradviz.teaching.report import Cell

__all__ = ["Rubric", "ECF", "parse_rubric", "load_rubric", "credit"]

ECF = {"full": 1.0, "half": 0.5, "none": 0.0}
RIGHT = ("correct", "rounding")
MAX_POINTS = 1e6  # points of one quantity


@dataclass(frozen=True)
class Rubric:
    """Points per quantity (``points``, keys as written in the rubric), ``default`` for
    the others, and the ECF policy.

    Examples
    --------
    >>> r = parse_rubric('ecf = "half"\\n[points]\\n"∇W1" = 2\\n')
    >>> r.ecf, r.default, r.points
    ('half', 1.0, {'∇W1': 2.0})
    """

    ecf: str = "full"
    default: float = 1.0
    points: dict[str, float] = field(default_factory=dict)

    def resolve(self, asked: list[str], match: Any) -> dict[str, float]:
        """Points of each asked quantity; ``match(key)`` maps a rubric key to a quantity.

        Examples
        --------
        >>> Rubric(points={"L": 3.0}).resolve(["L", "∇x"], lambda k: k)
        {'L': 3.0, '∇x': 1.0}
        """
        out = dict.fromkeys(asked, self.default)
        for key, pts in self.points.items():
            q = key if key in out else match(key)
            if q not in out:
                raise GradvizError(f"rubric: {terminal(key)!r} is not a quantity the problem "
                                   f"asks for (it asks {', '.join(asked)})")
            out[q] = pts
        return out


def credit(cell: Cell, rubric: Rubric) -> float:
    """The share of a cell's points it earns (0 to 1).

    Examples
    --------
    >>> c = Cell("∇x", "1", "∇x", "wrong", cause="inherited")
    >>> credit(c, Rubric(ecf="half")), credit(c, Rubric(ecf="none"))
    (0.5, 0.0)
    """
    if cell.status in RIGHT:
        return 1.0
    if cell.status == "wrong" and cell.cause == "inherited":
        return ECF[rubric.ecf]
    return 0.0


def _number(value: Any, what: str, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value) or not 0 <= value <= MAX_POINTS:
        raise GradvizError(f"rubric: {what} must be a number of points from 0 to "
                           f"{MAX_POINTS:g}, not {terminal(repr(value))}", source=source)
    return float(value)


def parse_rubric(text: str, source: str = "rubric.toml") -> Rubric:
    """Read rubric TOML, with a one-line error for anything it does not know."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise GradvizError(f"rubric: not TOML: {terminal(str(e))}", source=source) from None
    unknown = sorted(set(data) - {"ecf", "default", "points"})
    if unknown:
        raise GradvizError(f"rubric: unknown key {terminal(unknown[0])!r} (a rubric has ecf, "
                           "default and [points])", source=source)
    ecf = data.get("ecf", "full")
    if ecf not in ECF:
        raise GradvizError(f"rubric: ecf is \"full\", \"half\" or \"none\", not "
                           f"{terminal(repr(ecf))}", source=source)
    default = _number(data.get("default", 1), "default", source)
    table = data.get("points", {})
    if not isinstance(table, dict):
        raise GradvizError("rubric: points is a table ([points], then `name = points` lines)",
                           source=source)
    points = {str(k): _number(v, f"points of {terminal(str(k))!r}", source)
              for k, v in table.items()}
    return Rubric(ecf, default, points)


def load_rubric(path: str | Path) -> Rubric:
    """Read a rubric file (within the answer-sheet size limit)."""
    p = Path(path)
    try:
        LIMITS["max_sheet_bytes"].check(p.stat().st_size, "the rubric")
        text = p.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise GradvizError(f"cannot read the rubric: {e.strerror}", source=str(p)) from None
    except UnicodeDecodeError:
        raise GradvizError("the rubric is not UTF-8 text", source=str(p)) from None
    return parse_rubric(text, str(p))
