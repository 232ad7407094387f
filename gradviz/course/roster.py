"""The class list: a CSV with a ``student`` column (every other column is kept), a safe
folder name for every student id, and every student's seed.

Student ids come from anywhere (``a.b@uni.edu``, ``O'Brien, Ann``, ``../../etc``): they
are kept exactly in the manifest and escaped wherever they are shown, and never used as a
path. A student's folder is the id itself when it is a plain lower-case name, else a
readable slug plus a hash of the id.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from gradviz.core.errors import GradvizError
from gradviz.core.escape import terminal
from gradviz.core.limits import LIMITS

__all__ = ["Student", "Roster", "read_roster", "parse_roster", "folder_name", "student_seed",
           "ID_COLUMN"]

ID_COLUMN = "student"
_PLAIN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}  # names Windows will not create


@dataclass(frozen=True)
class Student:
    """One row of the roster: the id, its folder, and the other columns as read."""

    id: str
    folder: str
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Roster:
    """The students in roster order, and the header as read."""

    columns: tuple[str, ...]
    students: tuple[Student, ...]


def folder_name(student_id: str) -> str:
    """A folder name for a student id, safe on every file system and distinct per id.

    Examples
    --------
    >>> folder_name("s001"), folder_name("ann.lee")
    ('s001', 'ann.lee')
    >>> folder_name("Ann.Lee"), folder_name("../../etc/passwd")
    ('ann.lee-5a9a93ab', 'etc_passwd-3754d6cb')
    """
    stem = student_id.split(".")[0].lower()
    if _PLAIN.fullmatch(student_id) and not student_id.endswith(".") and ".." not in student_id \
            and stem not in _RESERVED:
        return student_id
    slug = re.sub(r"[^a-z0-9._-]+", "_", student_id.lower())
    slug = re.sub(r"\.{2,}", "_", slug).strip("._-")[:40] or "student"
    if slug.split(".")[0] in _RESERVED:
        slug = f"id-{slug}"
    return f"{slug}-{hashlib.sha256(student_id.encode('utf-8')).hexdigest()[:8]}"


def student_seed(seed: int, student_id: str) -> int:
    """The seed of a student's variant: a hash of (course seed, student id).

    Examples
    --------
    >>> student_seed(7, "s001") == student_seed(7, "s001") != student_seed(8, "s001")
    True
    """
    digest = hashlib.sha256(f"gradviz-assign\0{seed}\0{student_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def read_roster(path: str | Path) -> Roster:
    """Read a roster file (UTF-8, with or without a byte-order mark)."""
    p = Path(path)
    try:
        size = p.stat().st_size
        LIMITS["max_sheet_bytes"].check(size, f"the roster {terminal(str(p))}")
        text = p.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise GradvizError(f"cannot read the roster: {e.strerror}", source=str(p)) from None
    except UnicodeDecodeError:
        raise GradvizError("the roster is not UTF-8 text; save it as CSV UTF-8",
                           source=str(p)) from None
    return parse_roster(text, str(p))


def parse_roster(text: str, source: str = "<roster>") -> Roster:
    """Parse roster text: a header row with a ``student`` column, then one row each.

    Examples
    --------
    >>> r = parse_roster("name,Student\\nAnn,a.lee\\nBo,B/2\\n")
    >>> [(s.id, s.folder, s.fields) for s in r.students]
    [('a.lee', 'a.lee', (('name', 'Ann'),)), ('B/2', 'b_2-243b57d5', (('name', 'Bo'),))]
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = [h.strip() for h in next(reader, [])]
    keys = [h.lower() for h in header]
    if ID_COLUMN not in keys:
        raise GradvizError(f"the roster needs a {ID_COLUMN!r} column; its header is "
                           f"{terminal(', '.join(header)) or 'empty'}", source=source)
    col = keys.index(ID_COLUMN)
    students: list[Student] = []
    line_of: dict[str, int] = {}
    folders: dict[str, str] = {}
    for row in reader:
        line = reader.line_num  # the row's last line (a quoted cell may span lines)
        if not any(cell.strip() for cell in row):
            continue
        sid = row[col].strip() if col < len(row) else ""
        if not sid:
            raise GradvizError("no student id", line=line, source=source)
        if sid in line_of:
            raise GradvizError(f"student {terminal(sid)!r} is listed twice (lines "
                               f"{line_of[sid]} and {line})", line=line, source=source)
        folder = folder_name(sid)
        if folder.lower() in folders:
            raise GradvizError(f"students {terminal(folders[folder.lower()])!r} and "
                               f"{terminal(sid)!r} would share the folder {folder!r}",
                               line=line, source=source)
        line_of[sid], folders[folder.lower()] = line, sid
        fields = tuple((h, row[i] if i < len(row) else "")
                       for i, h in enumerate(header) if i != col)
        students.append(Student(sid, folder, fields))
    if not students:
        raise GradvizError("the roster lists no students", source=source)
    return Roster(tuple(header), tuple(students))
