"""Manim scenes rendered for real at a tiny size, their frames and timing checked.

Last frames are compared with committed control data (``tests/control/*.npz``) with a
tolerance, as Manim's own ``frames_comparison`` does. Refresh them deliberately with
``GRADVIZ_UPDATE_CONTROL=1 pytest tests/test_video.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gradviz
from gradviz import (
    ACTIVATIONS,
    evaluate,
    example,
    examples,
)
from gradviz.views import video  # manim itself is imported on first scene use
from gradviz.views.story import story

CONTROL = Path(__file__).parent / "control"
SIZE, FPS = (160, 90), 5
UPDATE = os.environ.get("GRADVIZ_UPDATE_CONTROL") == "1"


def probe(path: Path) -> tuple[float, int]:
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                          "-show_entries", "stream=nb_read_frames:format=duration",
                          "-of", "json", str(path)], capture_output=True, check=True).stdout
    data = json.loads(out)
    return float(data["format"]["duration"]), int(data["streams"][0]["nb_read_frames"])


def compare_with_control(name: str, frame: np.ndarray) -> None:
    path = CONTROL / f"{name}.npz"
    rgb = frame[..., :3].astype(np.int16)
    if UPDATE:
        CONTROL.mkdir(exist_ok=True)
        np.savez_compressed(path, frame=rgb.astype(np.uint8))
    assert path.exists(), f"no control data for {name}: run with GRADVIZ_UPDATE_CONTROL=1"
    ref = np.load(path)["frame"].astype(np.int16)
    assert ref.shape == rgb.shape
    diff = np.abs(ref - rgb)
    assert diff.mean() < 4.0 and (diff.max(axis=-1) > 80).mean() < 0.03, \
        f"{name}: last frame differs from control (mean {diff.mean():.2f})"


def render(tmp_path, cls, name, **kw):
    return video.render_scene(cls, tmp_path / f"{name}.mp4", "low", media_dir=tmp_path / "media",
                              pixel_size=SIZE, frame_rate=FPS, progress=False, keep_frame=True,
                              **kw)


def expected_backprop_seconds(graph, v) -> float:
    """The timeline the scene promises: appear, leaf values, one slot per story step,
    the pause at the loss, the caption's exit, and the answer table."""
    steps = story(evaluate(graph)).steps
    n = sum(1 for s in steps if s.kind in ("seed", "grad", "backward"))
    n += 0 if v.skip_forward else sum(1 for s in steps if s.kind in ("forward", "loss"))
    pause = 0 if v.skip_forward else v.pause_at_loss
    return 2.0 + 0.6 + n * v.seconds_per_step + pause + 0.3 + (2.5 if v.answer_table else 0)


@pytest.mark.parametrize("name", examples())
def test_backprop_scene_renders(tmp_path, name):
    v = video.VideoOptions(seconds_per_step=0.2, pause_at_loss=0.4)
    path, frame = render(tmp_path, video.BackpropScene, name, graph=name, video=v)
    duration, frames = probe(path)
    want = expected_backprop_seconds(example(name), v)
    assert duration == pytest.approx(want, abs=0.25)
    assert frames == pytest.approx(want * FPS, abs=2)
    assert frame.shape == (SIZE[1], SIZE[0], 4)
    assert frame[..., :3].std() > 5  # not a blank frame
    compare_with_control(f"backprop_{name}", frame)


def test_focus_and_skip_forward_shorten_the_video(tmp_path):
    v = video.VideoOptions(seconds_per_step=0.2, focus="H1", skip_forward=True,
                           answer_table=False)
    path, _ = render(tmp_path, video.BackpropScene, "focus", graph="interesting", video=v)
    full = expected_backprop_seconds(example("interesting"),
                                     video.VideoOptions(seconds_per_step=0.2))
    assert probe(path)[0] < full - 5


def test_folded_graph_animates_by_layer(tmp_path):
    g = gradviz.mlp([6, 40, 40, 1])
    assert g.nx.number_of_nodes() > 300
    path, frame = render(tmp_path, video.BackpropScene, "folded", graph=g,
                         video=video.VideoOptions(seconds_per_step=0.2))
    assert probe(path)[0] > 2 and frame[..., :3].std() > 5


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_scene_renders(tmp_path, name):
    path, frame = render(tmp_path, video.ActivationScene, f"act_{name}", activation=name)
    duration, frames = probe(path)
    assert duration > 5 and frames == pytest.approx(duration * FPS, abs=2)
    compare_with_control(f"activation_{name}", frame)


