"""The Manim scene of backprop: a plan drawn beat by beat.

With :mod:`~gradviz.views.video.plots` (activation plots), the only modules that import
manim, and only ``gradviz animate``, the gallery's video tasks, the benchmark and the scene
files in ``scenes/`` import them. ``BackpropScene``
draws a :class:`~gradviz.views.video.plan.Plan` in three parts: *placing* (every mobject at
its planned box), *drawing* the intro, then one handler per beat kind, and within a story
beat one handler per step kind, each from a table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import manim as m
import numpy as np

from gradviz.core.evaluate import Trace
from gradviz.views.figure import THEMES, Theme
from gradviz.views.story import Step
from gradviz.views.video.cards import Item
from gradviz.views.video.options import VideoOptions
from gradviz.views.video.plan import HOT, Plan, plan
from gradviz.views.video.storyboard import inside, opacities, table_shown
from gradviz.views.video.text import FONT, Box, advance, center

__all__ = ["BackpropScene", "STEPS", "BEATS"]

UNIT = 8.0 / 1080.0  # Manim units per reference pixel (the frame is 8 units high)
TIP = 16.0  # arrow tip length, px
PAN = 0.6  # seconds the camera takes to follow the story
CLEAR = 0.8  # seconds the graph takes to give way to the answer table
STYLES = {"idle": ("edge", 3.0, 1.0), "value": ("value", 7.0, 1.0),
          "grad": ("grad", 7.0, 1.0), "done": ("grad", 3.0, 0.45)}
RINGS = {"idle": ("edge", 3.0), "value": ("value", 7.0), "grad": ("grad", 7.0)}
Lit = tuple[dict[Any, str], dict[str, str], list]  # edge styles, ring styles, extras


def _font_size(text: str) -> float:
    """A size at which Pango sets ``text`` on one line: Manim lays text out in a box as wide
    as the frame in pixels less a margin, at a 4.8th of ``font_size``, and wraps what is
    longer (the text is then stretched onto its planned box, so the size only has to be
    large enough for exact outlines)."""
    room = 0.85 * (m.config.pixel_width - 60)
    return min(48.0, max(8.0, 4.8 * room / max(advance(text, 1.0), 1e-9)))


class Tween(m.Animation):
    """Calls ``step(alpha)`` on every frame and copies nothing: Manim's ``.animate`` deep-
    copies a mobject twice per animation, most of a backprop scene's render time."""

    def __init__(self, mob: m.Mobject, step: Callable[[float], object], **kw: Any) -> None:
        super().__init__(mob, **kw)
        self.step = step

    def create_starting_mobject(self) -> m.Mobject:
        return m.Mobject()

    def interpolate_mobject(self, alpha: float) -> None:
        self.step(self.rate_func(alpha))


def _shift(mob: m.Mobject, v: np.ndarray) -> Tween:
    done = [0.0]

    def step(a: float) -> None:
        mob.shift(v * (a - done[0]))
        done[0] = a
    return Tween(mob, step)


def _opacity(mob: m.Mobject, was: float, to: float) -> Tween:
    return Tween(mob, lambda a: mob.set_opacity(was + (to - was) * a))


def _stroke(mob: m.Mobject, was: tuple, to: tuple, fill: bool = False) -> Tween:
    """Colour, width and opacity from ``was`` to ``to`` (``fill``: the fill's colour)."""
    def step(a: float) -> None:
        c = m.interpolate_color(m.ManimColor(was[0]), m.ManimColor(to[0]), a)
        alpha = was[2] + (to[2] - was[2]) * a
        if fill:
            mob.set_fill(c, opacity=alpha)
        else:
            mob.set_stroke(c, width=was[1] + (to[1] - was[1]) * a, opacity=alpha)
    return Tween(mob, step)


