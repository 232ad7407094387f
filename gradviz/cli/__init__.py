"""The ``gradviz`` command line.

Each command lives in a module of this package that defines ``configure(parser)`` and
``run(args)``; :data:`COMMANDS` names them with their one-line help, so the top-level
``gradviz --help`` imports none of them (nor numpy). Only the command being run is
configured and imported.

Exit codes: 0 done, 1 some answers are wrong (``check``) or some build tasks failed,
2 unusable input (``file:line:col: message``; also a file that cannot be read or written,
and a limit or the machine's memory exceeded), 3 an internal error (a one-line message;
``--debug`` shows the traceback), 130 interrupted. Every message is one line, and user text
in it is escaped for the terminal.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
import warnings
from collections.abc import Sequence
from typing import NoReturn, TextIO

__all__ = ["main", "COMMANDS", "build_parser"]

# name -> (module in this package, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "list": ("inspect", "list the built-in examples with their titles and sources"),
    "ops": ("inspect", "print the op table: symbols, derivatives, kink conventions"),
    "eval": ("inspect", "print every node's value and gradient"),
    "mlp": ("inspect", "print the graph file of a generated MLP"),
    "render": ("draw", "draw a graph: blank, with values, with gradients; DOT, SVG, PNG, "
                       "PDF, JSON; slide frames"),
    "animate": ("draw", "render a backprop video with Manim (.mp4, .gif, or .png still)"),
    "plot": ("draw", "plot activations beside their exact derivatives (.png or video)"),
    "solve": ("teach", "write the worked, step-by-step solution and the answer table"),
    "check": ("teach", "check a student's answer table and explain the wrong cells"),
    "generate": ("teach", "make new variants of a problem with problem sheets and answer "
                          "keys"),
    "assign": ("course", "give every student of a roster their own variant, with problem "
                         "sheets and answer keys"),
    "grade": ("course", "grade every student's sheet against their own variant: gradebook, "
                        "feedback, class report; or one sheet for Gradescope"),
    "export-prairielearn": ("course", "write a PrairieLearn question that draws a variant "
                                      "for every student"),
    "gallery": ("build", "build the gallery of every built-in example (index.html)"),
    "scenes": ("scenes", "show or copy the Manim scene files, to render with manim itself"),
}

EPILOG = """examples:
  gradviz list
  gradviz eval interesting
  gradviz eval mlp --set X1=2 --set W1=[0.5,-1] --json
  gradviz render interesting --show blank -o problem.svg
  gradviz render interesting --frames slides/
  gradviz solve interesting --format tex -o key.tex
  gradviz check interesting answers.csv
  gradviz generate interesting --seed 7 --count 3 -o variants/
  gradviz assign interesting --roster class.csv --seed 2024 -o hw3/
  gradviz grade hw3/ submissions/ -o grades/gradebook.csv --rubric rubric.toml
  gradviz export-prairielearn interesting -o course/questions/interesting
  gradviz animate interesting -o interesting.mp4
  gradviz plot relu sigmoid --derivative -o derivatives.png
  gradviz mlp 3 4 1 --activation tanh > net.grad
  gradviz gallery -o gallery
  gradviz scenes --copy scenes     # then: manim -ql scenes/backprop.py XyzBackprop
"""
REPORT = "please report it with the command that caused it"


class _Parser(argparse.ArgumentParser):
    """argparse, with the user's text in usage errors shown safely on a terminal."""

    def error(self, message: str) -> NoReturn:
        from gradviz.core.escape import terminal

        self.print_usage(sys.stderr)
        self.exit(2, terminal(f"{self.prog}: error: {message}") + "\n")


