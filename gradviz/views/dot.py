"""Graphviz DOT text of a figure, byte-identical for the same graph and options.

Two styles: ``textbook`` (op nodes as circles with their symbol; a leaf's value and
gradient beside its name; a computed node's value above its output wire and its gradient
below it, where the wire branches each branch's contribution below it — the CS231n
convention) and ``table`` (one box per value with rows name | value | grad, micrograd
style). Numbers on a wire sit in a small node the wire runs through (``w…`` for a node's
output, ``b…`` for a branch), so that the value is above it and the gradient below it
(left and right of it top to bottom). Every label is an HTML-like label built from
escaped text; every number is in a fixed-size cell (``cells.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gradviz.core.evaluate import Trace
from gradviz.core.graph import Graph
from gradviz.core.names import escape
from gradviz.views.cells import (
    Cells,
    Style,
    cell,
    font,
    name_markup,
    number_width,
    stack,
    table,
)
from gradviz.views.figure import layout_model
from gradviz.views.fit import Fitted, fitted_model
from gradviz.views.graphviz import bounding_box
from gradviz.views.model import EdgeView, Model, NodeView, Options, Theme
from gradviz.views.story import State
from gradviz.views.wrap import bands, levels

__all__ = ["model_to_dot", "header", "to_dot", "figure_model", "measure"]

_LEAF_KINDS = ("input", "param", "target", "const")


def _q(text: str) -> str:
    """A quoted DOT attribute value (only ever gradviz's own strings: colours, fonts)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _pens(t: Theme) -> dict[str, tuple[str, str, float]]:
    """(line colour, text colour, pen width) of each emphasis level."""
    return {"normal": (t.edge, t.fg, 1.2), "muted": (t.muted, t.muted, 1.0),
            "path": (t.highlight, t.fg, 2.5), "active": (t.highlight, t.fg, 3.0)}


class _Writer:
    """The state of one DOT text being written: the model, its number style, the lines."""

    def __init__(self, m: Model) -> None:
        self.m, self.t, self.o = m, m.theme, m.options
        nums = [x for n in m.nodes for x in (n.value_num, n.grad_num) if x is not None]
        nums += [e.contribution_num for e in m.edges
                 if "contribution" in e.drawn and e.contribution_num is not None]
        self.st = Style.of(self.o.fontsize, number_width(nums, self.o.fontsize), self.t.value,
                           self.t.grad, self.t.fg, self.o.theme == "print")
        across = self.o.rankdir == "TB"
        self.across = across
        self.port_in, self.port_out = (":r:n", ":r:s") if across else (":r:w", ":r:e")
        self.out: list[str] = []
        self.edges: list[str] = []  # edge statements, written after every node
        self.band = bands(m) if m.options.bands > 1 and not m.folded else {}
        self.clusters: dict[int, list[str]] = {}
        self.tags: set[str] = set()
        self.heads: dict[int, list[str]] = {}  # band -> the tags that start it
        self.by_id = {n.id: n for n in m.nodes}
        self.symbols: dict[str | None, str] = {}
        self.mark = (f'<TD FIXEDSIZE="TRUE" WIDTH="{self.st.mark}" HEIGHT="{self.st.line}" '
                     'ALIGN="LEFT">')
        self.pens = _pens(self.t)
        self.attrs = {k: (line, f"color={_q(line)}, penwidth={pen:g}")
                      for k, (line, _, pen) in self.pens.items()}
        self.wire_of: dict[str, str] = {}  # node id -> the id its output wire leaves from
        self.cells = Cells(self.st, across)  # number tables and wire labels, made once
        self.number, self.wired = self.cells.number, self.cells.wired

    def symbol(self, symbol: str | None) -> str:
        """An op's symbol as label markup (escaped once per figure)."""
        if symbol not in self.symbols:
            self.symbols[symbol] = escape(symbol or "?")
        return self.symbols[symbol]

    def place(self, node_id: str, statement: str) -> None:
        """A node statement, in the cluster of ``node_id``'s band when the figure wraps."""
        if self.band:
            self.clusters.setdefault(self.band[node_id], []).append(statement)
        else:
            self.out.append(statement)

    def colours(self, emphasis: str) -> tuple[str, str]:
        t = self.t
        return (t.muted, t.muted) if emphasis == "muted" else (t.value, t.grad)

    def name(self, n: NodeView, color: str) -> str:
        return font(name_markup(n.markup, self.o.fontsize), color, bold=True)


def _leaf(w: _Writer, n: NodeView) -> None:
    """A given value: its name, the value, and ``∇ gradient`` under it with the numbers
    aligned; top to bottom the name stands beside the value (``W₂ = −3.00``)."""
    vc, gc = w.colours(n.emphasis)
    fg = w.t.muted if n.emphasis == "muted" else w.t.fg
    value = w.number(n.value_num, vc, "value" in n.ghost, pair=n.grad_num)
    if n.generated:  # a constant of an expression: its value says it
        w.out.append(f"  {n.id} [shape=plaintext, margin=0.04, label=<{stack([value])}>];")
        return
    name, mark = w.name(n, fg), w.mark
    if w.across:
        rows = f'<TR><TD ALIGN="RIGHT">{name}{font(" =", fg)}</TD>{mark}</TD>{cell(value)}</TR>'
    else:
        rows = f'<TR><TD COLSPAN="2">{name}</TD></TR><TR>{mark}</TD>{cell(value)}</TR>'
    if n.grad_num is not None:
        sign = "" if "grad" in n.ghost else font("∇", gc)
        grad = w.number(n.grad_num, gc, "grad" in n.ghost, pair=n.value_num)
        rows += f'<TR>{"<TD></TD>" if w.across else ""}{mark}{sign}</TD>{cell(grad)}</TR>'
    w.out.append(f"  {n.id} [shape=plaintext, margin=0.04, label=<{table(rows)}>];")


def _op(w: _Writer, n: NodeView) -> None:
    line, _, pen = w.pens[n.emphasis]
    fg = w.t.muted if n.emphasis == "muted" else w.t.fg
    cells = [font(f"<B>{w.symbol(n.symbol)}</B>", fg)]
    if not n.generated:
        cells.append(font(name_markup(n.markup, w.o.fontsize), fg))
    w.out.append(f"  {n.id} [shape=circle, style=filled, fillcolor={_q(w.t.op_fill)}, "
                 f"color={_q(line)}, penwidth={pen:g}, margin=0.02, "
                 f"label=<{stack(cells)}>];")
    _wire(w, n, line, pen)


def _wire(w: _Writer, n: NodeView, line: str, pen: float) -> None:
    """A computed node's output wire: its value above, its gradient below."""
    if n.value_num is None and n.grad_num is None:
        return
    vc, gc = w.colours(n.emphasis)
    wire = f"w{n.id[1:]}"
    parts = [w.number(n.value_num, vc, "value" in n.ghost, pair=n.grad_num),
             w.number(n.grad_num, gc, "grad" in n.ghost, pair=n.value_num)]
    w.out.append(f"  {wire} [shape=plaintext, margin=0, label=<{w.wired(parts, line)}>];")
    w.out.append(f"  {n.id} -> {wire}{w.port_in} [dir=none, color={_q(line)}, "
                 f"penwidth={pen:g}];")
    w.wire_of[n.id] = wire + w.port_out


def _expr(w: _Writer, n: NodeView) -> None:
    """A named node drawn with its unnamed intermediates: its name and its expression."""
    line, _, pen = w.pens[n.emphasis]
    fg = w.t.muted if n.emphasis == "muted" else w.t.fg
    expression = n.title.split(" = ", 1)[1]
    label = stack([w.name(n, fg), font(escape(expression), fg)])
    w.out.append(f'  {n.id} [shape=box, style="rounded,filled", fillcolor={_q(w.t.op_fill)}, '
                 f"color={_q(line)}, penwidth={pen:g}, margin=0.06, label=<{label}>];")
    _wire(w, n, line, pen)


def _table_box(w: _Writer, n: NodeView, fill: str) -> str:
    vc, gc = w.colours(n.emphasis)
    fg = w.t.muted if n.emphasis == "muted" else w.t.fg
    line = w.pens[n.emphasis][0]
    rows = [f'<TR><TD COLSPAN="2">{w.name(n, fg)}</TD></TR>']
    for word, num, color, key in (("value", n.value_num, vc, "value"),
                                  ("grad", n.grad_num, gc, "grad")):
        if num is not None:
            rows.append(f'<TR><TD>{font(word, fg)}</TD>'
                        f'{cell(w.number(num, color, key in n.ghost))}</TR>')
    return (f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" '
            f'BGCOLOR="{fill}" COLOR="{line}">' + "".join(rows) + "</TABLE>")


def _table_op(w: _Writer, n: NodeView) -> None:
    line, _, pen = w.pens[n.emphasis]
    fg = w.t.muted if n.emphasis == "muted" else w.t.fg
    w.out.append(f"  o{n.id[1:]} [shape=circle, style=filled, fillcolor={_q(w.t.op_fill)}, "
                 f"color={_q(line)}, penwidth={pen:g}, margin=0.02, "
                 f"label=<{font('<B>' + escape(n.symbol or '?') + '</B>', fg)}>];")
    w.out.append(f"  {n.id} [shape=plaintext, margin=0, "
                 f"label=<{_table_box(w, n, w.t.op_fill)}>];")
    w.out.append(f"  o{n.id[1:]} -> {n.id} [color={_q(line)}, penwidth={pen:g}];")


def _table_leaf(w: _Writer, n: NodeView) -> None:
    w.out.append(f"  {n.id} [shape=plaintext, margin=0, "
                 f"label=<{_table_box(w, n, w.t.leaf_fill)}>];")


def _group(w: _Writer, n: NodeView) -> None:
    line, _, pen = w.pens[n.emphasis]
    lines = [font(escape(x), w.t.fg) for x in n.title.split("\n")[1:]]
    label = stack([font(f"<B>{n.markup}</B>", w.t.fg)] + lines)
    fill = w.t.op_fill if n.kind == "group" else w.t.leaf_fill
    w.out.append(f'  {n.id} [shape=box, style="rounded,filled", fillcolor={_q(fill)}, '
                 f"color={_q(line)}, penwidth={pen:g}, label=<{label}>];")


# how each node is written, by (style, kind of node)
NODE_WRITERS: dict[tuple[str, str], Callable[[_Writer, NodeView], None]] = {
    **{("textbook", k): _leaf for k in _LEAF_KINDS}, ("textbook", "op"): _op,
    ("textbook", "expr"): _expr, ("table", "expr"): _expr,
    **{("table", k): _table_leaf for k in _LEAF_KINDS}, ("table", "op"): _table_op,
    **{("folded", k): _group for k in (*_LEAF_KINDS, "group")},
}


def _edge(w: _Writer, i: int, e: EdgeView) -> None:
    m = w.m
    line, attrs = w.attrs[e.emphasis]
    src = w.wire_of.get(e.src, e.src)
    dst = f"o{e.dst[1:]}" if m.options.style == "table" and not m.folded else e.dst
    if m.folded:
        label = (f", label=<{font(f'×{e.count}', w.t.fg)}>" if e.count > 1 else "")
        w.edges.append(f"  {src} -> {dst} [{attrs}{label}];")
        return
    if e.drawn:
        _, gc = w.colours(e.emphasis)
        parts = ["", w.number(e.contribution_num, gc, "contribution" in e.ghost)
                 if "contribution" in e.drawn else ""]
        if e.local_text:
            hidden = "local" in e.ghost
            parts.append(font("∂ " + escape(e.local_text), w.t.bg if hidden else w.t.fg))
        mid = f"b{i}"
        w.place(e.src, f"  {mid} [shape=plaintext, margin=0, label=<{w.wired(parts, line)}>];")
        w.edges.append(f"  {src} -> {mid}{w.port_in} [dir=none, {attrs}];")
        src = mid + w.port_out
    if w.band:
        _link(w, i, e, src, dst, attrs)
    else:
        w.edges.append(f"  {src} -> {dst} [{attrs}];")


def _link(w: _Writer, i: int, e: EdgeView, src: str, dst: str, attrs: str) -> None:
    """The last stretch of a wire, through a pair of tags when it crosses to a later band."""
    if w.band[e.src] == w.band[e.dst]:
        w.edges.append(f"  {src} -> {dst} [{attrs}];")
        return
    n = w.by_id[e.src]
    name = w.name(n, w.t.fg) if not n.generated else \
        font(escape(n.title), w.t.fg)
    tag = f'shape=box, style="rounded,dashed", color={_q(w.t.edge)}, margin=0.04'
    a, b = w.band[e.src], w.band[e.dst]
    tail, head = f"t{n.id[1:]}_{b}", f"u{n.id[1:]}_{b}"  # one pair per value and band
    if head not in w.tags:
        w.tags.add(head)
        w.place(e.src, f"  {tail} [{tag}, label=<{name} ▸>];")
        w.place(e.dst, f"  {head} [{tag}, label=<▸ {name}>];")
        w.heads.setdefault(b, []).append(head)
    w.edges.append(f"  {src} -> {tail} [{attrs}];")
    w.edges.append(f"  {head} -> {dst} [{attrs}];")
    assert a < b, "bands follow the flow"


def _place_leaves(w: _Writer) -> None:
    """``Options.leaves``: leaves beside their one consumer, or staggered over two ranks."""
    m = w.m
    if m.folded or m.options.leaves == "before":
        return
    kinds = set(_LEAF_KINDS)
    seen: dict[str, int] = {}
    for e in m.edges:
        src = w.by_id.get(e.src)
        if src is None or src.kind not in kinds or src.fanout != 1:
            continue
        dst = f"o{e.dst[1:]}" if m.options.style == "table" else e.dst
        if m.options.leaves == "beside":
            w.out.append(f"  {{rank=same; {e.src}; {dst}}}")
        else:
            k = seen[e.dst] = seen.get(e.dst, -1) + 1
            if k % 2:
                w.out.append(f"  {e.src} -> {dst} [style=invis, minlen=2];")


def header(m: Model) -> list[str]:
    """The graph, node and edge defaults (and the canvas of a fitted figure)."""
    o, t = m.options, m.theme
    pad = "0.2"
    if m.canvas is not None:
        c = m.canvas
        pad = f'"{c.pad_x:.3f},{c.pad_y:.3f}"'
        if c.size is not None:
            pad += f', ratio=fill, size="{c.size[0]:.3f},{c.size[1]:.3f}"'
    return ["digraph gradviz {",
            f"  graph [rankdir={o.rankdir}, bgcolor={_q(t.bg)}, fontname={_q(o.font)}, "
            f"nodesep=0.1, ranksep=0.09, pad={pad}, forcelabels=true];",
            f"  node [fontname={_q(o.font)}, fontsize={o.fontsize:g}, color={_q(t.edge)}, "
            f"fontcolor={_q(t.fg)}, penwidth=1.2];",
            f"  edge [fontname={_q(o.font)}, fontsize={o.fontsize:g}, color={_q(t.edge)}, "
            f"arrowsize=0.7, penwidth=1.2];"]


def model_to_dot(m: Model) -> str:
    """DOT text of a figure model (see :func:`gradviz.views.figure.layout_model`).

    Examples
    --------
    >>> from gradviz import evaluate, example
    >>> from gradviz.views.figure import layout_model
    >>> text = model_to_dot(layout_model(evaluate(example("xyz"))))
    >>> text.splitlines()[0], "n0 [" in text, "−" in text or "170" in text
    ('digraph gradviz {', True, True)
    """
    w = _Writer(m)
    style = "folded" if m.folded else m.options.style
    body: list[str] = []
    for n in m.nodes:
        w.out = w.clusters.setdefault(w.band[n.id], []) if w.band else body
        NODE_WRITERS[(style, n.kind)](w, n)
    w.out = body
    if m.output is not None and not m.folded:
        # the loss's output wire ends in the open, its value above and 1 below it
        loss = next(n for n in m.nodes if n.name == m.graph.loss)
        w.place(loss.id, f"  {m.output.id} [shape=point, width=0.01, style=invis];")
        w.edges.append(f"  {w.wire_of.get(loss.id, loss.id)} -> out "
                       f"[{w.attrs[m.output.emphasis][1]}];")
    for i, e in enumerate(m.edges):
        _edge(w, i, e)
    _place_leaves(w)
    out = header(m) + w.out
    for b, lines in sorted(w.clusters.items()):
        out += [f"  subgraph cluster_band{b} {{ style=invis; margin=4;"] + lines + ["  }"]
    out += w.edges + _band_order(w) + ["}", ""]  # "" ends the text with a newline
    return "\n".join(out)


def _band_order(w: _Writer) -> list[str]:
    """Bands one after the other: a source of each in one rank, chained invisibly."""
    if not w.band:
        return []
    level = levels(w.m)
    firsts = []
    for b in sorted(w.clusters):
        sources = [n.id for n in w.m.nodes if w.band.get(n.id) == b
                   and n.kind not in ("op", "expr")]
        if b in w.heads or sources:  # a tag that starts the band, or its leftmost leaf
            firsts.append(w.heads[b][0] if b in w.heads else min(sources, key=lambda n: level[n]))
    if len(firsts) < 2:
        return []
    return [f"  {{rank=same; {'; '.join(firsts)}}}",
            f"  {' -> '.join(firsts)} [style=invis];"]


def measure(m: Model) -> tuple[float, float]:
    """Width and height in points of the drawing Graphviz makes of a model."""
    return bounding_box(model_to_dot(m))


def figure_model(obj: Trace | Graph, options: Options | None = None,
                 state: State | None = None, fitted: Fitted | None = None) -> Model:
    """The figure model of ``obj``, fitted to ``options.fit`` when it names a target."""
    opts = options or Options()
    if opts.fit == "none":
        return layout_model(obj, opts, state)
    return fitted_model(obj, opts, measure, state, fitted)


def to_dot(obj: Trace | Graph, options: Options | None = None, state: State | None = None,
           **kw: Any) -> str:
    """DOT text of a Trace (or a Graph, drawn blank).

    Keyword arguments are :class:`~gradviz.views.model.Options` fields (``show``,
    ``style``, ``theme``, ``rankdir``, ``highlight``, ``edge_labels``, ``digits``,
    ``fold``, ``fit``, ...).

    Examples
    --------
    >>> from gradviz import example, evaluate
    >>> text = to_dot(evaluate(example("xyz")), show="values")
    >>> text.splitlines()[0], "n0 [" in text, "label=<" in text
    ('digraph gradviz {', True, True)
    """
    return model_to_dot(figure_model(obj, options or Options(**kw), state))
