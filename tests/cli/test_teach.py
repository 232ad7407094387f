"""Worked solutions, the answer checker and problem variants."""

from __future__ import annotations

import io
import json
import subprocess

import pytest

import gradviz
from gradviz import canonical, evaluate, example
from gradviz.cli import main
from gradviz.teaching.check import check
from gradviz.teaching.generate import write_variant
from gradviz.views.answers import asked
from tests.helpers import table


def test_solve_cli(tmp_path, capsys):
    assert main(["solve", "interesting"]) == 0
    assert "## Answer table" in capsys.readouterr().out
    assert main(["solve", "mlp", "-o", str(tmp_path / "mlp.html")]) == 0
    page = (tmp_path / "mlp.html").read_text()
    assert "<h2>Backward pass</h2>" in page and 'src="data:image/svg+xml;base64,' in page
    assert main(["solve", "mlp", "-o", str(tmp_path / "mlp.md")]) == 0
    assert "](mlp_figures/blank.svg)" in (tmp_path / "mlp.md").read_text()
    assert (tmp_path / "mlp_figures" / "all.svg").exists()
    capsys.readouterr()
    assert main(["solve", "xyz", "--format", "json", "--set", "x=3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {a["quantity"]: a["value"] for a in data["answers"]}["w"] == 384.0  # a=8, b=48


def test_solve_without_graphviz_writes_the_text(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` anywhere
    assert main(["solve", "xyz", "-o", str(tmp_path / "key.md")]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "without figures" in err and "Graphviz" in err
    text = (tmp_path / "key.md").read_text()
    assert "## Answer table" in text and "![" not in text


@pytest.mark.parametrize("name", ["k}\\input{^^2fetc^^2fhostname}\\def\\z{.tex",
                                  "k}\\input{secret.txt}\\def\\z{.tex"])
def test_a_hostile_output_name_reaches_no_tex_command(tmp_path, capsys, name):
    (tmp_path / "secret.txt").write_text("SECRET-TOKEN-42")
    out = tmp_path / name
    assert main(["solve", "xyz", "-o", str(out)]) == 0
    text = out.read_text()
    assert "\\input" not in text and "^^" not in text and "\\def" not in text
    (tmp_path / "key.tex").write_text(text)  # what it says inside is what matters
    done = subprocess.run(["pdflatex", "-no-shell-escape", "-interaction=nonstopmode",
                           "-halt-on-error", "key.tex"], cwd=tmp_path, capture_output=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout[-800:]
    words = subprocess.run(["pdftotext", str(tmp_path / "key.pdf"), "-"],
                           capture_output=True, text=True, check=True).stdout
    assert "Answer table" in words and "SECRET-TOKEN" not in words
    log = (tmp_path / "key.log").read_text(errors="replace")
    assert "/etc/hostname" not in log and "secret.txt" not in log


def test_check_cli_exit_codes_and_json(tmp_path, capsys):
    trace = evaluate(example("interesting"))
    good = tmp_path / "good.csv"
    good.write_text("quantity,value\n" + "\n".join(f"{q},{v}" for q, v in table(trace)))
    assert main(["check", "interesting", str(good)]) == 0
    out = capsys.readouterr().out
    assert "13 correct" in out and "13 of 13 points" in out
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(dict(table(trace, **{"∇H1": "-0.8299"}))))
    assert main(["check", "interesting", str(bad), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert list(report) == ["graph", "score", "cells"]
    (wrong,) = [c for c in report["cells"] if c["status"] == "wrong"]
    assert (wrong["cause"], wrong["node"]) == ("missing_path", "H3")
    assert main(["check", "interesting", str(tmp_path / "nope.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.parametrize("name", gradviz.examples())
def test_check_cli_exact_answers_of_every_example_exit_0(name, tmp_path, capsys):
    trace = evaluate(example(name))
    sheet = tmp_path / "key.json"
    sheet.write_text(json.dumps({q: canonical(v) for q, v in asked(trace)}))
    assert main(["check", name, str(sheet)]) == 0, capsys.readouterr().out


def test_check_cli_partial_sheets_stdin_and_require_all(tmp_path, capsys, monkeypatch):
    sheet = tmp_path / "extra.txt"
    sheet.write_text("Ŷ = 0.3775\nL = 0.9741\n")
    assert main(["check", "interesting", str(sheet)]) == 0
    assert "not answered: ∇H₅" in capsys.readouterr().out
    assert main(["check", "interesting", str(sheet), "--require-all"]) == 1
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"Yhat: 0.3775\n")))
    assert main(["check", "interesting", "-"]) == 0


HOSTILE = {
    "binary.csv": bytes(range(256)) * 64,
    "nested.json": b"[" * 1000 + b"]" * 1000,
    "digits.json": b'{"Yhat": ' + b"1" * 5000 + b"}",
    "field.csv": b'Yhat,L\n"' + b"1" * 140_000 + b'",1\n',
    "deep.txt": b"Yhat: " + b"[" * 66 + b"1" + b"]" * 66 + b"\n",
    "letter.txt": b"Dear TA,\nplease see the attached photo of my work.\n",
    "empty.csv": b"",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_check_cli_refuses_what_is_not_a_sheet_in_one_line(name, tmp_path, capsys):
    path = tmp_path / name
    path.write_bytes(HOSTILE[name])
    assert main(["check", "interesting", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err


def test_check_cli_dev_zero_and_a_big_file_are_refused_at_once(tmp_path, capsys):
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:
        f.truncate(50_000_000)  # a 50 MB file (sparse): only the limit's worth is read
    for path in ("/dev/zero", str(big)):
        assert main(["check", "interesting", path]) == 2
        err = capsys.readouterr().err
        assert "over the limit" in err and "GRADVIZ_MAX_SHEET_BYTES" in err


def test_check_cli_encodings(tmp_path, capsys):
    rows = "\n".join(f"{q.replace('∇', 'd')}: {v}" for q, v in table(evaluate(example("xyz"))))
    for encoding in ("utf-16", "utf-8-sig", "latin-1"):
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(("# élève\n" + rows).encode(encoding))
        assert main(["check", "xyz", str(path)]) == 0, encoding
    capsys.readouterr()


def test_check_cli_hostile_text_never_reaches_the_terminal_raw(tmp_path, capsys):
    path = tmp_path / "evil.txt"
    path.write_text("∇H1\x1b[2J: \x1b]0;pwned\x07 -1.452\nYhat: \x1b[32m✓ correct\x1b[0m\n")
    assert main(["check", "interesting", str(path)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert main(["check", "interesting", str(path), "--json"]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and json.loads(out)["graph"] == "interesting"


def test_check_cli_internal_error_is_one_line_exit_3(tmp_path, capsys, monkeypatch):
    path = tmp_path / "s.txt"
    path.write_text("Yhat: 0.3775\n")

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("gradviz.teaching.check.check", broken)
    assert main(["check", "interesting", str(path)]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error" in err


def test_generate_cli_writes_problem_and_key(tmp_path):
    assert main(["generate", "interesting", "--seed", "7", "--count", "2", "-o",
                 str(tmp_path)]) == 0
    folders = sorted(p for p in tmp_path.iterdir())
    assert [f.name for f in folders] == ["interesting_seed7_v1", "interesting_seed7_v2"]
    problem = (folders[0] / "problem.md").read_text()
    assert "Compute, showing your work: Ŷ, L, ∇H₅" in problem
    key = (folders[0] / "answer_key.md").read_text()
    assert "## Answer table" in key and (folders[0] / "answer.svg").exists()
    g = gradviz.load(folders[0] / "graph.grad")
    assert check(evaluate(g), table(evaluate(g))).ok
    write_variant(g, tmp_path / "again")
    assert (tmp_path / "again" / "problem.md").read_text() == problem


