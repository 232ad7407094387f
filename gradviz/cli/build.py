"""``gradviz gallery``: build the browsable gallery of every built-in example."""

from __future__ import annotations

import argparse
from pathlib import Path

from gradviz.cli._options import at_least, quality_option

__all__ = ["configure"]


def configure(name: str, s: argparse.ArgumentParser) -> None:
    """Add the gallery's options to its parser."""
    s.description = ("Build, for every built-in example, its figures (blank, values, "
                     "gradients, highlighted paths; SVG and PNG), slide frames, worked "
                     "solution (HTML, Markdown, LaTeX), answer table and backprop video; then "
                     "the activation plots, one generated problem variant, and index.html. "
                     "Incremental (unchanged outputs are not rebuilt) and parallel.")
    s.add_argument("-o", "--output", default="gallery", metavar="DIR",
                   help="output folder (default gallery)")
    s.add_argument("--only", action="append", metavar="NAME",
                   help="build only this example (repeatable)")
    s.add_argument("--no-video", action="store_true",
                   help="skip the videos (no manim needed; much faster)")
    quality_option(s, "medium")  # 720p: what a lecture hall can read
    s.add_argument("--jobs", type=at_least(1, 256), default=None, metavar="N",
                   help="parallel workers (default: the number of cores)")
    s.set_defaults(run=_gallery)


def _gallery(args: argparse.Namespace) -> int:
    from gradviz.gallery import build_gallery

    return build_gallery(Path(args.output), only=args.only, video=not args.no_video,
                         quality=args.quality, jobs=args.jobs)
