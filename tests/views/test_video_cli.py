"""``gradviz animate`` and ``gradviz plot`` from the command line."""

from __future__ import annotations

import json
import sys

from gradviz.cli import main
from gradviz.views.video.options import INSTALL_VIDEO

QUICK = ["--min-step", "0.3", "--reading-speed", "500", "--quality", "low"]


def test_animate_writes_a_still_and_a_storyboard(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path))  # the render cache goes under ~/.cache
    assert main(["animate", "xyz", "-o", str(tmp_path / "xyz.png"), "--storyboard",
                 str(tmp_path / "xyz.json")]) == 0
    assert (tmp_path / "xyz.png").read_bytes()[:4] == b"\x89PNG"
    sb = json.loads((tmp_path / "xyz.json").read_text(encoding="utf-8"))
    assert len(sb["steps"]) == 1 and (sb["width"], sb["height"]) == (854, 480)
    out = capsys.readouterr()
    assert out.err == "" and out.out.count("wrote") == 2  # nothing from Manim


def test_storyboard_alone_needs_no_manim(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "manim", None)
    path = tmp_path / "s.json"
    assert main(["animate", "interesting", "--storyboard", str(path), "--focus", "H1",
                 "--quality", "high", "--set", "X1=3"]) == 0
    sb = json.loads(path.read_text(encoding="utf-8"))
    assert sb["fps"] == 60 and sb["steps"][0]["caption"].endswith("H₁")


def test_without_manim_one_line_with_the_install_hint(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "manim", None)
    for argv in (["animate", "xyz", "-o", str(tmp_path / "x.mp4")],
                 ["plot", "relu", "-o", str(tmp_path / "r.png")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1
        assert INSTALL_VIDEO in err
    assert main(["eval", "xyz"]) == 0  # everything that does not need manim still works


def test_bad_requests_are_one_line_errors(tmp_path):
    assert main(["animate", "xyz", "--focus", "nope", "-o", str(tmp_path / "x.mp4")]) == 2
    assert main(["animate", "xyz"]) == 2  # nothing to write
    assert main(["animate", "xyz", "-o", str(tmp_path / "x.avi")]) == 2
    assert main(["plot", "softmax", "-o", str(tmp_path / "s.png")]) == 2
    assert main(["plot", "relu", "--param", "slope=1", "-o", str(tmp_path / "s.png")]) == 2


def test_animate_gif_and_plot(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert main(["animate", "xyz", "-o", str(tmp_path / "x.gif"), "--no-table", *QUICK]) == 0
    assert (tmp_path / "x.gif").read_bytes()[:6] == b"GIF89a"
    assert (tmp_path / "x.vtt").read_text(encoding="utf-8").startswith("WEBVTT")
    assert main(["plot", "leaky_relu", "--param", "slope=0.1", "-o",
                 str(tmp_path / "leaky.png")]) == 0
