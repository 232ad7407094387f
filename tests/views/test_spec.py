"""Static figures: DOT/JSON snapshots, real Graphviz renders, escaping and determinism."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import gradviz
from gradviz import evaluate, example, examples, to_dot, to_json
from gradviz.views.figure import SHOWS
from tests.helpers import SHUFFLED, nasty_graph


@pytest.mark.parametrize("name", examples())
@pytest.mark.parametrize("show", SHOWS)
def test_json_snapshot(name, show, snapshot):
    assert to_json(evaluate(example(name)), show=show) == snapshot


def test_json_of_hostile_names_is_valid_and_literal():
    spec = json.loads(to_json(evaluate(nasty_graph())))
    names = {n["name"] for n in spec["nodes"]}
    assert "<b>x</b>" in names and "x" * 20_000 in names


def test_insertion_order_does_not_change_dot_or_json():
    dots = {to_dot(evaluate(gradviz.parse(t)), style=s) for t in SHUFFLED for s in ["textbook"]}
    jsons = {to_json(evaluate(gradviz.parse(t))) for t in SHUFFLED}
    assert len(dots) == 1 and len(jsons) == 1


def test_hash_seed_does_not_change_dot_or_json(tmp_path):
    code = ("import gradviz, sys; from gradviz.views.dot import to_dot; "
            "from gradviz.views.spec import to_json;"
            "t = gradviz.evaluate(gradviz.example('interesting'));"
            "sys.stdout.write(to_dot(t) + to_json(t, highlight='H1'))")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("0", "1", "4242")}
    assert len(outs) == 1


