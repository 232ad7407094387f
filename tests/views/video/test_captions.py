"""Chain-rule captions: one per step kind, minus signs, wrapped at = signs."""

from __future__ import annotations

from gradviz import evaluate, example
from gradviz.core.format import MINUS
from gradviz.views.story import story
from gradviz.views.video.captions import CAPTIONS, caption, short, typeset, wrap
from gradviz.views.video.text import advance


def test_every_step_kind_has_a_caption():
    t = evaluate(example("interesting"))
    kinds = {s.kind for s in story(t).steps}
    assert kinds == set(CAPTIONS)
    texts = [caption(t, s) for s in story(t).steps]
    assert all("-" not in x.replace("->", "") for x in texts)  # no hyphen as a minus sign
    assert any(MINUS in x for x in texts)


def test_captions_say_what_the_story_says():
    t = evaluate(example("xyz"))
    for s in story(t).steps:  # the same arithmetic, typeset for the screen
        assert caption(t, s) == typeset(s.text)


def test_matrices_too_long_for_a_line_are_given_by_shape():
    t = evaluate(example("linear_f_linear_g"))
    texts = [caption(t, s) for s in story(t).steps]
    assert max(len(x) for x in texts) < 140
    assert any("(2×" in x or "×2)" in x for x in texts)


def test_long_unnamed_expressions_are_elided():
    assert short("a + b + c + d + e + f") == "a + b + … + e + f" or "…" in short(
        "a + b + c + d + e + f")
    assert short("a · b") == "a · b"


def test_wrap_breaks_at_equals_signs_and_keeps_every_character():
    line = "∂L/∂X₁ += ∂L/∂(X₁ + X₂) · ∂(X₁ + X₂)/∂X₁ = (−2.179) · 1 = −2.179"
    lines = wrap(line, 41, 700)
    assert len(lines) > 1 and all(advance(x, 41) <= 700 for x in lines)
    assert "".join(x.strip() for x in lines).replace(" ", "") == line.replace(" ", "")
    assert lines[1].lstrip().startswith("+=") and lines[-1].lstrip().startswith("=")
    assert all(x.count("(") == x.count(")") for x in lines)  # never inside brackets
