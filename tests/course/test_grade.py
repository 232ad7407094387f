"""``grade`` end to end: a class of 30 assigned, sheets filled from each student's own key
with planted mistakes in four layouts, a missing and an unreadable submission; the
gradebook, the feedback, the class report, and two runs byte for byte the same."""

from __future__ import annotations

import csv
import io

import pytest

from gradviz import evaluate, example
from gradviz.core.errors import GradvizError
from gradviz.course.assign import Options, assign
from gradviz.course.grade import (
    feedback_path,
    grade_class,
    grade_file,
    grade_sheet,
    safe_cell,
    summary,
    write_outputs,
)
from gradviz.course.roster import folder_name, parse_roster
from gradviz.course.rubric import Rubric
from gradviz.teaching.sheets import read_sheet
from tests.course.sheets_for_grading import FLIPPED, LAYOUTS, PLANS, sheet, values

IDS = [f"s{k:03d}" for k in range(22)] + ["ann.lee", "Ann.Lee", "j.r.r.tolkien",
                                          "<b>x</b>", "=cmd()", "O'Brien, Ann",
                                          "missing.one", "junk"]


def plan_of(k: int) -> str:
    return PLANS[k % len(PLANS)]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("grade")
    hw, subs = root / "hw", root / "subs"
    roster = parse_roster("student\n" + "".join(f'"{i}"\n' for i in IDS))
    manifest = assign(example("interesting"), "interesting", roster, 2024, hw,
                      Options(pdf=False))
    subs.mkdir()
    for k, sid in enumerate(IDS):
        trace = evaluate(manifest.graph_of(hw, sid))
        name = sid if sid == folder_name(sid) else folder_name(sid)
        if sid == "missing.one":
            continue
        if sid == "junk":
            (subs / "junk.csv").write_bytes(bytes(range(256)) * 4)
            continue
        layout = LAYOUTS[k % len(LAYOUTS)]
        (subs / f"{name}.{layout}").write_text(sheet(values(trace, plan_of(k)), layout),
                                               encoding="utf-8")
    (subs / "stranger.csv").write_text("∇H4,1\n", encoding="utf-8")
    book = grade_class(hw, subs, Rubric(ecf="half"))
    write_outputs(book, root / "out" / "gradebook.csv", "interesting")
    return root, manifest, book


