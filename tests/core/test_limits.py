"""Resource limits: defaults, environment overrides, and messages that say how to raise them."""

from __future__ import annotations

import pytest

from gradviz import GradvizError
from gradviz.core.limits import LIMITS, limit


def test_environment_overrides_and_bad_values_fall_back(monkeypatch):
    monkeypatch.setenv("GRADVIZ_MAX_ELEMENTS", "100")
    assert limit("max_elements") == 100
    with pytest.raises(GradvizError, match="--max-elements or GRADVIZ_MAX_ELEMENTS"):
        LIMITS["max_elements"].check(101, "x")
    monkeypatch.setenv("GRADVIZ_MAX_ELEMENTS", "nan")
    assert limit("max_elements") == LIMITS["max_elements"].default


def test_at_least_says_the_amount_was_counted_up_to_the_limit(monkeypatch):
    from gradviz.core.errors import LimitError

    monkeypatch.setenv("GRADVIZ_MAX_NODES", "10")
    with pytest.raises(LimitError) as info:
        LIMITS["max_nodes"].check(11, "the graph", at_least=True)
    assert str(info.value) == ("the graph needs more than the limit of 10 nodes (raise it with "
                               "GRADVIZ_MAX_NODES)")


def test_a_graph_over_max_nodes_is_refused_while_it_is_read(monkeypatch):
    from gradviz import parse
    from gradviz.core import reader
    from gradviz.core.errors import LimitError

    monkeypatch.setenv("GRADVIZ_MAX_NODES", "50")
    text = "".join(f"w{i}: param = 1\n" for i in range(100)) + "L: loss = w0 * w1\n"
    read = []
    monkeypatch.setattr(reader.Reader, "_line", lambda self, line, n, f=reader.Reader._line:
                        (read.append(n), f(self, line, n)))
    with pytest.raises(LimitError, match="more than the limit of 50 nodes"):
        parse(text)
    assert max(read) == 51  # stopped at the 51st node, not read to the end and again


def test_a_graph_file_over_max_file_bytes_is_not_read_whole(monkeypatch, tmp_path):
    from gradviz import load
    from gradviz.core.errors import LimitError

    monkeypatch.setenv("GRADVIZ_MAX_FILE_BYTES", "1000")
    p = tmp_path / "big.grad"
    p.write_text("x: input = 1\n" + "# padding\n" * 200 + "L: loss = x * x\n")
    with pytest.raises(LimitError, match="big.grad needs more than the limit of 1000 bytes"):
        load(p)
    with pytest.raises(LimitError):
        load("/dev/zero")  # endless, and says it is empty: read only up to the limit
