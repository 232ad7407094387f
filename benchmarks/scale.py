"""(l)-(o) Scale: parsing time and peak memory at 10⁴-10⁶ statements, the MLP generator at
a million weights, and a graph over the limits refused before any work.

Each size runs in a fresh process (its peak resident memory is its own, imports included).
Two kinds of file: a *chain* (half scalar leaves, half `h = tanh(h' * w)`: 1.5 nodes a
statement, every statement a syntax tree) and the *MLP* file `gradviz mlp 1000 1000 1`
writes (a million scalar weights and a thousand 2001-term sums). Goals from issue #13:
10⁵ statements under 5 s, 10⁶ under 60 s and 2 GB.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _bench import add_abs_row, add_info_row, notes

CHILD = """
import resource, sys, time
from gradviz.core.parse import load
t0, c0 = time.perf_counter(), time.process_time()
g = load(sys.argv[1])
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
print(len(g), seconds, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def chain_text(n: int) -> str:
    lines = ["h0: input = 0.5"]
    for i in range(1, n // 2):
        lines += [f"w{i}: param = 0.{i % 89 + 10}", f"h{i} = tanh(h{i - 1} * w{i})"]
    lines.append(f"L: loss = h{n // 2 - 1} * h{n // 2 - 1}")
    return "\n".join(lines) + "\n"


def _parse(path: Path) -> tuple[int, float, float]:
    """Nodes, wall seconds and peak bytes of parsing ``path`` in a fresh process (its CPU
    seconds and the machine's load go to the notes: a shared machine stretches wall time)."""
    done = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True,
                          text=True, check=True, timeout=3600)
    nodes, seconds, cpu, peak = done.stdout.split()
    notes.append(f"(l/m) {path.name}: wall {float(seconds):.2f} s, cpu {float(cpu):.2f} s, "
                 f"peak {_gb(float(peak))}, load average {os.getloadavg()[0]:.1f}")
    return int(nodes), float(seconds), float(peak)


def _gb(b: float) -> str:
    return f"{b / 2**30:.2f} GB" if b >= 2**30 else f"{b / 2**20:.0f} MB"


def _parse_rows(tmp: Path, quick: bool) -> None:
    for n in (10_000, 100_000) if quick else (10_000, 100_000, 1_000_000):
        path = tmp / f"chain{n}.grad"
        path.write_text(chain_text(n))
        nodes, seconds, peak = _parse(path)
        what = f"(l) parse {n:,} statements (chain, {nodes:,} nodes)"
        if n == 100_000:
            add_abs_row(what, seconds, 5.0, "< 5 s")
        elif n == 1_000_000:
            add_abs_row(what, seconds, 60.0, "< 60 s")
            add_abs_row(f"(l) peak memory, {n:,} statements (chain)", peak, 2 * 2**30,
                        "< 2 GB", fmt=_gb)
        else:
            add_info_row(what, f"{seconds:.2f} s")


def _mlp_rows(tmp: Path) -> None:
    path = tmp / "mlp.grad"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gradviz", "mlp", "1000", "1000", "1", "-o",
                    str(path)], check=True, capture_output=True, timeout=1800)
    add_abs_row("(n) `gradviz mlp 1000 1000 1 -o net.grad`, end to end",
                time.perf_counter() - t0, 60.0, "< 60 s")
    statements = sum(1 for line in path.read_text().splitlines()
                     if line and not line.startswith("#"))
    nodes, seconds, peak = _parse(path)
    add_abs_row(f"(m) parse the MLP file ({statements:,} statements, {nodes:,} nodes)",
                seconds, 60.0, "< 60 s")
    add_abs_row("(m) peak memory, the MLP file", peak, 2 * 2**30, "< 2 GB", fmt=_gb)


def _refusal_row() -> None:
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "gradviz", "mlp", "100000", "100000", "1"],
                          capture_output=True, text=True, timeout=120)
    seconds = time.perf_counter() - t0
    assert done.returncode == 2 and "GRADVIZ_MAX_NODES" in done.stderr, done.stderr
    add_abs_row("(o) `gradviz mlp 100000 100000 1` refused (max_nodes), process included",
                seconds, 2.0, "≤ 2 s")


def run(quick: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _parse_rows(Path(tmp), quick)
        if not quick:
            _mlp_rows(Path(tmp))
    _refusal_row()
