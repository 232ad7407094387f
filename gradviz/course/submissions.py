"""Which answer sheet in a submissions folder is whose.

A sheet is named ``<student id>.<extension>``: ids may contain dots, so only the last
extension is the format (``ann.lee.csv`` is ``ann.lee``'s). A file may also be named by the
student's folder (:func:`~gradviz.course.roster.folder_name`, for ids a file system cannot
hold), or by the id alone with no extension. Files that name no student are listed, never
graded; when a student has several files the first in name order is graded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gradviz.core.errors import GradvizError
from gradviz.course.roster import folder_name

__all__ = ["Found", "find_submissions", "student_of"]


@dataclass(frozen=True)
class Found:
    """Each student's files (name order) and the files that name no student."""

    sheets: dict[str, list[Path]]
    unmatched: list[str]


def student_of(name: str, ids: dict[str, str]) -> str | None:
    """The student a file name belongs to; ``ids`` maps ids and folder names to ids.

    Examples
    --------
    >>> ids = {"ann.lee": "ann.lee", "Ann.Lee": "Ann.Lee", "ann.lee-5a9a93ab": "Ann.Lee"}
    >>> student_of("ann.lee.csv", ids), student_of("Ann.Lee.md", ids)
    ('ann.lee', 'Ann.Lee')
    >>> student_of("ann.lee-5a9a93ab.json", ids), student_of("ann.lee", ids)
    ('Ann.Lee', 'ann.lee')
    >>> student_of("bob.csv", ids) is None
    True
    """
    stem = name.rsplit(".", 1)[0] if "." in name else name
    for candidate in (stem, name):
        if candidate in ids:
            return ids[candidate]
    return None


def find_submissions(folder: str | Path, students: list[str]) -> Found:
    """Match the files of ``folder`` (not its subfolders) to ``students``."""
    path = Path(folder)
    if not path.is_dir():
        raise GradvizError(f"no submissions folder {path}")
    ids = {folder_name(s): s for s in students}
    ids.update({s: s for s in students})  # an exact id wins over a folder name
    sheets: dict[str, list[Path]] = {s: [] for s in students}
    unmatched = []
    try:
        files = sorted(p for p in path.iterdir() if p.is_file())
    except OSError as e:
        raise GradvizError(f"cannot list {path}: {e.strerror}") from None
    for p in files:
        sid = student_of(p.name, ids)
        if sid is None:
            unmatched.append(p.name)
        else:
            sheets[sid].append(p)
    return Found(sheets, unmatched)
