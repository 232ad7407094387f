"""The ``gradviz`` command line, in-process through ``gradviz.cli.main`` and as a real
subprocess: list, ops, eval (text and JSON, --set), mlp, gallery, help and errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import gradviz
from gradviz import canonical, evaluate, example, examples
from gradviz.cli import main

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ["list", "ops", "eval", "render", "mlp", "gallery"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; returns (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_proc(*argv: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gradviz", *argv], capture_output=True,
                          text=True, encoding="utf-8", cwd=ROOT, timeout=60,
                          env={**os.environ, **env})


def one_json_object(text: str) -> dict:
    """``text`` is exactly one JSON object (and a newline), nothing before or after."""
    assert text.endswith("\n") and text.count("\n") == 1, text[:200]
    obj, end = json.JSONDecoder().raw_decode(text)
    assert text[end:] == "\n"
    assert isinstance(obj, dict)
    return obj


def expected_json(graph: gradviz.Graph, **overrides) -> dict:
    t = evaluate(graph, **overrides)
    return {"loss": t.loss,
            "values": {n: canonical(t.value(n)) for n in t.order},
            "grads": {n: canonical(t.grad(n)) for n in t.order if t.grad(n) is not None}}


def bad_file(tmp_path: Path) -> Path:
    p = tmp_path / "bad graph.grad"
    p.write_text("x: input = 1\nL: loss = y * x\n", encoding="utf-8")
    return p


# ------------------------------------------------------------------ list, ops, help
def test_list_shows_every_example(capsys):
    code, out, err = run(capsys, "list")
    assert code == 0 and err == ""
    names = [line.split()[0] for line in out.splitlines() if line and not line[0].isspace()]
    assert names == examples()
    for name in examples():
        assert example(name).title in out


def test_ops_shows_every_op(capsys):
    code, out, _ = run(capsys, "ops")
    assert code == 0
    first_words = {line.split()[0] for line in out.splitlines() if line and not line[0].isspace()}
    assert set(gradviz.OPS) <= first_words
    code, md, _ = run(capsys, "ops", "--markdown")
    assert code == 0
    for name in gradviz.OPS:
        assert f"| `{name}` |" in md


def test_help_exits_0(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for cmd in COMMANDS:
        assert cmd in out


@pytest.mark.parametrize("cmd", COMMANDS)
def test_each_subcommand_help_exits_0(capsys, cmd):
    with pytest.raises(SystemExit) as info:
        main([cmd, "--help"])
    assert info.value.code == 0
    assert f"usage: gradviz {cmd}" in capsys.readouterr().out


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"gradviz {gradviz.__version__}"


def test_no_command_prints_help_and_exits_2(capsys):
    code, out, _ = run(capsys)
    assert code == 2 and "usage: gradviz" in out


def test_unknown_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


# ------------------------------------------------------------------------------ eval
@pytest.mark.parametrize("name", examples())
def test_eval_json_is_one_object_matching_evaluate(capsys, name):
    code, out, err = run(capsys, "eval", name, "--json")
    assert code == 0 and err == ""
    obj = one_json_object(out)
    assert list(obj) == ["loss", "values", "grads"]
    assert obj == expected_json(example(name))
    assert obj == json.loads(out)
    assert obj["loss"] == example(name).loss
    assert list(obj["values"]) == evaluate(example(name)).order


def test_eval_text_table(capsys):
    code, out, err = run(capsys, "eval", "xyz")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == example("xyz").title
    assert lines[1].split()[:3] == ["node", "kind", "value"] and "∂w/∂node" in lines[1]
    rows = {line.split()[0]: line.split() for line in lines[2:]}
    assert rows["x"][1:] == ["input", "2", "170"]
    assert rows["w"][1:] == ["mul", "100", "1"]


def test_eval_digits(capsys):
    code, out, _ = run(capsys, "eval", "interesting", "--digits", "8")
    assert code == 0
    yhat = float(evaluate(example("interesting")).value("Yhat"))
    assert gradviz.fmt(yhat, 8) in out and gradviz.fmt(yhat, 8) != gradviz.fmt(yhat)


def test_eval_set_overrides(capsys):
    code, out, err = run(capsys, "eval", "mlp", "--set", "X1=2", "--set", "W1=[0.5,-1]",
                         "--json")
    assert code == 0 and err == ""
    obj = one_json_object(out)
    assert obj["values"]["X1"] == 2.0 and obj["values"]["W1"] == [0.5, -1.0]
    assert obj == expected_json(example("mlp"), X1=2.0, W1=np.array([0.5, -1.0]))
    assert obj != expected_json(example("mlp"))


def test_eval_set_folds_constants_like_the_file_format(capsys):
    code, out, _ = run(capsys, "eval", "xyz", "--set", "x=1/3", "--set", "y= -2**0.5 ",
                       "--json")
    assert code == 0
    obj = one_json_object(out)
    assert obj["values"]["x"] == 1 / 3 and obj["values"]["y"] == -(2 ** 0.5)


@pytest.mark.parametrize("item, words", [
    ("X1", ["--set needs NAME=VALUE"]),
    ("X1=abc", ["--set X1", "not a number"]),
    ("X1=nan", ["--set X1"]),
    ("X1=1e400", ["--set X1", "float64"]),
    ("X1=__import__('os')", ["--set X1"]),
    ("X1=[1,", ["--set X1"]),
    ("Q=1", ["no leaf named 'Q'"]),
    ("W1=[1, 2, 3]", ["W1"]),
])
def test_eval_bad_set_exits_2_without_traceback(capsys, item, words):
    code, out, err = run(capsys, "eval", "mlp", "--set", item, "--json")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    for w in words:
        assert w in err, err


def test_eval_bad_file_reports_file_line_col(capsys, tmp_path):
    p = bad_file(tmp_path)
    code, out, err = run(capsys, "eval", str(p), "--json")
    assert code == 2 and out == ""
    assert err == f"{p}:2:11: undefined name 'y'\n"


@pytest.mark.parametrize("body, line, col", [
    ("x: input = 1\nL: loss = __import__('os')\n", 2, 11),
    ("a = a + 1\nL: loss = a\n", 1, 1),
    ("x: input = 1e400\nL: loss = x * x\n", 1, 12),
    ("x: input = 1\nL: loss = " + "(" * 201 + "x" + ")" * 201 + "\n", 2, 111),
    ("x: input = 1\nL: loss = x\0\n", 2, 12),
])
def test_eval_bad_files(capsys, tmp_path, body, line, col):
    p = tmp_path / "g.grad"
    p.write_text(body, encoding="utf-8")
    code, out, err = run(capsys, "eval", str(p))
    assert code == 2 and out == ""
    assert err.startswith(f"{p}:{line}:{col}: ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_eval_evaluation_error_names_the_file(capsys, tmp_path):
    p = tmp_path / "div.grad"
    p.write_text("x: input = 0\nL: loss = 1 / x\n", encoding="utf-8")
    code, out, err = run(capsys, "eval", str(p))
    assert code == 2 and out == ""
    assert err.startswith(f"{p}:2:") and "L" in err and "Traceback" not in err


def test_eval_file_that_is_not_utf8(capsys, tmp_path):
    p = tmp_path / "latin.grad"
    p.write_bytes(b"x: input = 1\n# caf\xe9\nL: loss = x * x\n")
    code, _, err = run(capsys, "eval", str(p))
    assert code == 2 and str(p) in err and "UTF-8" in err and "Traceback" not in err


def test_eval_of_a_good_file(capsys, tmp_path):
    p = tmp_path / "sq.grad"
    p.write_text("x: input = 3\nL: loss = x ** 2\n", encoding="utf-8")
    code, out, _ = run(capsys, "eval", str(p), "--json")
    assert code == 0
    assert one_json_object(out) == {"loss": "L", "values": {"x": 3.0, "L.1": 2.0, "L": 9.0},
                                    "grads": {"x": 6.0, "L": 1.0}}


@pytest.mark.parametrize("name", ["nosuch", "interesting.grad", "Interesting"])
def test_eval_unknown_example_exits_2(capsys, name):
    code, out, err = run(capsys, "eval", name)
    assert code == 2 and out == ""
    assert f"{name!r} is neither a built-in example nor a file" in err
    assert "interesting" in err and "Traceback" not in err


def test_eval_of_a_directory_exits_2(capsys, tmp_path):
    code, out, err = run(capsys, "eval", str(tmp_path))
    assert code == 2 and out == "" and str(tmp_path) in err and "Traceback" not in err


# ------------------------------------------------------------------------------- mlp
def test_mlp_prints_a_graph_file_that_parses(capsys):
    code, out, err = run(capsys, "mlp", "2", "3", "1")
    assert code == 0 and err == ""
    assert out == gradviz.mlp([2, 3, 1]).to_text()
    g = gradviz.parse(out)
    t = evaluate(g)
    assert g.loss == "L" and np.isfinite(t.value("L"))
    assert sum(1 for n in g.nx if g.kind(n) == "param") == 2 * 3 + 3 + 3 * 1 + 1


def test_mlp_options(capsys):
    code, out, _ = run(capsys, "mlp", "3", "4", "2", "--activation", "tanh", "--output",
                       "sigmoid", "--loss", "bce", "--granularity", "layer", "--seed", "7")
    assert code == 0
    g = gradviz.parse(out)
    assert g.nx.nodes["h1"]["op"] == "tanh" and g.nx.nodes["h2"]["op"] == "sigmoid"
    assert g.nx.nodes["L"]["op"] == "bce"
    code2, out2, _ = run(capsys, "mlp", "3", "4", "2", "--activation", "tanh", "--output",
                         "sigmoid", "--loss", "bce", "--granularity", "layer", "--seed", "7")
    assert out2 == out  # seeded


@pytest.mark.parametrize("argv", [["2"], ["2", "0", "1"], ["2", "1", "--activation", "nope"],
                                  ["2", "1", "--loss", "nope"]])
def test_mlp_bad_arguments_exit_2(capsys, argv):
    code, out, err = run(capsys, "mlp", *argv)
    assert code == 2 and out == "" and "Traceback" not in err and err


# --------------------------------------------------------------------------- gallery
@pytest.fixture(scope="module")
def gallery_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("gallery")
    assert main(["gallery", "-o", str(out), "--no-video"]) == 0
    return out


def test_gallery_writes_a_page_per_example_and_an_index(gallery_dir):
    for name in examples():
        page = (gallery_dir / name / "values.md").read_text(encoding="utf-8")
        assert page.startswith(f"# {example(name).title}")
        assert "| node | computed as | value | gradient |" in page
        assert (gallery_dir / name / "all.svg").is_file()
        assert (gallery_dir / name / "index.html").is_file()
    index = (gallery_dir / "README.md").read_text(encoding="utf-8")
    for name in examples():
        assert f"[{name}]({name}/index.html)" in index


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_gallery_second_run_leaves_every_file_unchanged(tmp_path, capsys):
    out = tmp_path / "g"
    argv = ["gallery", "-o", str(out), "--only", "interesting", "--only", "xyz", "--no-video"]
    assert main(argv) == 0
    old = 1_000_000_000  # pretend the first run was long ago, so any rewrite shows
    for p in out.rglob("*"):
        if p.is_file():
            os.utime(p, ns=(old, old))
    before = _snapshot(out)
    assert main(argv) == 0
    after = _snapshot(out)
    assert after.keys() == before.keys()
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}
    rewritten = sorted(k for k in after if after[k][1] != before[k][1])
    assert rewritten == [], f"rewritten although unchanged: {rewritten}"


def test_gallery_unknown_example_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "gallery", "-o", str(tmp_path / "g"), "--only", "nosuch")
    assert code == 2 and "nosuch" in err and "Traceback" not in err


# ----------------------------------------------------------------------- subprocess
def test_subprocess_eval_json():
    done = run_proc("eval", "xyz", "--json")
    assert done.returncode == 0 and done.stderr == ""
    assert one_json_object(done.stdout) == expected_json(example("xyz"))


def test_subprocess_bad_file_exit_2_no_traceback(tmp_path):
    p = bad_file(tmp_path)
    done = run_proc("eval", str(p))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"{p}:2:11: undefined name 'y'\n"
    assert "Traceback" not in done.stderr


def test_subprocess_unknown_example_and_list():
    done = run_proc("eval", "nosuch")
    assert done.returncode == 2 and "Traceback" not in done.stderr and "nosuch" in done.stderr
    done = run_proc("list")
    assert done.returncode == 0 and all(n in done.stdout for n in examples())


def test_gradviz_script_is_installed():
    exe = Path(sys.executable).with_name("gradviz")
    assert exe.exists(), "./run.sh installs the package (and its gradviz script) in .venv"
    done = subprocess.run([str(exe), "mlp", "2", "3", "1"], capture_output=True, text=True,
                          encoding="utf-8", timeout=60)
    assert done.returncode == 0 and gradviz.parse(done.stdout).loss == "L"
