"""The plan: which view, where the camera looks, frame-exact timing."""

from __future__ import annotations

import math

import pytest

from gradviz import evaluate, example
from gradviz.views.video.options import VideoOptions
from gradviz.views.video.plan import plan
from gradviz.views.video.storyboard import inside
from gradviz.views.video.text import shift


def test_views():
    assert plan(evaluate(example("xyz"))).view == "full"
    assert plan(evaluate(example("interesting"))).view == "focused"
    assert plan(evaluate(example("interesting")), still=True).view == "still"
    assert plan(evaluate(example("xyz")), VideoOptions(fold="always")).view == "folded"


@pytest.mark.parametrize("name", ["interesting", "two_layer_relu"])
def test_the_camera_keeps_the_subject_of_each_beat_in_view(name):
    p = plan(evaluate(example(name)))
    for beat, cam in zip(p.beats, p.cameras):
        if beat.kind in ("intro", "table"):
            continue
        subject = p.geom.nodes[beat.nodes[0]].card_box
        assert inside(shift(subject, -cam[0], -cam[1]), p.frame.stage), beat.lines


def test_beats_last_whole_frames():
    p = plan(evaluate(example("xyz")), size=(854, 480), fps=15)
    for b in p.beats:
        assert math.isclose(b.seconds * 15, round(b.seconds * 15), abs_tol=1e-6)


def test_size_only_scales_the_plan():
    a = plan(evaluate(example("xyz")), size=(1920, 1080))
    b = plan(evaluate(example("xyz")), size=(1280, 720))
    assert a.geom == b.geom and b.scale == pytest.approx(720 / 1080)
