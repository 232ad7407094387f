"""``gradviz gallery``: every built-in example and activation, built into one browsable folder.

Per example: blank / values / gradients / highlighted-path figures (SVG, PNG for slides),
the slide frames with their pager, the worked solution (HTML, Markdown, LaTeX), the answer
table, the backprop video with a poster and captions, and the graph file. Then activation
plots (stills and videos), the derivative comparison, one generated problem variant, and
``index.html``: static, no external assets, works from ``file://``.

Builds are incremental (a task whose inputs — graph file, options, gradviz version — are
unchanged is skipped) and run in parallel over the machine's cores with a progress bar
per task kind; one failing task does not stop the others.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from gradviz.core.errors import GradvizError
from gradviz.core.evaluate import evaluate
from gradviz.core.files import write_if_changed
from gradviz.core.format import fmt_value
from gradviz.core.graph import Graph
from gradviz.core.library import example, example_text, examples
from gradviz.core.names import plain
from gradviz.views.answers import asked

__all__ = ["build_gallery", "Task", "plan", "fan_out_node"]

FIGURES = (("blank", "The problem: the graph and its given values"),
           ("values", "Forward pass: every value"),
           ("grads", "Backward pass: every gradient (∇) and each wire's contribution"),
           ("all", "Values and gradients together"))
VARIANT = ("interesting", 1)  # the example and seed of the generated variant shown
COMPARE = ("sigmoid", "tanh", "relu", "gelu")
VIDEO_QUALITY = "medium"  # 720p: a hall reads it (gradviz gallery --quality high: 1080p)


@dataclass(frozen=True)
class Task:
    kind: str  # figures | solution | video | activation | compare | variant
    name: str
    quality: str = "low"

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.name}"


def fan_out_node(graph: Graph) -> str | None:
    """The computed node with the most consumers: where "sum over all paths" shows best."""
    best = [(len(graph.consumers(n)), -i, n) for i, n in enumerate(graph.order)
            if not graph.is_leaf(n) and not graph.is_generated(n)]
    best = [b for b in best if b[0] > 1]
    return max(best)[2] if best else None


def plan(only: list[str] | None, video: bool, quality: str = VIDEO_QUALITY) -> list[Task]:
    """Every task of a gallery build."""
    from gradviz.core.ops import ACTIVATIONS

    names = [n for n in examples() if not only or n in only]
    tasks = [Task(k, n) for n in names for k in ("figures", "solution")]
    if video:
        tasks += [Task("video", n, quality) for n in names]
    if not only:
        tasks += [Task("activation", a, quality if video else "") for a in ACTIVATIONS]
        tasks += [Task("compare", "-".join(COMPARE), quality if video else ""),
                  Task("variant", f"{VARIANT[0]}_seed{VARIANT[1]}")]
    return tasks


def _key(task: Task) -> str:
    from gradviz import __version__

    graph = example_text(task.name) if task.name in examples() else ""
    return hashlib.sha256(json.dumps([__version__, task.kind, task.name, task.quality,
                                      graph]).encode()).hexdigest()


def _run(task: Task, out: Path) -> list[str]:
    """Build one task into ``out`` (runs in a worker process); returns the files written."""
    from gradviz.views.figure import Options
    from gradviz.views.render import render

    folder = out / task.name
    if task.kind == "figures":
        trace = evaluate(example(task.name))
        files = []
        for show, _ in FIGURES:
            files.append(render(trace, folder / f"{show}.svg", Options(show=show)))
            files.append(render(trace, folder / f"{show}.png", Options(show=show), dpi=150))
        hub = fan_out_node(trace.graph)
        if hub:
            files.append(render(trace, folder / "paths.svg", Options(show="grads",
                                                                   highlight=hub)))
        if len(trace.graph) <= Options().fold_limit:
            from gradviz.views.frames import write_frames

            files += write_frames(trace, folder / "frames")
        write_if_changed(folder / "graph.grad", example_text(task.name))
        return [str(f) for f in files]
    if task.kind == "solution":
        from gradviz.views.solve import write_solution

        trace = evaluate(example(task.name))
        for fmt in ("html", "md", "tex"):
            write_solution(trace, fmt, folder / f"solution.{fmt}")
        write_if_changed(folder / "values.md", values_page(trace))
        return [str(folder / f) for f in ("solution.html", "solution.md", "solution.tex",
                                          "values.md")]
    if task.kind == "video":
        return _video(task, folder)
    if task.kind in ("activation", "compare"):
        return _plot(task, out / "activations")
    if task.kind == "variant":
        from gradviz.teaching.generate import variants, write_variant

        (g,) = variants(example(VARIANT[0]), VARIANT[1], 1)
        return [str(p) for p in write_variant(g, out / "variant")]
    raise GradvizError(f"unknown task {task.kind}")


def values_page(trace) -> str:
    """Markdown: the answer table, then every node's value and gradient."""
    g = trace.graph

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [f"# {g.title or g.name}", "", g.source, "", "## Answer table", "",
             "| quantity | value |", "|---|---|"]
    for q, v in asked(trace):
        name = "∇" + plain(q[1:]) if q.startswith("∇") else plain(q)
        lines.append(f"| {cell(name)} | {'—' if v is None else fmt_value(v)} |")
    lines += ["", f"## Every value and gradient (∂{plain(trace.loss)}/∂node)", "",
              "| node | computed as | value | gradient |", "|---|---|---|---|"]
    for n in trace.order:
        grad = trace.grad(n)
        how = g.expr(n, show=plain, pretty=True) if g.kind(n) == "op" else g.kind(n)
        lines.append(f"| {cell(plain(n))} | {cell(how)} | {fmt_value(trace.value(n))} | "
                     f"{'—' if grad is None else fmt_value(grad)} |")
    return "\n".join(lines) + "\n"


