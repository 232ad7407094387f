"""``gradviz list | ops | eval | mlp``: what they print, their options, and their limits."""

from __future__ import annotations

import json

import numpy as np
import pytest

import gradviz
from gradviz import evaluate, example, examples
from gradviz.cli import main
from tests.helpers import (
    bad_file,
    expected_json,
    one_json_object,
    run,
)


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


def test_mlp_prints_a_graph_file_that_parses(capsys):
    code, out, err = run(capsys, "mlp", "2", "3", "1")
    assert code == 0 and err == ""
    assert out == gradviz.mlp([2, 3, 1]).text  # as generated: neuron by neuron
    g = gradviz.parse(out)
    assert g.to_text() == gradviz.mlp([2, 3, 1]).to_text()
    t = evaluate(g)
    assert g.loss == "L" and np.isfinite(t.value("L"))
    assert sum(1 for n in g.nx if g.kind(n) == "param") == 2 * 3 + 3 + 3 * 1 + 1


def test_mlp_options(capsys):
    argv = ["mlp", "3", "4", "2", "--activation", "tanh", "--out-activation", "sigmoid",
            "--loss", "bce", "--granularity", "layer", "--seed", "7"]
    code, out, _ = run(capsys, *argv)
    assert code == 0
    g = gradviz.parse(out)
    assert g.op_of("h1").name == "tanh" and g.op_of("h2").name == "sigmoid"
    assert g.op_of("L").name == "bce"
    code2, out2, _ = run(capsys, *argv)
    assert out2 == out  # seeded


@pytest.mark.parametrize("argv", [["2"], ["2", "0", "1"], ["2", "1", "--activation", "nope"],
                                  ["2", "1", "--loss", "nope"]])
def test_mlp_bad_arguments_exit_2(capsys, argv):
    try:
        code = main(["mlp", *argv])
    except SystemExit as e:  # a usage error, from argparse
        code = e.code
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "Traceback" not in err and err




@pytest.mark.parametrize("argv, words", [
    (["100000", "100000", "1"], ["10000500005 nodes", "GRADVIZ_MAX_NODES"]),
    (["100000", "100000", "1", "--granularity", "layer"],
     ["10000000000 numbers", "--max-elements or GRADVIZ_MAX_ELEMENTS"]),
])
def test_mlp_over_a_limit_is_refused_before_generating(capsys, argv, words, monkeypatch):
    import numpy as np

    def no_generation(*a, **k):
        raise AssertionError("generated before checking the limits")

    monkeypatch.setattr(np.random, "default_rng", no_generation)
    code, out, err = run(capsys, "mlp", *argv)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert all(w in err for w in words), err


def test_mlp_writes_its_file_atomically_and_escapes_the_path(capsys, tmp_path):
    path = tmp_path / "net\x1b[2J.grad"
    code, out, err = run(capsys, "mlp", "2", "2", "1", "-o", str(path))
    assert code == 0 and path.read_text() == gradviz.mlp([2, 2, 1]).text
    assert "\x1b" not in out and "\\u001B[2J" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary left


def test_eval_json_is_escaped_for_the_terminal_and_still_json(capsys, tmp_path):
    p = tmp_path / "g.grad"
    p.write_text("#: title: \x1b]0;pwned\x07 title\nx: input = 2\nL: loss = x * x\n")
    code, out, err = run(capsys, "eval", str(p))
    assert code == 0 and "\x1b" not in out and "\x07" not in out and "\\u001B]0;pwned" in out
    code, out, err = run(capsys, "eval", str(p), "--json")
    assert code == 0 and json.loads(out)["values"]["L"] == 4.0
