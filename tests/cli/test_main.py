"""The ``gradviz`` command line, in-process through ``gradviz.cli.main`` and as a real
process: help, version, global options, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import gradviz
from gradviz import example, examples
from gradviz.cli import main
from tests.helpers import (
    COMMANDS,
    bad_file,
    expected_json,
    one_json_object,
    run,
    run_proc,
)


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




def test_global_options_go_before_or_after_the_command():
    from gradviz.cli import _command_of

    assert _command_of(["--max-elements", "100", "eval", "xyz"]) == "eval"
    assert _command_of(["--debug", "eval", "xyz"]) == "eval"
    assert _command_of(["eval", "--max-elements", "5", "xyz"]) == "eval"
    assert _command_of(["--max-elements"]) is None


def test_warnings_are_kept_for_debug(capsys, monkeypatch):
    import warnings

    import gradviz.cli.inspect as inspect

    def noisy(args):
        warnings.warn("something numpy says", RuntimeWarning, stacklevel=1)
        return 0

    monkeypatch.setattr(inspect, "_list", noisy)
    code, out, err = run(capsys, "list")
    assert code == 0 and err == ""
    with pytest.warns(RuntimeWarning):
        main(["list", "--debug"])


def test_an_unwritable_output_is_exit_2_with_one_line(tmp_path):
    done = run_proc("render", "xyz", "-o", "/proc/nope/x.svg")
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "cannot make the folder /proc/nope" in done.stderr
