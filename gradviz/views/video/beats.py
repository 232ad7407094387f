"""The story cut into beats: what the video explains, in order, and what is lit at each.

A beat is one or more consecutive story steps about the same node (the contribution that
completes a gradient and the gradient itself are one beat, not two flashes). At each beat
only its own numbers are bright: the value or gradient it computes and the numbers its
chain-rule line reads. Every number explained before stays on screen, dimmed; numbers not
yet explained are hidden. A beat lasts as long as its caption takes to read.
"""

from __future__ import annotations

from dataclasses import dataclass

from gradviz.core.evaluate import Trace
from gradviz.views.story import Step, story
from gradviz.views.video.captions import caption
from gradviz.views.video.options import VideoOptions

__all__ = ["Beat", "Slot", "story_beats", "INTRO", "focus_intro"]

Slot = tuple[str, str]  # (node, "value" | "grad")
Edge3 = tuple[str, str, int]
INTRO = "Forward pass: each value from the values it depends on"
BACKWARD = "Backward pass: from the loss back to every input, by the chain rule"


def focus_intro(name: str) -> str:
    return f"The gradient of every path from the loss back to {name}"


@dataclass(frozen=True)
class Beat:
    """One stretch of the video: its steps, caption lines, length and what is lit."""

    kind: str  # intro | forward | loss | seed | grad | backward (its first step's kind)
    steps: tuple[Step, ...]
    lines: tuple[str, ...]
    seconds: float
    shown: frozenset[Slot]  # values and gradients on screen at the beat's end
    hot: frozenset[Slot]  # those of them at full brightness
    nodes: tuple[str, ...]  # the nodes explained, most important first (the camera's aim)
    edges: frozenset[Edge3] = frozenset()  # lit during the beat
    done: frozenset[Edge3] = frozenset()  # gradients already sent along


def _groups(steps: list[Step]) -> list[list[Step]]:
    out: list[list[Step]] = []
    for s in steps:
        if out and out[-1][-1].node == s.node and s.kind != "forward":
            out[-1].append(s)
        else:
            out.append([s])
    return out


def _lines(trace: Trace, group: list[Step], headline: bool) -> list[str]:
    """One line per step; a gradient with one term, completed by the step just before it,
    is said once."""
    lines = []
    for i, s in enumerate(group):
        if s.kind == "grad" and len(s.terms) == 1 and i and group[i - 1].kind == "backward":
            continue
        lines.append(("Backward pass: " if s.kind == "seed" and headline else "")
                     + caption(trace, s))
    out: list[str] = []  # x + x: the same line twice is said once, with its count
    for line in lines:
        if out and out[-1].split("   (")[0] == line:
            n = int(out[-1].split("(×")[1][:-1]) + 1 if "(×" in out[-1] else 2
            out[-1] = f"{line}   (×{n}: one per edge)"
        else:
            out.append(line)
    return out


def _lit(trace: Trace, s: Step) -> tuple[set[Slot], list[str], set[Edge3]]:
    """What a step lights: slots, nodes (the subject first) and edges."""
    g = trace.graph
    if s.kind in ("forward", "loss"):
        ins = g.inputs(s.node)
        return ({(s.node, "value")} | {(u, "value") for u in ins}, [s.node, *ins],
                {e for e in g.edges() if e[1] == s.node})
    if s.kind in ("seed", "grad"):  # the camera looks ahead: the inputs come next
        return {(s.node, "grad")}, [s.node, *g.inputs(s.node)], set()
    src, dst, _ = s.edge  # type: ignore[misc]
    ins = g.inputs(dst)
    return ({(dst, "grad")} | {(u, "value") for u in ins if u != src} | {(src, "value")},
            [src, dst, *ins], {s.edge})  # type: ignore[arg-type]


def _wanted(trace: Trace, opts: VideoOptions) -> list[Step]:
    steps = list(story(trace).steps)
    if opts.focus:
        nodes, edges = trace.graph.paths_to_loss(opts.focus)
        return [s for s in steps if s.kind in ("seed", "grad") and s.node in nodes
                or s.kind == "backward" and s.edge in edges]
    if opts.skip_forward:
        return [s for s in steps if s.kind not in ("forward", "loss")]
    return steps


def story_beats(trace: Trace, opts: VideoOptions) -> list[Beat]:
    """The beats of a backprop video, the intro first.

    Examples
    --------
    >>> from gradviz import evaluate, example
    >>> beats = story_beats(evaluate(example("xyz")), VideoOptions())
    >>> [(b.kind, len(b.steps)) for b in beats][:4]
    [('intro', 0), ('forward', 1), ('forward', 1), ('forward', 1)]
    >>> [b.lines for b in beats if b.kind == "backward" and b.nodes[0] == "x"][0]
    ('∂w/∂x += ∂w/∂(x + x) · ∂(x + x)/∂x = 25 · 1 = 25   (×2: one per edge)',)
    """
    g = trace.graph
    steps = _wanted(trace, opts)
    given = {(n, "value") for n in g.order if g.is_leaf(n)}
    if opts.focus or opts.skip_forward:
        given = {(n, "value") for n in g.order}
    intro = focus_intro(g.display_name(opts.focus)) if opts.focus else \
        (BACKWARD if opts.skip_forward else INTRO)
    shown = frozenset(given)
    lit = shown if not (opts.focus or opts.skip_forward) and len(shown) <= 12 else frozenset()
    beats = [Beat("intro", (), (intro,), opts.reading_seconds(intro) + 1.0, shown, lit,
                  (g.loss,))]
    done: frozenset[Edge3] = frozenset()
    for group in _groups(steps):
        hot: set[Slot] = set()
        nodes: list[str] = []
        edges: set[Edge3] = set()
        for s in group:
            h, ns, es = _lit(trace, s)
            hot |= h
            nodes += [n for n in ns if n not in nodes]
            edges |= es
        reveal = {(s.node, "value") if s.kind in ("forward", "loss") else (s.node, "grad")
                  for s in group if s.kind != "backward"}
        shown = shown | reveal
        lines = _lines(trace, group, not opts.focus)
        seconds = opts.reading_seconds(" ".join(lines))
        if any(s.kind == "loss" for s in group) and not opts.skip_forward:
            seconds += opts.pause_at_loss
        done = done | {s.edge for s in group if s.edge}
        beats.append(Beat(group[0].kind, tuple(group), tuple(lines), seconds, shown,
                          frozenset(hot & shown), tuple(nodes), frozenset(edges), done))
    return beats
