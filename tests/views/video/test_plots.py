"""Activation plots rendered for real at a tiny size, checked against control frames."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from gradviz import ACTIVATIONS
from gradviz.views.video.plots import ActivationScene, CompareDerivativesScene
from gradviz.views.video.render import render_scene

from .test_scenes import compare_with_control

SIZE, FPS = (160, 90), 5


def duration(path: Path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                          "json", str(path)], capture_output=True, check=True).stdout
    return float(json.loads(out)["format"]["duration"])


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_scene_renders(tmp_path, name):
    path, frame = render_scene(ActivationScene, tmp_path / f"{name}.mp4", pixel_size=SIZE,
                               frame_rate=FPS, media_dir=tmp_path / "m", keep_frame=True,
                               activation=name)
    assert duration(path) > 5
    compare_with_control(f"activation_{name}", frame)


def test_compare_scene_and_still(tmp_path):
    _, frame = render_scene(CompareDerivativesScene, tmp_path / "cmp.mp4", pixel_size=SIZE,
                            frame_rate=FPS, media_dir=tmp_path / "m", keep_frame=True,
                            activations=("sigmoid", "tanh", "relu"))
    compare_with_control("compare_sigmoid_tanh_relu", frame)
    still = render_scene(ActivationScene, tmp_path / "relu.png", pixel_size=SIZE,
                         media_dir=tmp_path / "m", activation="relu", animate_point=False)
    assert still.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
