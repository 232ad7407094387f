"""Determinism (DESIGN.md items 15 and 16): statement order, leaf order, hash seed and
platform do not change a single byte of the output; numbers print stably; and a syrupy
snapshot of every example's ``eval --json`` makes any change to a number deliberate."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gradviz
from gradviz import Builder, canonical, evaluate, example, examples, fmt, load, parse
from gradviz.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ("0", "1", "12345")


def eval_json(capsys, target: str) -> str:
    assert main(["eval", target, "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def shuffled(text: str, seed: int) -> str:
    """The same graph file with its lines (statements, metadata, comments) shuffled."""
    lines = text.splitlines()
    random.Random(seed).shuffle(lines)
    return "\n".join(lines) + "\n"


def leaves_permuted(text: str, seed: int) -> str:
    """Only the leaf declarations change places (in the slots leaves occupy)."""
    lines = text.splitlines()
    slots = [i for i, line in enumerate(lines)
             if any(f": {k} =" in line for k in ("input", "param", "target", "const"))]
    leaf_lines = [lines[i] for i in slots]
    random.Random(seed).shuffle(leaf_lines)
    if len(leaf_lines) > 1 and [lines[i] for i in slots] == leaf_lines:
        leaf_lines.reverse()
    for i, line in zip(slots, leaf_lines):
        lines[i] = line
    return "\n".join(lines) + "\n"


def variants(text: str) -> list[str]:
    lines = text.splitlines()
    return ([shuffled(text, s) for s in (0, 1, 2)]
            + ["\n".join(reversed(lines)) + "\n"]
            + [leaves_permuted(text, s) for s in (0, 1)]
            + ["\n\n# a comment\n".join(reversed(lines)) + "\n"])


# ------------------------------------------------------------- statement orders
@pytest.mark.parametrize("name", examples())
def test_shuffled_statements_give_identical_output(capsys, tmp_path, name):
    ref = example(name)
    ref_json = eval_json(capsys, name)
    ref_text, ref_order = ref.to_text(), evaluate(ref).order
    for k, text in enumerate(variants(ref.text)):
        assert text != ref.text
        p = tmp_path / f"{k}" / f"{name}.grad"
        p.parent.mkdir()
        p.write_text(text, encoding="utf-8")
        g = load(p)
        assert g.to_text() == ref_text, k
        assert evaluate(g).order == ref_order == g.order, k
        assert eval_json(capsys, str(p)) == ref_json, k


@pytest.mark.parametrize("sizes, kw", [([2, 3, 1], {}), ([3, 2, 2], {"granularity": "layer"})])
def test_shuffled_mlp_gives_identical_output(sizes, kw):
    ref = gradviz.mlp(sizes, **kw)
    ref_json = json.dumps(_json(ref))
    for text in variants(ref.to_text()):
        g = parse(text)
        assert g.to_text() == ref.to_text()
        assert json.dumps(_json(g)) == ref_json


def _json(g: gradviz.Graph) -> dict:
    t = evaluate(g)
    return {"loss": t.loss, "order": t.order,
            "values": {n: canonical(t.value(n)) for n in t.order},
            "grads": {n: canonical(t.grad(n)) for n in t.order if t.grad(n) is not None}}


def _builder_graph(leaf_order: list[str], reverse_lets: bool) -> gradviz.Graph:
    """The 'interesting' example built in Python, leaves in the given order."""
    b = Builder(title="A More Interesting Graph")
    leaves = {"X1": ("input", 2), "X2": ("input", -1), "X3": ("input", 1),
              "W1": ("param", 1.5), "B1": ("param", 1), "W2": ("param", -3),
              "Y": ("target", 1)}
    v = {n: b.leaf(n, *leaves[n]) for n in leaf_order}
    if reverse_lets:  # build H2 before H1: a different insertion order, same graph
        v["H2"] = b.let("H2", v["X1"] * v["X2"] * v["X3"] + v["B1"])
        v["H1"] = b.let("H1", v["W1"] * (v["X1"] + v["X2"]))
    else:
        v["H1"] = b.let("H1", v["W1"] * (v["X1"] + v["X2"]))
        v["H2"] = b.let("H2", v["X1"] * v["X2"] * v["X3"] + v["B1"])
    h3 = b.let("H3", b.min(v["X1"], v["H1"]))
    h4 = b.let("H4", v["W2"] * v["H2"] / v["H1"])
    h5 = b.let("H5", b.max(h4, v["H1"]))
    yhat = b.let("Yhat", b.sigmoid(h3 - h5))
    b.loss("L", b.bce(yhat, v["Y"]))
    return b.build()


def test_builder_insertion_order_does_not_matter():
    names = ["X1", "X2", "X3", "W1", "B1", "W2", "Y"]
    ref = _builder_graph(names, False)
    ref_json = json.dumps(_json(ref))
    for seed in range(4):
        order = names[:]
        random.Random(seed).shuffle(order)
        g = _builder_graph(order, seed % 2 == 1)
        assert g.to_text() == ref.to_text()
        assert g.order == ref.order
        assert json.dumps(_json(g)) == ref_json
    # and it is the same graph as the file
    assert json.dumps(_json(ref)) == json.dumps(_json(example("interesting")))


def test_repeated_parses_and_evaluations_are_identical(capsys):
    outs = {eval_json(capsys, "softmax_classifier") for _ in range(3)}
    assert len(outs) == 1
    texts = {example("mlp").to_text() for _ in range(3)}
    assert len(texts) == 1


# ------------------------------------------------------------------ hash seeds
_SCRIPT = """
import json, gradviz
for name in gradviz.examples():
    g = gradviz.example(name)
    t = gradviz.evaluate(g)
    print(name, json.dumps(t.order))
    print(g.to_text())
    print(json.dumps({n: gradviz.canonical(t.grad(n)) for n in t.order
                      if t.grad(n) is not None}))
