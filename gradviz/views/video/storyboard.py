"""The storyboard: a video's plan written as JSON, so that a course can snapshot-test a
video without rendering it, and the layout targets are tested without frames.

Shape (stable; new keys may be added, none renamed)::

    {"width": int, "height": int, "fps": number,
     "steps": [{"start": s, "end": s, "caption": str,
                "graph_box": [x0, y0, x1, y1] | null, "stage_box": [x0, y0, x1, y1],
                "labels": [{"text": str, "kind": str, "box": [x0, y0, x1, y1],
                            "opacity": number}]}]}

Times are in seconds. Boxes are in frame pixels, y downwards, and are the ink extents of
the text (what the frame shows, not a line box). ``kind`` is one of ``name``, ``value``,
``grad``, ``op``, ``caption``, ``title``, ``table``. A step's labels are every text visible
at its end, with its opacity (finished numbers are dimmed). ``graph_box`` is the part of the
drawn graph inside the stage (``null`` while the answer table replaces the graph) and
``stage_box`` the area the graph may use: the frame minus the title and caption bands.
With ``--tex`` the boxes bound the typeset text, which is fitted inside them.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from gradviz.core.files import write_if_changed
from gradviz.views.video.cards import Item
from gradviz.views.video.plan import DIM, HOT, Plan
from gradviz.views.video.text import Box, shift

__all__ = ["storyboard", "write_storyboard", "opacities", "visible", "KINDS", "inside", "cues"]

KINDS = ("name", "value", "grad", "op", "caption", "title", "table")
MAX_BRIGHT = 20  # numbers at full opacity at once


def inside(b: Box, stage: Box) -> bool:
    return b[0] >= stage[0] - 0.01 and b[1] >= stage[1] - 0.01 and b[2] <= stage[2] + 0.01 \
        and b[3] <= stage[3] + 0.01


def _slot(key: str) -> tuple[str, str]:
    node, kind, _ = key.rsplit(":", 2)
    return node, kind


def opacities(p: Plan, i: int) -> dict[str, float]:
    """The opacity of every graph label at the end of beat ``i`` (0: not shown)."""
    beat = p.beats[i]
    if beat.kind == "table":
        return {key: 0.0 for key in p.geom.items}
    cam, st = p.cameras[i], p.frame.stage
    view = (0.0, st[1], p.frame.width, st[3])  # the frame between the bands
    out = {}
    for key, item in p.geom.items.items():
        slot = _slot(key)
        if slot[1] in ("name", "op"):
            o = HOT
        elif slot in beat.shown:
            o = HOT if slot in beat.hot else DIM
        else:
            o = 0.0
        if o and not inside(shift(item.box, -cam[0], -cam[1]), view):
            o = 0.0  # out of the camera's view, or under a band: not drawn
        out[key] = o
    return out


def _numbers(col: tuple[Item, ...]) -> int:
    return sum(1 for it in col if not it.key.endswith(":name"))


def table_shown(p: Plan, i: int) -> list[tuple[Item, float]]:
    """The table entries on screen at the end of beat ``i``, with their opacity: the
    newest columns bright, older ones dimmed once more than MAX_BRIGHT numbers show."""
    if p.beats[i].kind != "table":
        return []
    cols = p.table[: sum(1 for b in p.beats[: i + 1] if b.kind == "table")]
    out: list[tuple[Item, float]] = []
    bright = 0
    for c in reversed(cols):
        bright += _numbers(c)
        o = HOT if bright <= MAX_BRIGHT or c is cols[-1] else DIM
        out = [(it, o) for it in c] + out
    return out


def visible(p: Plan, i: int) -> list[tuple[Item, float]]:
    """Every text on screen at the end of beat ``i`` with its opacity, in frame pixels of
    the 1080-line reference frame."""
    cam = p.cameras[i]
    out = [(p.title, HOT)] + [(it, HOT) for it in p.captions[i]]
    op = opacities(p, i)
    out += [(replace(it, box=shift(it.box, -cam[0], -cam[1])), op[k])
            for k, it in p.geom.items.items() if op[k] > 0]
    out += table_shown(p, i)
    return out


def graph_box(p: Plan, i: int) -> Box | None:
    if p.beats[i].kind == "table":
        return None
    cam, st = p.cameras[i], p.frame.stage
    b = shift(p.geom.box, -cam[0], -cam[1])
    return (max(b[0], st[0]), max(b[1], st[1]), min(b[2], st[2]), min(b[3], st[3]))


def _px(b: Box, k: float) -> list[float]:
    return [round(v * k, 1) for v in b]


def storyboard(p: Plan) -> dict:
    """The plan as the storyboard's JSON-ready dictionary (see the module's docstring)."""
    k = p.scale
    steps: list[dict] = []
    t = 0.0
    for i, beat in enumerate(p.beats):
        end = t + beat.seconds
        gb = graph_box(p, i)
        labels = [{"text": it.text, "kind": it.kind, "box": _px(it.box, k),
                   "opacity": round(o, 3)} for it, o in visible(p, i)]
        steps.append({"start": round(t, 3), "end": round(end, 3),
                      "caption": "\n".join(beat.lines),
                      "graph_box": None if gb is None else _px(gb, k),
                      "stage_box": _px(p.frame.stage, k), "labels": labels})
        t = end
    assert all(lab["kind"] in KINDS for s in steps for lab in s["labels"])
    return {"width": p.width, "height": p.height, "fps": p.fps, "steps": steps}


def cues(p: Plan) -> list[tuple[float, float, str]]:
    """The captions with their times, for WebVTT."""
    out, t = [], 0.0
    for beat in p.beats:
        out.append((t, t + beat.seconds, " / ".join(beat.lines)))
        t += beat.seconds
    return out


def write_storyboard(p: Plan, path: str | Path) -> Path:
    """Write the storyboard of ``p`` to ``path`` (deterministic JSON, UTF-8)."""
    path = Path(path)
    write_if_changed(path, json.dumps(storyboard(p), ensure_ascii=False, indent=1) + "\n")
    return path