class BackpropScene(m.Scene):
    """Backprop on one evaluated graph, as planned by :func:`~gradviz.views.video.plan.plan`.

    Pass ``trace`` (an evaluated :class:`~gradviz.core.evaluate.Trace`) and ``video``
    (:class:`VideoOptions`), or a ready ``plan``; the scene never evaluates anything.
    """

    trace: Trace | None = None
    video: VideoOptions = VideoOptions()

    def __init__(self, trace: Trace | None = None, video: VideoOptions | None = None,
                 plan: Plan | None = None, still: bool = False, **kw: Any) -> None:
        self.trace = trace if trace is not None else type(self).trace
        self.video = video or type(self).video
        self.plan, self.still = plan, still
        super().__init__(**kw)

    # ------------------------------------------------------------------- placing
    def _plan(self) -> Plan:
        if self.plan is None:
            if self.trace is None:
                raise ValueError("BackpropScene needs a trace (gradviz.evaluate(graph))")
            size = (m.config.pixel_width, m.config.pixel_height)
            self.plan = plan(self.trace, self.video, size, m.config.frame_rate, self.still)
        return self.plan

    def at(self, x: float, y: float, world: bool = False) -> np.ndarray:
        """Manim coordinates of a frame pixel (of a world pixel, seen by the camera)."""
        if world:
            x, y = x - self.cam[0], y - self.cam[1]
        f = self.p.frame
        return np.array([(x - f.width / 2) * UNIT, (f.height / 2 - y) * UNIT, 0.0])

    def text(self, item: Item, world: bool = False) -> m.Mobject:
        """A Text stretched onto the planned ink box (same font: a fraction of a percent);
        with ``--tex``, a name typeset by LaTeX and fitted inside its box."""
        colour = getattr(self.theme, item.color)
        b = item.box
        mob: m.VMobject
        if self.video.tex and item.tex:
            mob = m.MathTex(item.tex, color=colour)
            mob.scale(min((b[2] - b[0]) * UNIT / mob.width, (b[3] - b[1]) * UNIT / mob.height))
        else:
            mob = m.Text(item.text, font=FONT, font_size=_font_size(item.text), color=colour)
            mob.stretch_to_fit_width(max(b[2] - b[0], 0.5) * UNIT)
            mob.stretch_to_fit_height(max(b[3] - b[1], 0.5) * UNIT)
        return mob.move_to(self.at(*center(b), world=world))

    def _shape(self, kind: str, b: Box) -> m.Mobject:
        t = self.theme
        mob: m.VMobject
        if kind == "circle":
            mob = m.Circle(radius=(b[2] - b[0]) / 2 * UNIT, color=t.edge, stroke_width=3)
            mob.set_fill(t.op_fill, opacity=1.0)
        else:
            mob = m.RoundedRectangle(width=(b[2] - b[0]) * UNIT, height=(b[3] - b[1]) * UNIT,
                                     corner_radius=0.1, color=t.edge, stroke_width=3)
            mob.set_fill(t.leaf_fill if kind == "box" else t.op_fill, opacity=1.0)
        return mob.move_to(self.at(*center(b), world=True))

    def _edge(self, points: tuple) -> m.VGroup:
        pts = [self.at(x, y, world=True) for x, y in points]
        end = pts[-1] - np.array([TIP * UNIT, 0, 0])  # the line stops where the tip starts
        pts[-3:] = [pts[-4] + (end - pts[-4]) / 3, pts[-4] + 2 * (end - pts[-4]) / 3, end]
        path = m.VMobject(stroke_width=3, color=self.theme.edge)
        path.start_new_path(pts[0])
        for i in range(1, len(pts) - 1, 3):
            path.add_cubic_bezier_curve_to(pts[i], pts[i + 1], pts[i + 2])
        h = TIP * 0.45 * UNIT
        tip = m.Polygon(pts[-1] + np.array([TIP * UNIT, 0, 0]), end + np.array([0, h, 0]),
                        end - np.array([0, h, 0]), stroke_width=0)
        tip.set_fill(self.theme.edge, opacity=1.0)
        return m.VGroup(path, tip)

    def place(self) -> None:
        """Build the shapes, edges and bands at their planned places (labels are built when
        they are first shown); nothing is on screen yet."""
        p, t, f = self.p, self.theme, self.p.frame
        self.cam = p.cameras[0]
        self.shapes = {n: self._shape(g.shape, g.shape_box) for n, g in p.geom.nodes.items()}
        self.edges = {e.edge: self._edge(e.points) for e in p.geom.edges}
        self.labels: dict[str, m.Mobject] = {}
        self.inner = {id(self.shapes[n]): [k for k, it in p.geom.items.items()
                                           if k.rsplit(":", 2)[0] == n and
                                           inside(it.box, g.shape_box)]
                      for n, g in p.geom.nodes.items()}
        self.bands = [m.Rectangle(width=f.width * UNIT, height=(b[3] - b[1]) * UNIT,
                                  stroke_width=0, fill_color=t.bg, fill_opacity=1.0)
                      .move_to(self.at(f.width / 2, (b[1] + b[3]) / 2))
                      for b in ((0, 0, 0, f.stage[1]), (0, f.stage[3], 0, f.height))]
        self.hud: list[m.Mobject] = [*self.bands, self.text(p.title)]
        self.opacity: dict[str, float] = {}
        self.style = {e: "idle" for e in self.edges}
        self.ring = {n: "idle" for n in self.shapes}
        self.caption: list[m.Mobject] = []
        self.tabled: dict[str, m.Mobject] = {}

    def graph(self) -> list[m.Mobject]:
        return [*self.edges.values(), *self.shapes.values(), *self.labels.values()]

    # ------------------------------------------------------------------- drawing
    def construct(self) -> None:
        self.p = self._plan()
        self.theme: Theme = THEMES[self.p.theme]
        setattr(self.camera, "background_color", self.theme.bg)  # noqa: B010 - typed union
        self.place()
        for i, beat in enumerate(self.p.beats):
            BEATS.get(beat.kind, _story_beat)(self, i)

    def frames(self, seconds: float) -> int:
        return int(round(seconds * m.config.frame_rate))

    def hold(self, animations: list, n: int, moving: float = 0.6) -> None:
        """Play ``animations``, then hold their end: ``n`` frames in all, the last one
        showing the end state (Manim renders a play of ``(k - 0.5) / fps`` seconds as k
        frames, from its start; a wait of ``(k + 0.5) / fps`` as k frames).

        What moves is brought to the front first (nothing in a plan overlaps, so the order
        is not seen): Manim redraws on every frame only what lies above the first moving
        mobject, and draws the rest once.
        """
        fps = m.config.frame_rate
        if animations:
            movers = [a.mobject for a in animations if getattr(a, "mobject", None) in
                      self.mobjects]
            inner = [self.labels[k] for mob in movers for k in self.inner.get(id(mob), ())
                     if k in self.labels]  # a shape's text stays on its shape
            self.bring_to_front(*movers, *inner, *self.hud, *self.caption)
            k = min(self.frames(moving), n - 1)
            if k < 1:  # no time to move: cut to the end
                self.play(*animations, run_time=0.5 / fps, rate_func=lambda t: 1.0)
                k = 1
            else:
                self.play(*animations, run_time=(k - 0.5) / fps)
            n -= k
        if n > 0:
            self.wait((n + 0.5) / fps)

    def say(self, i: int) -> None:
        """Cut to beat ``i``'s caption (a cut, as on a slide)."""
        self.remove(*self.caption)
        self.caption = [self.text(it) for it in self.p.captions[i]]
        self.add(*self.caption)

    def fades(self, i: int) -> list:
        """Bring every graph label to its opacity at the end of beat ``i``."""
        out = []
        for key, o in opacities(self.p, i).items():
            was = self.opacity.get(key, 0.0)
            if abs(o - was) < 1e-6:
                continue
            if key not in self.labels:
                self.labels[key] = self.text(self.p.geom.items[key], world=True)
                self.add(self.labels[key].set_opacity(0.0))
            out.append(_opacity(self.labels[key], was, o))
            self.opacity[key] = o
        return out

    def _look(self, table: dict, name: str) -> tuple:
        colour, width, *alpha = table[name]
        return (getattr(self.theme, colour), width, alpha[0] if alpha else 1.0)

    def restyle(self, edges: dict, rings: dict) -> list:
        out = []
        for e, style in edges.items():
            if self.style[e] != style:
                was, to = self._look(STYLES, self.style[e]), self._look(STYLES, style)
                path, tip = self.edges[e]
                out += [_stroke(path, was, to), _stroke(tip, was, to, fill=True)]
                self.style[e] = style
        for n, ring in rings.items():
            if self.ring[n] != ring:
                was, to = self._look(RINGS, self.ring[n]), self._look(RINGS, ring)
                out.append(_stroke(self.shapes[n], was, to))
                self.ring[n] = ring
        return out

    def pan(self, i: int) -> list:
        new = self.p.cameras[i]
        d = (new[0] - self.cam[0], new[1] - self.cam[1])
        self.cam = new
        if abs(d[0]) + abs(d[1]) < 0.5:
            return []
        v = np.array([-d[0] * UNIT, d[1] * UNIT, 0.0])
        return [_shift(mob, v) for mob in self.graph()]