def _plot(task: Task, folder: Path) -> list[str]:
    """An activation (or the comparison): its still, and its video when videos are built."""
    from gradviz.views.video.plots import ActivationScene, CompareDerivativesScene
    from gradviz.views.video.render import render_scene

    kw: dict = ({"activation": task.name} if task.kind == "activation"
                else {"activations": COMPARE})
    cls = ActivationScene if task.kind == "activation" else CompareDerivativesScene
    still = render_scene(cls, folder / f"{task.name}.png", task.quality or "low",
                         **({**kw, "animate_point": False} if task.kind == "activation"
                            else kw))
    files = [str(still)]
    if task.quality:
        files.append(str(render_scene(cls, folder / f"{task.name}.mp4", task.quality, **kw)))
    return files


def _video(task: Task, folder: Path) -> list[str]:
    """The backprop video with its captions and storyboard, and as its poster the fully
    annotated graph."""
    from gradviz.views.video.options import QUALITIES
    from gradviz.views.video.plan import plan
    from gradviz.views.video.render import render_scene
    from gradviz.views.video.scenes import BackpropScene
    from gradviz.views.video.storyboard import cues, write_storyboard

    trace = evaluate(example(task.name))
    q = QUALITIES[task.quality]
    p = plan(trace, size=(q.width, q.height), fps=q.fps)
    mp4 = render_scene(BackpropScene, folder / "backprop.mp4", task.quality, cues=cues(p),
                       plan=p)
    poster = render_scene(BackpropScene, folder / "poster.png", task.quality,
                          plan=plan(trace, size=(q.width, q.height), fps=q.fps, still=True))
    board = write_storyboard(p, folder / "storyboard.json")
    return [str(mp4), str(poster), str(folder / "backprop.vtt"), str(board)]