"""


def _proc(args: list[str], seed: str) -> str:
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, timeout=60,
                          env={**os.environ, "PYTHONHASHSEED": seed})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def test_output_is_identical_under_different_hash_seeds(tmp_path):
    p = tmp_path / "interesting.grad"
    p.write_text(shuffled(example("interesting").text, 7), encoding="utf-8")
    commands = [["-m", "gradviz", "eval", "interesting", "--json"],
                ["-m", "gradviz", "eval", str(p), "--json"],
                ["-m", "gradviz", "eval", "softmax_classifier"],
                ["-m", "gradviz", "mlp", "2", "3", "1"],
                ["-c", _SCRIPT]]
    for args in commands:
        outs = {seed: _proc(args, seed) for seed in SEEDS}
        assert len(set(outs.values())) == 1, args
        assert outs["0"]
    # the shuffled file and the built-in example print the same bytes
    assert _proc(commands[0], "1") == _proc(commands[1], "12345")


# ------------------------------------------------------------ stable number text
def test_fmt_is_stable():
    assert fmt(-0.0) == "0"
    assert fmt(0.1 + 0.2) == "0.3"
    assert fmt(np.float64(-0.0)) == "0"
    assert fmt(-1e-30 * 0) == "0"
    assert fmt(170.0) == "170" and fmt(-3.0) == "-3"
    assert fmt(1.5e-7) == "1.5e-07" and fmt(1e300) == "1e+300"
    assert fmt(float("inf")) == "inf" and fmt(float("-inf")) == "-inf"
    assert fmt(float("nan")) == "nan"
    assert fmt(0.62246, digits=3) == "0.622"
    assert fmt(1 / 3, 12) == "0.333333333333"


def test_fmt_value_has_no_negative_zero():
    assert gradviz.fmt_value(np.array([-0.0, 0.0, -0.5])) == "[0, 0, -0.5]"
    assert gradviz.fmt_value(np.array([[-0.0]])) == "[[0]]"


def test_canonical_has_no_negative_zero():
    assert canonical(-0.0) == 0.0
    assert json.dumps(canonical(-0.0)) == "0.0"
    assert json.dumps(canonical(np.float64(-0.0))) == "0.0"
    assert json.dumps(canonical(np.array([-0.0, 0.1 + 0.2]))) == "[0.0, 0.30000000000000004]"
    assert json.dumps(canonical(np.array([[-0.0, -1.0]]))) == "[[0.0, -1.0]]"
    assert canonical(np.array([np.inf, -np.inf, np.nan])) == ["inf", "-inf", "nan"]
    assert type(canonical(np.float64(2.0))) is float


def test_negative_zero_never_reaches_the_json(capsys, tmp_path):
    p = tmp_path / "negzero.grad"
    p.write_text("x: input = -1\nz: input = -0.0\nw: param = [-0.0, 1]\n"
                 "L: loss = x * 0 + z * 0 + sum(w * 0)\n", encoding="utf-8")
    out = eval_json(capsys, str(p))
    assert "-0" not in out, out
    obj = json.loads(out)
    assert obj["values"]["L"] == 0.0 and obj["values"]["z"] == 0.0


# -------------------------------------------------------------------- snapshots
@pytest.mark.parametrize("name", examples())
def test_eval_json_snapshot(capsys, name, snapshot):
    text = eval_json(capsys, name)
    assert text == snapshot
