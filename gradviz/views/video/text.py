"""Text extents without rendering: the ink box of a line of DejaVu Sans at a pixel size.

The video is planned in frame pixels before Manim draws anything (so that a storyboard
needs no render), and the scene then stretches each Manim ``Text`` onto its planned box.
Both read the same font file, so the stretch is a fraction of a percent and the boxes in the
storyboard are the ink the frames show. Sizes are given as cap heights: a font's cap height
is what a reader at the back of a hall sees.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from gradviz.core.errors import MissingDependencyError

__all__ = ["FONT", "CAP", "Box", "ink", "advance", "cap_em", "union", "overlap",
           "width", "height", "center", "shift", "scale"]

FONT = "DejaVu Sans"
CAP = 1493 / 2048  # DejaVu Sans: cap height (and digit height) per em
_REF = 200  # measure at 200 px and scale: sub-pixel precise, one cache entry per text
_FALLBACKS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
              "/usr/share/fonts/dejavu/DejaVuSans.ttf", "/Library/Fonts/DejaVuSans.ttf")

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels, y downwards


def cap_em(cap: float) -> float:
    """The em size (px) of a font whose capitals are ``cap`` px tall.

    >>> round(cap_em(36), 1)
    49.4
    """
    return cap / CAP


@functools.cache
def font_file() -> str:
    """The DejaVu Sans file fontconfig (and so Pango, and so Manim) uses."""
    found = ""
    if shutil.which("fc-match"):
        try:
            found = subprocess.run(["fc-match", "-f", "%{file}", FONT], capture_output=True,
                                   text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            found = ""
    if found and Path(found).name.startswith("DejaVuSans"):
        return found
    for path in _FALLBACKS:
        if Path(path).exists():
            return path
    raise MissingDependencyError("videos need the DejaVu Sans font: sudo apt-get install "
                                 "fonts-dejavu-core")


@functools.cache
def _font():
    try:
        from PIL import ImageFont
    except ImportError:
        from gradviz.views.video.options import INSTALL_VIDEO

        raise MissingDependencyError(f"videos need Pillow: {INSTALL_VIDEO}") from None
    return ImageFont.truetype(font_file(), _REF)


@functools.cache
def _ink_ref(text: str) -> Box:
    mask, (ox, oy) = _font().getmask2(text, mode="L", anchor="ls")
    bbox = mask.getbbox()
    if bbox is None:  # blank text: an empty box at the origin
        return (0.0, 0.0, 0.0, 0.0)
    return (bbox[0] + ox, bbox[1] + oy, bbox[2] + ox, bbox[3] + oy)


def ink(text: str, em: float) -> Box:
    """The ink box of one line of ``text`` at ``em`` px, relative to its origin (the left
    end of the baseline), y downwards.

    >>> x0, y0, x1, y1 = ink("H", 100)
    >>> round(y1 - y0, 1), round(-y0, 1)  # capitals stand on the baseline, CAP em tall
    (73.0, 73.0)
    """
    k = em / _REF
    x0, y0, x1, y1 = _ink_ref(text)
    return (x0 * k, y0 * k, x1 * k, y1 * k)


def advance(text: str, em: float) -> float:
    """How far ``text`` moves the pen (px): where the next character would start."""
    return float(_font().getlength(text)) * em / _REF


def width(b: Box) -> float:
    return b[2] - b[0]


def height(b: Box) -> float:
    return b[3] - b[1]


def center(b: Box) -> tuple[float, float]:
    return ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)


def shift(b: Box, dx: float, dy: float) -> Box:
    return (b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy)


def scale(b: Box, k: float) -> Box:
    return (b[0] * k, b[1] * k, b[2] * k, b[3] * k)


def union(boxes: Iterable[Box]) -> Box:
    """The smallest box holding every box of ``boxes``.

    >>> union([(0, 0, 1, 1), (2, -1, 3, 0)])
    (0, -1, 3, 1)
    """
    xs0, ys0, xs1, ys1 = zip(*boxes)
    return (min(xs0), min(ys0), max(xs1), max(ys1))


def overlap(a: Box, b: Box, gap: float = 0.0) -> bool:
    """Whether two boxes come closer than ``gap`` (touching is not overlapping).

    >>> overlap((0, 0, 2, 2), (1, 1, 3, 3)), overlap((0, 0, 1, 1), (1, 0, 2, 1))
    (True, False)
    """
    return (a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap
            and b[1] < a[3] + gap)
