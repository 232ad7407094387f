"""Numbers at one precision: exact values exactly, rounded ones with ≈ and their zeros."""

from __future__ import annotations

import numpy as np
import pytest

from gradviz import evaluate, example
from gradviz.core.formula import Add, Call, Num, Sym
from gradviz.views.solve.numbers import MAX_DATA, Numbers
from gradviz.views.solve.symbols import Symbols


@pytest.mark.parametrize(("x", "text", "rel"), [
    (0.6899744811, "0.6900", "≈"), (1.5, "1.5", "="), (-0.2, "-0.2", "="), (2.0, "2", "="),
    (0.1 + 0.2, "0.3", "="), (-4 / 3, "-1.333", "≈"), (0.39000000000000007, "0.39", "="),
    (2.49, "2.49", "="), (2.4898, "2.490", "≈"), (1.5e-7, "1.5e-07", "="), (-0.0, "0", "=")])
def test_exact_or_rounded(x, text, rel):
    n = Numbers(None, None, 4)
    assert (n.text(x), n.rel(x)) == (text, rel)


def test_one_rounded_entry_makes_the_array_approximate():
    n = Numbers(None, None, 4)
    assert n.rel(np.array([1.0, 2.0])) == "=" and n.rel(np.array([1.0, 1 / 3])) == "≈"


def test_substitute_reads_the_trace():
    t = evaluate(example("interesting"))
    s = Symbols({}, {}, "L")
    n = Numbers(t, s, 4)
    e = Add(s.node("W2"), s.grad("H1"))
    assert n.substitute(e) == Add(Num(-3.0), Num(float(t.grad("H1"))))
    assert n.substitute(Sym("unknown")) is None
    known = {Call("f'", (s.node("H1"),)): Num(7.0)}
    assert n.substitute(Call("f'", (s.node("H1"),)), known=known) == Num(7.0)


def test_big_values_are_summarised_in_data():
    n = Numbers(None, None, 4)
    assert n.data(np.zeros(3)) == [0.0, 0.0, 0.0]
    assert n.data(np.zeros((MAX_DATA + 1,)))["shape"] == [MAX_DATA + 1]
    assert n.literal(np.zeros(13)) is None and n.literal(np.eye(2)).fn == "matrix"
