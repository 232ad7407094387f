"""What a figure shows, decided once for DOT and JSON: node and edge labels, colours, ids.

:func:`layout_model` reads a trace (never computing a number) and returns plain records;
``dot.py`` turns them into Graphviz text and ``spec.py`` into the canonical JSON. Node ids
are synthetic (``n0``, ``n1``, … in the graph's canonical order), so user text only ever
appears inside escaped labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from gradviz.core.errors import GradvizError
from gradviz.core.evaluate import Trace, evaluate
from gradviz.core.format import DEFAULT_DIGITS, fmt_compact
from gradviz.core.graph import LEAF_KINDS, Graph
from gradviz.views.story import State

__all__ = ["Theme", "THEMES", "Options", "NodeView", "EdgeView", "Model", "layout_model",
           "SHOWS", "STYLES"]

SHOWS = ("blank", "values", "grads", "all")
STYLES = ("textbook", "table")


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
                  ("theme", self.theme, tuple(THEMES)), ("rankdir", self.rankdir, ("LR", "TB")),
                  ("fold", self.fold, ("auto", "always", "never"))]
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


def _trace_of(obj: Trace | Graph, show: str) -> tuple[Graph, Trace | None]:
    if isinstance(obj, Trace):
        return obj.graph, obj
    if isinstance(obj, Graph):
        return obj, None if show == "blank" else evaluate(obj)
    raise TypeError(f"expected a Graph or a Trace, got {type(obj).__name__}")


def path_to_loss(graph: Graph, node: str) -> tuple[set[str], set[tuple[str, str, int]]]:
    """Nodes and edges on every path from ``node`` to the loss ("sum over all paths")."""
    if node not in graph.nx:
        raise GradvizError(f"cannot highlight {node!r}: no such node")
    down = nx.descendants(graph.nx, node) | {node}
    up = nx.ancestors(graph.nx, graph.loss) | {graph.loss}
    nodes = down & up
    edges = {(u, v, k) for u, v, k in graph.nx.edges(keys=True) if u in nodes and v in nodes}
    return nodes, edges


def layout_model(obj: Trace | Graph, options: Options | None = None,
                 state: State | None = None) -> Model:
    """Decide every label and emphasis of a figure of ``obj`` (a Graph or a Trace)."""
    from gradviz.core import names

    opts = options or Options()
    graph, trace = _trace_of(obj, opts.show)
    if trace is not None and trace.batch is not None:
        raise GradvizError("draw one variant: evaluate without a batch")
    theme = THEMES[opts.theme]
    n_nodes = graph.nx.number_of_nodes()
    if opts.fold == "always" or (opts.fold == "auto" and n_nodes > opts.fold_limit):
        from gradviz.views.fold import folded_model

        return folded_model(graph, trace, opts, theme)
    ids = {n: f"n{i}" for i, n in enumerate(graph.order)}
    show_values = opts.show in ("values", "all")
    show_grads = opts.show in ("grads", "all")
    on_path: tuple[set, set] = (set(), set())
    if opts.highlight:
        on_path = path_to_loss(graph, opts.highlight)
    d = opts.digits

    def text(v) -> str:
        return fmt_compact(v, d)

    nodes = []
    for n in graph.order:
        a = graph.nx.nodes[n]
        is_leaf = a["kind"] in LEAF_KINDS
        op = graph.op(n)
        generated = a.get("generated")
        if generated and op is not None:
            title = graph.expr(n, show=names.plain, pretty=True)
            markup = names.escape(title)
        else:
            title, markup = names.plain(n) if not generated else a["label"], \
                names.html(n) if not generated else names.escape(a["label"])
        value = grad = None
        ghost = set()
        if is_leaf:
            value = a["value"] if trace is None else trace.value(n)
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
        shape = np.shape(a["value"]) if is_leaf else np.shape(trace.value(n)) \
            if trace is not None else ()
        nodes.append(NodeView(ids[n], n, a["kind"], a.get("op"), op.symbol if op else None,
                              title, markup, shape, value, grad,
                              text(value) if value is not None else "",
                              text(grad) if grad is not None else "", emphasis,
                              ghost=frozenset(ghost)))
    edges = []
    rank = {n: i for i, n in enumerate(graph.order)}
    for i, (u, v, k) in enumerate(sorted(graph.nx.edges(keys=True),
                                         key=lambda e: (rank[e[1]], e[2]))):
        value = contribution = local = None
        ghost = set()
        if trace is not None:
            if show_values or graph.kind(u) in LEAF_KINDS or state is not None:
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
        elif graph.kind(u) in LEAF_KINDS:
            value = graph.nx.nodes[u]["value"]
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
