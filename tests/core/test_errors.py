"""Errors carry their position and print as file:line:col: message."""

from __future__ import annotations

from gradviz import GradvizError, ParseError


def test_position_and_source():
    e = ParseError("bad", 3, 5).at("g.grad")
    assert str(e) == "g.grad:3:5: bad" and isinstance(e, GradvizError)
    assert str(GradvizError("plain")) == "plain"
    assert GradvizError("x", source="a").at("b").source == "a"  # the first file wins
