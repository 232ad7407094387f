"""The class report: distribution bins, mistakes counted once per student, the chart."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from gradviz import evaluate, example
from gradviz.course.classreport import (
    bar_chart,
    distribution,
    mistakes,
    report_csv,
    report_html,
    sentence,
)
from gradviz.course.result import Gradebook, Graded
from gradviz.course.rubric import Rubric
from gradviz.teaching.report import Cell, Report

TRACE = evaluate(example("interesting"))


def student(sid, score, cells=(), status="graded"):
    return Graded(sid, status, TRACE, {"L": score}, {"L": 10.0},
                  Report("g", list(cells)) if status == "graded" else None)


def book():
    slip = Cell("∇H1", "1", "∇H1", "wrong", cause="missing_path", node="H3")
    twice = [slip, Cell("∇X1", "1", "∇X1", "wrong", cause="missing_path", node="H3")]
    return Gradebook([student("a", 10.0), student("b", 9.0, [slip]),
                      student("c", 4.5, twice), student("<d>", 0.0, status="missing")],
                     ["L"], Rubric(), ["x.csv"])


def test_scores_fall_in_ten_percent_bins():
    assert distribution(book()) == [1, 0, 0, 0, 1, 0, 0, 0, 0, 2]


def test_a_mistake_is_counted_once_per_student():
    (m,) = mistakes(book())
    assert (m.cause, m.node, m.students) == ("missing_path", "H3", 2)
    assert sentence(m, 4) == "2 of 4 left out the path through H₃"


def test_the_chart_is_svg_with_a_bar_per_bin():
    svg = ET.fromstring(bar_chart([3, 0, 1], ["a", "<b>", "c"]))
    ns = "{http://www.w3.org/2000/svg}"
    rects = svg.findall(f"{ns}rect")
    assert len(rects) == 3 and float(rects[1].get("height")) == 0
    tall, short = float(rects[0].get("height")), float(rects[2].get("height"))
    assert tall == pytest.approx(3 * short, abs=0.2)
    texts = [t.text for t in svg.findall(f"{ns}text")]
    assert texts[::2] == ["3", "0", "1"] and texts[1::2] == ["a", "<b>", "c"]


def test_the_page_and_the_csv_say_the_same():
    page, table = report_html(book(), "hw <3>"), report_csv(book())
    assert "2 of 4 left out the path through H₃" in page and "<script" not in page
    assert "hw &lt;3&gt;" in page and "x.csv" in page
    assert "4 students: 3 graded, 1 missing, 0 unreadable" in page
    assert "mistake,missing_path:H3,2,4,2 of 4 left out the path through H₃" in table
    assert "score,90–100%,2,4," in table


def test_a_long_list_of_unmatched_files_is_cut_short():
    b = book()
    b.unmatched = [f"<stray{i}>.md" for i in range(5000)]
    page = report_html(b)
    assert "&lt;stray19&gt;.md, and 4980 more" in page and "stray20>" not in page
    assert len(page) < 10_000
