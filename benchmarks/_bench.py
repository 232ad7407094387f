"""Shared helpers of the benchmark sections: timing, formatting, and the one result table."""

from __future__ import annotations

import gc
import math
import statistics
import subprocess
import time
from pathlib import Path

# ------------------------------------------------------------------------------ timing


def _calibrate(fn, min_time: float) -> int:
    """Calls per repeat so that one repeat lasts at least ``min_time`` seconds."""
    t0 = time.perf_counter()
    fn()
    dt = time.perf_counter() - t0
    return max(1, math.ceil(min_time / max(dt, 1e-9)))


def _run(fn, number: int) -> float:
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def compare(fa, fb, repeats: int, min_time: float = 0.02) -> tuple[float, float]:
    """Median seconds per call of ``fa`` and ``fb``, with their repeats interleaved.

    The objects alive before timing (imported modules, gradviz graphs, the other rows'
    data) are frozen out of the cyclic gc, so a peer that makes cyclic garbage (micrograd's
    closures) pays gc as in a fresh process of its own, not for gradviz's heap.
    """
    gc.collect()
    gc.freeze()
    try:
        na, nb = _calibrate(fa, min_time), _calibrate(fb, min_time)
        ta, tb = [], []
        for _ in range(repeats):
            ta.append(_run(fa, na))
            tb.append(_run(fb, nb))
    finally:
        gc.unfreeze()
    return statistics.median(ta), statistics.median(tb)


def median_time(fn, repeats: int, before=None) -> float:
    """Median wall time of single calls of ``fn`` (``before`` runs untimed before each)."""
    ts = []
    for _ in range(repeats):
        if before is not None:
            before()
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def fmt_time(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1.0:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def ffprobe(path: str | Path) -> dict:
    """Duration (s), width, height and frame rate of a video file."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "format=duration:stream=width,height,r_frame_rate", "-of", "default=nw=1",
         str(path)], capture_output=True, text=True, check=True).stdout
    kv = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    num, _, den = kv["r_frame_rate"].partition("/")
    return {"duration": float(kv["duration"]), "width": int(kv["width"]),
            "height": int(kv["height"]), "fps": float(num) / float(den or 1)}


# --------------------------------------------------------------------------------- rows
rows: list[tuple[str, str, str, str, str, str]] = []
notes: list[str] = []


def add_row(what, gv, peer, peer_name, goal_ratio, goal_text, fmt=fmt_time):
    """A row comparing gradviz with a peer: ratio peer/gradviz against ``goal_ratio``."""
    ratio = peer / gv
    ok = "✓" if ratio >= goal_ratio else "✗"
    rows.append((what, fmt(gv), fmt(peer), peer_name, f"{ratio:.2f}x", f"{goal_text} {ok}"))


def add_abs_row(what, gv: float, limit: float, goal_text: str, fmt=fmt_time):
    """A row with an absolute goal (gradviz time ``< limit`` seconds), no peer."""
    ok = "✓" if gv <= limit else "✗"
    rows.append((what, fmt(gv), "—", "—", "—", f"{goal_text} {ok}"))


def add_info_row(what, gv: str, peer: str = "—", peer_name: str = "—", ratio: str = "—"):
    rows.append((what, gv, peer, peer_name, ratio, "info"))


def add_fail_row(what, err: BaseException, peer: str = "—", peer_name: str = "—",
                 goal_text: str = ""):
    """A row whose gradviz side raised: reported as a failure, not worked around."""
    rows.append((what, f"FAILS: {type(err).__name__}", peer, peer_name, "—",
                 f"{goal_text} ✗".strip()))
    notes.append(f"{what.split(' ')[0]} raised {type(err).__name__}: {err}")


def print_table() -> None:
    head = ("what", "gradviz", "peer", "peer name", "ratio (peer/gradviz)", "goal")
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print()
