"""Which sheet is whose: dotted ids, folder names, extensionless files, strangers."""

from __future__ import annotations

import pytest

from gradviz.core.errors import GradvizError
from gradviz.course.roster import folder_name
from gradviz.course.submissions import find_submissions


def test_files_are_matched_by_id_then_folder_name(tmp_path):
    students = ["ann.lee", "Ann.Lee", "j.r.r.tolkien", "a/b", "s1", "s2"]
    for name in ("ann.lee.csv", "Ann.Lee.md", "j.r.r.tolkien.json",
                 f"{folder_name('a/b')}.txt", "s1", "s2.csv", "s2.md", "bob.csv"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "s1.csv").write_text("x", encoding="utf-8")
    found = find_submissions(tmp_path, students)
    names = {s: [p.name for p in ps] for s, ps in found.sheets.items()}
    assert names == {"ann.lee": ["ann.lee.csv"], "Ann.Lee": ["Ann.Lee.md"],
                     "j.r.r.tolkien": ["j.r.r.tolkien.json"],
                     "a/b": [f"{folder_name('a/b')}.txt"], "s1": ["s1"],
                     "s2": ["s2.csv", "s2.md"]}
    assert found.unmatched == ["bob.csv"]


def test_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(GradvizError, match="no submissions folder"):
        find_submissions(tmp_path / "nope", ["s1"])
