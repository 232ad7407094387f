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


