"""The solution as JSON: the same steps as data, each equation as its formula, its
substitution and its value (plain Unicode and LaTeX), the numbers at full precision."""

from __future__ import annotations

import json as _json
from typing import Any

from gradviz.core.formula import Expr
from gradviz.core.typeset import to_plain, to_tex
from gradviz.views.solve.layout import dedupe
from gradviz.views.solve.lines import Eq, Line
from gradviz.views.solve.model import Solution

__all__ = ["to_json"]



def _plain(s: Solution, e: Expr, numbers: bool = False) -> str:
    return to_plain(e, name=s.sym.plain, number=s.num.text, explicit=numbers)


def _tex(s: Solution, e: Expr, numbers: bool = False) -> str:
    return to_tex(e, name=s.sym.tex, number=s.num.text, explicit=numbers)


def _text(s: Solution, t: tuple) -> str:
    return "".join(x if isinstance(x, str) else _plain(s, x) for x in t)


def _eq(s: Solution, eq: Eq) -> dict[str, Any]:
    """``{"lhs", "formula", "substituted", "value", "steps": [...]}``."""
    steps = [{"rel": r.rel, "text": _plain(s, r.expr, r.numbers),
              "tex": _tex(s, r.expr, r.numbers), "numbers": r.numbers}
             for r in dedupe(s.sym, s.num, eq)]
    symbolic = [x for x in steps if not x["numbers"]]
    numeric = [x for x in steps if x["numbers"]]
    out: dict[str, Any] = {
        "lhs": None if eq.lhs is None else _plain(s, eq.lhs),
        "formula": symbolic[-1]["text"] if symbolic else None,
        "substituted": numeric[0]["text"] if len(numeric) > 1 else None,
        "value": numeric[-1]["text"] if numeric else None, "steps": steps}
    if eq.note:
        out["note"] = _text(s, eq.note)
    return out


def _clean(s: Solution, data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _clean(s, v) for k, v in data.items()}
    if isinstance(data, list):
        return [_clean(s, v) for v in data]
    if isinstance(data, str | int | float | bool) or data is None:
        return data
    return _plain(s, data)  # a formula


def _line(s: Solution, line: Line) -> dict[str, Any]:
    out = _clean(s, dict(line.data))
    out["equations"] = [_eq(s, eq) for eq in line.eqs]
    notes = [n for n in line.notes]
    out["notes"] = [_eq(s, n) if isinstance(n, Eq) else _text(s, n) for n in notes]
    if line.intro:
        out["text"] = _text(s, line.intro)
    return out


def to_json(s: Solution) -> str:
    """The solution as JSON text."""
    g = s.trace.graph
    data = {
        "graph": g.name, "title": g.title, "source": g.source, "loss": g.loss,
        "digits": s.num.digits,
        "given": {title: [_text(s, x) for x in xs] for title, xs in s.given},
        "notation": [_text(s, t) for t in s.notation],
        "forward": [_line(s, x) for x in s.forward],
        "backward": [_line(s, x) for x in s.backward],
        "updates": [_line(s, x) for x in s.updates],
        "answers": [{"quantity": q, "label": _plain(s, label), "value": s.num.data(v)}
                    for q, label, v in s.answers],
        "omitted": [_text(s, t) for t in s.omitted],
    }
    return _json.dumps(data, ensure_ascii=False, indent=1) + "\n"
