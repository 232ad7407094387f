"""``DIR/manifest.json``: the problem, the course seed, and each student's variant and sheets.

Its shape is fixed (grading reads it)::

    {"graph": "interesting", "seed": 7,
     "students": {"<id>": {"graph_file": "<folder>/graph.grad",
                           "problem": "<folder>/problem.html", "key": "<folder>/key.html"}}}

Paths are relative to the manifest's folder, with ``/``; a PDF, when built, sits beside
each HTML file with the same name. Students are in roster order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from gradviz.core.errors import GradvizError
from gradviz.core.escape import terminal
from gradviz.core.files import write_if_changed
from gradviz.core.graph import Graph
from gradviz.core.limits import LIMITS

__all__ = ["Entry", "Manifest", "MANIFEST"]

MANIFEST = "manifest.json"
_FIELDS = ("graph_file", "problem", "key")


@dataclass(frozen=True)
class Entry:
    """One student's files, relative to the manifest's folder."""

    graph_file: str
    problem: str
    key: str


@dataclass(frozen=True)
class Manifest:
    """What ``gradviz assign`` wrote, and what grading reads back.

    Examples
    --------
    >>> m = Manifest("xyz", 7, {"a.b": Entry("a.b/graph.grad", "a.b/problem.html",
    ...                                      "a.b/key.html")})
    >>> Manifest.from_json(m.to_json()) == m
    True
    >>> print(m.to_json().splitlines()[0:3])
    ['{', ' "graph": "xyz",', ' "seed": 7,']
    """

    graph: str
    seed: int
    students: dict[str, Entry]

    def to_json(self) -> str:
        data = {"graph": self.graph, "seed": self.seed,
                "students": {sid: {f: getattr(e, f) for f in _FIELDS}
                             for sid, e in self.students.items()}}
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str, source: str = MANIFEST) -> Manifest:
        """Read a manifest, checking its shape and that every path stays in its folder."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise GradvizError(f"not JSON: {e.msg}", line=e.lineno, col=e.colno,
                               source=source) from None
        if not isinstance(data, dict) or set(data) != {"graph", "seed", "students"} or \
                not isinstance(data["graph"], str) or type(data["seed"]) is not int or \
                not isinstance(data["students"], dict):
            raise GradvizError('a manifest is {"graph": str, "seed": int, "students": {...}}',
                               source=source)
        students = {sid: _entry(sid, e, source) for sid, e in data["students"].items()}
        return cls(data["graph"], data["seed"], students)

    def write(self, folder: Path) -> Path:
        path = folder / MANIFEST
        write_if_changed(path, self.to_json())
        return path

    @classmethod
    def load(cls, folder: str | Path) -> Manifest:
        """The manifest of an assignment folder."""
        path = Path(folder) / MANIFEST
        try:
            LIMITS["max_sheet_bytes"].check(path.stat().st_size, "the manifest")
            return cls.from_json(path.read_text(encoding="utf-8"), str(path))
        except OSError as e:
            raise GradvizError(f"cannot read the manifest: {e.strerror}", source=str(path)) \
                from None

    def graph_of(self, folder: str | Path, student: str) -> Graph:
        """The variant a student was given (their graph file, parsed)."""
        from gradviz.core.parse import load

        if student not in self.students:
            raise GradvizError(f"no student {terminal(student)!r} in the manifest")
        return load(Path(folder) / self.students[student].graph_file)


def _entry(sid: str, e: Any, source: str) -> Entry:
    if not isinstance(e, dict) or set(e) != set(_FIELDS) or \
            not all(isinstance(e[f], str) and _inside(e[f]) for f in _FIELDS):
        raise GradvizError(f"student {terminal(sid)!r}: an entry is {{'graph_file', 'problem', "
                           "'key'}, each a relative path inside the folder", source=source)
    return Entry(**{f: e[f] for f in _FIELDS})


def _inside(path: str) -> bool:
    p = PurePosixPath(path)
    return bool(path) and not p.is_absolute() and ".." not in p.parts and "\\" not in path \
        and ":" not in path
