"""Property tests: random graphs, answers written in random layouts, planted mistakes."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gradviz import evaluate, fmt_value
from gradviz.core.errors import EvalError, GradvizError
from gradviz.teaching.carry import Carry
from gradviz.teaching.check import check
from gradviz.teaching.diagnose import models
from gradviz.teaching.numbers import read_value
from gradviz.teaching.precision import judge_all
from gradviz.teaching.quantities import Quantities, display
from gradviz.teaching.sheets import decode, read_sheet
from tests.strategies import build, programs

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                       HealthCheck.filter_too_much])
LAYOUTS = ["csv", "csv rows", "tsv", "markdown", "markdown rows", "json", "lines"]


def write(rows: list[tuple[str, str]], layout: str, names: str) -> str:
    """A sheet of ``(quantity, text)`` rows in one layout, with one naming style."""
    head = [display(q) if names == "display" else
            ("dL/d" + q[1:] if q.startswith("∇") and names == "ratio" else q) for q, _ in rows]
    texts = [t for _, t in rows]
    if layout == "csv":
        return ",".join(head) + "\n" + ",".join(f'"{t}"' for t in texts) + "\n"
    if layout == "csv rows":
        return "quantity,value\n" + "".join(f"{h},{t}\n" for h, t in zip(head, texts))
    if layout == "tsv":
        return "\t".join(head) + "\n" + "\t".join(texts) + "\n"
    if layout == "markdown":
        half = (len(rows) + 1) // 2
        return "\n".join("| " + " | ".join(head[a:b]) + " |\n|" + "---|" * len(head[a:b]) +
                         "\n| " + " | ".join(texts[a:b]) + " |\n"
                         for a, b in ((0, half), (half, len(rows))) if b > a)
    if layout == "markdown rows":
        return "| quantity | value |\n|---|---|\n" + \
            "".join(f"| {h} | {t} |\n" for h, t in zip(head, texts))
    if layout == "json":
        return json.dumps(dict(zip(head, texts)), ensure_ascii=False)
    return "".join(f"{h} = {t}\n" for h, t in zip(head, texts))


def graph_and_trace(program):
    graph, kinks, denominators = build(program)
    try:
        t = evaluate(graph)
    except EvalError:
        assume(False)
    for x, y in kinks:  # keep clear of kinks and ties: a branch there is a convention
        gap = np.abs(np.asarray(t.value(x)) - (0.0 if y is None else np.asarray(t.value(y))))
        assume(np.all(gap > 0.05))
    for d in denominators:
        assume(np.all(np.abs(t.value(d)) > 0.05))
    values = [np.asarray(v) for v in t.values.values()]
    assume(all(np.all(np.abs(v) < 1e6) for v in values))
    return graph, t


def quantities(t, data) -> list[str]:
    g = t.graph
    named = [n for n in g.named() if not g.is_leaf(n)]
    grads = [f"∇{n}" for n in g.named() if n != g.loss and t.requires_grad(n)]
    pool = named + grads
    chosen = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=8, unique=True)) \
        if pool else []
    return sorted(chosen, key=lambda q: (q.startswith("∇"), g.rank[q.lstrip("∇")]))


def true_value(t, q):
    return np.asarray(t.grad(q[1:]) if q.startswith("∇") else t.value(q))


def parsed(sheet: str, graph):
    names = Quantities(graph)
    return read_sheet(sheet, "sheet", lambda s: names.match(s) is not None)


@settings(max_examples=30, **SETTINGS)
@given(program=programs(vectors=True), data=st.data())
def test_unperturbed_sheets_rounded_to_2_to_6_digits_are_right(program, data):
    graph, t = graph_and_trace(program)
    qs = quantities(t, data)
    digits = data.draw(st.integers(2, 6))
    rows = [(q, fmt_value(true_value(t, q), digits, zeros=True)) for q in qs]
    sheet = write(rows, data.draw(st.sampled_from(LAYOUTS)),
                  data.draw(st.sampled_from(["plain", "display", "ratio"])))
    r = check(t, parsed(sheet, graph))
    bad = [(c.quantity, c.text, c.status, c.explanation) for c in r.cells
           if c.status not in ("correct", "rounding", "not_answered")]
    assert not bad, (sheet, bad)


@settings(max_examples=30, **SETTINGS)
@given(program=programs(vectors=False), data=st.data())
def test_a_planted_mistake_is_found(program, data):
    graph, t = graph_and_trace(program)
    qs = quantities(t, data)
    target = data.draw(st.sampled_from(qs))
    exact = {q: true_value(t, q) for q in qs}
    carry = Carry(t, {q: v for q, v in exact.items() if not q.startswith("∇")},
                  {q[1:]: v for q, v in exact.items() if q.startswith("∇")})
    options = [m for m in models(carry, target) if np.all(np.abs(m.value) < 1e6)]
    assume(options)
    planted = data.draw(st.sampled_from(options))
    digits = data.draw(st.integers(4, 6))
    text = fmt_value(planted.value, digits, zeros=True)
    numbers = list(read_value(text).numbers)
    assume(judge_all(numbers, exact[target]) is None)  # a different number, not a rounding
    rows = [(q, text if q == target else fmt_value(exact[q], None)) for q in qs]
    sheet = write(rows, data.draw(st.sampled_from(LAYOUTS)), "plain")
    r = check(t, parsed(sheet, graph))
    (cell,) = [c for c in r.cells if c.quantity == target]
    if cell.status == "rounding":  # a mistake too small to tell from rounding as you go
        off = np.abs(np.asarray(planted.value) - exact[target])
        assert np.all(off <= 1e-3 * np.maximum(1.0, np.abs(exact[target]))), (sheet, cell)
        return
    said = {f"{cell.cause}:{cell.node}" if cell.node else cell.cause, *cell.also} - {None}
    said |= {s.split(":")[0] for s in said}
    want = f"{planted.cause}:{planted.node}" if planted.node else planted.cause
    assert cell.status == "wrong" and want in said, (sheet, want, cell)


@settings(max_examples=60, **SETTINGS)
@given(text=st.text(max_size=300))
def test_any_text_is_a_report_or_one_line_of_error(text):
    from gradviz import example

    t = evaluate(example("interesting"))
    try:
        r = check(t, parsed(text, t.graph))
    except GradvizError as e:
        assert "\n" not in str(e)
        return
    assert r.as_json() and r.text()


@settings(max_examples=60, **SETTINGS)
@given(data=st.binary(max_size=400))
def test_any_bytes_decode_or_are_refused_in_one_line(data):
    try:
        decode(data, "sheet")
    except GradvizError as e:
        assert "\n" not in str(e)
