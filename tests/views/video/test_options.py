"""Video options, qualities and the install hints."""

from __future__ import annotations

import sys

import pytest

import gradviz
from gradviz.views.video import options
from gradviz.views.video.options import QUALITIES, VideoOptions


def test_reading_time_is_at_least_the_minimum_and_grows_with_the_text():
    v = VideoOptions()
    assert v.reading_seconds("short") == 2.5
    assert v.reading_seconds("x" * 150) == pytest.approx(10.0)
    assert VideoOptions(reading_speed=30).reading_seconds("x" * 150) == pytest.approx(5.0)


@pytest.mark.parametrize("bad", [dict(theme="nope"), dict(min_step=0), dict(reading_speed=-1),
                                 dict(fold="sometimes"), dict(pause_at_loss=-1)])
def test_bad_options_are_refused(bad):
    with pytest.raises(gradviz.GradvizError):
        VideoOptions(**bad)


def test_qualities():
    assert [str(q) for q in QUALITIES.values()] == ["480p15", "720p30", "1080p60", "2160p60"]
    assert all(q.width * 9 == q.height * 16 for q in QUALITIES.values() if q.height != 480)


def test_missing_manim_is_one_line_naming_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "manim", None)
    with pytest.raises(gradviz.MissingDependencyError) as e:
        options.require_manim()
    assert options.INSTALL_VIDEO in str(e.value) and "\n" not in str(e.value)


def test_tex_mode_says_what_to_install(monkeypatch):
    monkeypatch.setattr(options.shutil, "which", lambda name: None)
    with pytest.raises(gradviz.MissingDependencyError, match="texlive-latex-extra"):
        options.require_tex()
