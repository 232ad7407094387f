"""Video rows (i)-(j) and (l): Manim render time per second of video against the peer, the
cached re-render, and the size of a focus GIF.

(i) ``render_scene(BackpropScene, out.mp4, quality, media_dir=<fresh>, plan=plan(trace,
    size, fps))`` for the seed ``mlp`` and ``interesting`` graphs (planning included in the
    time), against the hand-written 7-node peer scene /work/shared/bench/peer_scene.py
    rendered in the same process at the same quality with ``manim.tempconfig`` (the
    settings of ``manim -ql/-qm/-qh --disable_caching``; manim's import is paid once, before
    any timing, by both sides). Wall time divided by the video's duration (ffprobe):
    seconds of render per second of video. Goal: gradviz no slower per video second than
    the peer (ratio >= 1). -ql for both graphs; -qm (the gallery's default, 720p) for
    ``interesting`` unless --quick; -qh with --hq.
(j) an unchanged re-render of the ``mlp`` scene: the same call again with the same
    media_dir (gradviz caches whole outputs). Goal < 2 s.
(l) ``gradviz animate interesting --focus H1 -o paths.gif`` (the CLI's default quality):
    its size and length. Goal < 5 MB.
"""

from __future__ import annotations

import filecmp
import importlib.util
import tempfile
import time
from pathlib import Path

from _bench import add_abs_row, add_row, ffprobe, fmt_time, notes

PEER_SCENE = Path("/work/shared/bench/peer_scene.py")
FLAGS = {"low": "-ql", "medium": "-qm", "high": "-qh"}


def _load_peer_scene():
    spec = importlib.util.spec_from_file_location("peer_scene", PEER_SCENE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _per_video_second(s: float) -> str:
    return f"{s:.3f} s/s"


def render_gradviz(name: str, quality: str, media: Path, out: Path) -> tuple[float, dict]:
    from gradviz import evaluate, example
    from gradviz.views.video.options import QUALITIES
    from gradviz.views.video.plan import plan
    from gradviz.views.video.render import render_scene
    from gradviz.views.video.scenes import BackpropScene

    q = QUALITIES[quality]
    t0 = time.perf_counter()
    p = plan(evaluate(example(name)), size=(q.width, q.height), fps=q.fps)
    render_scene(BackpropScene, out, quality, media_dir=media, plan=p)
    return time.perf_counter() - t0, ffprobe(out)


def render_peer(peer_mod, quality: str, media: Path) -> tuple[float, dict]:
    import manim

    from gradviz.views.video.options import QUALITIES

    settings = {"quality": QUALITIES[quality].manim, "media_dir": str(media),
                "disable_caching": True, "progress_bar": "none", "verbosity": "WARNING"}
    t0 = time.perf_counter()
    with manim.tempconfig(settings):
        scene = peer_mod.BackpropScene()
        scene.render()
        produced = Path(scene.renderer.file_writer.movie_file_path)
    return time.perf_counter() - t0, ffprobe(produced)


def _check(info: dict, quality: str, who: str) -> None:
    from gradviz.views.video.options import QUALITIES

    q = QUALITIES[quality]
    assert (info["width"], info["height"]) == (q.width, q.height), (who, info)
    assert info["duration"] > 1.0, (who, info)


def _speed(tmp: Path, quality: str, names: list[str], peer_mod) -> None:
    """(i): the peer rendered between the gradviz scenes, so that noise hits both."""
    flag = FLAGS[quality]
    order = names[:1] + ["peer"] + names[1:]
    results = {}
    for who in order:
        media = tmp / f"media-{who}-{quality}"
        if who == "peer":
            results[who] = render_peer(peer_mod, quality, media)
        else:
            results[who] = render_gradviz(who, quality, media, tmp / f"{who}-{quality}.mp4")
        _check(results[who][1], quality, who)
    tp, ip = results["peer"]
    for name in names:
        tg, ig = results[name]
        add_row(f"(i) Manim {flag} render per second of video, `BackpropScene` graph={name!r} "
                f"({ig['duration']:.1f} s of video) vs peer scene ({ip['duration']:.1f} s)",
                tg / ig["duration"], tp / ip["duration"], "hand-written Manim (peer_scene.py)",
                1, "≥ 1x (no slower per video s)", fmt=_per_video_second)
    notes.append(f"(i) {flag} wall times: " + ", ".join(
        f"gradviz {n} {fmt_time(results[n][0])}" for n in names)
        + f", peer {fmt_time(tp)} ({ip['width']}x{ip['height']} at {ip['fps']:g} fps)")


def _rerender(tmp: Path) -> None:
    """(j): the same call again, same media_dir."""
    t0 = time.perf_counter()
    render_gradviz("mlp", "low", tmp / "media-mlp-low", tmp / "mlp-low-again.mp4")
    t = time.perf_counter() - t0
    same = filecmp.cmp(tmp / "mlp-low.mp4", tmp / "mlp-low-again.mp4", shallow=False)
    add_abs_row("(j) unchanged re-render of the `mlp` scene (-ql, same media_dir; output "
                f"identical: {'yes' if same else 'NO'})", t if same else float("inf"), 2.0,
                "< 2 s")


def _gif(tmp: Path) -> None:
    """(l): the focus GIF, as the CLI writes it."""
    import os

    from gradviz.cli import main

    os.environ["HOME"] = str(tmp)  # a fresh render cache
    gif = tmp / "paths.gif"
    assert main(["animate", "interesting", "--focus", "H1", "-o", str(gif)]) == 0
    info = ffprobe(gif)
    mb = gif.stat().st_size / 1e6
    add_abs_row(f"(l) `animate interesting --focus H1 -o paths.gif` ({info['duration']:.1f} s, "
                f"{info['width']}x{info['height']} at {info['fps']:g} fps), MB", mb, 5.0,
                "< 5 MB", fmt=lambda v: f"{v:.2f} MB")


def run(quick: bool, high: bool = False) -> None:
    from gradviz.views.video.options import require_manim

    require_manim()
    import gradviz.views.video.scenes  # noqa: F401 - manim imported before any timing

    peer_mod = _load_peer_scene()
    with tempfile.TemporaryDirectory(prefix="gradviz-bench-video-") as d:
        tmp = Path(d)
        _speed(tmp, "low", ["mlp", "interesting"], peer_mod)
        _rerender(tmp)
        if not quick:
            _speed(tmp, "medium", ["interesting"], peer_mod)
        if high and not quick:
            _speed(tmp, "high", ["interesting"], peer_mod)
        _gif(tmp)
