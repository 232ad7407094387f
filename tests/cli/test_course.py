"""``gradviz assign``, ``grade`` and ``export-prairielearn`` from the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gradviz.cli import main


def test_assign_writes_sheets_keys_and_the_manifest(tmp_path, capsys):
    roster = tmp_path / "class.csv"
    roster.write_text("name,student\nAnn,a.lee\nBo,b\u202eo\n", encoding="utf-8")
    out = tmp_path / "hw"
    assert main(["assign", "xyz", "--roster", str(roster), "--seed", "3", "-o", str(out),
                 "--no-pdf"]) == 0
    said = capsys.readouterr().out
    assert "assigned 2 students a variant of xyz" in said and "\u202e" not in said
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["graph"] == "xyz" and manifest["seed"] == 3
    assert list(manifest["students"]) == ["a.lee", "b\u202eo"]
    assert (out / "a.lee" / "problem.html").exists() and not (out / "a.lee" / "key.pdf").exists()
    assert main(["assign", "xyz", "--roster", str(roster), "--seed", "3", "-o",
                 str(tmp_path / "pdf"), "--pdf", "--paper", "letter"]) == 0
    assert (tmp_path / "pdf" / "a.lee" / "problem.pdf").read_bytes().startswith(b"%PDF")


def test_assign_reports_bad_rosters_and_options(tmp_path, capsys):
    roster = tmp_path / "class.csv"
    roster.write_text("name\nAnn\n", encoding="utf-8")
    assert main(["assign", "xyz", "--roster", str(roster), "--seed", "3", "-o",
                 str(tmp_path / "o")]) == 2
    assert "needs a 'student' column" in capsys.readouterr().err
    roster.write_text("student\ns1\n", encoding="utf-8")
    assert main(["assign", "xyz", "--roster", str(roster), "--seed", "3", "-o",
                 str(tmp_path / "o"), "--step", "0.25"]) == 2
    assert "multiple of 0.1" in capsys.readouterr().err


def test_export_prairielearn(tmp_path, capsys):
    out = tmp_path / "questions" / "mlp"
    assert main(["export-prairielearn", "mlp", "-o", str(out), "--server-files",
                 str(tmp_path / "serverFilesCourse")]) == 0
    assert "wrote the PrairieLearn question" in capsys.readouterr().out
    assert json.loads((out / "info.json").read_text())["title"] == "Standard Neural Network"
    assert (tmp_path / "serverFilesCourse" / "gradviz" / "course" / "prairielearn.py").exists()
    assert main(["export-prairielearn", "nope", "-o", str(out)]) == 2


def test_help_names_the_files_and_the_tolerance(capsys):
    for cmd, words in (("assign", "manifest.json"), ("export-prairielearn", "relabs")):
        with pytest.raises(SystemExit) as e:
            main([cmd, "--help"])
        assert e.value.code == 0 and words in capsys.readouterr().out


def _sheet(trace, flip=None) -> str:
    from gradviz.core.format import fmt
    from gradviz.views.answers import asked

    return "".join(f"{q},{fmt(-v if q == flip else v, 4)}\n" for q, v in asked(trace))


def test_grade_writes_the_gradebook_feedback_and_class_report(tmp_path, capsys):
    from gradviz import evaluate
    from gradviz.course.manifest import Manifest

    roster = tmp_path / "class.csv"
    roster.write_text("student\na.lee\nb\nc\n", encoding="utf-8")
    hw, subs = tmp_path / "hw", tmp_path / "subs"
    assert main(["assign", "interesting", "--roster", str(roster), "--seed", "3", "-o",
                 str(hw), "--no-pdf"]) == 0
    manifest = Manifest.load(hw)
    subs.mkdir()
    (subs / "a.lee.csv").write_text(_sheet(evaluate(manifest.graph_of(hw, "a.lee"))),
                                    encoding="utf-8")
    (subs / "b.txt").write_text(_sheet(evaluate(manifest.graph_of(hw, "b")), "∇H4"),
                                encoding="utf-8")
    rubric = tmp_path / "rubric.toml"
    rubric.write_text('ecf = "half"\n[points]\n"∇H₄" = 2\n', encoding="utf-8")
    capsys.readouterr()
    out = tmp_path / "grades" / "gradebook.csv"
    assert main(["grade", str(hw), str(subs), "-o", str(out), "--rubric", str(rubric)]) == 0
    said = capsys.readouterr().out
    assert said.startswith("graded 2 of 3 students") and "1 missing" in said
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[:3] for line in lines[1:]] == [
        ["a.lee", "14", "14"], ["b", "12", "14"], ["c", "0", "14"]]
    assert (out.parent / "feedback" / "b.md").exists()
    assert (out.parent / "class_report.html").exists()
    rubric.write_text("ecf = 2\n", encoding="utf-8")
    assert main(["grade", str(hw), str(subs), "-o", str(out), "--rubric", str(rubric)]) == 2
    err = capsys.readouterr().err
    assert 'ecf is "full", "half" or "none"' in err and len(err.strip().splitlines()) == 1
    assert main(["grade", str(tmp_path / "nope"), str(subs), "-o", str(out)]) == 2


def test_grade_for_gradescope_and_the_example_autograder(tmp_path, capsys):
    from gradviz import evaluate, example

    sheet = tmp_path / "answers.csv"
    sheet.write_text(_sheet(evaluate(example("interesting")), "∇H4"), encoding="utf-8")
    out = tmp_path / "results.json"
    assert main(["grade", "interesting", str(sheet), "--gradescope", "-o", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["score"] == 12.0 and len(data["tests"]) == 13
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    (root / "source" / "problem.grad").write_text(example("interesting").to_text(),
                                                  encoding="utf-8")
    (root / "submission" / "my answers.csv").write_bytes(sheet.read_bytes())
    script = Path(__file__).parents[2] / "examples" / "gradescope" / "run_autograder"
    env = {**os.environ, "AUTOGRADER": str(root), "PYTHON": sys.executable,
           "PYTHONPATH": str(Path(__file__).parents[2])}
    subprocess.run(["bash", str(script)], env=env, check=True, capture_output=True)
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results == data
    (root / "submission" / "second.csv").write_text("x", encoding="utf-8")
    subprocess.run(["bash", str(script)], env=env, check=True, capture_output=True)
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results == {"score": 0, "output": "Upload one answer sheet, not 2 files.",
                       "tests": []}
