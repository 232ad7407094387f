"""The ``gradviz`` command line.

Each command lives in a module of this package that defines ``configure(parser)`` and
``run(args)``; :data:`COMMANDS` names them with their one-line help, so the top-level
``gradviz --help`` imports none of them (nor numpy). Only the command being run is
configured and imported.

Exit codes: 0 done, 1 some answers are wrong (``check``) or some build tasks failed,
2 unusable input (``file:line:col: message``), 3 an internal error (a one-line message;
``--debug`` shows the traceback), 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

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
    "export-prairielearn": ("course", "write a PrairieLearn question that draws a variant "
                                      "for every student"),
    "gallery": ("build", "build the gallery of every built-in example (index.html)"),
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
  gradviz export-prairielearn interesting -o course/questions/interesting
  gradviz animate interesting -o interesting.mp4
  gradviz plot relu sigmoid --derivative -o derivatives.png
  gradviz mlp 3 4 1 --activation tanh > net.grad
  gradviz gallery -o gallery
"""
REPORT = "please report it with the command that caused it"


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser, with ``command``'s options configured (``"*"``: every command's)."""
    from gradviz import __version__

    p = argparse.ArgumentParser(
        prog="gradviz", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Computational graphs that teach backpropagation: evaluate graph files "
                    "and the built-in course examples, forward and backward, in float64.",
        epilog=EPILOG)
    p.add_argument("--version", action="version", version=f"gradviz {__version__}")
    p.add_argument("--debug", action="store_true",
                   help="show the Python traceback of an internal error")
    sub = p.add_subparsers(title="commands", metavar="COMMAND")
    for name, (module, summary) in COMMANDS.items():
        s = sub.add_parser(name, help=summary, description=summary[0].upper() + summary[1:]
                           + ".", formatter_class=argparse.RawDescriptionHelpFormatter)
        if command in (name, "*"):
            mod = importlib.import_module(f"gradviz.cli.{module}")
            mod.configure(name, s)
    return p


def _command_of(argv: Sequence[str]) -> str | None:
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (see the module docstring)."""
    from gradviz.core.errors import GradvizError
    from gradviz.core.escape import terminal

    argv = list(sys.argv[1:] if argv is None else argv)
    command = _command_of(argv)
    parser = build_parser(command if command in COMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except GradvizError as e:
        text = f"gradviz: {e}" if e.source is None else str(e)
        print(terminal(text), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gradviz: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # a bug: one line, unless --debug
        if args.debug:
            raise
        print(terminal(f"gradviz: internal error: {type(e).__name__}: {e} ({REPORT}; "
                       "--debug shows the traceback)"), file=sys.stderr)
        return 3
