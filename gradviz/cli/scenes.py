"""``gradviz scenes``: the scene files for the ``manim`` command, shipped in the package."""

from __future__ import annotations

import argparse

__all__ = ["configure", "SCENE_FILES"]

SCENE_FILES = ("backprop.py", "activations.py")


def configure(name: str, s: argparse.ArgumentParser) -> None:
    """Add the scenes command's options to its parser."""
    s.description = ("Show where the Manim scene files are (backprop.py: one scene per "
                     "built-in example; activations.py: one per activation), or copy them "
                     "into a folder to render with manim itself, e.g. `gradviz scenes --copy "
                     "scenes` then `manim -ql scenes/backprop.py InterestingBackprop`.")
    s.add_argument("--copy", metavar="DIR", help="copy the scene files into DIR")
    s.set_defaults(run=_scenes)


def _scenes(args: argparse.Namespace) -> int:
    from importlib import resources
    from pathlib import Path

    from gradviz.core.escape import terminal
    from gradviz.core.files import write_if_changed

    folder = resources.files("gradviz") / "scenes"
    if not args.copy:
        for name in SCENE_FILES:
            print(terminal(str(folder / name)))
        return 0
    for name in SCENE_FILES:
        target = Path(args.copy) / name
        write_if_changed(target, (folder / name).read_text(encoding="utf-8"))
        print(terminal(f"wrote {target}"))
    return 0
