"""Gradescope's results.json for one sheet: a test per asked quantity, always valid."""

from __future__ import annotations

import json

import pytest

from gradviz import evaluate, example
from gradviz.core.errors import GradvizError
from gradviz.core.format import fmt
from gradviz.course.assign import Options, assign
from gradviz.course.gradescope import grade_submission, results, results_json, trace_of
from gradviz.course.roster import parse_roster
from gradviz.course.rubric import Rubric
from gradviz.views.answers import asked


def write_sheet(path, trace, flip=None):
    rows = [(q, fmt(-v if q == flip else v, 4)) for q, v in asked(trace)]
    path.write_text("".join(f"{q},{v}\n" for q, v in rows), encoding="utf-8")
    return path


def test_results_have_a_test_per_quantity(tmp_path):
    trace = evaluate(example("interesting"))
    sheet = write_sheet(tmp_path / "answers.csv", trace, flip="∇H4")
    g = grade_submission("interesting", sheet, None, Rubric(points={"∇H4": 2.0}))
    data = json.loads(results_json(g, Rubric()))
    assert set(data) == {"score", "output", "tests"} and data["score"] == 12.0
    assert [t["name"] for t in data["tests"]][:4] == ["Ŷ", "L", "∇H₅", "∇H₄"]
    flipped = data["tests"][3]
    assert flipped == {"name": "∇H₄", "number": "4", "score": 0.0, "max_score": 2.0,
                       "output": flipped["output"]}
    assert flipped["output"].startswith("wrong (sign)")
    assert "The first wrong step, worked: ∇H₄ = " in data["output"]
    assert sum(t["max_score"] for t in data["tests"]) == 14


def test_a_missing_or_unreadable_sheet_still_gives_valid_results(tmp_path):
    g = grade_submission("xyz", tmp_path / "none.csv", None, Rubric())
    data = results(g, Rubric())
    assert data["score"] == 0 and "no submission" in data["output"]
    (tmp_path / "b.csv").write_bytes(bytes(range(256)))
    data = results(grade_submission("xyz", tmp_path / "b.csv", None, Rubric()), Rubric())
    assert data["score"] == 0 and data["tests"][0]["output"].startswith("not graded: unread")


def test_an_assign_folder_needs_the_student(tmp_path):
    assign(example("xyz"), "xyz", parse_roster("student\ns1\ns2\n"), 5, tmp_path / "hw",
           Options(pdf=False))
    with pytest.raises(GradvizError, match="--student"):
        trace_of(str(tmp_path / "hw"), None)
    trace = trace_of(str(tmp_path / "hw"), "s2")
    sheet = write_sheet(tmp_path / "s2.csv", trace)
    g = grade_submission(str(tmp_path / "hw"), sheet, "s2", Rubric())
    assert g.score == g.max > 0
    other = grade_submission(str(tmp_path / "hw"), sheet, "s1", Rubric())
    assert other.score < other.max
