"""Static figures: DOT/JSON snapshots, real Graphviz renders, escaping and determinism."""

from __future__ import annotations

from gradviz import evaluate, example


def test_jupyter_repr_svg():
    assert "<svg" in evaluate(example("xyz"))._repr_svg_()
    assert "<svg" in example("xyz")._repr_svg_()




def test_step_is_public_and_lazy():
    import gradviz

    assert "step" in gradviz.__all__ and callable(gradviz.step)
