"""Wrapping a long figure into bands: consecutive levels per band, leaves with their
consumer, and every wire that crosses bands carried by a pair of tags."""

from __future__ import annotations

import re

from gradviz import evaluate, example
from gradviz.views.dot import model_to_dot
from gradviz.views.figure import layout_model
from gradviz.views.graphviz import run_dot
from gradviz.views.model import Options
from gradviz.views.wrap import bands, levels
from tests.helpers import svg_texts
from tests.views.test_fit import chain


def test_bands_are_consecutive_levels():
    m = layout_model(evaluate(chain(9)), Options(bands=3))
    level, band = levels(m), bands(m)
    assert sorted(set(band.values())) == [0, 1, 2]
    ops = [n.id for n in m.nodes if n.kind == "op"]
    for a in ops:
        for b in ops:
            if level[a] < level[b]:
                assert band[a] <= band[b]


def test_a_leaf_goes_with_its_consumer():
    m = layout_model(evaluate(chain(9)), Options(bands=3))
    band = bands(m)
    for e in m.edges:
        src = next(n for n in m.nodes if n.id == e.src)
        if src.kind == "param":
            assert band[e.src] == band[e.dst]


def test_crossing_wires_become_tag_pairs_and_bands_stack():
    m = layout_model(evaluate(chain(6)), Options(bands=2))
    band = bands(m)
    crossing = [e for e in m.edges if band[e.src] != band[e.dst]]
    dot = model_to_dot(m)
    values = {(e.src, bands(m)[e.dst]) for e in crossing}
    assert len(re.findall(r"  t\d+_\d+ \[", dot)) == len(values) >= 1
    assert len(re.findall(r"  u\d+_\d+ \[", dot)) == len(values)
    assert "{rank=same;" in dot and "style=invis];" in dot
    texts = "".join(svg_texts(run_dot(dot, "svg")))
    assert texts.count("▸") == 2 * len(values)  # "h₃ ▸" where a band ends, "▸ h₃" after


def test_one_band_is_no_wrap():
    m = layout_model(evaluate(example("xyz")))
    assert set(bands(m).values()) == {0} and "cluster_band" not in model_to_dot(m)
