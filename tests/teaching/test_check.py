"""Worked solutions, the answer checker and problem variants."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gradviz import evaluate, example, fmt_value
from gradviz.teaching.check import agrees, check, match_quantity, read_answers
from gradviz.views.answers import asked
from tests.helpers import table


def test_correct_tables_pass_in_every_format(tmp_path):
    trace = evaluate(example("mlp"))
    rows = table(trace)
    assert check(trace, rows).ok
    csv_text = ",".join(f'"{q}"' for q, _ in rows) + "\n" + ",".join(f'"{v}"' for _, v in rows)
    md = "| " + " | ".join(q for q, _ in rows) + " |\n|" + "---|" * len(rows) + "\n| " + \
        " | ".join(v for _, v in rows) + " |"
    js = json.dumps({q: v for q, v in rows})
    yaml = "\n".join(f"{q}: {v}" for q, v in rows)
    for text in (csv_text, md, js, yaml):
        assert check(trace, read_answers(text)).ok, text


def test_student_names_and_rounding():
    g = example("mlp")
    assert match_quantity(r"$\nabla \mathbf{W}_1$", g) == "∇W1"
    assert match_quantity("∇H_2", g) == "∇H2"
    assert match_quantity(r"$\hat{Y}$", g) == "Yhat"
    assert match_quantity("dL/dX2", g) == "∇X2"
    trace = evaluate(g)
    for digits in (2, 3, 4):
        rows = [(q, fmt_value(v, digits)) for q, v in asked(trace)]
        assert check(trace, rows).ok, digits
    assert agrees("0.6225", np.array(0.6225), np.array(0.62246))
    assert not agrees("0.6", np.array(0.6), np.array(0.69))


def test_unknown_missing_and_unreadable_cells():
    trace = evaluate(example("xyz"))
    rows = table(trace)[:-1] + [("banana", "1"), ("a", "five")]
    r = check(trace, rows)
    status = {c.written: c.status for c in r.cells}
    assert status["banana"] == "unknown" and status["a"] == "unreadable"
    assert "missing" in status.values() and not r.ok


@pytest.mark.parametrize("name, cell, value, cause", [
    # a sign error
    ("interesting", "∇H4", "-0.6225", "sign"),
    # ∇H1 without the path through H3 (the classic fan-out mistake)
    ("interesting", "∇H1", "-0.8299", "missing_path"),
    # ∇X2 without the path through H2
    ("interesting", "∇X2", "-2.179", "missing_path"),
    # the leaky ReLU's wrong branch: slope 1 instead of 0.1 at H1
    ("mlp", "∇B1", "0.69", "branch"),
    # the min's wrong branch: the gradient sent to X1 instead of H1
    ("interesting", "∇X1", "-0.6225", "branch"),
    ("mlp", "∇X1", "0.621", "sign"),
])
def test_classic_mistakes_are_flagged_and_explained(name, cell, value, cause):
    trace = evaluate(example(name))
    r = check(trace, table(trace, **{cell: value}))
    wrong = [c for c in r.cells if c.status != "correct"]
    assert [c.quantity for c in wrong] == [cell]
    assert wrong[0].cause == cause, wrong[0].explanation


def test_missing_path_names_the_path():
    trace = evaluate(example("interesting"))
    r = check(trace, table(trace, **{"∇X2": "-2.179"}))
    (c,) = [c for c in r.cells if c.status == "wrong"]
    assert c.detail["path_through"] == "H2" and "through H₂" in c.explanation


def test_inherited_error_names_its_source():
    trace = evaluate(example("interesting"))
    r = check(trace, table(trace, **{"∇H4": "-0.6225", "∇H2": "1.245", "∇W2": "0.415"}))
    cells = {c.quantity: c for c in r.cells}
    assert cells["∇H4"].cause == "sign"
    assert cells["∇H2"].cause == "inherited" and cells["∇H2"].detail["from"] == ["∇H4"]
    assert cells["∇W2"].cause == "inherited"




def test_asked_updates_are_checked():
    t = evaluate(example("two_layer_relu"))
    assert [match_quantity(q, t.graph) for q in ("w21+", "w₂₁⁺", "$w_{21}^{+}$", "∇w21+")] == \
        ["w21+", "w21+", "w21+", None]
    assert check(t, table(t)).ok
    r = check(t, table(t, **{"w21+": "0.6"}))
    (cell,) = [c for c in r.cells if c.status == "wrong"]
    assert cell.quantity == "w21+" and "update" in cell.explanation
