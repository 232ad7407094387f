"""The pieces of a solution: equation chains, steps and the shared context."""

from __future__ import annotations

from gradviz.core.formula import Num, Sym
from gradviz.views.solve.lines import Eq, Line, Rhs


def test_pieces_hold_what_the_writers_need():
    eq = Eq(Sym("x"), [Rhs("=", Num(2.0)), Rhs("≈", Num(0.3333), numbers=True)], ("(note)",))
    line = Line("x", "forward", [eq])
    assert line.notes == [] and line.data == {} and line.title == ()
    assert eq.rhs[1].numbers and not eq.rhs[0].numbers and eq.note == ("(note)",)
    assert Rhs("=", Num(1.0)) == Rhs("=", Num(1.0))  # frozen, comparable