# ---------------------------------------------------------------------- step handlers
def _forward(scene: BackpropScene, step: Step) -> Lit:
    ins = {e: "value" for e in scene.edges if e[1] == step.node}
    return ins, {step.node: "value"}, []


def _gradient(scene: BackpropScene, step: Step) -> Lit:
    return {}, {step.node: "grad"}, []


def _backward(scene: BackpropScene, step: Step) -> Lit:
    path = scene.edges[step.edge][0]  # type: ignore[index]
    flash = path.copy().reverse_points().set_stroke(scene.theme.highlight, width=10)
    return {step.edge: "grad"}, {step.node: "grad"}, [
        m.ShowPassingFlash(flash, time_width=0.6)]


STEPS: dict[str, Callable[[BackpropScene, Step], Lit]] = {
    "forward": _forward, "loss": _forward, "seed": _gradient, "grad": _gradient,
    "backward": _backward}


# ---------------------------------------------------------------------- beat handlers
def _story_beat(scene: BackpropScene, i: int) -> None:
    beat = scene.p.beats[i]
    edges = {e: "done" if e in beat.done else "idle" for e in scene.edges}
    rings = {n: "idle" for n in scene.shapes}
    extras: list = []
    for step in beat.steps:
        es, rs, ex = STEPS[step.kind](scene, step)
        edges.update(es)
        rings.update(rs)
        extras += ex
    scene.say(i)
    n = scene.frames(beat.seconds)
    moves = scene.pan(i)
    if moves:  # move first, so that what lights up is where it will stay
        k = min(scene.frames(PAN), n - 1)
        scene.hold(moves, k, moving=PAN)
        n -= k
    scene.hold(scene.fades(i) + scene.restyle(edges, rings) + extras, n)


