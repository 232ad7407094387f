"""Branch sentences: which side of a kink, min or max was taken, read from the trace."""

from __future__ import annotations

from gradviz import evaluate, example
from gradviz.views.branches import branch_sentence


def test_min_max_and_leaky():
    t = evaluate(example("interesting"))
    assert "takes H₄ since 2 > 1.5" in branch_sentence(t, "H5")
    assert branch_sentence(t, "H1") is None  # smooth
    tie = evaluate(example("interesting"), X1=3)
    assert "tie" in branch_sentence(tie, "H3")
