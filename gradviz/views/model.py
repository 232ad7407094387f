"""The records of a figure: its options, themes, and the model the writers read.

:func:`gradviz.views.figure.layout_model` fills a :class:`Model` from a trace; ``dot.py``
turns it into Graphviz text, ``spec.py`` into the canonical JSON, ``video.py`` into a
Manim scene. Every number a figure shows is formatted once, into a :class:`Number`, and
every quantity is drawn in one place (:attr:`NodeView.drawn`, :attr:`EdgeView.drawn`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from gradviz.core.errors import GradvizError
from gradviz.core.graph import Graph

__all__ = ["Theme", "THEMES", "Options", "Number", "NodeView", "EdgeView", "Model",
           "SHOWS", "STYLES", "FOLDS", "RANKDIRS", "FITS", "Target", "Canvas", "LEAF_PLACES"]

SHOWS = ("blank", "values", "grads", "all")
STYLES = ("textbook", "table")
FOLDS = ("auto", "never", "named", "always")
RANKDIRS = ("LR", "TB")
# where leaves go: in the rank before their consumer; beside it (same rank, the wire
# across); or every other one a rank earlier (two rows of leaves instead of one)
LEAF_PLACES = ("before", "beside", "staggered")


@dataclass(frozen=True)
class Target:
    """A canvas a figure is fitted to, in pixels at 1080p, and the smallest text wanted."""

    width: int
    height: int
    text_px: float = 24.0


# fitted canvases: a 16:9 slide, and portrait pages (A4 1:√2, US Letter 8.5:11)
FITS: dict[str, Target | None] = {"none": None, "slide": Target(1920, 1080),
                                  "page": Target(764, 1080), "letter": Target(835, 1080)}


@dataclass(frozen=True)
class Theme:
    """Colours of one theme. Value and gradient colours stay ≥ 20 ΔE2000 apart for normal,
    deuteranope and protanope vision (tests/views/test_model.py measures it), and they
    also differ by position: values above a wire, gradients below it."""

    bg: str
    fg: str
    value: str
    grad: str
    edge: str
    op_fill: str
    leaf_fill: str
    highlight: str
    muted: str


THEMES = {
    "light": Theme("white", "#222222", "#1565c0", "#c62828", "#555555", "#f3f3f3", "#eaf2fb",
                   "#e08600", "#c4c4c4"),
    "dark": Theme("#1e1e1e", "#eeeeee", "#6cb6ff", "#ffa657", "#aaaaaa", "#333333", "#26374a",
                  "#d2a8ff", "#555555"),
    # grayscale: gradients dark grey and italic
    "print": Theme("white", "black", "black", "#6b6b6b", "black", "white", "white", "black",
                   "#aaaaaa"),
    # Okabe-Ito: blue for values, vermillion (darkened to 4.6:1 on white, for text) for
    # gradients, orange to highlight
    "colorblind": Theme("white", "#222222", "#0072B2", "#C25400", "#555555", "#f3f3f3",
                        "#eef6fb", "#E69F00", "#c4c4c4"),
}


@dataclass(frozen=True)
class Options:
    """Figure options shared by every renderer (see ``gradviz render --help``).

    ``fit`` lays the figure out for a canvas of :data:`FITS` (``slide``: 16:9,
    ``page``: A4 portrait, ``letter``: US Letter portrait), choosing the rank direction,
    wrapping long chains into rows and folding when nothing else keeps the text readable;
    ``decimals`` fixes the places after the point (default: chosen once per figure from its
    numbers and ``digits``); ``bands`` wraps the ranks into that many rows (or columns).
    """

    show: str = "all"
    style: str = "textbook"
    theme: str = "light"
    rankdir: str = "LR"
    highlight: str | None = None
    edge_labels: bool = False
    digits: int = 3  # significant digits of the typical number (see decimals_for)
    font: str = "Helvetica"
    fontsize: float = 14.0
    fold: str = "auto"  # auto | never | named | always (see figure.py)
    fold_limit: int = 300
    fit: str = "none"
    decimals: int | None = None
    bands: int = 1
    leaves: str = "before"

    def __post_init__(self) -> None:
        checks = [("show", self.show, SHOWS), ("style", self.style, STYLES),
                  ("theme", self.theme, tuple(THEMES)), ("rankdir", self.rankdir, RANKDIRS),
                  ("fold", self.fold, FOLDS), ("fit", self.fit, tuple(FITS)),
                  ("leaves", self.leaves, LEAF_PLACES)]
        for what, v, allowed in checks:
            if v not in allowed:
                raise GradvizError(f"{what} must be one of {', '.join(allowed)}, not {v!r}")
        if not 1 <= self.digits <= 17:
            raise GradvizError("digits must be between 1 and 17")
        if self.decimals is not None and not 0 <= self.decimals <= 12:
            raise GradvizError("decimals must be between 0 and 12")
        if not 1 <= self.bands <= 12:
            raise GradvizError("bands must be between 1 and 12")


class Number(NamedTuple):
    """A value formatted once for a figure.

    ``rows`` holds the cell texts (a scalar is one row of one cell, a vector one row, a
    matrix one row per matrix row), all with the figure's decimals and U+2212 minus signs;
    a value too big to write out has no rows and a ``summary`` (``10×64 matrix``) instead.
    ``text`` is the same number as one string (matrix rows on separate lines).
    """

    rows: tuple[tuple[str, ...], ...]
    text: str
    ndim: int = 0
    summary: str = ""


@dataclass(slots=True)
class NodeView:
    id: str
    name: str
    kind: str  # a leaf kind, "op", or "group" (folded)
    op: str | None
    symbol: str | None
    title: str  # the typeset name (plain Unicode) or the expression of an unnamed node
    markup: str  # the same as Graphviz HTML
    shape: tuple
    value: np.ndarray | None  # the node's value (None when not shown)
    grad: np.ndarray | None  # its total gradient
    value_text: str = ""
    grad_text: str = ""
    emphasis: str = "normal"  # normal | muted | path | active
    count: int = 1  # nodes folded into this one
    ghost: frozenset[str] = frozenset()  # hidden for now: space kept, nothing written
    value_num: Number | None = None
    grad_num: Number | None = None
    # where the node's value and gradient are drawn: "node" (beside its name), "wire"
    # (on its output wire: above it the value, below it the gradient), or "" (not drawn)
    drawn: str = ""
    fanout: int = 0  # consumer edges (wires out of the node)
    generated: bool = False  # left unnamed by the user: titled by its expression


@dataclass(slots=True)
class EdgeView:
    id: str
    src: str
    dst: str
    arg: int
    value: np.ndarray | None
    contribution: np.ndarray | None
    local: np.ndarray | None
    value_text: str = ""
    contribution_text: str = ""
    local_text: str = ""
    emphasis: str = "normal"
    count: int = 1
    ghost: frozenset[str] = frozenset()
    contribution_num: Number | None = None
    # what the wire itself carries: a subset of {"contribution", "local"} (a source's
    # value and total gradient are drawn once, by the source: NodeView.drawn)
    drawn: frozenset[str] = frozenset()
    members: tuple[tuple[str, str, int], ...] = ()  # the graph's edges it stands for


@dataclass(frozen=True)
class Canvas:
    """The page a fitted figure is drawn on: the drawing's ``pad`` in inches (centring it
    on the target's aspect), ``stretch`` (Graphviz ``ratio=fill``: positions spread to
    ``size``, in inches, text unchanged), and the ``dpi`` that makes a PNG of it exactly the
    target's pixels."""

    pad_x: float
    pad_y: float
    dpi: float
    size: tuple[float, float] | None = None  # set when the layout is stretched to fill


@dataclass(slots=True)
class Model:
    graph: Graph
    options: Options
    theme: Theme
    nodes: list[NodeView]
    edges: list[EdgeView]
    folded: bool = False
    output: NodeView | None = None  # the loss's output wire end (textbook style)
    notes: list[str] = field(default_factory=list)
    decimals: int = 0  # places after the point of every number in the figure
    canvas: Canvas | None = None  # set by the fit to a slide or a page
