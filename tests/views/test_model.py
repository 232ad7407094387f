"""The figure's records: options checked on creation, and themes whose value and gradient
colours a colour-blind student tells apart (Machado 2009 simulation, CIEDE2000)."""

from __future__ import annotations

import pytest

import gradviz
from gradviz.views.model import FITS, THEMES, Options
from tests.colour import ciede2000, contrast, delta_e

VISIONS = ("normal", "deuteranopia", "protanopia")


def test_ciede2000_matches_sharma_2005():
    pairs = [((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
             ((50, 3.1571, -77.2803), (50, 0, -82.7485), 2.8615),
             ((50, -1.3802, -84.2814), (50, 0, -82.7485), 1.0),
             ((50, 2.5, 0), (73, 25, -18), 27.1492), ((50, 2.5, 0), (61, -5, 29), 22.8977),
             ((50, 2.5, 0), (56, -27, -3), 31.903), ((50, 2.5, 0), (58, 24, 15), 19.4535),
             ((50, 2.5, 0), (50, 0, -2.5), 4.3065)]
    for a, b, want in pairs:
        assert ciede2000(a, b) == pytest.approx(want, abs=1e-4)


def test_simulation_reproduces_the_old_themes_failure():
    """The old light theme's green and red were 5.6 ΔE apart for a deuteranope."""
    assert delta_e("#1b7a2e", "#c0262d", "deuteranopia") == pytest.approx(5.56, abs=0.01)
    assert delta_e("#7fd18b", "#ff8a80", "deuteranopia") == pytest.approx(3.17, abs=0.01)


@pytest.mark.parametrize("theme", sorted(THEMES))
@pytest.mark.parametrize("vision", VISIONS)
def test_value_and_gradient_colours_stay_apart(theme, vision):
    t = THEMES[theme]
    assert delta_e(t.value, t.grad, vision) >= 20


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_numbers_are_legible_on_the_background(theme):
    t = THEMES[theme]
    assert contrast(t.value, t.bg) >= 4.5 and contrast(t.grad, t.bg) >= 4.5
    assert contrast(t.fg, t.bg) >= 7


def test_theme_names_stay():
    assert set(THEMES) == {"light", "dark", "print", "colorblind"}


def test_bad_options_are_rejected():
    for kw in ({"show": "most"}, {"style": "fancy"}, {"theme": "neon"}, {"rankdir": "RL"},
               {"digits": 0}, {"fit": "poster"}, {"decimals": -1}, {"leaves": "around"},
               {"fold": "sometimes"}):
        with pytest.raises(gradviz.GradvizError):
            Options(**kw)


def test_targets():
    assert FITS["slide"].width / FITS["slide"].height == pytest.approx(16 / 9)
    assert FITS["page"].height / FITS["page"].width == pytest.approx(2 ** 0.5, abs=0.01)
    assert FITS["letter"].height / FITS["letter"].width == pytest.approx(11 / 8.5, abs=0.01)
    assert FITS["none"] is None
