"""Line breaking: steps packed while they fit, long sums broken before + and −."""

from __future__ import annotations

from gradviz.core.formula import Add, Num, Sub, Sym
from gradviz.core.typeset import to_plain
from gradviz.views.solve.layout import HOLE, dedupe, rows, width
from gradviz.views.solve.lines import Eq, Rhs
from gradviz.views.solve.numbers import Numbers
from gradviz.views.solve.symbols import Symbols

SYM, NUM = Symbols({}, {}, "L"), Numbers(None, None, 4)


def long_sum(n: int):
    e = Num(1.0)
    for i in range(2, n + 1):
        e = Add(e, Num(float(-i if i % 2 else i)))
    return e


def test_short_chains_stay_on_one_row():
    eq = Eq(Sym("x"), [Rhs("=", Num(1.0)), Rhs("=", Num(2.0))])
    assert len(rows(SYM, NUM, eq, 80)) == 1


def test_long_sums_break_before_the_sign():
    eq = Eq(Sym("x"), [Rhs("=", long_sum(40), numbers=True)])
    out = rows(SYM, NUM, eq, 60)
    assert len(out) > 2
    for row in out[1:]:
        assert row[0].rel == "" and isinstance(row[0].expr, Add | Sub)
        e = row[0].expr
        while isinstance(e, Add | Sub):
            e = e.a
        assert e == Sym(HOLE)
    for row in out:
        assert sum(width(SYM, NUM, p.expr, True) for p in row) <= 60


def test_repeated_steps_are_dropped_and_approximation_kept():
    eq = Eq(Sym("x"), [Rhs("=", Num(0.5)), Rhs("=", Num(0.5)), Rhs("≈", Num(0.5))])
    assert [r.rel for r in dedupe(SYM, NUM, eq)] == ["≈"]
    assert to_plain(long_sum(3), number=NUM.text) == "1 + 2 + (−3)"
