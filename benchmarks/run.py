"""gradviz benchmarks against its peers, measured in one run, printed as one markdown table.

    .venv/bin/python benchmarks/run.py                 # all rows but -qh video (~1 min)
    .venv/bin/python benchmarks/run.py --hq            # also the -qh renders (~3.5 min)
    .venv/bin/python benchmarks/run.py --quick         # smaller, fewer repeats (~40 s)
    .venv/bin/python benchmarks/run.py --only figures  # one section (repeatable):
                                                       #   eval | figures | video | gallery | scale
                                                       #   | grade

Sections (peer / gradviz is the speed-up; every peer is re-measured in the same run,
BASELINES.md figures are guides only):

eval     (a)-(e) forward+backward against micrograd, numpy and (when installed) torch, and a
         10⁶-node graph (see ``evaluator.py``; the 10⁶-node graph takes minutes to build)
figures  (e) DOT text per node against micrograd's draw_dot, (f) seed graph to SVG,
         (g) CLI cold start without manim, (h) large-graph fold, and Graphviz on unfolded
         DOT beside it (see ``figures.py``)
video    (i) Manim render time per second of video at -ql and -qm (and -qh with --hq)
         against a hand-written peer scene, (j) the cached unchanged re-render, (l) the size
         of a focus GIF (see ``video.py``)
gallery  (k) the full gallery build, cold and warm, and the cores used (see ``gallery.py``;
         --quick builds it without videos)
scale    (l)-(o) parsing 10^4-10^6 statements (time, peak memory), `gradviz mlp 1000 1000
         1`, a graph over the limits refused (see ``scale.py``; --quick stops at 10^5)
grade    (p) `gradviz grade` on a class of 500, each with their own variant, a third with a
         sign slip carried forward (see ``course.py``; --quick: 100 students)

Timing: ``time.perf_counter``; for fast calls each repeat runs a call enough times to last
>= ~20 ms, gradviz and peer repeats are interleaved (so machine noise hits both) and the
median per call is reported. gc stays on, but the objects alive before a row is timed
(gradviz, networkx, numpy, the graphs) are frozen out of it with ``gc.freeze()``:
micrograd's closures make cyclic garbage, and without the freeze each gen-2 collection would
also walk gradviz's ~130k live objects, making micrograd 2-3x slower than in a process of its
own. Slow calls (renders, subprocesses) are timed one call at a time, median of repeats.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from _bench import notes, print_table  # noqa: E402

import gradviz  # noqa: E402

SECTIONS = ("eval", "figures", "video", "gallery", "scale", "grade")


def _versions() -> str:
    parts = [f"python {platform.python_version()}", f"numpy {np.__version__}",
             f"gradviz {gradviz.__version__}"]
    try:
        dot = subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr.strip()
        parts.append(dot.replace("dot - graphviz version", "graphviz").split(" (")[0])
    except OSError:
        parts.append("graphviz missing")
    try:
        from importlib.metadata import version

        parts.append(f"manim {version('manim')}")
    except Exception:  # noqa: BLE001 - only a header
        parts.append("manim missing")
    parts += [f"cores {os.cpu_count()}", f"{platform.machine()} {platform.system()}"]
    return " | ".join(parts)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="smaller sizes, fewer repeats, never -qh video (about 40 s)")
    ap.add_argument("--only", action="append", choices=SECTIONS, metavar="SECTION",
                    help="run only this section (repeatable): " + ", ".join(SECTIONS))
    ap.add_argument("--hq", action="store_true",
                    help="also render the videos at -qh (adds about 2-3 minutes; not with "
                         "--quick)")
    args = ap.parse_args(argv)
    only = args.only or list(SECTIONS)
    q = args.quick
    t_start = time.perf_counter()
    print(_versions() + (" | --quick" if q else "") + (" | --hq" if args.hq and not q else "")
          + (f" | --only {','.join(only)}" if args.only else ""))

    times = {}
    for section in SECTIONS:
        if section not in only:
            continue
        t0 = time.perf_counter()
        if section == "eval":
            import evaluator

            evaluator.run(q)
        elif section == "figures":
            import figures

            figures.run(q)
        elif section == "video":
            import video

            video.run(q, high=args.hq)
        elif section == "gallery":
            import gallery

            gallery.run(q)
        elif section == "scale":
            import scale

            scale.run(q)
        else:
            import course

            course.run(q)
        times[section] = time.perf_counter() - t0

    print_table()
    print("Median time per call; gradviz and peer measured in the same run, interleaved "
          "where repeated; each comparison checks both sides' output first.")
    for n in notes:
        print(f"- {n}")
    print(f"- total benchmark time {time.perf_counter() - t_start:.1f} s ("
          + ", ".join(f"{k} {v:.1f} s" for k, v in times.items()) + ")")


if __name__ == "__main__":
    main()
