"""The report: the documented JSON shape, the text a TA reads, and nothing a sheet can
smuggle onto the terminal."""

from __future__ import annotations

import json

from gradviz import evaluate, example
from gradviz.core.escape import terminal
from gradviz.teaching.check import check
from gradviz.teaching.report import STATUSES

KEYS = ["quantity", "written", "text", "given", "expected", "status", "cause", "node", "also",
        "inherited_from", "explanation"]
SCORE = ["correct", "rounding", "wrong", "inherited", "missing", "unreadable", "not_answered",
         "points", "out_of"]


def report(rows, name="interesting", **kw):
    return check(evaluate(example(name)), rows, **kw)


def test_the_json_shape_is_exactly_the_documented_one():
    r = report([(r"$\nabla \mathbf{W}_1$", "-0.828"), ("∇H1", "-0.828"), ("banana", "1"),
                ("∇H2", ""), ("L", "0.9741"), ("∇H5", "0.6225"), ("∇H4", "0.6225"),
                ("∇H3", "-0.6225")])
    data = json.loads(r.as_json())
    assert list(data) == ["graph", "score", "cells"] and data["graph"] == "interesting"
    assert list(data["score"]) == SCORE
    assert all(list(c) == KEYS for c in data["cells"])
    assert {c["status"] for c in data["cells"]} <= set(STATUSES)
    w1, h1 = data["cells"][0], data["cells"][1]
    assert w1["written"] == r"$\nabla \mathbf{W}_1$" and w1["quantity"] == "∇W1"
    assert w1["given"] == -0.828 and w1["expected"] == -1.4524051061376606
    assert (h1["status"], h1["cause"], h1["node"]) == ("wrong", "missing_path", "H3")
    assert "wrong_branch:H5" in h1["also"] and h1["inherited_from"] is None
    assert (w1["cause"], w1["inherited_from"]) == ("inherited", ["∇H1"])
    banana = data["cells"][2]
    assert (banana["quantity"], banana["status"], banana["given"]) == \
        (None, "unreadable", None)
    assert data["score"]["points"] == 5 and data["score"]["out_of"] == 7  # ∇W1 inherited


def test_the_text_keeps_nabla_and_the_students_precision():
    r = report([("∇H4", ""), ("∇H1", "-0.83"), ("∇W2", "0")])
    text = r.text()
    assert "· ∇H₄  (blank)  missing, expected 0.6225" in text
    assert "expected −1.5" in text            # 2 significant digits, like the answer
    assert "expected −0.4150" not in text and "expected −0.415" in text  # 4 s.f. for "0"
    assert "not answered: Ŷ, L, ∇H₅" in text


def test_a_hostile_sheet_prints_no_escape_sequence():
    evil = "\x1b[2J\x1b]0;pwned\x07\x1b[32m✓ correct\x1b[0m \u202e"
    r = report([("∇H1" + evil, "1"), ("∇H4", evil), (evil, "0.5")])
    out = terminal(r.text())
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\u001B" in out
    data = terminal(r.as_json())
    assert "\x1b" not in data and json.loads(data)["cells"][1]["text"] == evil


def test_ok_and_require_all():
    good = report([("Yhat", "0.3775")])
    assert good.ok and not report([("Yhat", "0.3775")], require_all=True).ok
    assert not report([("Yhat", "")]).ok          # a blank cell is not an answer
    assert report([("banana", "1"), ("Yhat", "0.3775")]).ok  # an unknown row is not graded
