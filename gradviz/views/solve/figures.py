"""The graphs a solution shows: the blank graph and the one with every value and gradient.

Markdown links SVG files written beside it; HTML embeds them (a self-contained page); LaTeX
includes PDF files drawn so that their smallest label prints at :data:`MIN_LABEL_PT` or more
on an A4 page (a figure that cannot is left out of the document, which says so; the file is
still written). The folder is named after the output file, reduced to safe characters, so
no user text reaches ``\\includegraphics``. Without Graphviz the solution has no figures.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gradviz.core.errors import GradvizError
from gradviz.core.escape import tex_path
from gradviz.core.evaluate import Trace
from gradviz.views.figure import Options

__all__ = ["Drawn", "draw", "MIN_LABEL_PT", "TEXT_WIDTH_PT", "FIGURE_HEIGHT_PT"]

MIN_LABEL_PT = 8.0
TEXT_WIDTH_PT = 481.8  # A4, 2 cm margins: 170 mm in PDF points (1/72 in; TeX's pt: 1/72.27 in)
FIGURE_HEIGHT_PT = 700.0  # PDF points a figure may take of a page (729), leaving its caption
LABEL_RATIO = 0.8  # the smallest label of a figure, as a share of its font size
# layouts tried in turn: bigger fonts make labels larger relative to the fixed gaps
CANDIDATES = (("LR", 12.0), ("TB", 12.0), ("TB", 24.0), ("TB", 48.0), ("TB", 72.0))
KEYS = (("blank", "blank"), ("all", "all"))


@dataclass(frozen=True)
class Drawn:
    """A drawn figure: where the document finds it, and the scale LaTeX prints it at
    (``None``: too big to print legibly, left out)."""

    path: str
    scale: float | None = 1.0
    label: float = 0.0  # points, the smallest label as printed (LaTeX)


def _folder(out: Path) -> Path:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", out.stem).strip("_") or "solution"
    return out.parent / f"{stem}_figures"


def _media_box(pdf: bytes) -> tuple[float, float]:
    m = re.search(rb"/MediaBox\s*\[\s*[\d.]+\s+[\d.]+\s+([\d.]+)\s+([\d.]+)", pdf)
    if m is None:
        raise GradvizError("Graphviz wrote a PDF without a page size")
    return float(m.group(1)), float(m.group(2))


def _pdf(trace: Trace, path: Path, show: str) -> Drawn:
    """Draw for print: the first layout whose smallest label is legible at a fitting scale."""
    from gradviz.views.render import render

    best: tuple[float, str, float] | None = None
    for rankdir, size in CANDIDATES:
        render(trace, path, Options(show=show, rankdir=rankdir, fontsize=size))
        w, h = _media_box(path.read_bytes())
        scale = min(1.0, TEXT_WIDTH_PT / w, FIGURE_HEIGHT_PT / h)
        label = scale * LABEL_RATIO * size
        if label >= MIN_LABEL_PT:
            return Drawn(tex_path(f"{path.parent.name}/{path.name}"), round(scale - 5e-4, 3),
                         label)
        if best is None or label > best[0]:
            best = (label, rankdir, size)
    assert best is not None
    render(trace, path, Options(show=show, rankdir=best[1], fontsize=best[2]))
    return Drawn(tex_path(f"{path.parent.name}/{path.name}"), None, best[0])


def draw(trace: Trace, out: Path, fmt: str,
         say: Callable[[str], None] | None = None) -> dict[str, Drawn] | None:
    """Draw the figures of a solution written to ``out`` in format ``fmt``."""
    from gradviz.views.render import render

    folder = _folder(out)
    figs: dict[str, Drawn] = {}
    try:
        for key, show in KEYS:
            if fmt == "tex":
                figs[key] = _pdf(trace, folder / f"{key}.pdf", show)
                continue
            path = render(trace, folder / f"{key}.svg", show=show)
            if fmt == "html":
                data = base64.b64encode(path.read_bytes()).decode("ascii")
                figs[key] = Drawn(f"data:image/svg+xml;base64,{data}")
            else:
                figs[key] = Drawn(f"{folder.name}/{path.name}")
    except GradvizError as e:
        if say is not None:
            say(f"wrote the solution without figures: {e}")
        return None
    return figs