def _intro(scene: BackpropScene, i: int) -> None:
    graph = [*scene.edges.values(), *scene.shapes.values()]
    scene.add(*graph, *scene.hud)
    scene.say(i)
    appear = [m.FadeIn(mob) for mob in graph]
    scene.hold(appear + scene.fades(i), scene.frames(scene.p.beats[i].seconds), moving=1.2)


def _table(scene: BackpropScene, i: int) -> None:
    """The graph gives way to the answer table, one column per beat."""
    n = scene.frames(scene.p.beats[i].seconds)
    scene.say(i)
    if not scene.tabled:
        k = min(scene.frames(CLEAR), n - 1)
        scene.hold([m.FadeOut(mob) for mob in scene.graph()], k, moving=CLEAR)
        scene.opacity = {}
        n -= k
    anims: list = []
    for it, o in table_shown(scene.p, i):
        if it.key not in scene.tabled:
            scene.tabled[it.key] = scene.text(it).set_opacity(o)
            anims.append(m.FadeIn(scene.tabled[it.key]))
        elif abs(scene.opacity.get(it.key, HOT) - o) > 1e-6:
            anims.append(_opacity(scene.tabled[it.key], scene.opacity.get(it.key, HOT), o))
        scene.opacity[it.key] = o
    scene.hold([m.LaggedStart(*anims, lag_ratio=0.08)], n, moving=1.0)


def _still(scene: BackpropScene, i: int) -> None:
    """The fully annotated graph, at once (for ``.png``)."""
    for e in scene.p.beats[i].done:
        scene.edges[e][0].set_stroke(scene.theme.grad, width=3)
        scene.edges[e][1].set_fill(scene.theme.grad)
    for key, o in opacities(scene.p, i).items():
        if o > 0:
            scene.labels[key] = scene.text(scene.p.geom.items[key], world=True).set_opacity(o)
    scene.add(*scene.graph(), *scene.hud)


BEATS: dict[str, Callable[[BackpropScene, int], None]] = {
    "intro": _intro, "table": _table, "still": _still}
