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

import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from gradviz.core.errors import GradvizError
from gradviz.core.escape import terminal
from gradviz.core.evaluate import evaluate
from gradviz.core.files import folder_lock, make_folder, write_atomic, write_if_changed
from gradviz.core.library import example, example_text, examples
from gradviz.core.workers import run_all
from gradviz.gallery.pages import values_page, write_pages
from gradviz.gallery.tasks import (
    COMPARE,
    FIGURES,
    VARIANT,
    VIDEO_QUALITY,
    Task,
    fan_out_node,
    plan,
    task_key,
)

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["build_gallery", "Task", "plan", "fan_out_node"]

def _figures(name: str, folder: Path) -> list[str]:
    """An example's figures (SVG, and PNG fitted to a 1920×1080 slide with text at least
    24 px), its highlighted paths, and its step-through frames."""
    from gradviz.views.model import Options
    from gradviz.views.render import render

    trace = evaluate(example(name))
    files = []
    for show, _ in FIGURES:
        files.append(render(trace, folder / f"{show}.svg", Options(show=show)))
        files.append(render(trace, folder / f"{show}.png", Options(show=show, fit="slide")))
    hub = fan_out_node(trace.graph)
    if hub:
        files.append(render(trace, folder / "paths.svg", Options(show="grads", highlight=hub)))
    if len(trace.graph) <= Options().fold_limit:
        from gradviz.views.frames import write_frames

        files += write_frames(trace, folder / "frames", Options(fit="slide"))
    write_if_changed(folder / "graph.grad", example_text(name))
    return [str(f) for f in files]


def _run(task: Task, out: Path) -> list[str]:
    """Build one task into ``out`` (runs in a worker process); returns the files written."""
    folder = out / task.name
    if task.kind == "figures":
        return _figures(task.name, folder)
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
    """Build the gallery into ``out``; returns 0 when every task succeeded, 1 when some
    failed, 130 when interrupted (Ctrl-C) after a one-line summary of what was finished.

    Builds into one folder take turns (a lock file); workers die with the build.
    """
    from rich.console import Console

    unknown = sorted(set(only or ()) - set(examples()))
    if unknown:
        raise GradvizError(f"no built-in example {', '.join(unknown)}; see `gradviz list`")
    if video:
        from gradviz.views.video.options import require_manim

        require_manim()
    console = Console(stderr=True, quiet=quiet, highlight=False)
    waiting = f"gallery: waiting for another build into {out}"
    with folder_lock(out, waiting=lambda: _say(console, waiting)):
        return _build(out, plan(only, video, quality), jobs or os.cpu_count() or 1, video,
                      console)


def _say(console: Console, text: str, style: str | None = None) -> None:
    """One line, whatever it holds: no markup, no wrapping, no terminal escapes."""
    console.print(terminal(text), markup=False, soft_wrap=True, style=style)


def _up_to_date(stamps: Path, task: Task) -> bool:
    """Whether the last build of ``task`` stands; an absent, empty or truncated stamp (a
    kill or a full disk while it was written) counts as never built."""
    try:
        done = json.loads((stamps / f"{task.id}.json").read_text(encoding="utf-8"))
        return done["key"] == task_key(task) and all(Path(f).exists() for f in done["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _build(out: Path, tasks: list[Task], jobs: int, video: bool, console: Console) -> int:
    stamps = make_folder(out / ".stamps")
    todo = [t for t in tasks if not _up_to_date(stamps, t)]
    skipped = len(tasks) - len(todo)
    built: list[Task] = []
    failed: list[tuple[Task, str]] = []
    started = time.perf_counter()
    try:
        _run_tasks(out, stamps, todo, jobs, console, built, failed)
    except KeyboardInterrupt:
        left = len(todo) - len(built) - len(failed)
        _say(console, f"gallery: interrupted: {len(built)} built, {skipped} up to date, "
                      f"{len(failed)} failed, {left} not built (run it again to finish) -> {out}")
        return 130
    write_pages(out, video)
    seconds = time.perf_counter() - started
    _say(console, f"gallery: {len(built)} built, {skipped} up to date, {len(failed)} failed in "
                  f"{seconds:.1f} s on {jobs} cores -> {out / 'index.html'}")
    for t, err in failed:
        _say(console, f"  failed {t.id}: {err}", style="red")
    return 1 if failed else 0


def _run_tasks(out: Path, stamps: Path, todo: list[Task], jobs: int, console: Console,
               built: list[Task], failed: list[tuple[Task, str]]) -> None:
    """Run ``todo`` in parallel with a progress bar per task kind; stamp each success."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("{task.description:12}"), BarColumn(), MofNCompleteColumn(),
                  console=console, transient=False) as progress:
        bars = {k: progress.add_task(k, total=n)
                for k, n in Counter(t.kind for t in todo).items()}
        for (t, _), files, error in run_all(_run, [(t, out) for t in todo], jobs):
            if error is None:
                write_atomic(stamps / f"{t.id}.json", json.dumps({"key": task_key(t),
                                                                  "files": files}))
                built.append(t)
            else:  # one failing task must not stop the rest
                failed.append((t, f"{type(error).__name__}: {error}"))
            progress.advance(bars[t.kind])


