"""Fitting a figure to a slide or a page: the layout a hall can read from the back row.

``Options.fit`` names a :class:`~gradviz.views.model.Target` (``slide`` 1920×1080,
``page`` A4 portrait and ``letter`` US Letter portrait at 1080 pixels high). The goal:
the drawing covers at least :data:`MIN_FILL` of the target and its smallest text (every
text but subscripts is set at one size) is at least ``Target.text_px`` pixels high.

Candidates are laid out by Graphviz and measured (``dot -Tjson``): left to right and top
to bottom, leaves before, beside or staggered around their consumer; every op, then each
unnamed intermediate drawn inside its named node (fewer, shallower nodes), then, when
nothing else fits, the layer fold. A layout much longer along its flow than the target is
also tried wrapped into two or three bands (``wrap.py``). The first level of detail that
reaches both goals wins (then the largest text); a drawing whose text is large enough but
whose shape leaves the target half empty is stretched (Graphviz ``ratio=fill``: positions
spread, text unchanged). The model's notes say what was chosen, what was folded, and how
far from the goals the result is.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from gradviz.core.evaluate import Trace
from gradviz.core.graph import Graph
from gradviz.views.figure import layout_model
from gradviz.views.model import FITS, Canvas, Model, Options, Target
from gradviz.views.story import State

__all__ = ["Fitted", "fit", "fitted_model", "MIN_FILL", "MARGIN", "MAX_STRETCH"]

MIN_FILL = 0.6  # of the target's area, by the drawing's ink
BB_FILL = 0.65  # the same, by Graphviz's bounding box (labels' blank margins included)
MARGIN = 0.01  # of each side of the target, kept clear
MAX_STRETCH = 2.2  # the most a layout is spread in one direction to fill the target
LEVELS = ("never", "named", "always")  # Options.fold, from the most detail to the least
_WORDS = {"LR": "left to right", "TB": "top to bottom"}

Measure = Callable[[Model], tuple[float, float]]


@dataclass(frozen=True)
class Fitted:
    """The layout chosen for a target, measured."""

    options: Options
    canvas: Canvas
    text_px: float  # the smallest text, in target pixels
    fill: float  # the fraction of the target the drawing covers
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Try:
    options: Options
    width: float  # points
    height: float
    text_px: float
    fill: float

    @property
    def level(self) -> int:
        return LEVELS.index(self.options.fold)


def _score(opts: Options, w: float, h: float, t: Target) -> _Try:
    scale = min(t.width * (1 - 2 * MARGIN) / w, t.height * (1 - 2 * MARGIN) / h)
    return _Try(opts, w, h, opts.fontsize * scale, w * h * scale * scale / (t.width * t.height))


def _candidates(graph: Graph, opts: Options) -> list[Options]:
    named = any(graph.is_generated(n) and not graph.is_leaf(n) for n in graph.order)
    levels = [f for f in ("never", "named") if f != "named" or named]
    if opts.fold in LEVELS:  # the user chose the level of detail
        levels = [opts.fold]
    return [replace(opts, fold=f, rankdir=r, leaves=p) for f in levels for r in ("LR", "TB")
            for p in ("before", "beside", "staggered")]


def _wrapped(tries: list[_Try], t: Target) -> list[Options]:
    """Strips wrapped into bands: a layout much longer along its flow than the target."""
    aspect = t.width / t.height
    out = []
    for c in tries:
        o = c.options
        flow = c.width / c.height / aspect if o.rankdir == "LR" else c.height / c.width * aspect
        if o.leaves == "before" and o.bands == 1 and flow > 1.6:
            out += [replace(o, bands=k) for k in (2, 3) if k <= flow + 0.5]
    return out


def _canvas(c: _Try, t: Target, stretch: bool) -> Canvas:
    aspect = t.width / t.height
    w, h = c.width, c.height
    size = None
    if stretch:
        w, h = (w, w / aspect) if w / h > aspect else (h * aspect, h)
        size = (w / 72, h / 72)
    cw = max(w, h * aspect) / (1 - 2 * MARGIN)
    ch = cw / aspect
    return Canvas((cw - w) / 144, (ch - h) / 144, t.width * 72 / cw, size)


def _choose(tries: list[_Try], t: Target) -> tuple[_Try, bool]:
    """The try to draw, and whether to stretch it."""
    good = [c for c in tries if c.text_px >= t.text_px and c.fill >= BB_FILL]
    if good:
        return min(good, key=lambda c: (c.level, -c.text_px)), False
    aspect = t.width / t.height

    def stretch(c: _Try) -> float:
        a = c.width / c.height
        return max(a / aspect, aspect / a)

    roomy = [c for c in tries if c.text_px >= t.text_px and stretch(c) <= MAX_STRETCH]
    if roomy:
        return min(roomy, key=lambda c: (c.level, -c.text_px)), True
    return max(tries, key=lambda c: (c.text_px, c.fill)), False


def fit(obj: Trace | Graph, options: Options, measure: Measure,
        state: State | None = None) -> Fitted:
    """Choose and measure the layout of a figure of ``obj`` for ``options.fit``."""
    target = FITS[options.fit]
    if target is None:
        raise ValueError("fit() needs a target: Options(fit='slide'|'page'|'letter')")
    graph = obj.graph if isinstance(obj, Trace) else obj

    def attempt(opts: Options) -> _Try:
        return _score(opts, *measure(layout_model(obj, opts, state)), target)

    with ThreadPoolExecutor(max_workers=2) as pool:
        tries = list(pool.map(attempt, _candidates(graph, options)))
        tries += list(pool.map(attempt, _wrapped(tries, target)))
    best, stretched = _choose(tries, target)
    if best.text_px < target.text_px and options.fold not in LEVELS and \
            len(graph) > 3 * len(layout_model(obj, replace(options, fold="always")).nodes):
        folded = attempt(replace(options, fold="always"))
        if folded.text_px >= target.text_px:
            best, stretched = folded, folded.fill < BB_FILL
    canvas = _canvas(best, target, stretched)
    text_px = best.options.fontsize * canvas.dpi / 72  # points to target pixels
    fill = 1.0 * (1 - 2 * MARGIN) ** 2 if stretched else best.fill
    return Fitted(best.options, canvas, text_px, fill, _notes(best, target, text_px, fill,
                                                              stretched))


def _notes(c: _Try, t: Target, text_px: float, fill: float, stretched: bool) -> list[str]:
    o = c.options
    rows = "rows" if o.rankdir == "LR" else "columns"
    wrapped = f" in {o.bands} {rows}" if o.bands > 1 else ""
    said = (f"laid out {_WORDS[o.rankdir]}{wrapped} for a {t.width}×{t.height} target"
            f"{', stretched to fill it' if stretched else ''}: smallest text "
            f"{text_px:.1f} px, {fill:.0%} of the target")
    notes = [said]
    if text_px < t.text_px:
        notes.append(f"the smallest text is {text_px:.0f} px, under the {t.text_px:g} px a "
                     "hall reads from the back row: show fewer numbers (show='values' or "
                     "'grads') or fold the graph")
    return notes


def fitted_model(obj: Trace | Graph, options: Options, measure: Measure,
                 state: State | None = None, fitted: Fitted | None = None) -> Model:
    """The model of a figure fitted to ``options.fit`` (``fitted``: a fit already chosen,
    as slide frames share one)."""
    f = fitted or fit(obj, options, measure, state)
    m = layout_model(obj, f.options, state)
    m.canvas = f.canvas
    m.notes = f.notes + m.notes
    return m
