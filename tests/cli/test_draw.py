"""Static figures: DOT/JSON snapshots, real Graphviz renders, escaping and determinism."""

from __future__ import annotations

import json


def test_render_cli(tmp_path, capsys):
    from gradviz.cli import main

    assert main(["render", "interesting", "--show", "blank", "-o", str(tmp_path / "b.svg")]) == 0
    assert main(["render", "mlp", "--style", "table", "--theme", "dark", "-o",
                 str(tmp_path / "m.png"), "--dpi", "120"]) == 0
    assert main(["render", "xyz", "--frames", str(tmp_path / "fr"), "--set", "x=3"]) == 0
    assert (tmp_path / "fr" / "index.html").exists()
    assert main(["render", "xyz", "-o", str(tmp_path / "x.json"), "--highlight", "x"]) == 0
    assert json.loads((tmp_path / "x.json").read_text())["options"]["highlight"] == "x"
    assert main(["render", "xyz"]) == 2
    assert main(["render", "xyz", "--highlight", "nope", "-o", str(tmp_path / "y.svg")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "no such node" in err




def test_render_fit_prints_what_it_chose(tmp_path, capsys):
    from PIL import Image

    from gradviz.cli import main

    assert main(["render", "two_layer_relu", "--fit", "slide", "-o",
                 str(tmp_path / "s.png")]) == 0
    err = capsys.readouterr().err
    assert "note: laid out" in err and "smallest text" in err and "unnamed" in err
    with Image.open(tmp_path / "s.png") as im:
        assert abs(im.size[0] - 1920) <= 2 and abs(im.size[1] - 1080) <= 2
    assert main(["render", "xyz", "--decimals", "1", "-o", str(tmp_path / "x.json")]) == 0
    assert json.loads((tmp_path / "x.json").read_text())["options"]["decimals"] == 1


def test_render_errors_are_one_line(tmp_path, capsys):
    from gradviz.cli import main

    (tmp_path / "taken").write_text("x")
    assert main(["render", "xyz", "--frames", str(tmp_path / "taken")]) == 2
    assert main(["render", "xyz", "-o", str(tmp_path / "x.gif")]) == 2
    err = capsys.readouterr().err
    assert "that is a file; give a folder" in err and "cannot tell the format" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 2
