"""A graded student: score and maximum from the points, the cell of each quantity."""

from __future__ import annotations

from gradviz import evaluate, example
from gradviz.course.result import Gradebook, Graded, points_text
from gradviz.course.rubric import Rubric
from gradviz.teaching.report import Cell, Report


def test_score_max_and_cells():
    trace = evaluate(example("xyz"))
    cells = [Cell("a", "5", "a", "correct"), Cell("a", "6", "a", "wrong")]
    g = Graded("s", "graded", trace, {"a": 1.0, "b": 0.5}, {"a": 1.0, "b": 2.0},
               Report("xyz", cells))
    assert (g.score, g.max) == (1.5, 3.0)
    assert g.cell("a") is cells[0] and g.cell("b") is None
    assert Graded("s", "missing", trace, {}, {}).cell("a") is None
    assert Gradebook([g], ["a", "b"], Rubric()).unmatched == []


def test_points_text_is_short_and_exact():
    assert [points_text(x) for x in (0, 0.0, 1e-9, 12.5, 1 / 3, 1000000)] == \
        ["0", "0", "0", "12.5", "0.3333", "1000000"]
