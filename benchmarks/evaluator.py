"""Evaluator rows (a)-(d): gradviz's forward+backward against micrograd and numpy.

(a) 10,000 variants of the built-in ``interesting`` graph, forward+backward: one batched
    ``gradviz.evaluate`` against a Python loop of micrograd ``Value`` graphs of the same
    expression. Goal 100x.
(b) neuron-level scalar MLPs [3,16,16,1] and [10,64,64,1], forward+backward: a compiled
    gradviz graph against micrograd's ``MLP`` forward + ``loss.backward()`` (graph rebuilt
    per iteration, gc on). Goal 10x.
(c) layer-level MLP [64,128,128,10], one sample: gradviz against hand-written numpy
    forward+backward (goal: at least half its speed, ratio >= 0.5) and, when torch is
    installed (it is not a dependency), against torch autograd on the same float64
    tensors (goal: faster, ratio >= 1).
(d) compile time of the [10,64,64,1] neuron graph: ``gradviz.mlp`` (text + parse) plus the
    first ``evaluate`` (which compiles and caches the schedule). Informational.
(e) a graph of 10⁶ nodes (1,000 chains of 333 ``tanh(h · w)`` steps, summed), built with
    the Builder: the first ``evaluate`` (compile and run) and a second one, with the peak
    memory each adds to the process (sampled from /proc while it runs). Informational:
    evaluation must stay bounded by what the ``max_elements`` and ``max_nodes`` limits
    allow.

Every comparison first checks that both sides compute the same loss and gradients.
"""

from __future__ import annotations

import gc
import math
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np
from _bench import _calibrate, _run, add_row, compare, fmt_time, notes, rows
from micrograd.engine import Value
from micrograd.nn import MLP

import gradviz

sys.setrecursionlimit(100_000)  # micrograd's recursive topological sort on deep graphs


# --------------------------------------------------------------------- micrograd extras
# micrograd 0.1.0's Value has no exp or log: added here as a micrograd user would, in the
# pattern of the library's own ops (forward value, closure that accumulates the gradient).
def _exp(self):
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad
    out._backward = _backward
    return out


def _log(self):
    out = Value(math.log(self.data), (self,), "log")

    def _backward():
        self.grad += out.grad / self.data
    out._backward = _backward
    return out


if not hasattr(Value, "exp"):
    Value.exp = _exp
if not hasattr(Value, "log"):
    Value.log = _log


def v_min(a, b):
    """min of two Values: pick the branch with a Python comparison (no new node)."""
    return a if a.data < b.data else b


def v_max(a, b):
    return a if a.data > b.data else b


def v_sigmoid(z):
    return 1 / (1 + (-z).exp())


def v_bce(p, y):
    return -(y * p.log() + (1 - y) * (1 - p).log())


def micrograd_interesting(x1, x2, x3, w1, b1, w2, y):
    """The built-in ``interesting`` graph as micrograd Values; returns (L, leaves)."""
    X1, X2, X3, W1, B1, W2 = Value(x1), Value(x2), Value(x3), Value(w1), Value(b1), Value(w2)
    H1 = W1 * (X1 + X2)
    H2 = X1 * X2 * X3 + B1
    H3 = v_min(X1, H1)
    H4 = W2 * H2 / H1
    H5 = v_max(H4, H1)
    Yhat = v_sigmoid(H3 - H5)
    L = v_bce(Yhat, y)
    L.backward()
    return L, (X1, X2, X3, W1, B1, W2)


