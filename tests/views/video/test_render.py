"""Rendering to files: whole-output cache, palette GIFs, atomic writes, captions, quiet."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
from PIL import Image

import gradviz
from gradviz import evaluate, example
from gradviz.views.video.options import VideoOptions
from gradviz.views.video.plan import plan
from gradviz.views.video.render import GIF_FPS, render_scene, vtt
from gradviz.views.video.scenes import BackpropScene
from gradviz.views.video.storyboard import cues, storyboard

FAST = VideoOptions(min_step=0.4, reading_speed=400, pause_at_loss=0.2, answer_table=False)


def small(fps: float = 5, **kw):
    return plan(evaluate(example("xyz")), FAST, (160, 90), fps, **kw)


def test_a_second_render_is_a_copy_of_the_first(tmp_path, monkeypatch):
    p = small()
    first = render_scene(BackpropScene, tmp_path / "a.mp4", media_dir=tmp_path / "m", plan=p)
    monkeypatch.setitem(sys.modules, "manim", None)  # no Manim work the second time
    second = render_scene(BackpropScene, tmp_path / "b.mp4", media_dir=tmp_path / "m", plan=p)
    assert first.read_bytes() == second.read_bytes()


def test_outputs_are_written_atomically_with_usual_permissions(tmp_path):
    out = render_scene(BackpropScene, tmp_path / "out" / "x.mp4", media_dir=tmp_path / "m",
                       plan=small(), cues=cues(small()))
    assert sorted(f.name for f in out.parent.iterdir()) == ["x.mp4", "x.vtt"]  # no temp files
    mode = stat.S_IMODE(out.stat().st_mode)
    assert mode & 0o044 == 0o044  # readable by others, as a plain file write would be
    assert not list((tmp_path / "m" / "work").iterdir())  # the work folder is gone


def test_gif_is_palette_optimised_at_a_gif_frame_rate(tmp_path):
    p = small(fps=GIF_FPS)
    out = render_scene(BackpropScene, tmp_path / "x.gif", media_dir=tmp_path / "m", plan=p)
    with Image.open(out) as im:
        assert im.format == "GIF" and im.info["duration"] == 1000 / GIF_FPS
        assert len(im.getpalette()) // 3 <= 64
        assert im.n_frames == pytest.approx(storyboard(p)["steps"][-1]["end"] * GIF_FPS, abs=2)


def test_captions_file():
    text = vtt([(0, 2.5, "∂L/∂x = 1 < 2"), (2.5, 2.5, "empty")])
    assert text.splitlines() == ["WEBVTT", "", "00:00:00.000 --> 00:00:02.500",
                                 "∂L/∂x = 1 &lt; 2"]


def test_bad_output_and_missing_ffmpeg(tmp_path, monkeypatch):
    p = small()
    with pytest.raises(gradviz.GradvizError, match="must end in"):
        render_scene(BackpropScene, tmp_path / "x.avi", plan=small())
    with pytest.raises(gradviz.GradvizError, match="quality"):
        render_scene(BackpropScene, tmp_path / "x.mp4", "ultra", plan=small())
    import gradviz.views.video.render as r

    monkeypatch.setattr(r.shutil, "which", lambda name: None)
    with pytest.raises(gradviz.MissingDependencyError, match="ffmpeg"):
        render_scene(BackpropScene, tmp_path / "x.mp4", plan=p)


def test_manim_stays_quiet_unless_verbose(tmp_path, capfd):
    render_scene(BackpropScene, tmp_path / "q.mp4", media_dir=tmp_path / "m", plan=small())
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    render_scene(BackpropScene, tmp_path / "v.mp4", media_dir=tmp_path / "m2", verbose=True,
                 plan=small(fps=4))
    out, err = capfd.readouterr()
    assert "Animation" in out + err  # Manim's progress bars and logs
    assert Path(tmp_path / "v.mp4").exists()
