"""Static figures: DOT/JSON snapshots, real Graphviz renders, escaping and determinism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import gradviz
from gradviz import Builder, evaluate, example, examples
from gradviz.views.dot import to_dot
from gradviz.views.figure import SHOWS, STYLES, Options, layout_model
from gradviz.views.frames import frame_dots, write_frames
from gradviz.views.render import render, run_dot
from gradviz.views.spec import to_json, to_spec

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(svg: bytes | str) -> list[str]:
    root = ET.fromstring(svg if isinstance(svg, bytes) else svg.encode("utf-8"))
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


# ---------------------------------------------------------------------- snapshots
@pytest.mark.parametrize("name", examples())
@pytest.mark.parametrize("show", SHOWS)
@pytest.mark.parametrize("style", STYLES)
def test_dot_snapshot(name, show, style, snapshot):
    assert to_dot(evaluate(example(name)), show=show, style=style) == snapshot


@pytest.mark.parametrize("name", examples())
@pytest.mark.parametrize("show", SHOWS)
def test_json_snapshot(name, show, snapshot):
    assert to_json(evaluate(example(name)), show=show) == snapshot


def test_blank_figure_of_a_graph_needs_no_evaluation():
    spec = to_spec(example("interesting"), show="blank")
    values = {n["name"]: n["value"] for n in spec["nodes"]}
    assert values["W2"] == -3.0 and values["H1"] is None
    assert all(n["grad"] is None for n in spec["nodes"])


# ------------------------------------------------------------------- what is shown
def test_values_and_gradients_come_from_the_trace():
    trace = evaluate(example("interesting"))
    spec = to_spec(trace, show="all")
    by_name = {n["name"]: n for n in spec["nodes"]}
    for name in trace.order:
        assert by_name[name]["value"] == pytest.approx(float(trace.value(name)))
        g = trace.grad(name)
        assert by_name[name]["grad"] == (None if g is None else pytest.approx(float(g)))
    ids = {n["id"]: n["name"] for n in spec["nodes"]}
    for e in spec["edges"]:
        edge = trace.edge(ids[e["dst"]], e["arg"])
        if edge.contribution is None:
            assert e["contribution"] is None
        else:
            assert e["contribution"] == pytest.approx(float(edge.contribution))


def test_modes_hide_what_they_should():
    trace = evaluate(example("mlp"))
    blank, values, grads = (to_spec(trace, show=s) for s in ("blank", "values", "grads"))
    assert all(n["grad"] is None for n in blank["nodes"] + values["nodes"])
    assert all(e["contribution"] is None for e in blank["edges"] + values["edges"])
    ops = [n for n in blank["nodes"] if n["kind"] == "op"]
    assert ops and all(n["value"] is None for n in ops)
    assert all(n["value"] is not None for n in values["nodes"])
    assert any(n["grad"] is not None for n in grads["nodes"])


def test_names_are_typeset():
    dot = to_dot(evaluate(example("mlp")), show="all")
    assert "W<SUB>3</SUB>" in dot and "Ŷ" in dot and "∇" in dot
    texts = svg_texts(run_dot(dot, "svg"))
    assert "Ŷ" in texts


def test_highlight_marks_every_path_from_the_loss():
    spec = to_spec(evaluate(example("interesting")), show="grads", highlight="H1")
    path = {n["name"] for n in spec["nodes"] if n["emphasis"] == "path"}
    assert {"H1", "H3", "H4", "H5", "Yhat", "L"} <= path
    assert "H2" not in path and "X3" not in path
    ids = {n["id"]: n["name"] for n in spec["nodes"]}
    from_h1 = [e for e in spec["edges"] if ids[e["src"]] == "H1"]
    assert len(from_h1) == 3 and all(e["emphasis"] == "path" for e in from_h1)


def test_highlight_of_unknown_node_is_a_clear_error():
    with pytest.raises(gradviz.GradvizError, match="no such node"):
        to_dot(evaluate(example("xyz")), highlight="nope")


def test_edge_labels_carry_local_derivatives():
    spec = to_spec(evaluate(example("interesting")), show="all", edge_labels=True)
    ids = {n["id"]: n["name"] for n in spec["nodes"]}
    h5 = {ids[e["src"]]: e for e in spec["edges"] if ids[e["dst"]] == "H5"}
    assert h5["H4"]["local"] == 1.0 and h5["H1"]["local"] == 0.0
    assert h5["H4"]["contribution_text"] == "0.6225"


@pytest.mark.parametrize("theme", ["light", "dark", "print", "colorblind"])
def test_themes_render(theme):
    svg = run_dot(to_dot(evaluate(example("xyz")), theme=theme, rankdir="TB"), "svg")
    assert "170" in svg_texts(svg) or any("170" in t for t in svg_texts(svg))


def test_bad_options_are_rejected():
    for kw in ({"show": "most"}, {"style": "fancy"}, {"theme": "neon"}, {"rankdir": "RL"},
               {"digits": 0}):
        with pytest.raises(gradviz.GradvizError):
            Options(**kw)


def test_digits_option():
    spec = to_spec(evaluate(example("mlp")), show="values", digits=7)
    assert {n["name"]: n["value_text"] for n in spec["nodes"]}["Yhat"] == "0.6899745"


# ------------------------------------------------------------------ real renders
def test_svg_png_pdf_render_for_real(tmp_path):
    trace = evaluate(example("interesting"))
    svg = render(trace, tmp_path / "f.svg").read_bytes()
    texts = svg_texts(svg)
    assert "0.3775" in texts and "∇ -1.452" in texts and "max" in texts
    png = render(trace, tmp_path / "f.png", dpi=150).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    pdf = render(trace, tmp_path / "f.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-" and len(pdf) > 2_000
    small = render(trace, tmp_path / "g.png", dpi=50).read_bytes()
    assert len(small) < len(png)


def test_every_example_renders_as_svg(tmp_path):
    for name in examples():
        for style in STYLES:
            root = ET.fromstring(render(example(name), tmp_path / f"{name}.svg",
                                        style=style).read_bytes())
            assert root.tag == f"{SVG}svg"


def test_unknown_extension(tmp_path):
    with pytest.raises(gradviz.GradvizError, match="format"):
        render(example("xyz"), tmp_path / "x.gif")


def test_frames_tell_the_story(tmp_path):
    trace = evaluate(example("xyz"))
    paths = write_frames(trace, tmp_path)
    from gradviz.views.story import story

    assert len(paths) == len(story(trace)) + 1
    page = (tmp_path / "index.html").read_text()
    assert page.count("<svg") == len(paths) and "ArrowRight" in page
    assert "∂w/∂x = 120 + 25 + 25 = 170" in page
    assert "http" not in page.replace("http://www.w3.org", "")  # self-contained
    last = svg_texts(paths[-1].read_bytes())
    assert "100" in last  # the loss value is in every frame, drawn invisibly until its step


def test_frames_keep_one_layout():
    """Hidden labels are drawn in the background colour, so nodes never jump."""
    frames = frame_dots(evaluate(example("interesting")))
    strip = [("".join(c for c in d if not c.isspace())).count("->") for _, d in frames]
    assert len(set(strip)) == 1
    first = run_dot(frames[0][1], "svg").decode()
    last = run_dot(frames[-1][1], "svg").decode()
    assert first.split("<svg")[1].split(">")[0] == last.split("<svg")[1].split(">")[0]


# ---------------------------------------------------- DESIGN.md bad inputs 13-18
NASTY = ['"', "\\", "<b>x</b>", "\\N", "x:y", "{ | }", "graph", "-1.5", "a\u202eb\u200fc",
         "&amp;", "]]>", "x" * 20_000]


def nasty_graph():
    b = Builder()
    xs = [b.input(name, float(i + 1)) for i, name in enumerate(NASTY)]
    total = xs[0]
    for x in xs[1:]:
        total = total + x
    b.loss("L\"oss<>", total * total)
    return b.build()


@pytest.mark.parametrize("style", STYLES)
def test_hostile_names_render_literally(style):
    trace = evaluate(nasty_graph())
    dot = to_dot(trace, style=style)
    assert "x" * 100 not in dot  # 20,000 characters are cut to a bounded label
    texts = "\n".join(svg_texts(run_dot(dot, "svg")))
    for name in ['"', "\\", "<b>x</b>", "\\N", "x:y", "{ | }", "graph", "-1.5", "&amp;", "]]>"]:
        assert name in texts, name
    assert "a\\u202Eb\\u200Fc" in texts  # bidi controls shown, not obeyed
    assert "x" * 60 in texts
    import re

    stmts = [line.split()[0] for line in dot.splitlines()[4:-1]]
    assert all(re.fullmatch(r"[no]\d+|out", s) for s in stmts), stmts  # synthetic ids only


def test_json_of_hostile_names_is_valid_and_literal():
    spec = json.loads(to_json(evaluate(nasty_graph())))
    names = {n["name"] for n in spec["nodes"]}
    assert "<b>x</b>" in names and "x" * 20_000 in names


def test_negative_zero_and_float_noise_print_stably():
    b = Builder()
    x = b.input("x", -0.0)
    y = b.input("y", 0.1)
    b.loss("L", x + y + 0.2)
    spec = to_spec(evaluate(b.build()), show="all")
    texts = {n["name"]: n["value_text"] for n in spec["nodes"]}
    assert texts["x"] == "0" and texts["L"] == "0.3"
    assert "-0" not in to_json(evaluate(b.build()))


XYZ = ["x: input = 2", "y: input = 3", "z: input = -1", "a = x * y + z", "b = (x + x) * a",
       "w: output = a * b"]
SHUFFLED = ["\n".join(XYZ[i] for i in order) + "\n"
            for order in ([0, 1, 2, 3, 4, 5], [5, 4, 2, 3, 1, 0], [3, 0, 5, 1, 4, 2])]


def test_insertion_order_does_not_change_dot_or_json():
    dots = {to_dot(evaluate(gradviz.parse(t)), style=s) for t in SHUFFLED for s in ["textbook"]}
    jsons = {to_json(evaluate(gradviz.parse(t))) for t in SHUFFLED}
    assert len(dots) == 1 and len(jsons) == 1


def test_hash_seed_does_not_change_dot_or_json(tmp_path):
    code = ("import gradviz, sys; from gradviz.views.dot import to_dot; "
            "from gradviz.views.spec import to_json;"
            "t = gradviz.evaluate(gradviz.example('interesting'));"
            "sys.stdout.write(to_dot(t) + to_json(t, highlight='H1'))")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("0", "1", "4242")}
    assert len(outs) == 1


def test_huge_graph_folds_and_renders(tmp_path):
    graph = gradviz.mlp([10, 64, 64, 1], granularity="neuron")
    assert graph.nx.number_of_nodes() > 5000
    model = layout_model(evaluate(graph))
    assert model.folded and len(model.nodes) < 30 and "folded" in model.notes[0]
    svg = render(graph, tmp_path / "big.svg").read_bytes()
    texts = svg_texts(svg)
    assert "Σ ×64" in texts and "param ×4160" in texts


def test_fold_can_be_forced_either_way():
    small = evaluate(example("mlp"))
    assert layout_model(small, Options(fold="always")).folded
    assert not layout_model(small, Options(fold="never")).folded


def test_missing_dot_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(gradviz.MissingDependencyError, match="apt-get install graphviz"):
        render(example("xyz"), tmp_path / "x.svg")
    assert render(example("xyz"), tmp_path / "x.dot").read_text().startswith("digraph")
    assert json.loads(render(example("xyz"), tmp_path / "x.json").read_text())
    assert example("xyz")._repr_svg_() is None  # Jupyter falls back to the text repr


def test_jupyter_repr_svg():
    assert "<svg" in evaluate(example("xyz"))._repr_svg_()
    assert "<svg" in example("xyz")._repr_svg_()


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


def test_values_are_rounded_by_the_one_formatter():
    spec = to_spec(evaluate(example("softmax_classifier")), show="all")
    z = next(n for n in spec["nodes"] if n["name"] == "yhat")
    assert z["value_text"] == gradviz.fmt_value(np.array(z["value"]))