def test_compare_scene_and_still(tmp_path):
    path, frame = render(tmp_path, video.CompareDerivativesScene, "cmp",
                         activations=("sigmoid", "tanh", "relu"))
    compare_with_control("compare_sigmoid_tanh_relu", frame)
    still = video.render_scene(video.ActivationScene, tmp_path / "relu.png", "low",
                               media_dir=tmp_path / "media", pixel_size=SIZE, progress=False,
                               activation="relu", animate_point=False)
    assert still.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_derivative_is_exact_not_numerical():
    from gradviz.core.ops import OPS

    for name in ACTIVATIONS:
        x, f, df = video.activation_samples(name, -3, 3, 61)
        out = OPS[name].forward(x)
        (vjp,) = OPS[name].vjp(np.ones_like(x), out, x)
        np.testing.assert_allclose(df, vjp, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(f, OPS[name].forward(x), rtol=1e-12, atol=1e-15)
    x, _, df = video.activation_samples("relu", -1, 1, 3)
    assert df.tolist() == [0.0, 0.0, 1.0]  # relu'(0) = 0, exactly
    x, _, df = video.activation_samples("leaky_relu", -1, 1, 3, slope=0.1)
    assert df.tolist() == [0.1, 1.0, 1.0]  # the course's f'(0) = 1


def test_kinks_split_the_derivative_plot():
    x = np.linspace(-4, 4, 801)
    pieces = video._pieces("relu", x)
    assert len(pieces) == 2 and pieces[0].max() < 0 < pieces[1].min()
    assert len(video._pieces("sigmoid", x)) == 1


def test_second_render_is_served_from_the_cache(tmp_path):
    kw = dict(media_dir=tmp_path / "media", pixel_size=SIZE, frame_rate=FPS, progress=False,
              graph="xyz", video=video.VideoOptions(seconds_per_step=0.2))
    first = video.render_scene(video.BackpropScene, tmp_path / "a.mp4", "low", **kw)
    import time

    t0 = time.perf_counter()
    second = video.render_scene(video.BackpropScene, tmp_path / "b.mp4", "low", **kw)
    assert time.perf_counter() - t0 < 2.0
    assert first.read_bytes() == second.read_bytes()
    changed = video.render_scene(video.BackpropScene, tmp_path / "c.mp4", "low",
                                 **{**kw, "video": video.VideoOptions(seconds_per_step=0.4)})
    assert probe(changed)[0] > probe(first)[0]


def test_manim_cli_renders_the_scene_files(tmp_path):
    root = Path(__file__).parents[2]
    for file, scene in (("gradviz/scenes/backprop.py", "XyzBackprop"),
                        ("gradviz/scenes/activations.py", "ReluActivation")):
        done = subprocess.run([sys.executable, "-m", "manim", "-r", "160,90", "--fps", "5",
                               "--media_dir", str(tmp_path), "--progress_bar", "none",
                               str(root / file), scene], capture_output=True, text=True,
                              cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-2000:]
        assert list(tmp_path.rglob(f"{scene}.mp4"))


def test_animate_and_plot_cli(tmp_path, monkeypatch):
    from gradviz.cli import main

    monkeypatch.setenv("HOME", str(tmp_path))  # the render cache goes under ~/.cache
    assert main(["animate", "xyz", "-o", str(tmp_path / "xyz.png"), "--seconds-per-step",
                 "0.1"]) == 0
    assert (tmp_path / "xyz.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["plot", "leaky_relu", "--param", "slope=0.1", "-o",
                 str(tmp_path / "leaky.png")]) == 0
    assert main(["animate", "xyz", "--focus", "nope", "-o", str(tmp_path / "x.mp4")]) == 2
    assert main(["plot", "softmax", "-o", str(tmp_path / "s.png")]) == 2
    assert main(["plot", "relu", "--param", "slope=1", "-o", str(tmp_path / "s.png")]) == 2


def test_missing_manim_is_one_line(monkeypatch, capsys):
    from gradviz.cli import main

    monkeypatch.setitem(sys.modules, "manim", None)
    with pytest.raises(gradviz.MissingDependencyError,
                       match="pip install 'gradviz-teach\\[video\\]'"):
        video.require_manim()
    assert main(["animate", "xyz", "-o", "x.mp4"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert main(["eval", "xyz"]) == 0  # everything that does not need manim still works


@pytest.mark.parametrize("name", examples())
def test_story_snapshot(name, snapshot):
    assert json.dumps(story(evaluate(example(name))).as_json(), ensure_ascii=False,
                      indent=1) == snapshot


def test_tex_mode_says_what_to_install(monkeypatch):
    monkeypatch.setattr(video.shutil, "which", lambda name: None)
    with pytest.raises(gradviz.MissingDependencyError, match="texlive-latex-extra"):
        video.require_tex()
