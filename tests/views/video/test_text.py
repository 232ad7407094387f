"""Text extents without rendering, checked against Manim's own text."""

from __future__ import annotations

import pytest

from gradviz.views.video import text


def test_cap_height_of_a_capital():
    x0, y0, x1, y1 = text.ink("H", text.cap_em(36))
    assert y1 - y0 == pytest.approx(36, abs=0.3) and y1 == pytest.approx(0, abs=0.3)


@pytest.mark.parametrize("s", ["H₁", "−0.8299", "∇ −0.6225", "x · y", "max", "∂L/∂(X₁ + X₂)"])
def test_ink_matches_what_manim_draws(s):
    """The scene stretches Manim's Text onto the planned box: the two must agree in shape
    to a percent, or text would look squeezed."""
    import manim

    mob = manim.Text(s, font=text.FONT, font_size=48)
    b = text.ink(s, 100)
    assert (b[2] - b[0]) / (b[3] - b[1]) == pytest.approx(mob.width / mob.height, rel=0.02)


def test_blank_text_has_an_empty_box():
    assert text.ink(" ", 50) == (0.0, 0.0, 0.0, 0.0)


def test_advance_grows_with_the_text():
    assert text.advance("12.5", 40) > text.advance("12", 40) > 0


def test_boxes():
    assert text.union([(0, 0, 1, 1), (5, 5, 6, 7)]) == (0, 0, 6, 7)
    assert text.overlap((0, 0, 2, 2), (1, 1, 3, 3)) and not text.overlap((0, 0, 1, 1),
                                                                       (2, 2, 3, 3))
    assert text.center((0, 0, 2, 4)) == (1, 2) and text.shift((0, 0, 1, 1), 1, 2) == (1, 2, 2, 3)
