"""Lecture videos with Manim: backprop told step by step, activations beside their exact
derivatives.

Scenes read the evaluated trace and the story (the same steps the slide frames show) and
take node positions from Graphviz's own layout of the same figure (``dot -Tjson``), so the
video matches the static figure. Labels are Pango ``Text`` by default (no LaTeX needed);
``tex=True`` uses ``MathTex`` for names and the chain rule, with names passed through the
allowlisted grammar of :func:`gradviz.names.tex`.

manim is an optional dependency: ``pip install 'gradviz-teach[video]'`` (it needs the cairo and
pango system libraries: ``sudo apt-get install libcairo2-dev libpango1.0-dev ffmpeg``).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gradviz.core.errors import GradvizError, MissingDependencyError
from gradviz.core.evaluate import Trace, evaluate
from gradviz.core.graph import Graph
from gradviz.core.names import plain, tex
from gradviz.views.dot import model_to_dot
from gradviz.views.figure import THEMES, Model, Options, layout_model
from gradviz.views.optable import forward_text, role_derivative
from gradviz.views.render import run_dot
from gradviz.views.story import Story, story

__all__ = ["require_manim", "VideoOptions", "BackpropScene", "ActivationScene",  # noqa: F822
           "CompareDerivativesScene", "render_scene", "QUALITIES", "activation_samples"]

QUALITIES = {"low": "low_quality", "medium": "medium_quality", "high": "high_quality",
             "4k": "fourk_quality"}
FONT = "DejaVu Sans"
INSTALL_MANIM = ("manim is not installed: pip install 'gradviz-teach[video]' (system libraries: "
                 "sudo apt-get install libcairo2-dev libpango1.0-dev ffmpeg)")
INSTALL_TEX = ("--tex needs LaTeX with dvisvgm and the standalone class: sudo apt-get "
               "install texlive-latex-extra dvisvgm (without --tex, labels need no LaTeX)")


def require_tex() -> None:
    """Check that LaTeX can typeset Manim's MathTex (latex, dvisvgm, standalone.cls)."""
    import subprocess

    if shutil.which("latex") is None or shutil.which("dvisvgm") is None:
        raise MissingDependencyError(INSTALL_TEX)
    try:
        found = subprocess.run(["kpsewhich", "standalone.cls"], capture_output=True,
                               text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        found = ""
    if not found:
        raise MissingDependencyError(INSTALL_TEX)


def require_manim():
    """Import manim, or raise a one-line :class:`MissingDependencyError` saying what to do."""
    try:
        import manim
    except ImportError:
        raise MissingDependencyError(INSTALL_MANIM) from None
    return manim


@dataclass(frozen=True)
class VideoOptions:
    """Pacing and look of a backprop video."""

    theme: str = "dark"
    tex: bool = False
    seconds_per_step: float = 0.8
    pause_at_loss: float = 1.0
    skip_forward: bool = False
    focus: str | None = None
    answer_table: bool = True
    fold: str = "auto"

    def __post_init__(self) -> None:
        if self.theme not in THEMES:
            raise GradvizError(f"theme must be one of {', '.join(THEMES)}")
        if self.seconds_per_step <= 0:
            raise GradvizError("seconds per step must be positive")


# --------------------------------------------------------------------------- layout
def graphviz_positions(model: Model) -> tuple[dict[str, tuple[float, float, float]], tuple]:
    """Node centres and half-widths, and the bounding box, from ``dot -Tjson`` (points)."""
    data = json.loads(run_dot(model_to_dot(model), "json"))
    bb = tuple(float(v) for v in data["bb"].split(","))
    nodes = {}
    for o in data.get("objects", []):
        if "pos" in o:
            x, y = (float(v) for v in o["pos"].split(","))
            nodes[o["name"]] = (x, y, float(o.get("width", 0.5)) * 36.0)
    return nodes, bb


# ----------------------------------------------------------------------------- scenes
def _make_backprop_scene():
    m = require_manim()

    class BackpropScene(m.Scene):
        """Animate one graph: appear, forward node by node, loss, backward edge by edge
        with the chain rule written out, sums where paths meet, then the answer table.

        Subclass and set ``graph`` (a built-in name, a file, or a Graph) and ``video``
        (:class:`VideoOptions`), or pass them to the constructor.
        """

        graph: str | Graph = "xyz"
        video: VideoOptions = VideoOptions()

        def __init__(self, graph=None, video: VideoOptions | None = None, **kw):
            if graph is not None:
                self.graph = graph
            if video is not None:
                self.video = video
            super().__init__(**kw)

        # ------------------------------------------------------------------ helpers
        def _label(self, text: str, size: float, color, tex_source: str | None = None):
            if self.video.tex and tex_source is not None:
                return m.MathTex(tex_source, font_size=size, color=color)
            return m.Text(text, font_size=size, color=color, font=FONT)

        def _caption(self, step_text: str, tex_source: str | None = None):
            cap = self._label(step_text, 26, self.theme.fg, tex_source)
            if cap.width > 13.4:
                cap.scale_to_fit_width(13.4)
            return cap.to_edge(m.DOWN, buff=0.35)

        def construct(self):
            from gradviz.core.library import resolve

            self.caption_log: list[tuple[float, str]] = []
            graph = self.graph if isinstance(self.graph, Graph) else resolve(self.graph)
            v = self.video
            self.theme = theme = THEMES[v.theme]
            self.camera.background_color = theme.bg
            trace = evaluate(graph)
            model = layout_model(trace, Options(show="all", theme=v.theme, fold=v.fold))
            pos, bb = graphviz_positions(model)
            width, height = max(bb[2], 1.0), max(bb[3], 1.0)
            s = min(13.0 / width, 5.4 / height)
            cx, cy = bb[2] / 2, bb[3] / 2

            def at(x, y):
                return np.array([(x - cx) * s, (y - cy) * s + 0.2, 0.0])

            title = self._label(graph.title or graph.name or "backprop", 30, theme.fg)
            title.scale_to_fit_width(min(title.width, 12.5)).to_edge(m.UP, buff=0.25)
            font = float(np.clip(22 * s / 0.025, 12, 26))
            node_mob, node_at, radius = {}, {}, {}
            for n in model.nodes:
                x, y, half = pos[n.id]
                node_at[n.name] = at(x, y)
                radius[n.name] = max(half * s, 0.12)
                if model.folded or n.kind == "group":
                    box = m.RoundedRectangle(width=2 * half * s, height=0.5 * 72 * s,
                                             corner_radius=0.08, color=theme.edge)
                    box.move_to(node_at[n.name])
                    txt = self._label(n.title.split("\n")[0], font * 0.8, theme.fg)
                    txt.move_to(box)
                    node_mob[n.name] = m.VGroup(box, txt)
                elif n.kind == "op":
                    circ = m.Circle(radius=radius[n.name], color=theme.edge,
                                    stroke_width=2).move_to(node_at[n.name])
                    circ.set_fill(theme.op_fill, opacity=1.0)
                    sym = self._label(n.symbol or "?", font, theme.fg)
                    sym.scale_to_fit_width(min(sym.width, radius[n.name] * 1.5)).move_to(circ)
                    parts = [circ, sym]
                    if not graph.is_generated(n.name):
                        name = self._label(plain(n.name), font * 0.75, theme.fg, tex(n.name))
                        name.next_to(circ, m.DOWN, buff=0.06)
                        parts.append(name)
                    node_mob[n.name] = m.VGroup(*parts)
                else:
                    name = self._label(plain(n.name), font, theme.fg, tex(n.name))
                    name.move_to(node_at[n.name])
                    node_mob[n.name] = m.VGroup(name)
            by_id = {n.id: n for n in model.nodes}
            arrows, edge_key = {}, {}
            parallel: dict[tuple[str, str], int] = {}
            for e in model.edges:
                parallel[(e.src, e.dst)] = parallel.get((e.src, e.dst), 0) + 1
            seen: dict[tuple[str, str], int] = {}
            for i, e in enumerate(model.edges):
                u, w = by_id[e.src].name, by_id[e.dst].name
                start, end = node_at[u], node_at[w]
                d = end - start
                unit = d / (float(np.linalg.norm(d)) or 1.0)
                k = seen[(e.src, e.dst)] = seen.get((e.src, e.dst), -1) + 1
                n_par = parallel[(e.src, e.dst)]
                arc = 0.0 if n_par == 1 else 1.0 * (k - (n_par - 1) / 2)  # x + x: two arcs
                arrows[i] = m.Arrow(start + unit * radius[u] * 0.9, end - unit * radius[w] * 1.05,
                                    buff=0, stroke_width=2.5, color=theme.edge, path_arc=arc,
                                    max_tip_length_to_length_ratio=0.08, tip_length=0.15)
                edge_key[(u, w, e.arg)] = i
            self.caption_log.append((0.0, graph.title or graph.name or "backprop"))
            self.play(m.FadeIn(title), m.LaggedStart(
                *[m.FadeIn(mob) for mob in node_mob.values()],
                *[m.GrowArrow(a) for a in arrows.values()], lag_ratio=0.02), run_time=2)
            if model.folded:
                self._folded_passes(model, node_mob)
                return
            st = story(trace)
            self._passes(trace, st, model, node_mob, arrows, edge_key, font)
            if v.answer_table:
                self._answer_table(trace, font)

        def _passes(self, trace: Trace, st: Story, model, node_mob, arrows, edge_key, font):
            v, theme = self.video, self.theme
            views = {n.name: n for n in model.nodes}
            focus_nodes, focus_edges = (trace.graph.paths_to_loss(v.focus) if v.focus
                                        else (None, None))
            value_mobs = {}
            for n, view in views.items():
                if view.kind in ("input", "param", "target", "const"):
                    t = self._label(view.value_text.replace("\n", " "), font * 0.8, theme.value)
                    t.next_to(node_mob[n], m.DOWN, buff=0.05)
                    value_mobs[n] = t
            self.play(*[m.FadeIn(t) for t in value_mobs.values()], run_time=0.6)
            caption = None

            def say(text, tex_source=None):
                """Switch the caption at once (a cut, as on a slide: no copies to animate)."""
                nonlocal caption
                if caption is not None:
                    self.remove(caption)
                caption = self._caption(text, tex_source)
                self.add(caption)
                self.caption_log.append((self.renderer.time, text))

            edge_views = list(model.edges)
            for step in st.steps:
                if step.kind in ("forward", "loss"):
                    if v.skip_forward or v.focus:
                        continue
                    view = views[step.node]
                    t = self._label(view.value_text.replace("\n", " "), font * 0.8, theme.value)
                    t.next_to(node_mob[step.node], m.UP, buff=0.05)
                    value_mobs[step.node] = t
                    say(step.text)
                    anims = [m.FadeIn(t, shift=0.1 * m.DOWN)]
                    circ = node_mob[step.node][0]
                    if isinstance(circ, m.Circle):
                        anims.append(circ.animate.set_stroke(theme.value, width=3))
                    self.play(*anims, run_time=v.seconds_per_step)
                    if step.kind == "loss":
                        self.wait(v.pause_at_loss)
                elif step.kind in ("seed", "grad"):
                    if focus_nodes is not None and step.node not in focus_nodes and \
                            step.node != v.focus:
                        continue
                    view = views[step.node]
                    txt = "∇ " + view.grad_text.replace("\n", " ")
                    g = self._label(txt, font * 0.8, theme.grad)
                    anchor = value_mobs.get(step.node, node_mob[step.node])
                    direction = m.DOWN
                    g.next_to(anchor if step.node in value_mobs and
                              views[step.node].kind != "op" else node_mob[step.node],
                              direction, buff=0.05)
                    if views[step.node].kind == "op":
                        g.next_to(node_mob[step.node], m.RIGHT, buff=0.04).shift(0.25 * m.DOWN)
                    say(step.text, self._grad_tex(trace, step))
                    anims = [m.FadeIn(g, scale=1.3)]
                    circ = node_mob[step.node][0]
                    if isinstance(circ, m.Circle):
                        anims.append(circ.animate.set_stroke(theme.grad, width=3))
                    self.play(*anims, run_time=v.seconds_per_step)
                elif step.kind == "backward":
                    if focus_edges is not None and step.edge not in focus_edges:
                        continue
                    i = edge_key[step.edge]
                    e = edge_views[i]
                    g = self._label("∇ " + e.contribution_text.replace("\n", " "), font * 0.7,
                                    theme.grad)
                    g.move_to(_beside(arrows[i], g, below=arrows[i].path_arc <= 0))
                    say(step.text, self._edge_tex(trace, step))
                    self.play(arrows[i].animate.set_color(theme.grad), m.FadeIn(g),
                              run_time=v.seconds_per_step)
            if caption is not None:
                self.remove(caption)
                self.wait(0.3)

        def _edge_tex(self, trace: Trace, step) -> str | None:
            if not self.video.tex:
                return None
            src, dst, arg = step.edge
            edge = trace.edge(dst, arg)
            loss = trace.loss

            def d(a, b):
                return rf"\frac{{\partial {_tex_name(trace, a)}}}{{\partial {_tex_name(trace, b)}}}"

            from gradviz.core.format import fmt_value

            body = rf"{d(loss, src)} \mathrel{{+}}= {d(loss, dst)} \cdot {d(dst, src)}"
            if np.ndim(edge.local) == 0:
                body += (rf" = {fmt_value(edge.upstream)} \cdot {fmt_value(edge.local)}"
                         rf" = {fmt_value(edge.contribution)}")
            return body

        def _grad_tex(self, trace: Trace, step) -> str | None:
            if not self.video.tex or np.ndim(trace.grad(step.node)) != 0:
                return None
            from gradviz.core.format import fmt_value

            return (rf"\frac{{\partial {_tex_name(trace, trace.loss)}}}"
                    rf"{{\partial {_tex_name(trace, step.node)}}} = "
                    + " + ".join(fmt_value(e.contribution) for e in step.terms)
                    + (f" = {fmt_value(trace.grad(step.node))}" if len(step.terms) > 1
                       else ("1" if step.kind == "seed" else "")))

        def _answer_table(self, trace: Trace, font):
            from gradviz.core.format import fmt_compact
            from gradviz.views.answers import asked

            rows = asked(trace)
            theme = self.theme
            cells = []
            for q, val in rows:
                name = ("∇" + plain(q[1:])) if q.startswith("∇") else plain(q)
                text = "—" if val is None else fmt_compact(val).replace("\n", " ")
                cells.append((self._label(name, 22, theme.fg),
                              self._label(text, 22, theme.grad if q.startswith("∇")
                                          else theme.value)))
            if not cells:
                return
            group = m.VGroup(*[m.VGroup(a, b) for a, b in cells])
            for a, b in cells:
                b.next_to(a, m.RIGHT, buff=0.4)
            cols = 2 if len(cells) > 8 else 1
            group.arrange_in_grid(cols=cols, col_alignments="l" * cols, buff=(0.8, 0.12))
            group.scale_to_fit_height(min(group.height, 6.4))
            head = self._label("Answer table", 30, theme.fg)
            panel = m.VGroup(head, group).arrange(m.DOWN, buff=0.3)
            back = m.FullScreenRectangle(fill_color=theme.bg, fill_opacity=0.92, stroke_width=0)
            self.caption_log.append((self.renderer.time, "The answer table"))
            self.play(m.FadeIn(back), m.FadeIn(panel), run_time=1.0)
            self.wait(1.5)

        def _folded_passes(self, model: Model, node_mob):
            theme = self.theme
            for n in model.nodes:
                self.play(node_mob[n.name][0].animate.set_stroke(theme.value, width=3),
                          run_time=self.video.seconds_per_step / 2)
            for n in reversed(model.nodes):
                self.play(node_mob[n.name][0].animate.set_stroke(theme.grad, width=3),
                          run_time=self.video.seconds_per_step / 2)
            self.wait(0.5)

    return BackpropScene


def _beside(arrow, label, below: bool) -> np.ndarray:
    """A point beside the middle of an arrow, on its lower (or upper) side."""
    mid = arrow.point_from_proportion(0.5)
    d = arrow.get_end() - arrow.get_start()
    normal = np.array([d[1], -d[0], 0.0]) / (float(np.linalg.norm(d)) or 1.0)
    if (normal[1] > 0) == below:
        normal = -normal
    return mid + normal * (0.5 * label.height + 0.08)


def _tex_name(trace: Trace, n: str) -> str:
    if trace.graph.is_generated(n):
        return r"(\cdot)"
    return tex(n)


# ------------------------------------------------------------------------ activations
def activation_samples(name: str, lo: float = -4.0, hi: float = 4.0, n: int = 401,
                       **params: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``x``, ``f(x)`` and the exact ``f'(x)``, from one batched forward+backward pass.

    The derivative is the gradient of ``y = f(x)`` computed by the evaluator (the op's
    VJP), which the tests check against the op table's ``deriv``: never a numerical one.

    Examples
    --------
    >>> x, f, df = activation_samples("relu", -1, 1, 5)
    >>> f.tolist(), df.tolist()
    ([0.0, 0.0, 0.0, 0.5, 1.0], [0.0, 0.0, 0.0, 1.0, 1.0])
    """
    from gradviz.core.builder import Builder
    from gradviz.core.ops import ACTIVATIONS

    if name not in ACTIVATIONS:
        raise GradvizError(f"unknown activation {name!r}; choose from {', '.join(ACTIVATIONS)}")
    b = Builder()
    x = b.input("x", 0.0)
    b.output("y", b.op(name, x, **params))
    xs = np.linspace(lo, hi, n)
    t = evaluate(b.build(), x=xs)
    return xs, t.value("y"), t.grad("x")


def _pieces(name: str, xs: np.ndarray, **params) -> list[np.ndarray]:
    """Split the domain at the op's kinks, so a jump in f' is drawn as a jump."""
    from gradviz.core.ops import OPS

    cuts = [k for k in OPS[name].kinks(**params) if xs[0] < k < xs[-1]]
    edges = [-np.inf] + cuts + [np.inf]
    out = []
    for lo, hi in zip(edges, edges[1:]):
        seg = xs[(xs > lo) & (xs < hi)] if cuts else xs
        if len(seg) > 1:
            out.append(seg)
    return out


def _make_activation_scene():
    m = require_manim()

    class ActivationScene(m.Scene):
        """f beside its exact derivative f′, a point moving along f with its tangent, and
        the matching point on f′; kinks drawn as jumps with open and closed end points."""

        activation: str = "relu"
        params: dict = {}
        theme: str = "dark"
        animate_point: bool = True

        def __init__(self, activation=None, params=None, theme=None, animate_point=None, **kw):
            if activation is not None:
                self.activation = activation
            if params is not None:
                self.params = params
            if theme is not None:
                self.theme = theme
            if animate_point is not None:
                self.animate_point = animate_point
            super().__init__(**kw)

        def construct(self):
            from gradviz.core.ops import OPS

            op = OPS[self.activation]
            t = THEMES[self.theme]
            self.camera.background_color = t.bg
            xs, fs, dfs = activation_samples(self.activation, -4, 4, 801, **self.params)
            pad = lambda lo, hi: (lo - 0.15 * (hi - lo + 1e-9), hi + 0.15 * (hi - lo + 1e-9))
            f_range, d_range = pad(fs.min(), fs.max()), pad(min(dfs.min(), 0), max(dfs.max(), 1))
            axes_kw = dict(x_range=[-4, 4, 1], x_length=5.6, y_length=4.2,
                           axis_config=_axis_config(m, t))
            left = m.Axes(y_range=[*f_range, _tick(f_range)], **axes_kw,
                          y_axis_config=_axis_config(m, t, _tick(f_range)))
            right = m.Axes(y_range=[*d_range, _tick(d_range)], **axes_kw,
                           y_axis_config=_axis_config(m, t, _tick(d_range)))
            m.VGroup(left, right).arrange(m.RIGHT, buff=1.0).shift(0.3 * m.DOWN)
            params = ", ".join(f"{k}={v:g}" for k, v in self.params.items())
            title = m.Text(f"{self.activation}({params or 'x'})" if params else
                           f"{self.activation}(x)", font_size=30, color=t.fg, font=FONT)
            title.to_edge(m.UP, buff=0.2)
            ltitle = m.Text(f"f(x): {forward_text(op)}", font_size=20, color=t.value, font=FONT)
            rtitle = m.Text(f"f′(x) = {role_derivative(op, 0)}", font_size=20, color=t.grad,
                            font=FONT)
            for lab, ax in ((ltitle, left), (rtitle, right)):
                lab.scale_to_fit_width(min(lab.width, 6.0)).next_to(ax, m.UP, buff=0.15)
            f_curve = left.plot_line_graph(xs, fs, add_vertex_dots=False, line_color=t.value,
                                           stroke_width=3)
            d_parts = []
            for seg in _pieces(self.activation, xs, **self.params):
                mask = np.isin(xs, seg)
                d_parts.append(right.plot_line_graph(xs[mask], dfs[mask], add_vertex_dots=False,
                                                     line_color=t.grad, stroke_width=3))
            marks = []
            for k in op.kinks(**self.params):
                _, fk, dk = activation_samples(self.activation, k, k, 1, **self.params)
                eps = 1e-9
                _, _, left_d = activation_samples(self.activation, k - eps, k - eps, 1,
                                                  **self.params)
                _, _, right_d = activation_samples(self.activation, k + eps, k + eps, 1,
                                                   **self.params)
                for side in (left_d[0], right_d[0]):
                    closed = np.isclose(side, dk[0])
                    dot = m.Dot(right.c2p(k, side), radius=0.07, color=t.grad)
                    if not closed:
                        dot.set_fill(t.bg, opacity=1).set_stroke(t.grad, width=2)
                    marks.append(dot)
            self.play(m.FadeIn(title), m.Create(left), m.Create(right), m.FadeIn(ltitle),
                      m.FadeIn(rtitle), run_time=1.0)
            self.play(m.Create(f_curve), *[m.Create(p) for p in d_parts], run_time=1.5)
            if marks:
                self.play(*[m.FadeIn(d) for d in marks], run_time=0.5)
            if not self.animate_point:
                return
            x0 = m.ValueTracker(-3.0)

            def sample(x):
                _, f, d = activation_samples(self.activation, x, x, 1, **self.params)
                return float(f[0]), float(d[0])

            def point_f():
                f, _ = sample(x0.get_value())
                return m.Dot(left.c2p(x0.get_value(), f), color=t.highlight, radius=0.07)

            def tangent():
                x = x0.get_value()
                f, d = sample(x)
                a, b = x - 0.9, x + 0.9
                return m.Line(left.c2p(a, f + d * (a - x)), left.c2p(b, f + d * (b - x)),
                              color=t.highlight, stroke_width=2.5)

            def point_d():
                _, d = sample(x0.get_value())
                return m.Dot(right.c2p(x0.get_value(), d), color=t.highlight, radius=0.07)

            def readout():
                f, d = sample(x0.get_value())
                from gradviz.core.format import fmt

                return m.Text(f"x = {fmt(x0.get_value(), 3)}   f = {fmt(f, 3)}   "
                              f"f′ = {fmt(d, 3)}", font_size=22, font=FONT,
                              color=t.fg).to_edge(m.DOWN, buff=0.25)

            moving = [m.always_redraw(fn) for fn in (tangent, point_f, point_d, readout)]
            self.add(*moving)
            self.play(x0.animate.set_value(3.0), run_time=4.0, rate_func=m.linear)
            self.wait(0.5)

    return ActivationScene


def _axis_config(m, t, step: float = 1.0) -> dict:
    """Axis numbers as Pango text, so plots need no LaTeX."""
    places = 0 if step >= 1 else 1 if step * 10 == int(step * 10) else 2
    return {"color": t.edge, "include_numbers": True, "font_size": 18,
            "label_constructor": m.Text,
            "decimal_number_config": {"num_decimal_places": places}}


def _tick(rng: tuple[float, float]) -> float:
    span = rng[1] - rng[0]
    for step in (0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100):
        if span / step <= 6:
            return step
    return span / 5


def _make_compare_scene():
    m = require_manim()

    class CompareDerivativesScene(m.Scene):
        """Several activations' derivatives on one pair of axes (vanishing gradients)."""

        activations: tuple[str, ...] = ("sigmoid", "tanh", "relu", "gelu")
        theme: str = "dark"

        def __init__(self, activations=None, theme=None, **kw):
            if activations is not None:
                self.activations = tuple(activations)
            if theme is not None:
                self.theme = theme
            super().__init__(**kw)

        def construct(self):
            t = THEMES[self.theme]
            self.camera.background_color = t.bg
            colours = [t.value, t.grad, t.highlight, "#56B4E9", "#CC79A7", "#F0E442", t.fg]
            ax = m.Axes(x_range=[-5, 5, 1], y_range=[-0.2, 1.3, 0.5], x_length=11,
                        y_length=5.2, axis_config=_axis_config(m, t),
                        y_axis_config=_axis_config(m, t, 0.5)).shift(0.4 * m.DOWN)
            title = m.Text("Derivatives side by side: where gradients vanish", font_size=30,
                           color=t.fg, font=FONT).to_edge(m.UP, buff=0.25)
            self.play(m.FadeIn(title), m.Create(ax), run_time=1)
            legend = []
            for i, name in enumerate(self.activations):
                xs, _, dfs = activation_samples(name, -5, 5, 801)
                c = colours[i % len(colours)]
                for seg in _pieces(name, xs):
                    mask = np.isin(xs, seg)
                    self.play(m.Create(ax.plot_line_graph(xs[mask], np.clip(dfs[mask], -0.2, 1.3),
                                                          add_vertex_dots=False, line_color=c,
                                                          stroke_width=3)),
                              run_time=0.6)
                legend.append(m.Text(f"{name}′", font_size=22, color=c, font=FONT))
            m.VGroup(*legend).arrange(m.DOWN, aligned_edge=m.LEFT, buff=0.12).to_corner(
                m.UR, buff=0.6).shift(0.6 * m.DOWN)
            self.play(*[m.FadeIn(lg) for lg in legend], run_time=0.6)
            self.wait(1.0)

    return CompareDerivativesScene


_CACHE: dict[str, type] = {}


def __getattr__(name: str):
    """``BackpropScene``, ``ActivationScene``, ``CompareDerivativesScene``: built on first
    access (this is what imports manim)."""
    makers = {"BackpropScene": _make_backprop_scene,
              "ActivationScene": _make_activation_scene,
              "CompareDerivativesScene": _make_compare_scene}
    if name in makers:
        if name not in _CACHE:
            _CACHE[name] = makers[name]()
        return _CACHE[name]
    raise AttributeError(name)


# -------------------------------------------------------------------------- rendering
def render_scene(scene_cls, output: str | Path, quality: str = "low", *,
                 media_dir: str | Path | None = None, pixel_size: tuple[int, int] | None = None,
                 frame_rate: float | None = None, progress: bool = True,
                 keep_frame: bool = False, **scene_kw):
    """Render a scene class to ``output`` (``.mp4``, ``.gif``, or ``.png`` for the last frame).

    Manim's partial-movie cache lives in ``media_dir`` (default ``~/.cache/gradviz/manim``),
    so an unchanged re-render only concatenates cached pieces. With ``keep_frame`` the
    result is ``(path, last frame as an RGBA array)``.
    """
    m = require_manim()
    output = Path(output)
    ext = output.suffix.lower()
    if ext not in (".mp4", ".gif", ".png", ".mov", ".webm"):
        raise GradvizError("video output must end in .mp4, .gif, .webm, .mov or .png")
    if quality not in QUALITIES:
        raise GradvizError(f"quality must be one of {', '.join(QUALITIES)}")
    if shutil.which("ffmpeg") is None and ext != ".png":
        raise MissingDependencyError("ffmpeg is not installed: sudo apt-get install ffmpeg")
    media = Path(media_dir) if media_dir else Path.home() / ".cache" / "gradviz" / "manim"
    key = _cache_key(scene_cls, ext, quality, pixel_size, frame_rate, scene_kw)
    cached = media / "gradviz-cache" / f"{key}{ext}"
    if cached.exists() and not keep_frame:  # unchanged inputs: no re-render at all
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, output)
        if cached.with_suffix(".vtt").exists():
            shutil.copyfile(cached.with_suffix(".vtt"), output.with_suffix(".vtt"))
        return output
    # each render works in a folder of its own: parallel renders (the gallery's process
    # pool) must not share Manim's partial movies or its text cache
    work = media / "work" / f"{key}-{os.getpid()}"
    settings = {"quality": QUALITIES[quality], "media_dir": str(work),
                "progress_bar": "display" if progress else "none", "verbosity": "WARNING",
                "disable_caching": True, "output_file": output.stem}
    if pixel_size:
        settings.update(pixel_width=pixel_size[0], pixel_height=pixel_size[1])
    if frame_rate:
        settings["frame_rate"] = frame_rate
    if ext == ".png":
        settings.update(write_to_movie=False, save_last_frame=True)
    elif ext == ".gif":
        settings["format"] = "gif"
    elif ext in (".webm", ".mov"):
        settings["format"] = ext[1:]
    with m.tempconfig(settings):
        scene = scene_cls(**scene_kw)
        scene.render()
        frame = np.array(scene.renderer.get_frame()) if keep_frame else None
        captions = _vtt(getattr(scene, "caption_log", None), scene.renderer.time)
        produced = Path(scene.renderer.file_writer.image_file_path if ext == ".png"
                        else scene.renderer.file_writer.movie_file_path)
    if not produced.exists():
        raise GradvizError(f"manim did not write {produced}")
    output.parent.mkdir(parents=True, exist_ok=True)
    if produced.resolve() != output.resolve():
        shutil.copyfile(produced, output)
    cached.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(produced, cached)
    if captions and ext != ".png":
        output.with_suffix(".vtt").write_text(captions, encoding="utf-8")
        cached.with_suffix(".vtt").write_text(captions, encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    return (output, frame) if keep_frame else output


def _vtt(log: list[tuple[float, str]] | None, end: float) -> str | None:
    """WebVTT captions from the scene's own record of what it said and when."""
    if not log:
        return None

    def ts(t: float) -> str:
        ms = int(round(t * 1000))
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"

    cues = ["WEBVTT", ""]
    for i, (start, text) in enumerate(log):
        stop = log[i + 1][0] if i + 1 < len(log) else end
        if stop > start:
            safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            cues += [f"{ts(start)} --> {ts(stop)}", safe, ""]
    return "\n".join(cues)


def _cache_key(scene_cls, ext, quality, pixel_size, frame_rate, scene_kw) -> str:
    """A hash of everything a video depends on: scene, options, graph text, gradviz version.

    Manim's own per-animation hashing serialises the whole scene at every ``play`` (most of
    the render time for a backprop scene), so gradviz caches whole outputs instead.
    """
    import hashlib

    from gradviz import __version__

    def norm(v):
        if isinstance(v, Graph):
            return v.to_text()
        if isinstance(v, str):
            from gradviz.core.library import example_text, examples

            return example_text(v) if v in examples() else v
        return repr(v)

    blob = json.dumps([__version__, scene_cls.__name__, getattr(scene_cls, "graph", None)
                       and norm(scene_cls.graph), getattr(scene_cls, "activation", None),
                       repr(getattr(scene_cls, "params", None)), ext, quality, pixel_size,
                       frame_rate, sorted((k, norm(v)) for k, v in scene_kw.items())],
                      default=repr, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]

