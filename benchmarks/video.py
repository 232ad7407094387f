"""Video rows (i)-(j): Manim render time per second of video, and the cached re-render.

(i) ``gradviz.video.render_scene(BackpropScene, out.mp4, quality=..., media_dir=<fresh>,
    progress=False, graph=name)`` for the seed ``mlp`` and ``interesting`` graphs, against
    the hand-written 7-node peer scene /work/shared/bench/peer_scene.py rendered in the same
    process with ``manim.tempconfig`` (the settings of ``manim -ql/-qh --disable_caching``;
    manim's import is paid once, before any timing, by both sides). Wall time divided by
    the video's duration (ffprobe): seconds of render per second of video. Goal: gradviz no
    slower per video second than the peer (ratio >= 1). -ql always, -qh with --hq (never
    with --quick): the -qh renders take 2-3 minutes.
(j) an unchanged re-render of the gradviz ``mlp`` scene: the same ``render_scene`` call
    again with the same media_dir (gradviz caches whole outputs). Goal < 2 s.
"""

from __future__ import annotations

import filecmp
import importlib.util
import tempfile
import time
from pathlib import Path

from _bench import add_abs_row, add_row, ffprobe, fmt_time, notes

PEER_SCENE = Path("/work/shared/bench/peer_scene.py")
QUALITY = {"low": ("low_quality", "-ql", (854, 480)), "high": ("high_quality", "-qh",
                                                                 (1920, 1080))}


def _load_peer_scene():
    spec = importlib.util.spec_from_file_location("peer_scene", PEER_SCENE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _per_video_second(s: float) -> str:
    return f"{s:.3f} s/s"


def render_gradviz(name: str, quality: str, media: Path, out: Path) -> tuple[float, dict]:
    import gradviz.views.video as gv

    t0 = time.perf_counter()
    gv.render_scene(gv.BackpropScene, out, quality=quality, media_dir=media, progress=False,
                    graph=name)
    return time.perf_counter() - t0, ffprobe(out)


def render_peer(peer_mod, quality: str, media: Path) -> tuple[float, dict]:
    import manim

    settings = {"quality": QUALITY[quality][0], "media_dir": str(media),
                "disable_caching": True, "progress_bar": "none", "verbosity": "WARNING"}
    t0 = time.perf_counter()
    with manim.tempconfig(settings):
        scene = peer_mod.BackpropScene()
        scene.render()
        produced = Path(scene.renderer.file_writer.movie_file_path)
    return time.perf_counter() - t0, ffprobe(produced)


def _check(info: dict, quality: str, who: str) -> None:
    want = QUALITY[quality][2]
    assert (info["width"], info["height"]) == want, (who, info)
    assert info["duration"] > 1.0, (who, info)


def run(quick: bool, high: bool = False) -> None:
    import gradviz.views.video as gv

    gv.require_manim()
    _ = gv.BackpropScene  # builds the scene class (imports manim) before any timing
    peer_mod = _load_peer_scene()
    qualities = ["low"] + (["high"] if high and not quick else [])
    with tempfile.TemporaryDirectory(prefix="gradviz-bench-video-") as d:
        tmp = Path(d)
        for quality in qualities:
            flag = QUALITY[quality][1]
            # the peer is rendered between the two gradviz scenes, so noise hits both
            results = {}
            for who in ("mlp", "peer", "interesting"):
                media = tmp / f"media-{who}-{quality}"
                if who == "peer":
                    results[who] = render_peer(peer_mod, quality, media)
                else:
                    out = tmp / f"{who}-{quality}.mp4"
                    results[who] = render_gradviz(who, quality, media, out)
                _check(results[who][1], quality, who)
            tp, ip = results["peer"]
            for name in ("mlp", "interesting"):
                tg, ig = results[name]
                add_row(f"(i) Manim {flag} render per second of video, `BackpropScene` "
                        f"graph={name!r} ({ig['duration']:.1f} s of video) vs peer scene "
                        f"({ip['duration']:.1f} s)", tg / ig["duration"],
                        tp / ip["duration"], "hand-written Manim (peer_scene.py)", 1,
                        "≥ 1x (no slower per video s)", fmt=_per_video_second)
            notes.append(f"(i) {flag} wall times: gradviz mlp {fmt_time(results['mlp'][0])}, "
                         f"interesting {fmt_time(results['interesting'][0])}, peer "
                         f"{fmt_time(tp)} ({ip['width']}x{ip['height']} at "
                         f"{ip['fps']:g} fps)")
            if quality == "low":
                # (j) unchanged re-render: same call, same media_dir
                media, first = tmp / "media-mlp-low", tmp / "mlp-low.mp4"
                again = tmp / "mlp-low-again.mp4"
                t0 = time.perf_counter()
                gv.render_scene(gv.BackpropScene, again, quality="low", media_dir=media,
                                progress=False, graph="mlp")
                t = time.perf_counter() - t0
                same = filecmp.cmp(first, again, shallow=False)
                rerender = (t, same)
    t, same = rerender  # (j) after every (i) row
    add_abs_row("(j) unchanged re-render of the `mlp` scene (-ql, same media_dir; output "
                f"identical: {'yes' if same else 'NO'})", t if same else float("inf"), 2.0,
                "< 2 s")
