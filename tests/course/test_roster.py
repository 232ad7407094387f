"""The roster: a `student` column, other columns kept, hostile ids, safe folder names."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradviz.core.errors import GradvizError
from gradviz.course.roster import folder_name, parse_roster, read_roster, student_seed

HOSTILE = ["a.b", "A.B", "..", ".hidden", "../../etc/passwd", "CON", "con.txt", "x/y\\z",
           "<script>alert(1)</script>", "O'Brien, Ann", "\\input{/etc/passwd}", "é.ü",
           "tab\there", "a\u202eb", "x" * 300, "trailing.", " spaced "]


def test_other_columns_are_kept_in_order():
    r = parse_roster("\ufeffName, Student ,email\nAnn,s1,a@x\n\nBo,s2\n")
    assert r.columns == ("Name", "Student", "email")
    assert [(s.id, s.fields) for s in r.students] == [
        ("s1", (("Name", "Ann"), ("email", "a@x"))), ("s2", (("Name", "Bo"), ("email", "")))]


def test_quoted_ids_keep_commas_and_newlines():
    r = parse_roster('student\n"O\'Brien, Ann"\n"two\nlines"\n')
    assert [s.id for s in r.students] == ["O'Brien, Ann", "two\nlines"]


@pytest.mark.parametrize("text, message, line", [
    ("name\nAnn\n", "needs a 'student' column", None),
    ("student,name\ns1,A\n,B\n", "no student id", 3),
    ("student\ns1\ns2\ns1\n", "listed twice (lines 2 and 4)", 4),
    ("student\n\n", "lists no students", None),
    ("", "needs a 'student' column", None),
])
def test_bad_rosters_say_where(text, message, line):
    with pytest.raises(GradvizError, match=re.escape(message)) as e:
        parse_roster(text, "class.csv")
    assert e.value.source == "class.csv" and e.value.line == line


def test_read_roster_checks_encoding_and_size(tmp_path, monkeypatch):
    p = tmp_path / "r.csv"
    p.write_bytes("student\nJosé\n".encode("latin-1"))
    with pytest.raises(GradvizError, match="not UTF-8"):
        read_roster(p)
    p.write_text("student\n" + "s\n" * 50, encoding="utf-8")
    monkeypatch.setenv("GRADVIZ_MAX_SHEET_BYTES", "64")
    with pytest.raises(GradvizError, match="GRADVIZ_MAX_SHEET_BYTES"):
        read_roster(p)
    with pytest.raises(GradvizError, match="cannot read"):
        read_roster(tmp_path / "missing.csv")


SAFE = re.compile(r"[a-z0-9][a-z0-9._-]*")


def test_folder_names_of_hostile_ids_are_safe_and_distinct():
    folders = [folder_name(i) for i in HOSTILE]
    assert len(set(folders)) == len(HOSTILE)
    for f in folders:
        assert SAFE.fullmatch(f) and ".." not in f and len(f) <= 64, f
        assert f.split(".")[0] not in ("con", "nul", "prn", "aux")
    assert folder_name("s001") == "s001" and folder_name("ann.lee") == "ann.lee"
    roster = parse_roster("student\n" + "\n".join(f'"{i}"' for i in HOSTILE[:6]) + "\n")
    assert [s.folder for s in roster.students] == folders[:6]


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=80), st.text(min_size=1, max_size=80))
def test_any_id_gets_a_safe_folder_of_its_own(a, b):
    fa, fb = folder_name(a), folder_name(b)
    assert SAFE.fullmatch(fa) and ".." not in fa and not fa.endswith(".")
    assert (fa == fb) == (a == b) or fa.lower() != fb.lower()


def test_student_seeds_depend_on_course_seed_and_id_only():
    assert student_seed(1, "s1") == student_seed(1, "s1")
    assert len({student_seed(1, "s1"), student_seed(2, "s1"), student_seed(1, "s2"),
                student_seed(11, ""), student_seed(1, "1")}) == 5