def row_a(n: int, repeats: int) -> None:
    """(a) n variants of `interesting`: batched gradviz vs a loop of micrograd graphs."""
    g = gradviz.example("interesting")
    rng = np.random.default_rng(1)

    def away(size):  # magnitudes in [0.5, 1.5], random sign
        return rng.choice([-1.0, 1.0], size) * rng.uniform(0.5, 1.5, size)

    x1, x2, x3, w1, w2 = away(n), away(n), away(n), away(n), away(n)
    b1 = rng.uniform(-1, 1, n)
    # keep H1 = W1 (X1 + X2) away from zero: bounded H4 = W2 H2 / H1 and sigmoid input,
    # so BCE never reaches its PyTorch-style clamps (log >= -100, p(1-p) >= 1e-12)
    while np.any(bad := np.abs(w1 * (x1 + x2)) < 0.5):
        k = int(bad.sum())
        x1[bad], x2[bad], w1[bad] = away(k), away(k), away(k)
    arrays = dict(X1=x1, X2=x2, X3=x3, W1=w1, B1=b1, W2=w2)
    y = float(gradviz.evaluate(g).value("Y"))  # also compiles (cached on the graph)
    lists = [a.tolist() for a in (x1, x2, x3, w1, b1, w2)]

    def gv():
        return gradviz.evaluate(g, **arrays)

    def peer():  # keeps the numbers (loss and six gradients), not the 10,000 graphs
        out = []
        for a, b, c, d, e, f in zip(*lists):
            L, leaves = micrograd_interesting(a, b, c, d, e, f, y)
            out.append((L.data, [v.grad for v in leaves]))
        return out

    # same numbers on both sides (first 500 variants)
    t = gv()
    m = 500
    res = [micrograd_interesting(*(lst[i] for lst in lists), y) for i in range(m)]
    assert np.allclose(t.value("L")[:m], [r[0].data for r in res], rtol=1e-9, atol=1e-12)
    for j, name in enumerate(arrays):
        assert np.allclose(t.grad(name)[:m], [r[1][j].grad for r in res],
                           rtol=1e-8, atol=1e-12), name
    del t, res
    tg, tp = compare(gv, peer, repeats, min_time=0.05)
    add_row(f"(a) `interesting` × {n:,} variants, fwd+bwd (batched)", tg, tp,
            "micrograd loop (+exp/log, min/max by branch)", 100, "≥ 100x")


def _micrograd_mlp_from(g: gradviz.Graph, t: gradviz.Trace, sizes: list[int]):
    """micrograd's MLP with the weights, inputs and targets of gradviz's neuron MLP."""
    model = MLP(sizes[0], sizes[1:])
    for k, layer in enumerate(model.layers, start=1):
        neurons = layer.neurons
        for j, neuron in enumerate(neurons, start=1):
            for i, w in enumerate(neuron.w, start=1):
                w.data = float(t.value(f"w{k}_{i}_{j}"))
            neuron.b.data = float(t.value(f"b{k}_{j}"))
    x = [float(t.value(f"x{i}")) for i in range(1, sizes[0] + 1)]
    tg = [float(t.value(f"t{i}")) for i in range(1, sizes[-1] + 1)]
    return model, x, tg


def micrograd_step(model, x, tg):
    model.zero_grad()
    out = model(x)
    out = out if isinstance(out, list) else [out]
    loss = sum((0.5 * (o - ti) ** 2 for o, ti in zip(out, tg)), Value(0.0))
    loss.backward()
    return loss


def row_b(sizes: list[int], repeats: int) -> None:
    """(b) neuron-level scalar MLP: compiled gradviz vs micrograd MLP fwd+bwd (gc on)."""
    g = gradviz.mlp(sizes, activation="relu", loss="mse", granularity="neuron")
    t = gradviz.evaluate(g)  # compiles and caches
    model, x, tg = _micrograd_mlp_from(g, t, sizes)
    loss = micrograd_step(model, x, tg)
    assert math.isclose(loss.data, float(t.value("L")), rel_tol=1e-9, abs_tol=1e-12)
    for k, layer in enumerate(model.layers, start=1):
        for j, neuron in enumerate(layer.neurons, start=1):
            for i, w in enumerate(neuron.w, start=1):
                assert math.isclose(w.grad, float(t.grad(f"w{k}_{i}_{j}")),
                                    rel_tol=1e-9, abs_tol=1e-12)
            assert math.isclose(neuron.b.grad, float(t.grad(f"b{k}_{j}")),
                                rel_tol=1e-9, abs_tol=1e-12)

    def gv():
        return gradviz.evaluate(g)

    def peer():
        return micrograd_step(model, x, tg)

    assert gc.isenabled()
    tgv, tp = compare(gv, peer, repeats)
    n = len(g.order)
    add_row(f"(b) neuron MLP {sizes} ({n:,} nodes), fwd+bwd", tgv, tp,
            "micrograd MLP (gc on)", 10, "≥ 10x")
    gc.disable()
    try:
        tp_off = statistics.median(_run(peer, _calibrate(peer, 0.02)) for _ in range(5))
    finally:
        gc.enable()
    notes.append(f"micrograd {sizes} with gc off: {fmt_time(tp_off)} "
                 f"(ratio {tp_off / tgv:.2f}x)")


