"""Slide frames: one SVG per step of the story, and an interactive ``index.html``.

Frame 0 is the problem (given values only); then the forward pass node by node, the
loss, the seed, and the backward pass edge by edge, each gradient shown as it completes
(with the sum where paths meet). Every frame has the layout of the full figure: what is
not known yet keeps its space and is not written at all, so the problem frame holds no
answer. With ``Options.fit`` the layout is chosen once, for all frames. The page
(``pager.py``) pages with the keyboard or buttons and shows each node's chain-rule sum on
hover or focus.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from gradviz.core.errors import GradvizError
from gradviz.core.evaluate import Trace
from gradviz.core.files import write_if_changed
from gradviz.views.dot import figure_model, measure, model_to_dot
from gradviz.views.fit import fit
from gradviz.views.graphviz import run_dot
from gradviz.views.model import Model, Options
from gradviz.views.pager import page_html, step_data
from gradviz.views.story import Story, story

__all__ = ["write_frames", "frame_dots", "frame_models", "frame_svgs"]

PROBLEM = "Given: the problem's values."


def frame_models(trace: Trace, options: Options | None = None
                 ) -> tuple[Story, list[tuple[str, Model]]]:
    """The story, and ``(caption, figure model)`` for every frame of it."""
    opts = replace(options or Options(), show="all", highlight=None)
    if opts.fold in ("auto", "always"):
        opts = replace(opts, fold="never")
    if len(trace.graph) > opts.fold_limit:
        raise GradvizError(f"{len(trace.graph)} nodes are too many for "
                           "step-by-step frames; draw a smaller graph")
    st = story(trace)
    fitted = fit(trace, opts, measure, st.state(-1)) if opts.fit != "none" else None
    out = [(PROBLEM, figure_model(trace, opts, st.state(-1), fitted))]
    for i, step in enumerate(st.steps):
        out.append((step.text, figure_model(trace, opts, st.state(i), fitted)))
    return st, out


def frame_dots(trace: Trace, options: Options | None = None) -> list[tuple[str, str]]:
    """``(caption, DOT text)`` for every frame of the story."""
    return [(c, model_to_dot(m)) for c, m in frame_models(trace, options)[1]]


def frame_svgs(trace: Trace, options: Options | None = None,
               progress: Callable[[], object] | None = None) -> dict:
    """Every frame drawn: the data of the step-through page and widget."""
    st, frames = frame_models(trace, options)
    with ThreadPoolExecutor(max_workers=2) as pool:
        svgs = []
        for svg in pool.map(lambda f: run_dot(model_to_dot(f[1]), "svg").decode("utf-8"),
                            frames):
            svgs.append(svg)
            if progress:
                progress()
    g = trace.graph
    return step_data(st, frames[-1][1], [c for c, _ in frames], svgs,
                     g.title or g.name or "gradviz")


def write_frames(trace: Trace, folder: str | Path, options: Options | None = None,
                 title: str | None = None, progress: Callable[[], object] | None = None
                 ) -> list[Path]:
    """Write ``frame_000.svg`` … and ``index.html`` into ``folder``; returns the SVG paths."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise GradvizError(f"cannot write frames into {folder}: it is a file, not a folder")
    data = frame_svgs(trace, options, progress)
    if title:
        data["title"] = title
    width = max(3, len(str(len(data["svgs"]) - 1)))
    paths = []
    for i, svg in enumerate(data["svgs"]):
        p = folder / f"frame_{i:0{width}d}.svg"
        write_if_changed(p, '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + svg)
        paths.append(p)
    for old in folder.glob("frame_*.svg"):
        if old not in paths:
            old.unlink()
    write_if_changed(folder / "index.html", page_html(data))
    return paths
