"""Answer sheets for grading tests: each student's key values, with planted mistakes, in
several layouts (CSV, Markdown table, `name = value` lines, JSON)."""

from __future__ import annotations

import json

import numpy as np

from gradviz.core.evaluate import Trace
from gradviz.core.format import fmt
from gradviz.teaching.carry import Carry
from gradviz.views.answers import asked, quantity_label

LAYOUTS = ("csv", "md", "txt", "json")
PLANS = ("right", "sign", "propagated", "blank", "rounded")
FLIPPED = "∇H4"


def values(trace: Trace, plan: str) -> list[tuple[str, str]]:
    """The sheet's (quantity, text) rows for a plan of mistakes."""
    wanted = asked(trace)
    digits = 3 if plan == "rounded" else 4
    rows = {q: float(np.asarray(v)) for q, v in wanted}
    if plan in ("sign", "propagated"):
        rows[FLIPPED] = -rows[FLIPPED]
    if plan == "propagated":
        carry = Carry(trace, {}, {FLIPPED[1:]: rows[FLIPPED]})
        after = [q for q, _ in wanted][[q for q, _ in wanted].index(FLIPPED) + 1:]
        for q in after:
            rows[q] = float(carry.grad(q[1:]))
    out = [(q, fmt(v, digits)) for q, v in rows.items()]
    if plan == "blank":
        out = [(q, "" if q == "∇W1" else v) for q, v in out]
    return out


def sheet(rows: list[tuple[str, str]], layout: str) -> str:
    """A sheet's text in one layout (names as the problem asks them, or typeset)."""
    if layout == "csv":
        return "quantity,value\n" + "".join(f"{q},{v}\n" for q, v in rows)
    if layout == "md":
        return "| quantity | value |\n| --- | --- |\n" + "".join(
            f"| {quantity_label(q)} | {v} |\n" for q, v in rows)
    if layout == "txt":
        return "Name: A. Student\n\n" + "".join(f"{quantity_label(q)} = {v}\n" for q, v in rows)
    return json.dumps(dict(rows), ensure_ascii=False, indent=1)
