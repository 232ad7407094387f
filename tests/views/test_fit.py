"""The slide and page presets, measured as a person sees them: the rendered SVG fitted to
the target at 1080p, its drawing's ink against the target's area, its smallest text."""

from __future__ import annotations

import pytest

import gradviz
from gradviz import Builder, evaluate, example, examples
from gradviz.views.dot import figure_model, to_dot
from gradviz.views.fit import MAX_STRETCH
from gradviz.views.graphviz import run_dot
from gradviz.views.model import FITS, Options
from tests.svg import measure

SLIDE = (1920, 1080)


def slide_svg(obj, **kw) -> bytes:
    return run_dot(to_dot(obj, Options(fit="slide", **kw)), "svg")


@pytest.mark.parametrize("name", examples())
@pytest.mark.parametrize("show", ["all", "blank"])
def test_every_example_fills_a_slide_with_text_a_hall_can_read(name, show):
    m = measure(slide_svg(evaluate(example(name)), show=show))
    assert m.width / m.height == pytest.approx(16 / 9, abs=0.01)
    assert m.fill(SLIDE) >= 0.6, m.fill(SLIDE)
    assert m.smallest(SLIDE) >= 24, m.smallest(SLIDE)
    base = m.smallest(SLIDE)
    if any(t.sub for t in m.texts):
        assert 0.65 * base - 0.5 <= m.smallest(SLIDE, sub=True) <= 0.75 * base + 0.5
    assert not m.overlaps()


def chain(n: int) -> gradviz.Graph:
    """A teaching chain: x through n tanh layers, each scaled by its own weight."""
    b = Builder()
    h = b.input("x", 0.5)
    for i in range(1, n + 1):
        h = b.let(f"h{i}", b.tanh(b.param(f"w{i}", 1.0 + 0.1 * (i % 3)) * h))
    b.loss("L", h * h)
    return b.build()


@pytest.mark.parametrize("n", [6, 12])
def test_a_long_chain_still_fits_a_slide(n):
    trace = evaluate(chain(n))
    model = figure_model(trace, Options(fit="slide"))
    m = measure(run_dot(to_dot(trace, Options(fit="slide")), "svg"))
    assert m.fill(SLIDE) >= 0.6 and not m.overlaps()
    if m.smallest(SLIDE) < 24:
        assert any("under the 24 px" in note for note in model.notes)


def test_a_page_is_portrait_and_says_how_it_came_out():
    model = figure_model(evaluate(example("xyz")), Options(fit="page"))
    svg = run_dot(to_dot(evaluate(example("xyz")), Options(fit="page")), "svg")
    m = measure(svg)
    page = FITS["page"]
    assert m.height / m.width == pytest.approx(page.height / page.width, abs=0.01)
    assert m.fill((page.width, page.height)) >= 0.6
    assert model.notes[0].startswith("laid out")


@pytest.mark.parametrize("name", examples())
def test_every_example_fills_a_page(name):
    page = FITS["page"]
    for show in ("all", "blank"):
        m = measure(run_dot(to_dot(evaluate(example(name)), Options(fit="page", show=show)),
                            "svg"))
        assert m.fill((page.width, page.height)) >= 0.6, (show, m.fill((page.width,
                                                                        page.height)))
        assert not m.overlaps()


def test_the_fit_is_said_and_stretch_is_bounded():
    model = figure_model(evaluate(example("xyz")), Options(fit="slide"))
    assert "smallest text" in model.notes[0] and model.canvas is not None
    assert MAX_STRETCH <= 2.5
    assert model.canvas.dpi * (model.options.fontsize / 72) >= 24


def test_fitted_png_has_the_slide_pixels(tmp_path):
    from PIL import Image

    out = gradviz.render(example("interesting"), tmp_path / "s.png", fit="slide")
    with Image.open(out) as im:
        w, h = im.size
    assert abs(w - 1920) <= 2 and abs(h - 1080) <= 2


def test_fold_is_the_last_resort_and_is_said():
    """A graph whose every op cannot fit at 24 px is folded, and the note says so."""
    trace = evaluate(gradviz.mlp([3, 8, 8, 1], granularity="neuron"))
    model = figure_model(trace, Options(fit="slide"))
    assert model.folded or model.options.fold == "named"
    assert any("folded" in note or "unnamed" in note for note in model.notes)
