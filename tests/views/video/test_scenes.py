"""Backprop scenes rendered for real at a small size: the frames show what the storyboard
says (every label's ink where its box is, at its opacity), the video lasts what the
storyboard says, and the final annotated still matches committed control data."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import gradviz
from gradviz import evaluate, example, examples
from gradviz.views.figure import THEMES
from gradviz.views.video.options import VideoOptions
from gradviz.views.video.plan import plan
from gradviz.views.video.render import render_scene
from gradviz.views.video.scenes import BackpropScene
from gradviz.views.video.storyboard import storyboard

CONTROL = Path(__file__).parents[1] / "control"
UPDATE = os.environ.get("GRADVIZ_UPDATE_CONTROL") == "1"
SIZE, FPS = (960, 540), 5
FAST = VideoOptions(min_step=0.6, reading_speed=300, pause_at_loss=0.2)


def rgb(colour: str) -> np.ndarray:
    from manim import ManimColor

    return np.array(ManimColor(colour).to_rgb()) * 255


def probe(path: Path) -> tuple[float, int]:
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                          "-show_entries", "stream=nb_read_frames:format=duration",
                          "-of", "json", str(path)], capture_output=True, check=True).stdout
    data = json.loads(out)
    return float(data["format"]["duration"]), int(data["streams"][0]["nb_read_frames"])


def frames(path: Path, size: tuple[int, int]) -> np.ndarray:
    """Every frame of a video as RGB."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, size[1], size[0], 3).astype(float)


def ink_box(img: np.ndarray, box: list[float], colour: np.ndarray, opacity: float):
    """The extent of the pixels near ``box`` that show ``colour`` at ``opacity`` over the
    local background (the commonest colour around the box)."""
    x0, y0, x1, y1 = (int(np.floor(box[0])) - 1, int(np.floor(box[1])) - 1,
                      int(np.ceil(box[2])) + 1, int(np.ceil(box[3])) + 1)
    region = img[max(y0, 0):y1, max(x0, 0):x1]
    ring = img[max(y0 - 3, 0):y1 + 3, max(x0 - 3, 0):x1 + 3].copy()
    ring[3:-3, 3:-3] = np.nan  # the background: the commonest colour just around the box
    around = ring.reshape(-1, 3)
    around = around[~np.isnan(around).any(axis=1)]
    values, counts = np.unique(around.round(), axis=0, return_counts=True)
    bg = values[counts.argmax()]
    want = opacity * colour + (1 - opacity) * bg
    axis = want - bg
    reach = np.linalg.norm(axis)
    d = region - bg
    along = d @ axis / reach  # how far towards the text's colour, and how far off it
    off = np.linalg.norm(d - np.outer(along.ravel(), axis / reach).reshape(d.shape), axis=-1)
    near = (along > 0.45 * reach) & (off < 0.3 * reach + 12)
    ys, xs = np.nonzero(near)
    if not len(xs):
        return None
    return (xs.min() + max(x0, 0), ys.min() + max(y0, 0), xs.max() + 1 + max(x0, 0),
            ys.max() + 1 + max(y0, 0))


def check_labels(img: np.ndarray, labels: list[dict], theme) -> list[str]:
    """Each label's ink found where its box says (within 2 px), in its colour."""
    bad = []
    for lab in labels:
        colour = {"value": theme.value, "grad": theme.grad}.get(lab["kind"], theme.fg)
        found = ink_box(img, lab["box"], rgb(colour), lab["opacity"])
        if found is None or max(abs(a - b) for a, b in zip(found, lab["box"])) > 2.0:
            bad.append(f"{lab['text']!r} {lab['box']} found {found}")
    return bad


@pytest.mark.parametrize("name", ["xyz", "interesting"])
def test_frames_show_the_storyboard(tmp_path, name):
    p = plan(evaluate(example(name)), FAST, SIZE, FPS)
    sb = storyboard(p)
    out = render_scene(BackpropScene, tmp_path / f"{name}.mp4", "low",
                       media_dir=tmp_path / "media", plan=p)
    duration, count = probe(out)
    assert count == round(sb["steps"][-1]["end"] * FPS)
    assert duration == pytest.approx(sb["steps"][-1]["end"], abs=1 / FPS)
    video = frames(out, SIZE)
    theme = THEMES[p.theme]
    for s in sb["steps"]:
        img = video[round(s["end"] * FPS) - 1]  # the step's last frame
        assert not check_labels(img, s["labels"], theme), s["caption"]
    assert p.view == ("full" if name == "xyz" else "focused")
    moved = [{**lab, "box": [v + 4 for v in lab["box"]]} for lab in sb["steps"][-1]["labels"]]
    assert check_labels(video[-1], moved, theme)  # the check sees a 4 px error


