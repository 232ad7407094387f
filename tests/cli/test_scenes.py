"""``gradviz scenes``: where the scene files are, and copies of them that manim can use."""

from __future__ import annotations

from importlib import resources

from tests.helpers import run


def test_scenes_prints_the_installed_files(capsys):
    code, out, err = run(capsys, "scenes")
    folder = resources.files("gradviz") / "scenes"
    assert code == 0 and out.split() == [str(folder / "backprop.py"),
                                         str(folder / "activations.py")]


def test_copy_writes_both_files(capsys, tmp_path):
    code, out, err = run(capsys, "scenes", "--copy", str(tmp_path / "scenes"))
    assert code == 0 and out.count("wrote") == 2
    text = (tmp_path / "scenes" / "backprop.py").read_text()
    assert "BackpropScene" in text and (tmp_path / "scenes" / "activations.py").exists()
    assert run(capsys, "scenes", "--copy", str(tmp_path / "scenes" / "backprop.py"))[0] == 2
