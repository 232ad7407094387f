"""Helpers shared by the test modules."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

import gradviz
from gradviz import Builder, canonical, evaluate, example, fmt_value
from gradviz.cli import main
from gradviz.views.answers import asked

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(svg: bytes | str) -> list[str]:
    root = ET.fromstring(svg if isinstance(svg, bytes) else svg.encode("utf-8"))
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


NASTY = ['"', "\\", "<b>x</b>", "\\N", "x:y", "{ | }", "graph", "-1.5", "a\u202eb\u200fc",
         "&amp;", "]]>", "x" * 20_000]


def nasty_graph():
    b = Builder()
    xs = [b.input(name, float(i + 1)) for i, name in enumerate(NASTY)]
    total = xs[0]
    for x in xs[1:]:
        total = total + x
    b.loss("L\"oss<>", total * total)
    return b.build()


XYZ = ["x: input = 2", "y: input = 3", "z: input = -1", "a = x * y + z", "b = (x + x) * a",
       "w: output = a * b"]


SHUFFLED = ["\n".join(XYZ[i] for i in order) + "\n"
            for order in ([0, 1, 2, 3, 4, 5], [5, 4, 2, 3, 1, 0], [3, 0, 5, 1, 4, 2])]


def table(trace, **changes):
    rows = [(q, fmt_value(v)) for q, v in asked(trace)]
    return [(q, changes.get(q, v)) for q, v in rows]


TOL = 1e-9


def sig(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def assert_trace(trace, expected: dict, tol: float = TOL) -> None:
    """``expected`` maps a node name to its value, ``∇name`` to its gradient."""
    for key, want in expected.items():
        got = trace.grad(key[1:]) if key.startswith("∇") else trace.value(key)
        np.testing.assert_allclose(got, want, rtol=0, atol=tol, err_msg=key)


BROADCAST_TEXT = """\
a: input = 2
v: input = [1, 2, 3]
M: input = [[1, 2, 3], [0, -1, 0.5]]
m = a * v
k = max(M, m)
q = softmax(k)
L: loss = sum(q * q) + mean(m) + hinge(v, a)
"""


EDGE_GRAPHS = [*gradviz.examples(), "broadcast"]


def graph_named(name):
    """A built-in example, or a graph mixing scalars, vectors and matrices."""
    return gradviz.parse(BROADCAST_TEXT) if name == "broadcast" else example(name)


def assert_batch_matches_loop(graph, **batched):
    t = evaluate(graph, **batched)
    B = len(next(iter(batched.values())))
    assert t.batch == B
    for i in range(B):
        single = evaluate(graph, **{k: np.asarray(v)[i] for k, v in batched.items()})
        for n in t.order:
            np.testing.assert_allclose(t.value(n)[i], single.value(n), rtol=1e-12,
                                       atol=1e-14, err_msg=f"value of {n}, variant {i}")
            g = t.grad(n)
            if g is None:
                assert single.grad(n) is None
            else:
                np.testing.assert_allclose(g[i], single.grad(n), rtol=1e-12, atol=1e-14,
                                           err_msg=f"grad of {n}, variant {i}")


MLP_CONFIGS = [
    ("relu", "identity", "mse"),
    ("tanh", "sigmoid", "bce"),
    ("sigmoid", "identity", "mse_mean"),
    ("gelu", "identity", "huber"),
    ("silu", "tanh", "hinge"),
    ("softplus", "identity", "bce_with_logits"),
    ("elu", "sigmoid", "cross_entropy"),
    ("gelu_tanh", "identity", "cross_entropy_with_logits"),
    ("leaky_relu", "identity", "l1"),
]




ROOT = Path(__file__).resolve().parents[1]


COMMANDS = ["list", "ops", "eval", "render", "mlp", "gallery"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_proc(*argv: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gradviz", *argv], capture_output=True,
                          text=True, encoding="utf-8", cwd=ROOT, timeout=60,
                          env={**os.environ, **env})


def one_json_object(text: str) -> dict:
    """``text`` is exactly one JSON object (and a newline), nothing before or after."""
    assert text.endswith("\n") and text.count("\n") == 1, text[:200]
    obj, end = json.JSONDecoder().raw_decode(text)
    assert text[end:] == "\n"
    assert isinstance(obj, dict)
    return obj


def expected_json(graph: gradviz.Graph, **overrides) -> dict:
    t = evaluate(graph, **overrides)
    return {"loss": t.loss,
            "values": {n: canonical(t.value(n)) for n in t.order},
            "grads": {n: canonical(t.grad(n)) for n in t.order if t.grad(n) is not None}}


def bad_file(tmp_path: Path) -> Path:
    p = tmp_path / "bad graph.grad"
    p.write_text("x: input = 1\nL: loss = y * x\n", encoding="utf-8")
    return p


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}




def run_graph(text, **values):
    """Parse graph text and evaluate it: the whole pipeline."""
    return gradviz.evaluate(gradviz.parse(text), **values)
