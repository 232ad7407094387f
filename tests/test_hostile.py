"""Hostile input to every command: any file, any option value, any output path ends with
exit code 0, 1, 2 (bad input, ``file:line:col`` where there is a position) or 3 (a bug, one
line) — never a traceback, never a control character on the terminal, never a
half-written file."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from gradviz.cli import main
from tests.helpers import ROOT

# ---------------------------------------------------------------------------- fixtures
CHAIN = "".join(f"h{i} = h{i - 1} + x\n" for i in range(1, 50))
HOSTILE_FILES: dict[str, bytes] = {
    "binary": bytes(range(256)) * 4,
    "utf16": "x: input = 1\nL: loss = x * x\n".encode("utf-16"),
    "latin1": "x\xe9: input = 1\nL: loss = x\xe9 * 2\n".encode("latin-1"),
    "nul": b"x: input = 1\nL: loss = x\x00 * 2\n",
    "empty": b"",
    "comments only": b"# nothing\n#: title: t\n\n",
    "bom crlf": "\ufeffx: input = 2\r\nL: loss = x * x\r\n".encode(),
    "lone cr": b"x: input = 2\rL: loss = x * x\r",
    "leaf nested 66": b"x: input = " + b"[" * 66 + b"1" + b"]" * 66 + b"\nL: loss = x * 1\n",
    "leaf nested 200": b"x: input = " + b"[" * 200 + b"1" + b"]" * 200 + b"\nL: loss = x\n",
    "parens 1000": b"x: input = 1\nL: loss = " + b"(" * 1000 + b"x" + b")" * 1000 + b"\n",
    "minus 100000": b"x: input = " + b"-" * 100_000 + b"1\nL: loss = x * x\n",
    "5000 digits": b"x: input = " + b"9" * 5000 + b"\nL: loss = x * x\n",
    "1e999": b"x: input = 1e999\nL: loss = x * x\n",
    "import": b"import os\n",
    "dunder": b"x: input = 1\nL: loss = __import__('os').system('echo pwned') * x\n",
    "lambda": b"x: input = 1\nL: loss = (lambda: x)() * 2\n",
    "fstring": b"x: input = 1\nL: loss = f'{x}' * 2\n",
    "cycle": b"x: input = 1\na = b + x\nb = a * 2\nL: loss = a\n",
    "undefined": b"x: input = 1\nL: loss = y * x\n",
    "two losses": b"x: input = 1\nL: loss = x * 2\nM: loss = x * 3\n",
    "no loss": b"x: input = 1\na = x * 2\nb = x * 3\n",
    "escape title": b"#: title: \x1b]0;pwned\x07\x1b[2J\xe2\x80\xae title\nx: input = 1\n"
                    b"L: loss = x * x\n",
    "escape asks": b"#: asks: \x1b[31mL\nx: input = 1\nL: loss = x * x\n",
    "long line": b"x: input = 1\nL: loss = " + b"x + " * 30_000 + b"x\n",
    "blank lines": b"\n" * 200_000 + b"x: input = 1\nL: loss = x * x\n",
    "chain": ("x: input = 1\nh0 = x * 1\n" + CHAIN + "L: loss = h49 * 1\n").encode(),
    "3-d leaf": b"x: input = [[[1, 2]], [[3, 4]]]\nL: loss = sum(x)\n",
    "ragged": b"x: input = [[1, 2], [3]]\nL: loss = sum(x)\n",
    "nan name": b"x: input = nan\nL: loss = x * x\n",
}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def call(capsys, *argv: str) -> tuple[int, str, str]:
    """The CLI in-process: (exit code, stdout, stderr); usage errors are SystemExit."""
    try:
        code = main(list(argv))
    except SystemExit as e:
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def assert_clean(code: int, out: str, err: str, allowed=(0, 2)) -> None:
    assert code in allowed, (code, err[-500:])
    assert "Traceback" not in err and "Traceback" not in out
    assert not CONTROL.search(out) and not CONTROL.search(err), (out[-300:], err[-300:])
    if code == 2:
        assert err.startswith("gradviz") or err.startswith("/") or err.startswith("usage:")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    paths = {}
    for name, data in HOSTILE_FILES.items():
        paths[name] = folder / (name.replace(" ", "_") + ".grad")
        paths[name].write_bytes(data)
    return paths


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_eval_of_a_hostile_file_ends_cleanly(capsys, hostile, name):
    code, out, err = call(capsys, "eval", str(hostile[name]))
    assert_clean(code, out, err)
    if code == 2:
        assert err.count("\n") == 1, err
        assert err.startswith(str(hostile[name])), err  # the file named, and where


@pytest.mark.parametrize("name", ["leaf nested 66", "5000 digits", "cycle", "undefined",
                                  "parens 1000", "minus 100000", "dunder", "lambda"])
def test_errors_with_a_position_say_file_line_col(capsys, hostile, name):
    code, _, err = call(capsys, "eval", str(hostile[name]))
    assert code == 2 and re.match(re.escape(str(hostile[name])) + r":\d+:\d+: \S", err), err


@pytest.mark.parametrize("name", ["escape title", "bom crlf", "chain"])
@pytest.mark.parametrize("command", ["render", "solve"])
def test_render_and_solve_of_hostile_files(capsys, hostile, tmp_path, name, command):
    out_file = tmp_path / ("x.svg" if command == "render" else "x.md")
    code, out, err = call(capsys, command, str(hostile[name]), "-o", str(out_file),
                          *(["--no-figures"] if command == "solve" else []))
    assert_clean(code, out, err)


# ------------------------------------------------------------------------------ options
HOSTILE_OPTIONS = [
    (["eval", "xyz", "--digits", "-1"], "--digits"),
    (["eval", "xyz", "--digits", "18"], "--digits"),
    (["eval", "xyz", "--set", "x=" + "[" * 66 + "1" + "]" * 66], "at most 2 dimensions"),
    (["eval", "xyz", "--set", "x=nan"], "--set x"),
    (["eval", "xyz", "--set", "x"], "NAME=VALUE"),
    (["generate", "interesting", "--seed", "1", "--step", "nan", "-o", "{tmp}/v"], "--step"),
    (["generate", "interesting", "--seed", "-1", "-o", "{tmp}/v"], "--seed"),
    (["generate", "interesting", "--seed", "1", "--step", "1e-300", "-o", "{tmp}/v"],
     "limit"),
    (["generate", "interesting", "--seed", "1", "--range", "0", "1e300", "-o",
      "{tmp}/v"], "limit"),
    (["generate", "interesting", "--seed", "1", "--count", "0", "-o", "{tmp}/v"], "--count"),
    (["mlp", "2", "2", "--seed", "-1"], "--seed"),
    (["mlp", "--seed", "-1", "2", "2"], "--seed"),
    (["mlp", "100000", "100000", "1"], "GRADVIZ_MAX_NODES"),
    (["mlp", "0", "1"], "at least 1"),
    (["mlp", "1"], "two layer sizes"),
    (["gallery", "--jobs", "-1", "-o", "{tmp}/g"], "--jobs"),
    (["gallery", "--jobs", "0", "-o", "{tmp}/g"], "--jobs"),
    (["render", "xyz", "--fontsize", "nan", "-o", "{tmp}/a.svg"], "--fontsize"),
    (["render", "xyz", "--fontsize", "-3", "-o", "{tmp}/a.svg"], "--fontsize"),
    (["render", "xyz", "--dpi", "nan", "-o", "{tmp}/a.png"], "--dpi"),
    (["render", "xyz", "--dpi", "inf", "-o", "{tmp}/a.png"], "--dpi"),
    (["render", "xyz", "--frames", "{tmp}/afile"], "afile"),
    (["render", "xyz", "-o", "/proc/x.svg"], "/proc/x.svg"),
    (["render", "xyz", "-o", "/proc/self/x.svg"], "/proc/self/x.svg"),
    (["render", "xyz", "-o", "{tmp}"], "format"),
    (["render", "xyz", "-o", "{tmp}/dir.svg"], "it is a folder"),
    (["render", "xyz", "-o", "{tmp}/x.unknown"], "unknown"),
    (["solve", "xyz", "-o", "/proc/x.md", "--no-figures"], "/proc/x.md"),
    (["mlp", "2", "2", "-o", "/proc/x.grad"], "/proc/x.grad"),
    (["mlp", "2", "2", "-o", "/dev/full"], "No space left"),
    (["mlp", "2", "2", "-o", "{tmp}/afile/x.grad"], "afile"),
    (["animate", "xyz", "-o", "{tmp}/a.mp4", "--seconds-per-step", "nan"], "--seconds"),
    (["check", "xyz", "{tmp}/missing.csv"], "missing.csv"),
    (["check", "xyz", "xyz", "--rtol", "nan"], "--rtol"),
    (["eval", "xyz", "--max-elements", "0"], "--max-elements"),
    (["--max-elements", "-5", "eval", "xyz"], "--max-elements"),
    (["eval", "/dev/zero"], "neither"),
    (["eval", ""], "neither"),
    (["eval", "{tmp}"], "neither"),
    (["list", "\x1b[2J"], "unrecognized"),
    (["nosuchcommand\x1b]0;x\x07"], "invalid choice"),
]


@pytest.mark.parametrize("argv, words", HOSTILE_OPTIONS,
                         ids=[" ".join(a)[:60] for a, _ in HOSTILE_OPTIONS])
def test_hostile_options_exit_2_with_one_clean_message(capsys, tmp_path, argv, words):
    (tmp_path / "afile").write_text("a file, not a folder")
    (tmp_path / "dir.svg").mkdir()
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = call(capsys, *argv)
    assert code == 2, (code, err)
    assert_clean(code, out, err)
    assert words in err, err
    last = err.rstrip("\n").splitlines()[-1]
    assert last.startswith("gradviz") or last.startswith("/"), err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_max_elements_sets_the_limit_for_the_command(capsys, monkeypatch):
    from gradviz.core.limits import limit

    monkeypatch.delenv("GRADVIZ_MAX_ELEMENTS", raising=False)
    seen = {}

    def spy(args):
        seen["limit"] = limit("max_elements")
        return 0

    import gradviz.cli.inspect as inspect

    monkeypatch.setattr(inspect, "_list", spy)
    assert call(capsys, "--max-elements", "123", "list")[0] == 0 and seen["limit"] == 123
    assert call(capsys, "list", "--max-elements", "77")[0] == 0 and seen["limit"] == 77
    assert "GRADVIZ_MAX_ELEMENTS" not in os.environ  # the option holds for its command only


def test_an_internal_error_is_one_line_and_debug_shows_the_traceback(capsys, monkeypatch):
    import gradviz.cli.inspect as inspect

    def boom(args):
        raise ZeroDivisionError("\x1b[2Jboom")

    monkeypatch.setattr(inspect, "_list", boom)
    code, out, err = call(capsys, "list")
    assert code == 3 and err.count("\n") == 1 and "report" in err and "--debug" in err
    assert_clean(code, out, err, allowed=(3,))
    with pytest.raises(ZeroDivisionError):
        main(["list", "--debug"])


def test_a_closed_pipe_ends_quietly():
    script = ("import subprocess, sys\n"
              "p = subprocess.Popen([sys.executable, '-m', 'gradviz', 'mlp', '60', '60', '1'], "
              "stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
              "p.stdout.readline(); p.stdout.close()\n"
              "err = p.stderr.read().decode(); code = p.wait()\n"
              "print(code, repr(err))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.stdout.strip() == "0 ''", done.stdout + done.stderr


def test_ctrl_c_exits_130_with_one_line(capsys, monkeypatch):
    import gradviz.cli.inspect as inspect

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(inspect, "_list", interrupted)
    assert call(capsys, "list") == (130, "", "gradviz: interrupted\n")


@pytest.mark.parametrize("argv", [
    ["render", "xyz", "-o", "{tmp}/x\x1b[2J\u202e.svg"],
    ["solve", "{escape title}"],
    ["eval", "{escape title}"],
    ["generate", "xyz", "--seed", "1", "-o", "{tmp}/v\x1b]0;x\x07"],
])
def test_whatever_a_command_prints_is_safe_on_a_terminal(capsys, hostile, tmp_path, argv):
    argv = [a.replace("{tmp}", str(tmp_path)).replace("{escape title}",
                                                      str(hostile["escape title"]))
            for a in argv]
    code, out, err = call(capsys, *argv)
    assert code == 0, err
    assert_clean(code, out, err)
