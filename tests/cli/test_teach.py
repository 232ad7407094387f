"""Worked solutions, the answer checker and problem variants."""

from __future__ import annotations

import json
import subprocess

import pytest

import gradviz
from gradviz import evaluate, example
from gradviz.cli import main
from gradviz.teaching.check import check
from gradviz.teaching.generate import write_variant
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
    assert "13 of 13 correct" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(dict(table(trace, **{"∇H1": "-0.8299"}))))
    assert main(["check", "interesting", str(bad), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    (wrong,) = [c for c in report["cells"] if c["status"] == "wrong"]
    assert wrong["cause"] == "missing_path" and wrong["path_through"] == "H3"
    assert main(["check", "interesting", str(tmp_path / "nope.csv")]) == 2


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


