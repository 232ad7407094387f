"""Figure rows (e)-(h) and (s): DOT emission, seed graph to SVG, CLI cold start, large-graph
fold, and what a lecture hall sees of the slide preset.

(e) DOT text per graph: ``gradviz.views.dot.to_dot(trace, fold="never")`` (layout_model
    + model_to_dot; the trace is evaluated once before) on the neuron MLPs [3,16,16,1] and
    [10,64,64,1], against micrograd's ``draw_dot(loss).source`` (peer_draw_dot.py, which
    goes through the ``graphviz`` package) on micrograd MLPs of the same sizes. DOT nodes
    are counted in each text (gradviz's include the small nodes a wire's numbers sit in).
    Goal: gradviz ≥ 3x faster per graph.
(f) ``gradviz.render.render(gradviz.example(name), "x.svg")`` in-process for ``mlp`` and
    ``interesting``: parse, evaluate, figure, ``dot -Tsvg`` subprocess. Goal <= 50 ms.
(g) CLI cold start: ``.venv/bin/gradviz render mlp -o mlp.svg`` as a subprocess, median of
    several runs. Goal <= 0.5 s. Also checks, in a subprocess running
    ``gradviz.cli.main([...])`` under ``-X importtime``, that manim is never imported.
(h) ``render(gradviz.mlp([10,64,64,1]), "big.svg")`` (5,199 nodes: auto-folded above 300).
    Goal < 2 s. Beside it (info): Graphviz ``dot -Tsvg`` on the *unfolded* DOT of smaller
    neuron MLPs, gradviz's text and micrograd's draw_dot text of the same sizes, each
    with a timeout. (h'') a 10⁴-deep chain and a 10⁴-wide fan-out rendered (folded) from
    their traces: goal < 10 s.
(s) The slide preset, measured on the rendered SVG as a 1920×1080 slide: per example the
    fill of the slide, the smallest text in pixels (goal ≥ 60% and ≥ 24 px) and the aspect
    of the natural (unfitted) figure; per theme the ΔE2000 between the value and gradient
    colours for normal, deuteranope and protanope vision (goal ≥ 20).
"""

from __future__ import annotations

import importlib.util
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _bench import (
    add_abs_row,
    add_fail_row,
    add_info_row,
    add_row,
    compare,
    fmt_time,
    median_time,
    notes,
)

import gradviz
from gradviz.api import render  # evaluates a Graph first, as gradviz.render does
from gradviz.views.dot import model_to_dot, to_dot
from gradviz.views.figure import layout_model
from gradviz.views.graphviz import run_dot
from gradviz.views.model import THEMES, Options

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' measurements
from tests.colour import delta_e  # noqa: E402
from tests.svg import measure  # noqa: E402

sys.setrecursionlimit(100_000)  # micrograd's recursive trace on deep graphs

PEER_DRAW_DOT = Path("/work/shared/bench/peer_draw_dot.py")
ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

# a DOT node statement: an ID directly followed by its attribute list (edges have "->")
_NODE_STMT = re.compile(r'^\s*("(?:[^"\\]|\\.)*"|[A-Za-z0-9_.]+)\s*\[', re.M)


def count_dot_nodes(text: str) -> int:
    """Node statements in DOT text (``graph``/``node``/``edge`` defaults excluded)."""
    return sum(1 for m in _NODE_STMT.finditer(text)
               if m.group(1) not in ("graph", "node", "edge"))


