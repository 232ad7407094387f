"""Feedback: verdicts, the first wrong step worked with true numbers, escaping."""

from __future__ import annotations

import numpy as np
import pytest

from gradviz import evaluate, example
from gradviz.core.format import fmt
from gradviz.course.feedback import (
    correct_step,
    feedback_html,
    feedback_markdown,
    first_wrong,
    rows,
    verdict,
)
from gradviz.course.grade import grade_sheet
from gradviz.course.rubric import Rubric
from gradviz.teaching.report import Cell
from gradviz.views.answers import asked

INTERESTING = evaluate(example("interesting"))


def sheet(trace, changes=None, written=None):
    rows_ = [(q, fmt(v, 4)) for q, v in asked(trace)]
    return [(written.get(q, q) if written else q, (changes or {}).get(q, v))
            for q, v in rows_]


def test_verdicts_in_words():
    r = Rubric()
    assert verdict(None, r) == "not answered"
    assert verdict(Cell("L", "", "L", "missing"), r) == "blank"
    assert verdict(Cell("L", "1", "L", "rounding"), r) == "right (rounding)"
    assert verdict(Cell("L", "1", "L", "wrong", cause="missing_path"), r) == \
        "wrong (missing path)"
    assert verdict(Cell("L", "1", "L", "wrong", cause="inherited"), Rubric(ecf="none")) == \
        "wrong only because of an earlier mistake (no credit)"


@pytest.mark.parametrize("q", ["∇H1", "∇X1", "∇W2", "∇H5"])
def test_the_correct_step_adds_up_to_the_true_gradient(q):
    text = correct_step(INTERESTING, q)
    node = q[1:]
    assert text.endswith(f"so ∇{INTERESTING.graph.display_name(node)} = "
                         f"{fmt(INTERESTING.grad(node), 4).replace('-', '−')}")
    users = [v for v in INTERESTING.graph.named_consumers(node)
             if INTERESTING.requires_grad(v)]
    total = sum(float(INTERESTING.grad(v)) * float(INTERESTING.local_through(v, node))
                for v in users)
    assert np.isclose(total, float(INTERESTING.grad(node)))
    for v in users:
        local = fmt(float(INTERESTING.local_through(v, node)), 4).replace("-", "−")
        assert f"∂{INTERESTING.graph.display_name(v)}/∂" \
               f"{INTERESTING.graph.display_name(node)} = {local}" in text


def test_forward_steps_and_leaves():
    assert correct_step(INTERESTING, "Yhat").startswith("Ŷ = sigmoid(")
    assert correct_step(INTERESTING, "X1") == "X₁ is given: 2"


def test_feedback_for_a_sheet_with_a_sign_slip():
    true = float(INTERESTING.grad("H4"))
    g = grade_sheet("<b>ann</b>", INTERESTING, sheet(INTERESTING, {"∇H4": fmt(-true, 4)}),
                    Rubric())
    assert first_wrong(g) == "∇H4"
    table = rows(g, Rubric())
    assert [r.label for r in table][:4] == ["Ŷ", "L", "∇H₅", "∇H₄"]
    assert table[3].verdict == "wrong (sign)" and table[3].points == "0 of 1"
    md = feedback_markdown(g, Rubric())
    assert "# Backpropagation feedback: &lt;b&gt;ann&lt;/b&gt;" in md
    assert "## The first wrong step: ∇H₄" in md and "<b>" not in md
    page = feedback_html(g, Rubric())
    assert "&lt;b&gt;ann&lt;/b&gt;" in page and "<b>ann" not in page
    assert page.count("<tr>") == 14 and "The first wrong step: ∇H₄" in page


def test_what_a_student_wrote_is_escaped():
    g = grade_sheet("s", INTERESTING, sheet(INTERESTING, {"L": "<img src=x> 0.97"}), Rubric())
    assert "<img" not in feedback_html(g, Rubric())
    assert "<img" not in feedback_markdown(g, Rubric())