# --------------------------------------------------------------------------- build
def build_gallery(out: Path, only: list[str] | None = None, video: bool = True,
                  quality: str = VIDEO_QUALITY, jobs: int | None = None,
                  quiet: bool = False) -> int:
    """Build the gallery into ``out``; returns 0 when every task succeeded, else 1."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    unknown = sorted(set(only or ()) - set(examples()))
    if unknown:
        raise GradvizError(f"no built-in example {', '.join(unknown)}; see `gradviz list`")
    if video:
        from gradviz.views.video.options import require_manim

        require_manim()
    out.mkdir(parents=True, exist_ok=True)
    stamps = out / ".stamps"
    stamps.mkdir(exist_ok=True)
    tasks = plan(only, video, quality)
    todo, skipped = [], []
    for t in tasks:
        stamp = stamps / f"{t.id}.json"
        done = json.loads(stamp.read_text()) if stamp.exists() else {}
        if done.get("key") == _key(t) and all(Path(f).exists() for f in done.get("files", [])):
            skipped.append(t)
        else:
            todo.append(t)
    failed: list[tuple[Task, str]] = []
    built: list[Task] = []
    jobs = jobs or os.cpu_count() or 1
    console = Console(stderr=True, quiet=quiet)
    started = time.perf_counter()
    with Progress(TextColumn("{task.description:12}"), BarColumn(), MofNCompleteColumn(),
                  console=console, transient=False) as progress:
        bars = {}
        for t in todo:
            if t.kind not in bars:
                bars[t.kind] = progress.add_task(t.kind, total=sum(x.kind == t.kind
                                                                   for x in todo))
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(_run, t, out): t for t in todo}
            for fut in as_completed(futures):
                t = futures[fut]
                try:
                    files = fut.result()
                    (stamps / f"{t.id}.json").write_text(json.dumps(
                        {"key": _key(t), "files": files}))
                    built.append(t)
                except Exception as e:  # one failing task must not stop the rest
                    failed.append((t, f"{type(e).__name__}: {e}"))
                progress.advance(bars[t.kind])
    _write_pages(out, video)
    seconds = time.perf_counter() - started
    console.print(f"gallery: {len(built)} built, {len(skipped)} up to date, {len(failed)} "
                  f"failed in {seconds:.1f} s on {jobs} cores -> {out / 'index.html'}")
    for t, err in failed:
        console.print(f"  failed {t.id}: {err}", style="red")
    return 1 if failed else 0


# --------------------------------------------------------------------------- pages
CSS = """
body{font-family:system-ui,-apple-system,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header,main,footer{max-width:72rem;margin:0 auto;padding:1rem 1.5rem}
a{color:#0b5cad}a:focus,button:focus{outline:3px solid #e08600;outline-offset:2px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:1rem;
padding:0;list-style:none}
.card{background:white;border:1px solid #ddd;border-radius:.6rem;padding:.8rem}
.card img{width:100%;height:9rem;object-fit:contain;background:white}
.card h3{margin:.4rem 0 .2rem;font-size:1.05rem}.card p{margin:0;font-size:.85rem;color:#555}
figure{margin:1rem 0;background:white;border:1px solid #e3e3e3;border-radius:.5rem;
padding:.6rem}figure img,video{max-width:100%;height:auto}
figcaption{font-size:.9rem;color:#444;margin-top:.4rem}
pre{background:#f0f0f0;padding:.8rem;overflow-x:auto;border-radius:.4rem}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .6rem}
.solution code{font-size:1rem}.note{color:#666;font-style:italic}
nav.pager{display:flex;justify-content:space-between;gap:1rem}
"""


def _page(title: str, body: str, up: str = "") -> str:
    back = f'<p><a href="{up}index.html">← all examples</a></p>' if up else ""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head>\n"
            f"<body><header>{back}<h1>{html.escape(title)}</h1></header>\n<main>\n{body}\n"
            f"</main><footer><p class=\"note\">Made with gradviz.</p></footer></body></html>\n")


def _solution_body(folder: Path) -> str:
    page = folder / "solution.html"
    if not page.exists():
        return '<p class="note">The solution was not built.</p>'
    text = page.read_text(encoding="utf-8")
    body = text.split("<body>", 1)[-1].rsplit("</body>", 1)[0]
    return body.replace("<h1>", "<h2>").replace("</h1>", "</h2>")


def _example_page(out: Path, name: str, prev: str | None, nxt: str | None, video: bool) -> str:
    g = example(name)
    folder = out / name
    e = html.escape
    parts = [f"<p>{e(g.source)}</p>"]
    parts.append("<h2>Figures</h2>")
    for show, caption in FIGURES:
        if (folder / f"{show}.svg").exists():
            png = (f' <a href="{show}.png">PNG for slides</a>'
                   if (folder / f"{show}.png").exists() else "")
            parts.append(f'<figure><img src="{show}.svg" alt="{e(caption)}: the computational '
                         f'graph of {e(g.title)}"><figcaption>{e(caption)}.{png}</figcaption>'
                         "</figure>")
    hub = fan_out_node(g)
    if hub and (folder / "paths.svg").exists():
        parts.append(f'<figure><img src="paths.svg" alt="Every path from the loss to {e(hub)} '
                     f'highlighted"><figcaption>Every path from the loss to {e(plain(hub))}: '
                     "its gradient is the sum over them.</figcaption></figure>")
    if (folder / "frames" / "index.html").exists():
        parts.append('<p><a href="frames/index.html">Step by step, as slides</a> '
                     "(arrow keys to page).</p>")
    parts.append("<h2>Video</h2>")
    if video and (folder / "backprop.mp4").exists():
        parts.append('<figure><video controls preload="metadata" poster="poster.png" '
                     f'aria-label="Backpropagation on {e(g.title)}">'
                     '<source src="backprop.mp4" type="video/mp4">'
                     '<track kind="captions" src="backprop.vtt" srclang="en" label="English" '
                     "default></video><figcaption>The forward pass node by node, then the "
                     "gradients edge by edge with the chain rule.</figcaption></figure>")
    else:
        parts.append('<p class="note">Videos were not built (gallery --no-video).</p>')
    parts.append('<h2>Worked solution</h2><div class="solution">' + _solution_body(folder)
                 + '</div><p>Also as <a href="solution.md">Markdown</a> and '
                 '<a href="solution.tex">LaTeX</a>; every value and gradient: '
                 '<a href="values.md">values.md</a>.</p>')
    parts.append('<h2>Graph file</h2><p><a href="graph.grad">graph.grad</a> — copy it, change '
                 f"it, and run <code>gradviz solve graph.grad</code>.</p><pre>"
                 f"{e(example_text(name))}</pre>")
    links = [f'<a href="../{prev}/index.html">← {e(prev)}</a>' if prev else "<span></span>",
             f'<a href="../{nxt}/index.html">{e(nxt)} →</a>' if nxt else "<span></span>"]
    parts.append(f'<nav class="pager" aria-label="examples">{"".join(links)}</nav>')
    return _page(g.title or name, "\n".join(parts), up="../")


def _index_page(out: Path, names: list[str], video: bool) -> str:
    from gradviz.core.ops import ACTIVATIONS

    e = html.escape
    cards = []
    for name in names:
        g = example(name)
        thumb = (f'<img src="{name}/blank.svg" alt="The graph of {e(g.title)}">'
                 if (out / name / "blank.svg").exists() else "")
        answers = ", ".join(f"{'∇' + plain(q[1:]) if q.startswith('∇') else plain(q)} = "
                            f"{fmt_value(v)}" for q, v in asked(evaluate(g))[:2])
        cards.append(f'<li class="card"><a href="{name}/index.html">{thumb}<h3>{e(g.title)}'
                     f"</h3></a><p>{e(name)} — {e(answers)}</p></li>")
    acts = []
    for a in ACTIVATIONS:
        still = out / "activations" / f"{a}.png"
        if not still.exists():
            continue
        mp4 = out / "activations" / f"{a}.mp4"
        link = f'<a href="activations/{a}.mp4">video</a>' if video and mp4.exists() else ""
        acts.append(f'<li class="card"><img src="activations/{a}.png" alt="{e(a)} and its exact '
                    f'derivative"><h3>{e(a)}</h3><p>f and f′ {link}</p></li>')
    compare = "-".join(COMPARE)
    parts = ["<p>Every built-in example: figures for the problem sheet and the answer key, "
             "slides, a video, and the worked solution. Open one:</p>",
             '<h2>Examples</h2><ul class="cards">' + "".join(cards) + "</ul>"]
    if acts:
        parts.append('<h2>Activations and their exact derivatives</h2><ul class="cards">'
                     + "".join(acts) + "</ul>")
    if (out / "activations" / f"{compare}.png").exists():
        vid = (f' <a href="activations/{compare}.mp4">Video</a>.'
               if video and (out / "activations" / f"{compare}.mp4").exists() else "")
        parts.append(f'<figure><img src="activations/{compare}.png" alt="The derivatives of '
                     f'{", ".join(COMPARE)} side by side"><figcaption>Derivatives side by side: '
                     f"where gradients vanish.{vid}</figcaption></figure>")
    if (out / "variant" / "problem.md").exists():
        parts.append('<h2>A generated variant</h2><p>A new version of the "interesting" '
                     f"problem (seed {VARIANT[1]}): "
                     '<a href="variant/problem.md">problem sheet</a>, '
                     '<a href="variant/problem.svg">its figure</a>, '
                     '<a href="variant/answer_key.md">answer key</a>.</p>')
    return _page("gradviz gallery", "\n".join(parts))


def _write_pages(out: Path, video: bool) -> None:
    names = [n for n in examples() if (out / n).is_dir()]
    for i, name in enumerate(names):
        prev = names[i - 1] if i else None
        nxt = names[i + 1] if i + 1 < len(names) else None
        write_if_changed(out / name / "index.html", _example_page(out, name, prev, nxt, video))
    write_if_changed(out / "index.html", _index_page(out, names, video))
    readme = ["# gradviz gallery", "", "Open [index.html](index.html) in a browser "
              "(it works from `file://`).", "", "| example | title |", "|---|---|"]
    readme += [f"| [{n}]({n}/index.html) | {example(n).title} |" for n in names]
    write_if_changed(out / "README.md", "\n".join(readme) + "\n")
