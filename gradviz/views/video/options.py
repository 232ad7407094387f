"""What a video looks like and how it is paced: qualities, options, and the install hints.

Nothing here imports manim: the CLI reads these to build its options, and a storyboard is
planned without rendering.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from types import ModuleType

from gradviz.core.errors import GradvizError, MissingDependencyError

__all__ = ["Quality", "QUALITIES", "VideoOptions", "INSTALL_VIDEO", "INSTALL_MANIM", "INSTALL_TEX",
           "require_manim", "require_tex"]

INSTALL_VIDEO = "pip install 'gradviz-teach[video]'"  # the one place the hint is spelled
INSTALL_MANIM = (f"manim is not installed: {INSTALL_VIDEO} (system libraries: sudo apt-get "
                 "install libcairo2-dev libpango1.0-dev ffmpeg)")
INSTALL_TEX = ("--tex needs LaTeX with dvisvgm and the standalone class: sudo apt-get "
               "install texlive-latex-extra dvisvgm (without --tex, labels need no LaTeX)")


@dataclass(frozen=True)
class Quality:
    """One of Manim's render qualities: its name, frame size and frame rate."""

    manim: str
    width: int
    height: int
    fps: int

    def __str__(self) -> str:
        return f"{self.height}p{self.fps}"


QUALITIES = {"low": Quality("low_quality", 854, 480, 15),
             "medium": Quality("medium_quality", 1280, 720, 30),
             "high": Quality("high_quality", 1920, 1080, 60),
             "4k": Quality("fourk_quality", 3840, 2160, 60)}


@dataclass(frozen=True)
class VideoOptions:
    """Look and pace of a backprop video.

    Every step's chain-rule line stays on screen for at least ``max(min_step, characters /
    reading_speed)`` seconds (subtitles are read at about 15 characters a second).

    Examples
    --------
    >>> VideoOptions().reading_seconds("∂L/∂x = 170")
    2.5
    >>> round(VideoOptions().reading_seconds("x" * 60), 3)
    4.0
    """

    theme: str = "dark"
    tex: bool = False
    min_step: float = 2.5
    reading_speed: float = 15.0
    pause_at_loss: float = 1.0
    skip_forward: bool = False
    focus: str | None = None
    answer_table: bool = True
    fold: str = "auto"

    def __post_init__(self) -> None:
        from gradviz.views.figure import FOLDS, THEMES

        if self.theme not in THEMES:
            raise GradvizError(f"theme must be one of {', '.join(THEMES)}")
        if self.fold not in FOLDS:
            raise GradvizError(f"fold must be one of {', '.join(FOLDS)}")
        for what, v in (("minimum step", self.min_step), ("reading speed", self.reading_speed)):
            if not v > 0:
                raise GradvizError(f"the {what} must be positive")
        if not self.pause_at_loss >= 0:
            raise GradvizError("the pause at the loss must not be negative")

    def reading_seconds(self, text: str) -> float:
        """How long ``text`` stays on screen."""
        return max(self.min_step, len(text) / self.reading_speed)


def require_manim() -> ModuleType:
    """Import manim, or raise a one-line :class:`MissingDependencyError` saying what to do."""
    try:
        import manim
    except ImportError:
        raise MissingDependencyError(INSTALL_MANIM) from None
    return manim


def require_tex() -> None:
    """Check that LaTeX can typeset Manim's MathTex (latex, dvisvgm, standalone.cls)."""
    if shutil.which("latex") is None or shutil.which("dvisvgm") is None:
        raise MissingDependencyError(INSTALL_TEX)
    try:
        found = subprocess.run(["kpsewhich", "standalone.cls"], capture_output=True,
                               text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        found = ""
    if not found:
        raise MissingDependencyError(INSTALL_TEX)
