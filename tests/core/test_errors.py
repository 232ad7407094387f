"""Errors carry their position and print as file:line:col: message."""

from __future__ import annotations

from gradviz import GradvizError, ParseError


def test_position_and_source():
    e = ParseError("bad", 3, 5).at("g.grad")
    assert str(e) == "g.grad:3:5: bad" and isinstance(e, GradvizError)
    assert str(GradvizError("plain")) == "plain"
    assert GradvizError("x", source="a").at("b").source == "a"  # the first file wins


def test_a_limit_error_is_a_gradviz_error():
    from gradviz.core.errors import LimitError

    e = LimitError("the graph needs more than the limit of 10 nodes")
    assert isinstance(e, GradvizError) and str(e).startswith("the graph needs")
