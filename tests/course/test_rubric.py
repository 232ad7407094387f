"""Rubric TOML: points per quantity, the ECF policy, one-line errors."""

from __future__ import annotations

import pytest

from gradviz.core.errors import GradvizError
from gradviz.course.rubric import Rubric, credit, load_rubric, parse_rubric
from gradviz.teaching.report import Cell


def test_a_rubric_reads_points_default_and_ecf(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text('ecf = "none"\ndefault = 2\n[points]\n"∇W₁" = 3\nL = 0.5\n',
                    encoding="utf-8")
    r = load_rubric(path)
    assert r == Rubric("none", 2.0, {"∇W₁": 3.0, "L": 0.5})
    assert parse_rubric("") == Rubric()


@pytest.mark.parametrize("text, words", [
    ("ecf = 1", 'ecf is "full", "half" or "none"'),
    ('ecf = "most"', 'ecf is "full"'),
    ("points = 3", "points is a table"),
    ("[points]\nL = -1", "points of 'L' must be a number"),
    ("[points]\nL = nan", "must be a number"),
    ('[points]\nL = "two"', "must be a number"),
    ("[points]\nL = true", "must be a number"),
    ("default = 1e9", "from 0 to"),
    ("bonus = 1", "unknown key 'bonus'"),
    ("ecf = ", "not TOML"),
])
def test_bad_rubrics_get_one_line_errors(text, words):
    with pytest.raises(GradvizError, match=words) as e:
        parse_rubric(text, "r.toml")
    assert "\n" not in str(e.value) and str(e.value).startswith("r.toml")


def test_a_missing_or_binary_rubric_file_is_an_error(tmp_path):
    with pytest.raises(GradvizError, match="cannot read the rubric"):
        load_rubric(tmp_path / "nope.toml")
    (tmp_path / "b.toml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(GradvizError, match="not UTF-8"):
        load_rubric(tmp_path / "b.toml")


def test_resolve_matches_keys_as_written_and_refuses_others():
    r = Rubric(points={"∇W₁": 2.0, "L": 3.0})
    match = {"∇W₁": "∇W1"}.get
    assert r.resolve(["L", "∇W1", "∇x"], match) == {"L": 3.0, "∇W1": 2.0, "∇x": 1.0}
    with pytest.raises(GradvizError, match="'Q' is not a quantity"):
        Rubric(points={"Q": 1.0}).resolve(["L"], lambda k: None)


@pytest.mark.parametrize("status, cause, ecf, share", [
    ("correct", None, "none", 1.0), ("rounding", None, "none", 1.0),
    ("wrong", "inherited", "full", 1.0), ("wrong", "inherited", "half", 0.5),
    ("wrong", "inherited", "none", 0.0), ("wrong", "sign", "full", 0.0),
    ("missing", None, "full", 0.0), ("not_answered", None, "full", 0.0),
    ("unreadable", None, "full", 0.0)])
def test_credit_follows_the_status_and_the_policy(status, cause, ecf, share):
    assert credit(Cell("L", "1", "L", status, cause=cause), Rubric(ecf=ecf)) == share