def numpy_mlp3(W1, b1, W2, b2, W3, b3, x, t):
    """Hand-written forward+backward: relu, relu, identity, L = ½ Σ (h3 − t)²."""
    z1 = W1 @ x + b1
    h1 = np.maximum(z1, 0.0)
    z2 = W2 @ h1 + b2
    h2 = np.maximum(z2, 0.0)
    h3 = W3 @ h2 + b3
    d3 = h3 - t
    L = 0.5 * (d3 @ d3)
    gW3, gb3 = np.outer(d3, h2), d3
    dz2 = (W3.T @ d3) * (z2 > 0)
    gW2, gb2 = np.outer(dz2, h1), dz2
    dz1 = (W2.T @ dz2) * (z1 > 0)
    gW1, gb1 = np.outer(dz1, x), dz1
    gx = W1.T @ dz1  # gradviz also gives inputs a gradient
    return L, dict(W1=gW1, b1=gb1, W2=gW2, b2=gb2, W3=gW3, b3=gb3, x=gx)


def row_c(sizes: list[int], repeats: int, label: str = "(c)") -> None:
    """(c) layer-level MLP, one sample: gradviz vs hand-written numpy fwd+bwd."""
    what = f"{label} layer MLP {sizes}, one sample, fwd+bwd"
    try:
        g = gradviz.mlp(sizes, granularity="layer", activation="relu", loss="mse")
    except gradviz.GradvizError as e:
        # a gradviz bug, reported as such (not worked around): the peer is still timed
        rng = np.random.default_rng(0)
        Ws = [rng.uniform(-1, 1, (m, n)) for n, m in zip(sizes, sizes[1:])]
        bs = [rng.uniform(-1, 1, m) for m in sizes[1:]]
        x, t = rng.uniform(-1, 1, sizes[0]), rng.uniform(-1, 1, sizes[-1])
        args = (Ws[0], bs[0], Ws[1], bs[1], Ws[2], bs[2], x, t)
        tp = statistics.median(_run(lambda: numpy_mlp3(*args), _calibrate(
            lambda: numpy_mlp3(*args), 0.02)) for _ in range(repeats))
        rows.append((what, f"FAILS: {type(e).__name__}", fmt_time(tp), "hand-written numpy",
                     "—", "≥ 0.5x ✗"))
        notes.append(f"{label} gradviz.mlp({sizes}, granularity='layer') raised: {e}")
        return
    tr = gradviz.evaluate(g)
    names = ["W1", "b1", "W2", "b2", "W3", "b3", "x", "t"]
    args = [np.array(tr.value(n)) for n in names]
    L, grads = numpy_mlp3(*args)
    assert np.isclose(L, float(tr.value("L")), rtol=1e-12)
    for n, a in grads.items():
        assert np.allclose(a, tr.grad(n), rtol=1e-12, atol=1e-12), n

    def gv():
        return gradviz.evaluate(g)

    def peer():
        return numpy_mlp3(*args)

    tg, tp = compare(gv, peer, repeats)
    add_row(what, tg, tp, "hand-written numpy", 0.5, "≥ 0.5x")
    torch_step = _torch_mlp3(dict(zip(names, args)), grads)
    if torch_step is None:
        notes.append(f"{label} torch is not installed: no torch autograd row")
        return
    tg, tt = compare(gv, torch_step, repeats)
    add_row(f"{what} vs torch", tg, tt, "torch autograd (float64)", 1, "≥ 1x (faster)")


