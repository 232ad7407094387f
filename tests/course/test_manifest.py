"""The manifest: exactly {"graph", "seed", "students"}, paths kept inside the folder."""

from __future__ import annotations

import json

import pytest

from gradviz import example
from gradviz.core.errors import GradvizError
from gradviz.course.manifest import Entry, Manifest


def entry(folder: str) -> Entry:
    return Entry(f"{folder}/graph.grad", f"{folder}/problem.html", f"{folder}/key.html")


def test_shape_is_exact_and_round_trips():
    m = Manifest("interesting", 3, {"a.b": entry("a.b"), "<x>": entry("x-12345678")})
    data = json.loads(m.to_json())
    assert list(data) == ["graph", "seed", "students"]
    assert data["students"]["<x>"] == {"graph_file": "x-12345678/graph.grad",
                                       "problem": "x-12345678/problem.html",
                                       "key": "x-12345678/key.html"}
    assert Manifest.from_json(m.to_json()) == m
    assert list(Manifest.from_json(m.to_json()).students) == ["a.b", "<x>"]


@pytest.mark.parametrize("bad", [
    "[]", "{", '{"graph": "g", "seed": 1}',
    '{"graph": "g", "seed": true, "students": {}}',
    '{"graph": "g", "seed": 1, "students": {}, "extra": 1}',
    '{"graph": "g", "seed": 1, "students": {"s": {"graph_file": "../x", "problem": "p", '
    '"key": "k"}}}',
    '{"graph": "g", "seed": 1, "students": {"s": {"graph_file": "/etc/passwd", '
    '"problem": "p", "key": "k"}}}',
    '{"graph": "g", "seed": 1, "students": {"s": {"graph_file": "a", "problem": "p"}}}',
])
def test_malformed_manifests_are_refused(bad):
    with pytest.raises(GradvizError):
        Manifest.from_json(bad)


def test_load_and_graph_of(tmp_path):
    (tmp_path / "s1").mkdir()
    (tmp_path / "s1" / "graph.grad").write_text(example("xyz").to_text())
    Manifest("xyz", 1, {"s1": entry("s1")}).write(tmp_path)
    m = Manifest.load(tmp_path)
    assert m.graph_of(tmp_path, "s1").to_text() == example("xyz").to_text()
    with pytest.raises(GradvizError, match="no student"):
        m.graph_of(tmp_path, "s2")
    with pytest.raises(GradvizError, match="cannot read the manifest"):
        Manifest.load(tmp_path / "nowhere")
