"""(k) The full gallery build, cold and warm, and the cores it used.

Cold: an empty output folder and an empty render cache (HOME points at a fresh folder), so
every figure, frame, solution, video and plot is built. Warm: the same command again, which
must rebuild nothing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _bench import add_abs_row, add_info_row, notes

GRADVIZ = [sys.executable, "-m", "gradviz"]


def _build(out: Path, home: Path, video: bool) -> tuple[float, str]:
    env = {**os.environ, "HOME": str(home)}
    argv = GRADVIZ + ["gallery", "-o", str(out)] + ([] if video else ["--no-video"])
    t0 = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
    seconds = time.perf_counter() - t0
    found = re.search(r"\d+ built, \d+ up to date, \d+ failed", " ".join(done.stderr.split()))
    return seconds, found.group(0) if found else "no summary printed"


def run(quick: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        video = not quick
        what = "with videos" if video else "--no-video"
        cold, summary = _build(tmp / "gallery", tmp / "home", video)
        warm, warm_summary = _build(tmp / "gallery", tmp / "home", video)
        add_info_row(f"(k) full gallery build, cold ({what}), {os.cpu_count()} cores",
                     f"{cold:.1f} s")
        add_abs_row(f"(k) full gallery build, warm ({what}): nothing rebuilt", warm, 10.0,
                    "≤ 10 s")
        notes.append(f"(k) cold: {summary}")
        notes.append(f"(k) warm: {warm_summary}")
        if not warm_summary.startswith("0 built"):
            notes.append("(k) the warm build rebuilt something: see the summary above")
