"""Options several commands share, with their choices read from the tables they name."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from gradviz.core.errors import GradvizError

__all__ = ["set_option", "theme_option", "quality_option", "overrides", "positive",
           "at_least", "finite"]


def set_option(s: argparse.ArgumentParser, help_text: str) -> None:
    s.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help=help_text)


def theme_option(s: argparse.ArgumentParser, default: str = "light") -> None:
    from gradviz.views.figure import THEMES

    s.add_argument("--theme", choices=tuple(THEMES), default=default,
                   help=f"colours (default {default}; print is grayscale, colorblind uses "
                        "the Okabe-Ito palette)")


def quality_option(s: argparse.ArgumentParser, default: str = "low") -> None:
    from gradviz.views.video import QUALITIES

    s.add_argument("--quality", choices=tuple(QUALITIES), default=default,
                   help="video quality: " + ", ".join(f"{k} {v}" for k, v in QUALITIES.items())
                        + f" (default {default})")


def overrides(items: list[str]) -> dict:
    """``--set NAME=VALUE`` items as leaf overrides."""
    from gradviz.core.parse import parse_value

    out = {}
    for item in items:
        name, eq, text = item.partition("=")
        if not eq:
            raise GradvizError(f"--set needs NAME=VALUE, got {item!r}")
        out[name.strip()] = parse_value(text, what=f"--set {name.strip()}")
    return out


def finite(text: str) -> float:
    """An argparse type: a finite number."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return x


def positive(text: str) -> float:
    """An argparse type: a finite number > 0."""
    x = finite(text)
    if x <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
    return x


def at_least(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer in ``[low, high]``."""
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if n < low or (high is not None and n > high):
            bound = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{text!r} must be {bound}")
        return n
    return parse