def test_the_still_is_the_annotated_graph(tmp_path):
    p = plan(evaluate(example("interesting")), size=SIZE, still=True)
    out, frame = render_scene(BackpropScene, tmp_path / "still.png", "low",
                              media_dir=tmp_path / "media", plan=p, keep_frame=True)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (step,) = storyboard(p)["steps"]
    assert not check_labels(frame[..., :3].astype(float), step["labels"], THEMES[p.theme])


def test_long_text_stays_on_one_line_in_a_small_frame(tmp_path):
    """Pango wraps text wider than the frame: a long title must not come out as two
    squeezed lines."""
    p = plan(evaluate(example("sigmoid_regression")), size=(320, 180), still=True)
    _, frame = render_scene(BackpropScene, tmp_path / "s.png", "low",
                            media_dir=tmp_path / "media", plan=p, keep_frame=True)
    (title,) = [lab for lab in storyboard(p)["steps"][0]["labels"] if lab["kind"] == "title"]
    assert len(title["text"]) > 40
    x0, y0, x1, y1 = (round(v) for v in title["box"])
    ink = frame[y0:y1, x0:x1, :3].astype(float).mean(axis=-1) > 120
    lower_right = ink[ink.shape[0] // 2:, 2 * ink.shape[1] // 3:]
    assert lower_right.mean() > 0.1  # "… hidden units" ends there; a second line would not


def compare_with_control(name: str, frame: np.ndarray) -> None:
    path = CONTROL / f"{name}.npz"
    rgb_ = frame[..., :3].astype(np.int16)
    if UPDATE:
        CONTROL.mkdir(exist_ok=True)
        np.savez_compressed(path, frame=rgb_.astype(np.uint8))
    assert path.exists(), f"no control data for {name}: run with GRADVIZ_UPDATE_CONTROL=1"
    ref = np.load(path)["frame"].astype(np.int16)
    assert ref.shape == rgb_.shape
    diff = np.abs(ref - rgb_)
    assert diff.mean() < 4.0 and (diff.max(axis=-1) > 80).mean() < 0.03, \
        f"{name}: frame differs from control (mean {diff.mean():.2f})"


@pytest.mark.parametrize("name", examples())
def test_still_matches_control(tmp_path, name):
    p = plan(evaluate(example(name)), size=(320, 180), still=True)
    _, frame = render_scene(BackpropScene, tmp_path / f"{name}.png", "low",
                            media_dir=tmp_path / "media", plan=p, keep_frame=True)
    assert frame[..., :3].std() > 5
    compare_with_control(f"still_{name}", frame)


def test_focus_and_skip_forward_shorten_the_video(tmp_path):
    t = evaluate(example("interesting"))
    full = storyboard(plan(t, FAST, SIZE, FPS))["steps"][-1]["end"]
    v = VideoOptions(min_step=0.6, reading_speed=300, focus="H1", skip_forward=True,
                     answer_table=False)
    p = plan(t, v, (160, 90), FPS)
    out = render_scene(BackpropScene, tmp_path / "focus.mp4", "low",
                       media_dir=tmp_path / "media", plan=p)
    assert probe(out)[0] == pytest.approx(storyboard(p)["steps"][-1]["end"], abs=0.2)
    assert probe(out)[0] < full / 2


def test_a_huge_graph_is_folded_to_layers(tmp_path):
    g = gradviz.mlp([6, 40, 40, 1])
    assert len(g) > 300
    p = plan(evaluate(g), FAST, (320, 180), FPS)
    assert p.view == "folded" and not p.table  # no table of thousands of gradients
    out, frame = render_scene(BackpropScene, tmp_path / "folded.mp4", "low",
                              media_dir=tmp_path / "media", plan=p, keep_frame=True)
    assert probe(out)[0] == pytest.approx(storyboard(p)["steps"][-1]["end"], abs=0.3)
    assert frame[..., :3].std() > 5


def test_the_scene_reads_a_trace_and_never_evaluates(monkeypatch, tmp_path):
    import gradviz.core.evaluate as ev

    t = evaluate(example("xyz"))

    def forbidden(*a, **k):
        raise AssertionError("a scene evaluated a graph")

    monkeypatch.setattr(ev, "evaluate", forbidden)
    monkeypatch.setattr(gradviz, "evaluate", forbidden, raising=False)
    out = render_scene(BackpropScene, tmp_path / "x.png", "low", pixel_size=(160, 90),
                       media_dir=tmp_path / "media", trace=t, still=True)
    assert out.exists()
