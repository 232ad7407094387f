"""The video package as a whole: light to import, manim only where a video is made, the
scene files usable by the ``manim`` command, and the story's snapshot the video tells."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gradviz import evaluate, example, examples
from gradviz.views.story import story

ROOT = Path(__file__).parents[2]


def test_planning_a_video_does_not_import_manim():
    code = ("import sys; from gradviz import evaluate, example; "
            "from gradviz.views.video.plan import plan; "
            "from gradviz.views.video.storyboard import storyboard; "
            "storyboard(plan(evaluate(example('xyz')))); print('manim' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout.strip()
    assert out == "False"


def test_only_the_scene_modules_import_manim():
    import ast

    for path in sorted((ROOT / "gradviz").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        names = {a.name for n in top if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module for n in top if isinstance(n, ast.ImportFrom) and n.module}
        if "manim" in names:
            assert path.name in ("scenes.py", "plots.py"), path


def test_manim_cli_renders_the_scene_files(tmp_path):
    for file, scene in (("gradviz/scenes/backprop.py", "XyzBackprop"),
                        ("gradviz/scenes/activations.py", "ReluActivation")):
        done = subprocess.run([sys.executable, "-m", "manim", "-r", "160,90", "--fps", "5",
                               "--media_dir", str(tmp_path), "--progress_bar", "none",
                               str(ROOT / file), scene], capture_output=True, text=True,
                              cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-2000:]
        assert list(tmp_path.rglob(f"{scene}.mp4"))


@pytest.mark.parametrize("name", examples())
def test_story_snapshot(name, snapshot):
    assert json.dumps(story(evaluate(example(name))).as_json(), ensure_ascii=False,
                      indent=1) == snapshot