def rows(root):
    text = (root / "out" / "gradebook.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_every_student_has_a_row_in_roster_order_with_the_right_score(graded):
    root, manifest, book = graded
    table = rows(root)
    assert [r["student"] for r in table] == [safe_cell(s) for s in manifest.students]
    assert list(table[0])[:3] == ["student", "score", "max"]
    assert list(table[0])[-2:] == ["feedback", "note"] and "∇H₄" in table[0]
    for k, (r, g) in enumerate(zip(table, book.results)):
        assert r["max"] == "13" and r["feedback"] == feedback_path(IDS[k])
        if IDS[k] in ("missing.one", "junk"):
            continue
        plan = plan_of(k)
        inherited = [c for c in g.report.cells if c.cause == "inherited"]
        assert g.score == {"right": 13, "rounded": 13, "sign": 12, "blank": 12,
                           "propagated": 12 - 0.5 * len(inherited)}[plan] or \
            (plan == "propagated" and g.cell(FLIPPED).cause == "swap"), (IDS[k], plan)
        assert float(r["score"]) == g.score
        assert r["∇H₄"] == ("0" if plan in ("sign", "propagated") else "1")
        if plan == "propagated":
            for q, pts in g.points.items():
                c = g.cell(q)
                assert pts == {"correct": 1, "rounding": 1}.get(
                    c.status, 0.5 if c.cause == "inherited" else 0), (IDS[k], q)
        if plan == "blank":
            assert r["∇W₁"] == "0" and g.cell("∇W1").status == "missing"


def test_errors_carried_forward_earn_half_credit(graded):
    _, _, book = graded
    carried = [g for k, g in enumerate(book.results) if IDS[k] not in ("missing.one", "junk")
               and plan_of(k) == "propagated"]
    counts = [sum(c.cause == "inherited" for c in g.report.cells) for g in carried]
    assert len(carried) >= 5 and sum(n >= 3 for n in counts) >= len(carried) - 1
    assert sum(g.score == 12 - 0.5 * n for g, n in zip(carried, counts)) >= len(carried) - 1


def test_missing_and_unreadable_submissions_score_zero_with_a_note(graded):
    root, _, book = graded
    table = {r["student"]: r for r in rows(root)}
    assert table["missing.one"]["score"] == "0"
    assert table["missing.one"]["note"] == "no submission"
    assert table["junk"]["score"] == "0"
    assert table["junk"]["note"].startswith("unreadable: junk.csv: ")
    assert "\n" not in table["junk"]["note"]
    assert book.unmatched == ["stranger.csv"]
    assert "1 missing, 1 unreadable; 1 files name no student" in \
        summary(book, root / "out" / "gradebook.csv")


def test_csv_injection_is_defused(graded):
    root, _, _ = graded
    text = (root / "out" / "gradebook.csv").read_text(encoding="utf-8")
    assert "\n'=cmd()," in text and "\n=cmd()" not in text


def test_feedback_names_the_verdicts_and_works_the_first_wrong_step(graded):
    root, _, book = graded
    k = PLANS.index("sign")
    md = (root / "out" / feedback_path(IDS[k])).with_suffix(".md").read_text(encoding="utf-8")
    assert "| ∇H₄ |" in md and "wrong (sign)" in md and "12 of 13 points" in md
    assert "## The first wrong step: ∇H₄" in md and "∂H₅/∂H₄ = 1" in md
    right = PLANS.index("right")
    md = (root / "out" / feedback_path(IDS[right])).with_suffix(".md").read_text("utf-8")
    assert "first wrong step" not in md and "13 of 13 points" in md
    for sid in ("<b>x</b>", "O'Brien, Ann"):
        page = (root / "out" / feedback_path(sid)).read_text(encoding="utf-8")
        assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page or "O&#x27;" in page
    assert len(list((root / "out" / "feedback").iterdir())) == 2 * len(IDS)
    junk = (root / "out" / feedback_path("junk")).read_text(encoding="utf-8")
    assert "unreadable: junk.csv" in junk and "<table>" not in junk


def test_class_report_counts_each_mistake_at_each_node(graded):
    root, _, book = graded
    graded_ids = [i for i in IDS if i not in ("missing.one", "junk")]
    flipped = sum(plan_of(IDS.index(i)) in ("sign", "propagated") for i in graded_ids)
    signs = sum(g.cell(FLIPPED) is not None and g.cell(FLIPPED).cause == "sign"
                for g in book.results)
    assert flipped - 1 <= signs <= flipped
    flipped = signs
    report = list(csv.reader(io.StringIO(
        (root / "out" / "class_report.csv").read_text(encoding="utf-8"))))
    assert report[0] == ["section", "label", "students", "of", "description"]
    assert ["submissions", "missing", "1", "30", ""] in report
    sign = [r for r in report if r[0] == "mistake" and r[1] == f"sign:{FLIPPED}"]
    assert sign == [["mistake", f"sign:{FLIPPED}", str(flipped), "30",
                     f"{flipped} of 30 got the sign of ∇H₄ wrong"]]
    scores = [r for r in report if r[0] == "score"]
    assert sum(int(r[2]) for r in scores) == 30 and scores[-1][2] == str(
        sum(r.score >= 0.9 * r.max for r in book.results))
    page = (root / "out" / "class_report.html").read_text(encoding="utf-8")
    assert "<svg" in page and "<script" not in page
    assert f"{flipped} of 30 got the sign of ∇H₄ wrong" in page


def test_two_runs_write_the_same_bytes(graded, tmp_path):
    root, _, book = graded
    again = grade_class(root / "hw", root / "subs", Rubric(ecf="half"))
    write_outputs(again, tmp_path / "gradebook.csv", "interesting")
    first = {p.relative_to(root / "out"): p.read_bytes() for p in (root / "out").rglob("*")
             if p.is_file()}
    second = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*")
              if p.is_file()}
    assert len(first) == 2 * len(IDS) + 3 and second == first
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    write_outputs(again, tmp_path / "gradebook.csv", "interesting")
    assert before == {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}


def test_the_rubric_sets_points_and_the_ecf_policy():
    trace = evaluate(example("interesting"))
    entries = read_sheet(sheet(values(trace, "propagated"), "csv"))
    full = grade_sheet("a", trace, entries, Rubric())
    none = grade_sheet("a", trace, entries, Rubric(ecf="none", points={"∇H₄": 3.0}))
    inherited = sum(c.cause == "inherited" for c in full.report.cells)
    assert full.score == 12 and full.max == 13
    assert none.max == 15 and none.score == 12 - inherited and none.points["∇H4"] == 0
    with pytest.raises(GradvizError, match="not a quantity the problem asks for"):
        grade_sheet("a", trace, entries, Rubric(points={"Q9": 1.0}))


def test_rounded_sheets_are_right_and_a_missing_file_is_missing(tmp_path):
    trace = evaluate(example("interesting"))
    rows_ = values(trace, "rounded")
    assert any(len(v.lstrip("-").replace(".", "").lstrip("0")) == 3 for _, v in rows_)
    path = tmp_path / "a.txt"
    path.write_text(sheet(rows_, "txt"), encoding="utf-8")
    g = grade_file("a", trace, path, Rubric())
    assert g.score == 13 and g.sheet == "a.txt"
    assert grade_file("a", trace, None, Rubric()).note == "no submission"
