"""``gradviz assign`` and ``gradviz export-prairielearn`` from the command line."""

from __future__ import annotations

import json

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
