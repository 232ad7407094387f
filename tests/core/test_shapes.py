"""Shape inference: shapes, levels and requires-grad flags, and the ``max_elements`` limit
enforced before anything is allocated."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import gradviz
from gradviz import Builder, GradvizError, ShapeError, evaluate, parse
from gradviz.core.shapes import check_batch, infer, leaf_overrides, who
from tests.helpers import BROADCAST_TEXT


def test_infer_broadcast_graph():
    g = parse(BROADCAST_TEXT)
    shapes, level, requires, largest, kinds = infer(g)
    assert shapes["m"] == (3,) and shapes["k"] == (2, 3) and shapes["L"] == ()
    assert level["a"] == 0 and level["m"] == 1 and level["k"] == 2
    assert all(requires[n] for n in g.order)
    assert largest == (6, "M")  # the first node with 6 numbers, in topological order
    assert kinds["m"] == ("mul", (), ((), (3,))) and "a" not in kinds


def test_requires_grad_follows_inputs_and_params_only():
    g = parse("x: input = 1\nc: const = 2\nt: target = 3\nk = c * t\nL: loss = x * k")
    requires = infer(g).requires
    assert requires["x"] and requires["L"] and not requires["k"] and not requires["t"]


def column_times_vector(n):
    b = Builder()
    c = b.input("c", np.ones((n, 1)))
    v = b.input("v", np.full(n, 2.0))
    b.loss("L", b.op("sum", b.let("P", c * v)))
    return b.build()


def test_a_broadcast_over_the_limit_is_refused_before_it_is_allocated():
    g = column_times_vector(20_000)  # 20000×1 times 20000: 4·10⁸ numbers, 3.2 GB
    tracemalloc.start()
    try:
        with pytest.raises(GradvizError) as err:
            evaluate(g)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    msg = str(err.value)
    assert "P (its operands broadcast to 20000×20000) needs 400000000 numbers" in msg
    assert "over the limit of 10000000" in msg
    assert "--max-elements or GRADVIZ_MAX_ELEMENTS" in msg
    assert peak < 2_000_000, peak  # bytes: nothing of the 3.2 GB was allocated


def test_the_refusal_names_the_line_and_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADVIZ_MAX_ELEMENTS", "1000")
    p = tmp_path / "big.grad"
    p.write_text("c: input = [" + ", ".join(["[1]"] * 40) + "]\n"
                 "v: input = [" + ", ".join(["2"] * 40) + "]\n"
                 "L: loss = sum(c * v)\n", encoding="utf-8")
    with pytest.raises(GradvizError) as err:
        evaluate(gradviz.load(p))
    assert str(err.value).startswith(f"{p}:3:")
    assert "c * v (its operands broadcast to 40×40) needs 1600 numbers" in str(err.value)
    monkeypatch.setenv("GRADVIZ_MAX_ELEMENTS", "1600")
    assert float(evaluate(gradviz.load(p)).value("L")) == 3200.0


def test_a_product_over_the_limit_is_found_on_an_empty_batch(monkeypatch):
    monkeypatch.setenv("GRADVIZ_MAX_ELEMENTS", "1000")
    b = Builder()
    W, x = b.input("W", np.ones((30, 30))), b.input("x", np.ones(30))
    col, row = b.input("col", np.ones((40, 1))), b.input("row", np.ones((1, 40)))
    y = b.let("y", W @ x)  # 900 · 30 multiply-adds, but only 30 numbers out: fine
    b.loss("L", b.op("sum", y) + b.op("sum", b.let("O", col @ row)))  # 1600 numbers: no
    with pytest.raises(GradvizError, match=r"O \(shape 40×40\) needs 1600 numbers"):
        evaluate(b.build())


def test_a_batch_over_the_limit_is_refused(monkeypatch):
    monkeypatch.setenv("GRADVIZ_MAX_ELEMENTS", "100")
    g = parse("v: input = [1, 2, 3, 4, 5]\nL: loss = sum(v * v)")
    assert evaluate(g, v=np.ones((20, 5))).batch == 20
    with pytest.raises(GradvizError, match=r"in a batch of 21 needs 105 numbers"):
        evaluate(g, v=np.ones((21, 5)))
    with pytest.raises(GradvizError, match="over the limit of 100"):
        check_batch(g, infer(g).largest, 1000)


def test_inference_keeps_no_values():
    b = Builder()
    h = b.input("x", np.ones(100_000))
    for _ in range(20):
        h = h * 1.0001
    b.loss("L", b.op("sum", h))
    g = b.build()
    tracemalloc.start()
    try:
        infer(g)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 800_000, peak  # one kind of node: one run on zeros, not 21 values


def test_operands_that_do_not_fit_name_the_node_and_line():
    with pytest.raises(ShapeError, match=r"^3:1: y: @ needs vectors or matrices"):
        infer(parse("a: input = 1\nb: input = 2\ny = a @ b\nL: loss = y"))
    with pytest.raises(ShapeError, match=r"cannot combine shapes \(2,\) and \(3,\)"):
        infer(parse("a: input = [1, 2]\nb: input = [1, 2, 3]\nL: loss = sum(a * b)"))
    with pytest.raises(ShapeError, match="must be a scalar"):
        infer(parse("a: input = [1, 2]\nL: loss = a * a"))


def test_leaf_overrides_check_names_shapes_and_batches():
    g = parse(BROADCAST_TEXT)
    shapes = infer(g).shapes
    given, batch = leaf_overrides(g, shapes, {"a": 3, "v": np.ones((4, 3))})
    assert given["a"].shape == (1,) and given["v"].shape == (4, 3) and batch == 4
    for bad, match in [({"A": 1}, "did you mean 'a'"), ({"m": 1}, "is computed"),
                       ({"v": [1, 2]}, "has shape"), ({"a": np.inf}, "not finite"),
                       ({"a": [1, 2], "v": np.ones((3, 3))}, "batch sizes differ")]:
        with pytest.raises(GradvizError, match=match):
            leaf_overrides(g, shapes, bad)


def test_who_names_unnamed_nodes_by_their_expression():
    g = parse("x: input = 2\nL: loss = x * x + 1")
    assert who(g, "L") == "L" and who(g, "L.1") == "x * x"
