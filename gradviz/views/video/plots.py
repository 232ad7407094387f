"""Manim scenes of activation functions: f beside its exact derivative f′, and several
derivatives on one pair of axes. Imports manim; only ``gradviz plot``, the gallery and the
scene files import this module."""

from __future__ import annotations

import functools
from typing import Any

import manim as m
import numpy as np

from gradviz.core.format import MINUS, fmt
from gradviz.views.figure import THEMES, Theme
from gradviz.views.optable import forward_text, role_derivative
from gradviz.views.video.activations import activation_samples, decimals, pieces, tick
from gradviz.views.video.text import FONT

__all__ = ["ActivationScene", "CompareDerivativesScene"]


def _axis_config(t: Theme, step: float = 1.0) -> dict:
    """Axis numbers as Pango text, so that plots need no LaTeX."""
    return {"color": t.edge, "include_numbers": True, "font_size": 24,
            "label_constructor": functools.partial(m.Text, font=FONT),
            "decimal_number_config": {"num_decimal_places": decimals(step)}}


def _pad(lo: float, hi: float) -> tuple[float, float]:
    return lo - 0.15 * (hi - lo + 1e-9), hi + 0.15 * (hi - lo + 1e-9)


class ActivationScene(m.Scene):
    """f beside its exact derivative f′, a point moving along f with its tangent, and the
    matching point on f′; kinks drawn as jumps with open and closed end points."""

    activation: str = "relu"
    params: dict = {}
    theme: str = "dark"
    animate_point: bool = True

    def __init__(self, activation: str | None = None, params: dict | None = None,
                 theme: str | None = None, animate_point: bool | None = None,
                 **kw: Any) -> None:
        self.activation = activation or type(self).activation
        self.params = dict(type(self).params if params is None else params)
        self.theme = theme or type(self).theme
        self.animate_point = type(self).animate_point if animate_point is None \
            else animate_point
        super().__init__(**kw)

    def sample(self, x: float) -> tuple[float, float]:
        _, f, d = activation_samples(self.activation, x, x, 1, **self.params)
        return float(f[0]), float(d[0])

    def axes(self, t: Theme) -> tuple[m.Axes, m.Axes, np.ndarray, np.ndarray, np.ndarray]:
        xs, fs, dfs = activation_samples(self.activation, -4, 4, 801, **self.params)
        f_range, d_range = _pad(fs.min(), fs.max()), _pad(min(dfs.min(), 0), max(dfs.max(), 1))
        kw: dict[str, Any] = dict(x_range=[-4, 4, 1], x_length=5.6, y_length=4.2,
                                  axis_config=_axis_config(t))
        left = m.Axes(y_range=[*f_range, tick(*f_range)], **kw,
                      y_axis_config=_axis_config(t, tick(*f_range)))
        right = m.Axes(y_range=[*d_range, tick(*d_range)], **kw,
                       y_axis_config=_axis_config(t, tick(*d_range)))
        m.VGroup(left, right).arrange(m.RIGHT, buff=1.0).shift(0.3 * m.DOWN)
        return left, right, xs, fs, dfs

    def kink_marks(self, right: m.Axes, t: Theme) -> list:
        """At each kink: a closed dot for the value taken there, an open one for the other
        side's limit."""
        from gradviz.core.ops import OPS

        marks = []
        for k in OPS[self.activation].kinks(**self.params):
            _, at = self.sample(k)
            for side in (self.sample(k - 1e-9)[1], self.sample(k + 1e-9)[1]):
                dot = m.Dot(right.c2p(k, side), radius=0.07, color=t.grad)
                if not np.isclose(side, at):
                    dot.set_fill(t.bg, opacity=1).set_stroke(t.grad, width=2)
                marks.append(dot)
        return marks

    def titles(self, left: m.Axes, right: m.Axes, t: Theme) -> list:
        from gradviz.core.ops import OPS

        op = OPS[self.activation]
        params = ", ".join(f"{k}={fmt(v, minus=MINUS)}" for k, v in self.params.items())
        title = m.Text(f"{self.activation}({params or 'x'})", font_size=34, color=t.fg,
                       font=FONT).to_edge(m.UP, buff=0.2)
        lt = m.Text(f"f(x): {forward_text(op)}", font_size=26, color=t.value, font=FONT)
        rt = m.Text(f"f′(x) = {role_derivative(op, 0)}", font_size=26, color=t.grad, font=FONT)
        for lab, ax in ((lt, left), (rt, right)):
            lab.scale_to_fit_width(min(lab.width, 6.0)).next_to(ax, m.UP, buff=0.15)
        return [title, lt, rt]

    def construct(self) -> None:
        t = THEMES[self.theme]
        setattr(self.camera, "background_color", t.bg)  # noqa: B010 - Camera | OpenGLCamera
        left, right, xs, fs, dfs = self.axes(t)
        f_curve = left.plot_line_graph(xs, fs, add_vertex_dots=False, line_color=t.value,
                                       stroke_width=4)
        d_parts = [right.plot_line_graph(seg, dfs[np.isin(xs, seg)], add_vertex_dots=False,
                                         line_color=t.grad, stroke_width=4)
                   for seg in pieces(self.activation, xs, **self.params)]
        marks = self.kink_marks(right, t)
        self.play(*[m.FadeIn(x) for x in self.titles(left, right, t)], m.Create(left),
                  m.Create(right), run_time=1.0)
        self.play(m.Create(f_curve), *[m.Create(p) for p in d_parts], run_time=1.5)
        if marks:
            self.play(*[m.FadeIn(d) for d in marks], run_time=0.5)
        if self.animate_point:
            self.tangent(left, right, t)

    def tangent(self, left: m.Axes, right: m.Axes, t: Theme) -> None:
        x0 = m.ValueTracker(-3.0)

        def line() -> m.Line:
            x = x0.get_value()
            f, d = self.sample(x)
            return m.Line(left.c2p(x - 0.9, f - 0.9 * d), left.c2p(x + 0.9, f + 0.9 * d),
                          color=t.highlight, stroke_width=3)

        def dots() -> m.VGroup:
            x = x0.get_value()
            f, d = self.sample(x)
            return m.VGroup(m.Dot(left.c2p(x, f), color=t.highlight, radius=0.08),
                            m.Dot(right.c2p(x, d), color=t.highlight, radius=0.08))

        def readout() -> m.Text:
            x = x0.get_value()
            f, d = self.sample(x)
            text = "   ".join(f"{k} = {fmt(v, 3, minus=MINUS)}"
                              for k, v in (("x", x), ("f", f), ("f′", d)))
            return m.Text(text, font_size=30, font=FONT, color=t.fg).to_edge(m.DOWN, buff=0.25)

        self.add(*[m.always_redraw(fn) for fn in (line, dots, readout)])
        self.play(x0.animate.set_value(3.0), run_time=4.0, rate_func=m.linear)
        self.wait(0.5)