def _torch_mlp3(arrays: dict, grads: dict):
    """torch autograd on the layer MLP (float64, one sample), checked against numpy's
    gradients; ``None`` when torch is not installed."""
    try:
        import torch
    except ImportError:
        return None
    ts = {n: torch.tensor(a, dtype=torch.float64, requires_grad=n != "t")
          for n, a in arrays.items()}
    inputs = [ts[n] for n in ("W1", "b1", "W2", "b2", "W3", "b3", "x")]

    def step():
        h1 = torch.relu(ts["W1"] @ ts["x"] + ts["b1"])
        h2 = torch.relu(ts["W2"] @ h1 + ts["b2"])
        d = ts["W3"] @ h2 + ts["b3"] - ts["t"]
        loss = 0.5 * (d * d).sum()
        return loss, torch.autograd.grad(loss, inputs)

    _, tgrads = step()
    for n, tgrad in zip(grads, tgrads):  # W1, b1, W2, b2, W3, b3, x: the order of inputs
        assert np.allclose(tgrad.numpy(), grads[n], rtol=1e-12, atol=1e-12), n
    notes.append(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    return step


def row_d(sizes: list[int], repeats: int) -> None:
    """(d) compile time of a neuron MLP graph: mlp() (text + parse) + first evaluate."""
    gen, first = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        g = gradviz.mlp(sizes, activation="relu", loss="mse", granularity="neuron")
        t1 = time.perf_counter()
        gradviz.evaluate(g)
        t2 = time.perf_counter()
        gen.append(t1 - t0)
        first.append(t2 - t1)
    a, b = statistics.median(gen), statistics.median(first)
    rows.append((f"(d) compile neuron MLP {sizes}: mlp() text+parse, first evaluate",
                 fmt_time(a + b), "—", "—", "—", "info"))
    notes.append(f"(d) breakdown: gradviz.mlp() {fmt_time(a)} + first evaluate (compile) "
                 f"{fmt_time(b)}")


def chains(n_chains: int, depth: int) -> gradviz.Graph:
    """``n_chains`` chains of ``depth`` steps ``h = tanh(h · w)``, each w a param of its
    own, summed into the loss: ``n_chains · (1 + 3 · depth) + 3`` nodes."""
    b = gradviz.Builder(name="chains")
    ends = []
    for i in range(n_chains):
        h = b.input(f"x{i}", 0.5)
        for d in range(depth):
            w = b.param(f"w{i}_{d}", 0.9)
            h = b.op("tanh", b.op("mul", h, w, name=f"m{i}_{d}"), name=f"h{i}_{d}")
        ends.append(h)
    b.loss("L", b.op("sum", b.op("stack", *ends)))
    return b.build()


def _rss() -> int:
    """Resident memory of this process, in bytes (Linux)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096


def peak_while(fn) -> tuple[float, int]:
    """Seconds ``fn`` takes and the most resident memory it adds, sampled every 5 ms."""
    base, peak, done = _rss(), [0], threading.Event()

    def sample():
        while not done.wait(0.005):
            peak[0] = max(peak[0], _rss())
    watcher = threading.Thread(target=sample)
    watcher.start()
    t0 = time.perf_counter()
    try:
        fn()
    finally:
        elapsed = time.perf_counter() - t0
        done.set()
        watcher.join()
    return elapsed, max(peak[0], _rss()) - base


def row_e(n_chains: int, depth: int) -> None:
    """(e) evaluate a graph of ~10⁶ nodes: time and the peak memory it adds."""
    t0 = time.perf_counter()
    g = chains(n_chains, depth)
    order = g.order  # the graph's own topological sort, not the evaluator's work
    built = time.perf_counter() - t0
    n = len(order)
    kept = []
    first, mem1 = peak_while(lambda: kept.append(gradviz.evaluate(g)))
    assert math.isclose(float(kept[0].grad(f"w0_{depth - 1}")),
                        float(kept[0].value(f"m0_{depth - 1}") / 0.9
                              * (1 - kept[0].value(f"h0_{depth - 1}") ** 2)), rel_tol=1e-12)
    kept.clear()
    runs = []
    for _ in range(3):  # the compiled graph: median of three, the trace dropped each time
        runs.append(peak_while(lambda: gradviz.evaluate(g)))
    second, mem2 = statistics.median(t for t, _ in runs), max(m for _, m in runs)
    mb = 1 << 20
    rows.append((f"(e) {n:,}-node graph ({n_chains} chains × {depth}): first evaluate "
                 "(compile + run), peak memory added", f"{fmt_time(first)}, {mem1 / mb:.0f} MB",
                 "—", "—", "—", "info"))
    rows.append((f"(e) {n:,}-node graph: evaluate again (compiled; median of 3), peak memory "
                 "added",
                 f"{fmt_time(second)}, {mem2 / mb:.0f} MB", "—", "—", "—", "info"))
    notes.append(f"(e) building the {n:,}-node graph with the Builder and sorting it took "
                 f"{built:.1f} s (not the evaluator's)")


def run(quick: bool) -> None:
    q = quick
    row_a(1_000 if q else 10_000, 3 if q else 7)
    row_b([3, 16, 16, 1], 5 if q else 25)
    row_b([10, 64, 64, 1], 5 if q else 21)
    row_c([64, 128, 128, 10], 5 if q else 15)
    row_c([16, 32, 32, 10], 5 if q else 15, label="(c')")
    row_d([10, 64, 64, 1], 1 if q else 3)
    row_e(100 if q else 1000, 333)
