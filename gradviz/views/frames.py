"""Slide frames: one SVG per step of the story, and a self-contained ``index.html`` pager.

Frame 0 is the problem (given values only); then the forward pass node by node, the
loss, the seed, and the backward pass edge by edge, each gradient shown as it completes
(with the sum where paths meet). The pager embeds every SVG, shows the step's sentence
under the figure, and pages with the arrow keys (Home/End jump).
"""

from __future__ import annotations

import html
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from gradviz.core.errors import GradvizError
from gradviz.core.evaluate import Trace
from gradviz.core.files import write_if_changed
from gradviz.views.dot import model_to_dot
from gradviz.views.figure import Options, layout_model
from gradviz.views.render import run_dot
from gradviz.views.story import story

__all__ = ["write_frames", "frame_dots"]


def frame_dots(trace: Trace, options: Options | None = None) -> list[tuple[str, str]]:
    """``(caption, DOT text)`` for every frame of the story."""
    opts = replace(options or Options(), show="all", highlight=None, fold="never")
    if len(trace.graph) > (options or Options()).fold_limit:
        raise GradvizError(f"{len(trace.graph)} nodes are too many for "
                           "step-by-step frames; draw a smaller graph")
    st = story(trace)
    out = [("Given: the problem's values.", model_to_dot(layout_model(trace, opts,
                                                                      st.state(-1))))]
    for i, step in enumerate(st.steps):
        out.append((step.text, model_to_dot(layout_model(trace, opts, st.state(i)))))
    return out


def write_frames(trace: Trace, folder: str | Path, options: Options | None = None,
                 title: str | None = None, progress=None) -> list[Path]:
    """Write ``frame_000.svg`` … and ``index.html`` into ``folder``; returns the SVG paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frames = frame_dots(trace, options)
    with ThreadPoolExecutor(max_workers=2) as pool:
        svgs = []
        for svg in pool.map(lambda f: run_dot(f[1], "svg").decode("utf-8"), frames):
            svgs.append(svg)
            if progress:
                progress()
    width = max(3, len(str(len(frames) - 1)))
    paths = []
    for i, svg in enumerate(svgs):
        p = folder / f"frame_{i:0{width}d}.svg"
        write_if_changed(p, svg)
        paths.append(p)
    for old in folder.glob("frame_*.svg"):
        if old not in paths:
            old.unlink()
    name = title or trace.graph.title or trace.graph.name or "gradviz"
    write_if_changed(folder / "index.html", pager_html(name, [c for c, _ in frames], svgs))
    return paths


def _inline(svg: str) -> str:
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def _json(data) -> str:
    return html.escape(json.dumps(data, ensure_ascii=False), quote=False)


def pager_html(title: str, captions: list[str], svgs: list[str]) -> str:
    """A self-contained page (no external assets) that pages through the frames."""
    slides = "\n".join(
        f'<figure class="frame" id="f{i}" aria-label="step {i} of {len(svgs) - 1}"'
        f'{"" if i == 0 else " hidden"}>{_inline(svg)}'
        f"<figcaption>{html.escape(cap)}</figcaption></figure>"
        for i, (cap, svg) in enumerate(zip(captions, svgs)))
    t = html.escape(title)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t} — backprop step by step</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1rem 2rem; color: #222; }}
.frame svg {{ max-width: 100%; height: auto; }}
figcaption {{ font-size: 1.3rem; margin-top: .8rem; font-family: ui-monospace, monospace; }}
nav {{ display: flex; gap: .6rem; align-items: center; margin: .6rem 0; }}
button {{ font-size: 1rem; padding: .2rem .8rem; }}
</style></head>
<body>
<h1>{t}</h1>
<nav aria-label="frames">
<button id="prev" aria-label="previous step">&larr;</button>
<span id="pos" aria-live="polite"></span>
<button id="next" aria-label="next step">&rarr;</button>
<span>(arrow keys, Home, End)</span>
</nav>
{slides}
<script>
const frames = document.querySelectorAll(".frame");
let cur = 0;
function show(i) {{
  cur = Math.max(0, Math.min(frames.length - 1, i));
  frames.forEach((f, k) => f.hidden = k !== cur);
  document.getElementById("pos").textContent = "step " + cur + " / " + (frames.length - 1);
}}
document.getElementById("prev").onclick = () => show(cur - 1);
document.getElementById("next").onclick = () => show(cur + 1);
document.addEventListener("keydown", e => {{
  if (e.key === "ArrowRight" || e.key === "PageDown" || e.key === " ") show(cur + 1);
  else if (e.key === "ArrowLeft" || e.key === "PageUp") show(cur - 1);
  else if (e.key === "Home") show(0);
  else if (e.key === "End") show(frames.length - 1);
  else return;
  e.preventDefault();
}});
show(0);
</script>
<script type="application/json" id="captions">{_json(captions)}</script>
</body></html>
"""