class CompareDerivativesScene(m.Scene):
    """Several activations' derivatives on one pair of axes (where gradients vanish)."""

    activations: tuple[str, ...] = ("sigmoid", "tanh", "relu", "gelu")
    theme: str = "dark"

    def __init__(self, activations: tuple[str, ...] | None = None, theme: str | None = None,
                 **kw: Any) -> None:
        self.activations = tuple(activations or type(self).activations)
        self.theme = theme or type(self).theme
        super().__init__(**kw)

    def construct(self) -> None:
        t = THEMES[self.theme]
        setattr(self.camera, "background_color", t.bg)  # noqa: B010 - Camera | OpenGLCamera
        colours = [t.value, t.grad, t.highlight, "#56B4E9", "#CC79A7", "#F0E442", t.fg]
        ax = m.Axes(x_range=[-5, 5, 1], y_range=[-0.2, 1.3, 0.5], x_length=11, y_length=5.2,
                    axis_config=_axis_config(t),
                    y_axis_config=_axis_config(t, 0.5)).shift(0.4 * m.DOWN)
        title = m.Text("Derivatives side by side: where gradients vanish", font_size=34,
                       color=t.fg, font=FONT).to_edge(m.UP, buff=0.25)
        self.play(m.FadeIn(title), m.Create(ax), run_time=1)
        legend = []
        for i, name in enumerate(self.activations):
            xs, _, dfs = activation_samples(name, -5, 5, 801)
            c = colours[i % len(colours)]
            curves = [ax.plot_line_graph(seg, np.clip(dfs[np.isin(xs, seg)], -0.2, 1.3),
                                         add_vertex_dots=False, line_color=c, stroke_width=4)
                      for seg in pieces(name, xs)]
            self.play(*[m.Create(c) for c in curves], run_time=0.6)
            legend.append(m.Text(f"{name}′", font_size=28, color=c, font=FONT))
        m.VGroup(*legend).arrange(m.DOWN, aligned_edge=m.LEFT, buff=0.12).to_corner(
            m.UR, buff=0.6).shift(0.6 * m.DOWN)
        self.play(*[m.FadeIn(lg) for lg in legend], run_time=0.6)
        self.wait(1.0)
