"""The corpus of realistic answer sheets (tests/teaching/sheets/) and their expected verdicts.

``expected.toml`` gives every sheet's graph and the verdict a careful TA gives each cell;
:func:`compare` matches a report against it cell by cell. The verdicts are plain dicts so
that another checker's output (the one before the rewrite) can be scored the same way.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from gradviz import evaluate, example
from gradviz.views.answers import asked

SHEETS = Path(__file__).parent / "sheets"


def expected() -> dict[str, Any]:
    return tomllib.loads((SHEETS / "expected.toml").read_text(encoding="utf-8"))


def parse_spec(spec: str) -> dict[str, Any]:
    """``"wrong missing_path H3 also=wrong_branch:H5 from=∇H4"`` as a dict."""
    words = spec.split()
    want: dict[str, Any] = {"status": words[0], "also": [], "from": []}
    plain = [w for w in words[1:] if "=" not in w]
    if plain:
        want["cause"] = plain[0]
    if len(plain) > 1:
        want["node"] = plain[1]
    for w in words[1:]:
        if w.startswith("also="):
            want["also"] = w[5:].split(",")
        elif w.startswith("from="):
            want["from"] = w[5:].split(",")
    return want


def satisfies(got: dict[str, Any] | None, want: dict[str, Any]) -> bool:
    """Whether one cell's verdict (``status``, ``cause``, ``node``, ``also``,
    ``inherited_from``) is the expected one."""
    if got is None:
        return want["status"] == "not_answered"
    if got["status"] != want["status"]:
        return False
    if "cause" in want and got.get("cause") != want["cause"]:
        return False
    if "node" in want and got.get("node") != want["node"]:
        return False
    if not set(want["also"]) <= set(got.get("also") or []):
        return False
    return set(want["from"]) <= set(got.get("inherited_from") or [])


def compare(name: str, cells: list[dict[str, Any]]) -> list[tuple[str, str, dict | None, bool]]:
    """``(key, expected, got, right)`` for every graded cell of one sheet."""
    spec = expected()[name]
    wants = dict(spec["cells"])
    rest = wants.pop("rest", None)
    by_key: dict[str, dict] = {}
    for c in cells:
        key = c["quantity"] if c.get("quantity") else f"written:{c['written']}"
        by_key.setdefault(key, c)
    quantities = [q for q, _ in asked(evaluate(example(spec["graph"])))]
    if rest is not None:
        for q in quantities:
            wants.setdefault(q, rest)
    out = []
    for key, w in wants.items():
        got = by_key.get(key)
        if got is not None and got["status"] == "not_answered":
            got = None
        out.append((key, w, got, satisfies(got, parse_spec(w))))
    return out