def _load_peer_draw_dot():
    spec = importlib.util.spec_from_file_location("peer_draw_dot", PEER_DRAW_DOT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _us_per_node(s: float) -> str:
    return f"{s * 1e6:.1f} µs/node"


# ------------------------------------------------------------------------------- (e)
def row_e(pdd, sizes: list[int], repeats: int) -> None:
    """(e) DOT text per graph: gradviz to_dot vs micrograd draw_dot."""
    g = gradviz.mlp(sizes, activation="relu", loss="mse", granularity="neuron")
    trace = gradviz.evaluate(g)
    loss = pdd.mlp_loss(sizes)

    def gv():
        return to_dot(trace, fold="never")

    def peer():
        return pdd.draw_dot(loss).source

    gv_text, peer_text = gv(), peer()
    n_gv, n_peer = count_dot_nodes(gv_text), count_dot_nodes(peer_text)
    # every graph node, the loss's open end, and a small node per wire that carries numbers
    assert n_gv >= g.nx.number_of_nodes() + 1, (n_gv, g.nx.number_of_nodes())
    values, _ = pdd.trace(loss)
    assert n_peer == len(values) + sum(1 for v in values if v._op), n_peer
    assert "n0 [" in gv_text and "shape=record" in peer_text
    tg, tp = compare(gv, peer, repeats)
    add_row(f"(e) DOT text per graph, neuron MLP {sizes}: `to_dot(fold=never)` "
            f"{n_gv:,} DOT nodes vs draw_dot {n_peer:,}", tg, tp,
            "micrograd draw_dot + .source", 3, "≥ 3x")
    notes.append(f"(e) {sizes}: gradviz {fmt_time(tg)} for {n_gv:,} DOT nodes, "
                 f"{len(gv_text) / n_gv:.0f} bytes/node; micrograd draw_dot {fmt_time(tp)} "
                 f"for {n_peer:,} nodes, {len(peer_text) / n_peer:.0f} bytes/node")
    if sizes == [10, 64, 64, 1]:
        opts = Options(fold="never")
        t_layout = median_time(lambda: layout_model(trace, opts), max(1, repeats // 2))
        model = layout_model(trace, opts)
        t_dot = median_time(lambda: model_to_dot(model), max(1, repeats // 2))
        notes.append(f"(e) {sizes} gradviz split: layout_model {fmt_time(t_layout)} + "
                     f"model_to_dot {fmt_time(t_dot)}")


# ------------------------------------------------------------------------------- (f)
def row_f(name: str, tmp: Path, repeats: int) -> None:
    """(f) a built-in example to SVG in-process, `dot` subprocess included."""
    out = tmp / f"{name}.svg"
    what = f"(f) `render(example({name!r}), {name}.svg)` in-process (dot included)"
    try:
        render(gradviz.example(name), out)  # warm-up: imports, first subprocess
    except gradviz.GradvizError as e:
        add_fail_row(what, e, goal_text="≤ 50 ms")
        return
    assert out.read_bytes().lstrip().startswith(b"<?xml") and b"<svg" in out.read_bytes()
    text = to_dot(gradviz.evaluate(gradviz.example(name)))
    ts, ts_dot = [], []
    for _ in range(repeats):  # end to end, and the `dot` subprocess alone, interleaved
        out.unlink(missing_ok=True)
        t0 = time.perf_counter()
        render(gradviz.example(name), out)
        t1 = time.perf_counter()
        run_dot(text, "svg")
        ts.append(t1 - t0)
        ts_dot.append(time.perf_counter() - t1)
    assert out.exists()
    t, t_dot = statistics.median(ts), statistics.median(ts_dot)
    add_abs_row(what, t, 0.050, "≤ 50 ms")
    notes.append(f"(f) {name}: {fmt_time(t)} end to end; the `dot -Tsvg` subprocess alone "
                 f"{fmt_time(t_dot)} ({count_dot_nodes(text)} DOT nodes)")


# ------------------------------------------------------------------------------- (g)
_IMPORT_PROBE = """
import json, sys
import gradviz.cli
rc = gradviz.cli.main(["render", "mlp", "-o", sys.argv[1]])
heavy = ("manim", "manimpango", "cairo", "moderngl", "av", "scipy", "PIL", "graphviz",
         "matplotlib", "IPython")
print(json.dumps({"rc": rc, "loaded": sorted(m for m in sys.modules
                                             if m.split(".")[0] in heavy)}))
"""


def row_g(tmp: Path, repeats: int) -> None:
    """(g) CLI cold start, and a check that the render path never imports manim."""
    exe = VENV_BIN / "gradviz"
    out = tmp / "cli_mlp.svg"
    cmd = [str(exe), "render", "mlp", "-o", str(out)]
    subprocess.run(cmd, check=True, capture_output=True, cwd=tmp)  # warm: bytecode, disk
    ts = []
    for _ in range(repeats):
        out.unlink(missing_ok=True)
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, cwd=tmp)
        ts.append(time.perf_counter() - t0)
        assert done.returncode == 0 and out.exists(), done.stderr.decode()
    t = statistics.median(ts)

    probe = subprocess.run([sys.executable, "-X", "importtime", "-c", _IMPORT_PROBE,
                            str(tmp / "probe.svg")], capture_output=True, text=True, cwd=tmp)
    info = json.loads(probe.stdout.strip().splitlines()[-1])
    assert info["rc"] == 0, probe.stderr[-2000:]
    manim_free = not any(m.split(".")[0] in ("manim", "manimpango") for m in info["loaded"])
    # cumulative import times (µs) by module, from -X importtime
    cum: dict[str, int] = {}
    for line in probe.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| +(\S+)$", line)
        if m:
            cum[m.group(2)] = int(m.group(1))
    shown = [k for k in ("gradviz.cli", "numpy", "networkx", "gradviz.ops") if k in cum]
    add_abs_row(f"(g) CLI cold start `gradviz render mlp -o mlp.svg` (subprocess, median of "
                f"{repeats}); manim imported: {'no ✓' if manim_free else 'YES ✗'}",
                t, 0.5 if manim_free else -1, "≤ 0.5 s, no manim")
    notes.append("(g) CLI render path: heavy modules loaded after gradviz.cli.main: "
                 + (", ".join(info["loaded"]) or "none")
                 + "; cumulative import times: "
                 + ", ".join(f"{k} {cum[k] / 1e3:.0f} ms" for k in shown))


# ------------------------------------------------------------------------------- (h)
def _dot_svg_time(text: str, timeout: float) -> float | None:
    """Seconds for ``dot -Tsvg`` on ``text``, or None if it exceeded ``timeout``."""
    t0 = time.perf_counter()
    try:
        done = subprocess.run(["dot", "-Tsvg"], input=text.encode("utf-8"),
                              capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None
    assert done.returncode == 0 and b"<svg" in done.stdout, done.stderr[-500:]
    return time.perf_counter() - t0


def row_h(pdd, tmp: Path, repeats: int, unfolded: list[list[int]], timeout: float) -> None:
    """(h) the big neuron MLP folded to SVG; Graphviz on unfolded DOT beside it (info)."""
    sizes = [10, 64, 64, 1]
    out = tmp / "big.svg"
    what = f"(h) `render(mlp({sizes}), big.svg)` (5,199 nodes, auto-fold), mlp() included"
    gen, rend, ev = [], [], []
    try:
        for _ in range(repeats):
            out.unlink(missing_ok=True)
            t0 = time.perf_counter()
            g = gradviz.mlp(sizes)
            t1 = time.perf_counter()
            render(g, out)
            t2 = time.perf_counter()
            gen.append(t1 - t0)
            rend.append(t2 - t1)
            fresh = gradviz.mlp(sizes)  # what render spends evaluating (first call compiles)
            t3 = time.perf_counter()
            gradviz.evaluate(fresh)
            ev.append(time.perf_counter() - t3)
    except gradviz.GradvizError as e:
        add_fail_row(what, e, goal_text="< 2 s")
        return
    svg = out.read_text(encoding="utf-8")
    assert "×64" in svg and "<svg" in svg, "expected a folded figure"
    total = statistics.median(a + b for a, b in zip(gen, rend))
    add_abs_row(what, total, 2.0, "< 2 s")
    model = layout_model(g, Options(show="blank"))
    notes.append(f"(h) split: gradviz.mlp() {fmt_time(statistics.median(gen))} + render "
                 f"{fmt_time(statistics.median(rend))}, of which a first evaluate (compile) "
                 f"takes {fmt_time(statistics.median(ev))}; {model.notes[0]}")
    for small in unfolded:
        g = gradviz.mlp(small)
        gv_text = to_dot(gradviz.evaluate(g), fold="never")
        peer_text = pdd.draw_dot(pdd.mlp_loss(small)).source
        n_gv, n_peer = count_dot_nodes(gv_text), count_dot_nodes(peer_text)
        t_gv = _dot_svg_time(gv_text, timeout)
        t_peer = _dot_svg_time(peer_text, timeout)

        def show(t, n):
            return (f"> {timeout:g} s (timeout)" if t is None
                    else f"{fmt_time(t)} ({t / n * 1e3:.2f} ms/node)")

        ratio = f"{t_peer / t_gv:.2f}x" if t_gv and t_peer else "—"
        add_info_row(f"(h') Graphviz `dot -Tsvg` on unfolded DOT, neuron MLP {small}: gradviz "
                     f"{n_gv:,} nodes vs draw_dot {n_peer:,} nodes (timeout {timeout:g} s)",
                     show(t_gv, n_gv), show(t_peer, n_peer), "Graphviz on micrograd draw_dot",
                     ratio)


# ------------------------------------------------------------------------------ (h'')
def _chain(n: int) -> gradviz.Graph:
    b = gradviz.Builder()
    h = b.input("x", 0.5)
    for _ in range(n):
        h = b.tanh(h * 1.01)
    b.loss("L", h * h)
    return b.build()


def _fan_out(n: int) -> gradviz.Graph:
    b = gradviz.Builder()
    x = b.input("x", 0.5)
    total = None
    for i in range(n):
        term = b.tanh(x * float(i % 7 + 1))
        total = term if total is None else total + term
    b.loss("L", total * total)
    return b.build()


def row_h2(tmp: Path, n: int) -> None:
    """(h'') a deep chain and a wide fan-out rendered from their traces (folded)."""
    for what, make in (("chain", _chain), ("fan-out", _fan_out)):
        trace = gradviz.evaluate(make(n))
        out = tmp / f"{what}.svg"
        t0 = time.perf_counter()
        render(trace, out)
        t = time.perf_counter() - t0
        model = layout_model(trace)
        assert model.folded and b"<svg" in out.read_bytes()
        add_abs_row(f"(h'') `render(trace, x.svg)` of a {n:,}-node-deep {what} "
                    f"({len(trace.graph):,} graph nodes, folded)", t, 10.0, "< 10 s")
        notes.append(f"(h'') {what}: {model.notes[0]}")


# ------------------------------------------------------------------------------- (s)
def rows_s() -> None:
    """(s) the slide preset as a 1920×1080 slide, and the themes' colours apart."""
    for name in gradviz.examples():
        trace = gradviz.evaluate(gradviz.example(name))
        natural = measure(run_dot(to_dot(trace), "svg"))
        fills, texts = [], []
        for show in ("all", "values", "grads", "blank"):
            m = measure(run_dot(to_dot(trace, Options(show=show, fit="slide")), "svg"))
            fills.append(m.fill())
            texts.append(m.smallest())
        ok = "✓" if min(fills) >= 0.6 and min(texts) >= 24 else "✗"
        add_info_row(f"(s) slide preset, {name}: least fill and smallest text over "
                     "blank/values/grads/all", f"{min(fills):.0%}, {min(texts):.1f} px",
                     f"unfitted: {natural.fill():.0%}, {natural.smallest():.1f} px, "
                     f"aspect {natural.width / natural.height:.1f}:1", "—",
                     f"≥ 60%, ≥ 24 px {ok}")
    for theme, t in THEMES.items():
        des = [delta_e(t.value, t.grad, v) for v in ("normal", "deuteranopia", "protanopia")]
        ok = "✓" if min(des) >= 20 else "✗"
        add_info_row(f"(s) theme {theme}: value {t.value} vs gradient {t.grad}, ΔE2000 "
                     "normal / deuteranopia / protanopia (Machado 2009)",
                     " / ".join(f"{d:.1f}" for d in des), "—", "—", f"≥ 20 {ok}")


# ---------------------------------------------------------------------------------- run
def run(quick: bool) -> None:
    q = quick
    pdd = _load_peer_draw_dot()
    with tempfile.TemporaryDirectory(prefix="gradviz-bench-") as d:
        tmp = Path(d)
        row_e(pdd, [3, 16, 16, 1], 3 if q else 11)
        row_e(pdd, [10, 64, 64, 1], 2 if q else 5)
        for name in ("mlp", "interesting"):
            row_f(name, tmp, 5 if q else 21)
        row_g(tmp, 3 if q else 7)
        row_h(pdd, tmp, 1 if q else 3, [[3, 16, 16, 1]] if q else [[3, 16, 16, 1],
                                                                  [6, 32, 32, 1]],
              10.0 if q else 30.0)
        row_h2(tmp, 2_000 if q else 10_000)
        rows_s()
