"""The outline every format shares."""

from __future__ import annotations

from gradviz import evaluate, example
from gradviz.views.solve.doc import Equations, Figure, Heading, Items, Table, document
from gradviz.views.solve.model import solution


def test_outline():
    s = solution(evaluate(example("two_layer_relu")))
    d = document(s, figures=True)
    heads = [b.text[0] for b in d.blocks if isinstance(b, Heading) and b.level == 2]
    assert heads == ["Given", "Notation", "Forward pass", "Backward pass",
                     "Gradient-descent update", "Answer table"]
    assert isinstance(d.blocks[0], Figure) and isinstance(d.blocks[-1], Figure)
    assert isinstance(d.blocks[-2], Table) and len(d.blocks[-2].rows) == len(s.answers)
    assert not any(isinstance(b, Figure) for b in document(s, figures=False).blocks)
    assert sum(isinstance(b, Equations) for b in d.blocks) > 10
    given = next(b for b in d.blocks if isinstance(b, Items))
    assert given.items[-1][0] == "Learning rate: "


def test_arrays_get_their_own_given_line():
    d = document(solution(evaluate(example("mlp"))), figures=False)
    given = next(b for b in d.blocks if isinstance(b, Items))
    assert [t[0] for t in given.items] == ["Inputs: ", "Parameters: ", "Parameter: ",
                                           "Parameter: ", "Parameter: ", "Targets: "]