def _global_options(p: argparse.ArgumentParser, default: object) -> None:
    """Options every command takes, before or after its name (``default`` SUPPRESS on the
    commands, so they do not overwrite a value given before the name)."""
    from gradviz.cli._options import at_least

    p.add_argument("--debug", action="store_true", default=default,
                   help="show the Python traceback of an internal error, and warnings")
    p.add_argument("--max-elements", type=at_least(1), metavar="N", default=default,
                   help="largest value, in numbers, a command may build (default 10000000; "
                        "also GRADVIZ_MAX_ELEMENTS)")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser, with ``command``'s options configured (``"*"``: every command's)."""
    from gradviz import __version__

    p = _Parser(
        prog="gradviz", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Computational graphs that teach backpropagation: evaluate graph files "
                    "and the built-in course examples, forward and backward, in float64.",
        epilog=EPILOG)
    p.add_argument("--version", action="version", version=f"gradviz {__version__}")
    _global_options(p, None)
    sub = p.add_subparsers(title="commands", metavar="COMMAND")
    for name, (module, summary) in COMMANDS.items():
        s = sub.add_parser(name, help=summary, description=summary[0].upper() + summary[1:]
                           + ".", formatter_class=argparse.RawDescriptionHelpFormatter)
        if command in (name, "*"):
            _global_options(s, argparse.SUPPRESS)
            mod = importlib.import_module(f"gradviz.cli.{module}")
            mod.configure(name, s)
    return p


def _command_of(argv: Sequence[str]) -> str | None:
    """The command's name: the first word that is not an option or an option's value."""
    args = iter(argv)
    for a in args:
        if a == "--max-elements":
            next(args, None)
        elif not a.startswith("-"):
            return a
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (see the module docstring)."""
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:  # while starting up, before a command runs
        print("gradviz: interrupted", file=sys.stderr)
        return 130


def _main(argv: list[str]) -> int:
    command = _command_of(argv)
    parser = build_parser(command if command in COMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    before = os.environ.get("GRADVIZ_MAX_ELEMENTS")
    if args.max_elements:  # for this command (and its worker processes) only
        os.environ["GRADVIZ_MAX_ELEMENTS"] = str(args.max_elements)
    stdout = sys.stdout
    sys.stdout = _TerminalSafe(stdout)  # whatever a command prints, user text included
    try:
        with warnings.catch_warnings():
            if not args.debug:
                warnings.simplefilter("ignore")  # one line on failure; warnings: --debug
            return _run(args)
    finally:
        sys.stdout = stdout
        if before is None:
            os.environ.pop("GRADVIZ_MAX_ELEMENTS", None)
        else:
            os.environ["GRADVIZ_MAX_ELEMENTS"] = before


class _TerminalSafe:
    """A text stream that shows control characters (ESC, BEL, bidi overrides) escaped, as
    :func:`gradviz.core.escape.terminal` does; plain ASCII text passes untouched."""

    _CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        from gradviz.core.escape import terminal

        if not text.isascii() or self._CONTROL.search(text):
            text = terminal(text)
        return self._stream.write(text)

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def _run(args: argparse.Namespace) -> int:
    from gradviz.core.errors import GradvizError
    from gradviz.core.escape import terminal

    def say(text: str) -> None:
        print(terminal(text), file=sys.stderr)

    try:
        return int(args.run(args) or 0)
    except GradvizError as e:
        say(f"gradviz: {e}" if e.source is None else str(e))
        return 2
    except KeyboardInterrupt:
        say("gradviz: interrupted")
        return 130
    except BrokenPipeError:  # `gradviz mlp 100 100 1 | head`: the reader has had enough
        _silence_stdout()
        return 0
    except OSError as e:  # a path the user gave that cannot be read or written
        where = f"{e.filename}: " if e.filename else ""
        say(f"gradviz: {where}{e.strerror or e}")
        return 2
    except MemoryError:
        say("gradviz: out of memory: the input is too big for this machine; see the limits "
            "in the README (GRADVIZ_MAX_ELEMENTS, GRADVIZ_MAX_NODES)")
        return 2
    except Exception as e:  # a bug: one line, unless --debug
        if args.debug:
            raise
        say(f"gradviz: internal error: {type(e).__name__}: {e} ({REPORT}; --debug shows "
            "the traceback)")
        return 3


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so Python's exit flush does not complain about the pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
