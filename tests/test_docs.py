"""The README and the public API stay honest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import gradviz
from gradviz.cli import build_parser, main
from gradviz.views.optable import op_table

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands():
    first_block = README.split("```")[1].strip().splitlines()
    commands = [line.split("#")[0].strip() for line in first_block[1:]]
    assert commands == ["./run.sh gallery", "./run.sh test"]
    ci = (Path(__file__).parents[1] / ".ci" / "run").read_text()
    assert "./run.sh test" in ci


def test_readme_op_table_is_generated_from_the_op_table():
    region = README.split("<!-- ops:start -->\n", 1)[1].split("\n<!-- ops:end -->", 1)[0]
    assert region == op_table(markdown=True), "run `gradviz ops --markdown` into the README"


def test_every_op_is_documented():
    for name in gradviz.OPS:
        assert f"`{name}`" in README


def test_all_is_honest():
    for name in gradviz.__all__:
        assert hasattr(gradviz, name), name
    public = {n for n in dir(gradviz) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(gradviz, n)).__name__ == "module"}
    assert public - modules - set(gradviz.__all__) == set()


def test_readme_commands_exist_with_help(capsys):
    blocks = "\n".join(README.split("```")[1::2])
    subcommands = set(re.findall(r"^gradviz ([\w-]+)", blocks, re.M))
    parser_commands = set(build_parser()._subparsers._group_actions[0].choices)
    assert subcommands <= parser_commands
    for cmd in sorted(parser_commands):
        with pytest.raises(SystemExit) as e:
            main([cmd, "--help"])
        assert e.value.code == 0
        assert len(capsys.readouterr().out) > 200, cmd
