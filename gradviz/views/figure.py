"""What a figure shows, decided once for DOT and JSON: node and edge labels, colours, ids.

:func:`layout_model` reads a trace (never computing a number) and returns plain records;
``dot.py`` turns them into Graphviz text and ``spec.py`` into the canonical JSON. Node ids
are synthetic (``n0``, ``n1``, … in the graph's canonical order), so user text only ever
appears inside escaped labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gradviz.core.errors import GradvizError
from gradviz.core.evaluate import Trace
from gradviz.core.format import DEFAULT_DIGITS, fmt_compact
from gradviz.core.graph import Graph
from gradviz.views.story import State

__all__ = ["Theme", "THEMES", "Options", "NodeView", "EdgeView", "Model", "layout_model",
           "SHOWS", "STYLES", "FOLDS", "RANKDIRS"]

SHOWS = ("blank", "values", "grads", "all")
STYLES = ("textbook", "table")
FOLDS = ("auto", "always", "never")
RANKDIRS = ("LR", "TB")


@dataclass(frozen=True)
class Theme:
    """Colours of one theme; ``print`` carries no meaning by colour alone."""

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
    "light": Theme("white", "#222222", "#1b7a2e", "#c0262d", "#555555", "#f3f3f3", "#eaf2fb",
                   "#e08600", "#c4c4c4"),
    "dark": Theme("#1e1e1e", "#eeeeee", "#7fd18b", "#ff8a80", "#aaaaaa", "#333333", "#26374a",
                  "#ffb74d", "#555555"),
    "print": Theme("white", "black", "black", "black", "black", "white", "white", "black",
                   "#aaaaaa"),
    # Okabe-Ito: blue for values, vermillion for gradients, orange to highlight
    "colorblind": Theme("white", "#222222", "#0072B2", "#D55E00", "#555555", "#f3f3f3",
                        "#eef6fb", "#E69F00", "#c4c4c4"),
}


@dataclass(frozen=True)
class Options:
    """Figure options shared by every renderer (see ``gradviz render --help``)."""

    show: str = "all"
    style: str = "textbook"
    theme: str = "light"
    rankdir: str = "LR"
    highlight: str | None = None
    edge_labels: bool = False
    digits: int = DEFAULT_DIGITS
    font: str = "Helvetica"
    fontsize: float = 12.0
    fold: str = "auto"  # auto | always | never
    fold_limit: int = 300

    def __post_init__(self) -> None:
        checks = [("show", self.show, SHOWS), ("style", self.style, STYLES),
                  ("theme", self.theme, tuple(THEMES)), ("rankdir", self.rankdir, RANKDIRS),
                  ("fold", self.fold, FOLDS)]
        for what, v, allowed in checks:
            if v not in allowed:
                raise GradvizError(f"{what} must be one of {', '.join(allowed)}, not {v!r}")
        if not 1 <= self.digits <= 17:
            raise GradvizError("digits must be between 1 and 17")


@dataclass
class NodeView:
    id: str
    name: str
    kind: str  # a leaf kind, "op", or "group" (folded)
    op: str | None
    symbol: str | None
    title: str  # the typeset name (plain Unicode) or the expression of an unnamed node
    markup: str  # the same as Graphviz HTML
    shape: tuple
    value: np.ndarray | None  # shown value (None when hidden)
    grad: np.ndarray | None  # shown total gradient
    value_text: str = ""
    grad_text: str = ""
    emphasis: str = "normal"  # normal | muted | path | active
    count: int = 1  # nodes folded into this one
    ghost: frozenset[str] = frozenset()  # texts drawn invisibly, so frames keep one layout


@dataclass
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


@dataclass
class Model:
    graph: Graph
    options: Options
    theme: Theme
    nodes: list[NodeView]
    edges: list[EdgeView]
    folded: bool = False
    output: NodeView | None = None  # the loss's output wire end (textbook style)
    notes: list[str] = field(default_factory=list)


def _trace_of(obj: Trace | Graph, show: str, state: State | None) -> tuple[Graph, Trace | None]:
    """A figure reads an evaluated trace; a bare Graph can only be drawn blank."""
    if isinstance(obj, Trace):
        return obj.graph, obj
    if isinstance(obj, Graph):
        if show != "blank" or state is not None:
            raise GradvizError("a figure with values or gradients draws an evaluated trace: "
                               "pass gradviz.evaluate(graph)")
        return obj, None
    raise TypeError(f"expected a Graph or a Trace, got {type(obj).__name__}")


def layout_model(obj: Trace | Graph, options: Options | None = None,
                 state: State | None = None) -> Model:
    """Decide every label and emphasis of a figure of ``obj`` (a Graph or a Trace)."""
    from gradviz.core import names

    opts = options or Options()
    graph, trace = _trace_of(obj, opts.show, state)
    if trace is not None and trace.batch is not None:
        raise GradvizError("draw one variant: evaluate without a batch")
    theme = THEMES[opts.theme]
    n_nodes = len(graph)
    if opts.fold == "always" or (opts.fold == "auto" and n_nodes > opts.fold_limit):
        from gradviz.views.fold import folded_model

        return folded_model(graph, trace, opts, theme)
    ids = {n: f"n{i}" for i, n in enumerate(graph.order)}
    show_values = opts.show in ("values", "all")
    show_grads = opts.show in ("grads", "all")
    on_path: tuple[set, set] = (set(), set())
    if opts.highlight:
        if opts.highlight not in graph:
            raise GradvizError(f"cannot highlight {opts.highlight!r}: no such node")
        on_path = graph.paths_to_loss(opts.highlight)
    d = opts.digits

    def text(v) -> str:
        return fmt_compact(v, d)

    nodes = []
    for n in graph.order:
        is_leaf = graph.is_leaf(n)
        op = graph.op_of(n)
        title = graph.display_name(n)
        markup = names.escape(title) if graph.is_generated(n) else names.html(n)
        value = grad = None
        ghost = set()
        if is_leaf:
            value = graph.default(n) if trace is None else trace.value(n)
        elif trace is not None and (show_values or state is not None):
            value = trace.value(n)
            if state is not None and n not in state.values:
                ghost.add("value")
        if trace is not None and trace.requires_grad(n) and (show_grads or state is not None):
            grad = trace.grad(n)
            if state is not None and n not in state.grads:
                ghost.add("grad")
        emphasis = "normal"
        if opts.highlight:
            emphasis = "path" if n in on_path[0] else "muted"
        if state is not None and state.active_node == n and state.active_edge is None:
            emphasis = "active"
        shape = np.shape(graph.default(n)) if is_leaf else np.shape(trace.value(n)) \
            if trace is not None else ()
        nodes.append(NodeView(ids[n], n, graph.kind(n), op.name if op else None,
                              op.symbol if op else None,
                              title, markup, shape, value, grad,
                              text(value) if value is not None else "",
                              text(grad) if grad is not None else "", emphasis,
                              ghost=frozenset(ghost)))
    edges = []
    rank = graph.rank
    for i, (u, v, k) in enumerate(graph.edges()):
        value = contribution = local = None
        ghost = set()
        if trace is not None:
            if show_values or graph.is_leaf(u) or state is not None:
                value = trace.value(u)
                if state is not None and u not in state.values:
                    ghost.add("value")
            edge = trace.edge(v, k) if trace.requires_grad(u) else None
            if edge is not None and (show_grads or state is not None):
                contribution = edge.contribution
                if opts.edge_labels:
                    local = edge.local
                if state is not None and (u, v, k) not in state.edges:
                    ghost.update(("contribution", "local"))
        elif graph.is_leaf(u):
            value = graph.default(u)
        emphasis = "normal"
        if opts.highlight:
            emphasis = "path" if (u, v, k) in on_path[1] else "muted"
        if state is not None and state.active_edge == (u, v, k):
            emphasis = "active"
        edges.append(EdgeView(f"e{i}", ids[u], ids[v], k, value, contribution, local,
                              text(value) if value is not None else "",
                              text(contribution) if contribution is not None else "",
                              _local_text(local, d)))
        edges[-1].emphasis = emphasis
        edges[-1].ghost = frozenset(ghost)
    output = None
    if opts.style == "textbook":
        lv = nodes[rank[graph.loss]]
        output = NodeView("out", graph.loss, "output", None, None, lv.title, lv.markup, (),
                          lv.value, lv.grad, lv.value_text, lv.grad_text,
                          lv.emphasis if lv.emphasis != "active" else "normal", ghost=lv.ghost)
    return Model(graph, opts, theme, nodes, edges, False, output)


def _local_text(local, digits: int) -> str:
    if local is None:
        return ""
    if np.ndim(local) == 0:
        return fmt_compact(local, digits)
    return "J " + "×".join(map(str, np.shape(local)))
