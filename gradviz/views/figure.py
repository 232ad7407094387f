"""What a figure shows, decided once for every writer: labels, where each number goes,
colours, ids.

:func:`layout_model` reads a trace (never computing a number) and returns a
:class:`~gradviz.views.model.Model`. Every quantity is drawn once: a leaf's value and
gradient beside its name; a computed node's value above its output wire and its gradient
below it; where a wire branches, each branch carries only its contribution, below it, so
that the sum at the branch point is the node's gradient. Every number is formatted once,
with one number of decimals for the whole figure.

A figure is drawn at one of three levels of detail (``Options.fold``): every op
(``never``), named quantities only, each unnamed intermediate drawn inside the named
node whose expression it belongs to (``named``: ``h₁ = i₁ · w₁₁ + i₂ · w₂₁ + b₁`` is one
node, its wires carrying :meth:`Trace.through`), or layers of like nodes (``always``,
see ``fold.py``). Node ids are synthetic (``n0``, ``n1``, … in the graph's canonical
order), so user text only ever appears inside escaped labels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from gradviz.core import names
from gradviz.core.errors import GradvizError
from gradviz.core.evaluate import Trace
from gradviz.core.format import decimals_for, fixed, fmt_cells
from gradviz.core.graph import Graph
from gradviz.views.fold import folded_model
from gradviz.views.model import (
    FITS,
    FOLDS,
    RANKDIRS,
    SHOWS,
    STYLES,
    THEMES,
    EdgeView,
    Model,
    NodeView,
    Number,
    Options,
    Theme,
)
from gradviz.views.story import State

__all__ = ["Theme", "THEMES", "Options", "NodeView", "EdgeView", "Model", "Number",
           "layout_model", "number", "numbers", "SHOWS", "STYLES", "FOLDS", "RANKDIRS", "FITS"]


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


def number(v: Any, decimals: int) -> Number:
    """A value formatted for a figure (see :func:`gradviz.core.format.fmt_cells`)."""
    if getattr(v, "ndim", 1) == 0:  # most numbers: a scalar, one cell
        text = fixed(decimals)(float(v))
        return Number(((text,),), text)
    rows, summary = fmt_cells(v, decimals)
    if not rows:
        return Number((), summary, int(np.ndim(v)), summary)
    if np.ndim(v) == 0:
        return Number(rows, rows[0][0])
    lines = ["[" + ", ".join(r) + "]" for r in rows]
    text = lines[0] + (f" {summary}" if summary else "") if np.ndim(v) == 1 \
        else "\n".join(lines)
    return Number(rows, text, int(np.ndim(v)), summary)


def numbers(decimals: int) -> Callable[[Any], Number]:
    """:func:`number` for the many numbers of one figure, each scalar formatted once: a
    figure's numbers repeat (a dead ReLU's zero gradients flow to every weight before it).

    Examples
    --------
    >>> num = numbers(2)
    >>> num(np.float64(-0.5)).text, num(np.float64(-0.5)) is num(np.float64(-0.5))
    ('−0.50', True)
    """
    one = fixed(decimals)
    made: dict[float, Number] = {}

    def scalar(v: Any) -> Number:
        if getattr(v, "ndim", 1) != 0:
            return number(v, decimals)
        x = float(v)
        num = made.get(x)
        if num is None:
            text = one(x)
            num = made[x] = Number(((text,),), text)
        return num
    return scalar


class _Wire(NamedTuple):
    """An edge of the drawn graph: the full edges it stands for and what it carries."""

    src: str
    dst: str
    arg: int
    contribution: np.ndarray | None
    members: tuple[tuple[str, str, int], ...] = ()
    local: np.ndarray | None = None


def _wires(graph: Graph, trace: Trace | None, named: bool, opts: Options) -> list[_Wire]:
    """Every full edge, or (``named``) one wire per operand of each named expression."""
    if not named:
        tedges = trace.edges if trace is not None else [None] * len(graph.edges())
        assert len(tedges) == len(graph.edges())
        return [_Wire(u, v, k, te.contribution if te is not None else None, ((u, v, k),),
                      te.local if te is not None and opts.edge_labels
                      and te.contribution is not None else None)
                for (u, v, k), te in zip(graph.edges(), tedges)]
    out = []
    for c in graph.order:
        if graph.is_leaf(c) or graph.is_generated(c):
            continue
        tree = graph.expression(c)
        members: dict[str, list] = {}
        for w in tree:
            for k, u in enumerate(graph.inputs(w)):
                if u not in tree and not (graph.is_leaf(u) and graph.is_generated(u)):
                    members.setdefault(u, []).append((u, w, k))
        for k, (u, ms) in enumerate(members.items()):
            contribution = trace.through(u, c) if trace is not None else None
            local = trace.local_through(c, u) if trace is not None and opts.edge_labels \
                and contribution is not None else None
            out.append(_Wire(u, c, k, contribution, tuple(ms), local))
    return out


def _shown(graph: Graph, named: bool) -> list[str]:
    if not named:
        return graph.order
    return [n for n in graph.order if not graph.is_generated(n)
            or (not graph.is_leaf(n) and not graph.consumers(n))]


def layout_model(obj: Trace | Graph, options: Options | None = None,
                 state: State | None = None) -> Model:
    """Decide every label and emphasis of a figure of ``obj`` (a Graph or a Trace).

    With a story ``state`` (slide frames), everything the full figure would show is laid
    out, and what is not revealed yet is marked as a ghost: the writers keep its space and
    write nothing, so every frame has the same layout and no frame holds a later answer.

    Examples
    --------
    >>> from gradviz import evaluate, example
    >>> m = layout_model(evaluate(example("interesting")))
    >>> m.decimals, [n.value_text for n in m.nodes if n.name == "X2"]
    (2, ['−1.00'])
    >>> [n.title for n in layout_model(evaluate(example("xyz")), Options(fold="named")).nodes
    ...  if n.kind == "expr"]
    ['a = x · y + z', 'b = (x + x) · a']
    """
    opts = options or Options()
    graph, trace = _trace_of(obj, opts.show, state)
    if trace is not None and trace.batch is not None:
        raise GradvizError("draw one variant: evaluate without a batch")
    theme = THEMES[opts.theme]
    if opts.highlight and opts.highlight not in graph:
        raise GradvizError(f"cannot highlight {opts.highlight!r}: no such node")
    if opts.fold == "always" or (opts.fold == "auto" and len(graph) > opts.fold_limit):
        return folded_model(graph, trace, opts, theme)
    named = opts.fold == "named"
    return _Builder(graph, trace, opts, state, named).model(theme)


def _emphasis(opts: Options, on_path: bool, active: bool) -> str:
    if active:
        return "active"
    if opts.highlight:
        return "path" if on_path else "muted"
    return "normal"


class _Builder:
    """One figure model in the making: which numbers it draws, then the views."""

    def __init__(self, graph: Graph, trace: Trace | None, opts: Options,
                 state: State | None, named: bool) -> None:
        self.g, self.trace, self.opts, self.state, self.named = graph, trace, opts, state, named
        self.shown = _shown(graph, named)
        self.wires = _wires(graph, trace, named, opts)
        every = state is not None
        self.show_values = every or opts.show in ("values", "all")
        self.show_grads = trace is not None and (every or opts.show in ("grads", "all"))
        self.fanout: dict[str, int] = {}
        self.lone: dict[str, _Wire] = {}  # a source's wire, for sources with one
        for w in self.wires:
            self.fanout[w.src] = self.fanout.get(w.src, 0) + 1
            self.lone[w.src] = w
        self.path: tuple[set, set] = graph.paths_to_loss(opts.highlight) if opts.highlight \
            else (set(), set())
        self.facts: dict[str, tuple] = {}  # node -> (kind, op, generated), read once
        self.num: Callable[[Any], Number] = numbers(0)  # the figure's, once its decimals are known

    def _value(self, n: str, leaf: bool) -> np.ndarray | None:
        g, t = self.g, self.trace
        if leaf:
            return g.default(n) if t is None else t.value(n)
        return t.value(n) if self.show_values and t is not None else None

    def _grad(self, n: str) -> np.ndarray | None:
        t = self.trace
        return t.grad(n) if self.show_grads and t is not None else None

    def _decimals(self, values: dict, grads: dict, branches: dict) -> int:
        if self.opts.decimals is not None:
            return self.opts.decimals
        flat: list[float] = []
        for d in (values, grads, branches):
            for v in d.values():
                if v is None:
                    continue
                if v.ndim == 0:
                    flat.append(float(v))
                elif v.size <= 64:
                    flat.extend(v.ravel().tolist())
        return decimals_for(flat, self.opts.digits)

    def model(self, theme: Theme) -> Model:
        g = self.g
        self.facts = {n: (g.kind(n), g.op_of(n), g.is_generated(n)) for n in self.shown}
        values = {n: self._value(n, f[1] is None) for n, f in self.facts.items()}
        grads = {n: self._grad(n) for n in self.shown}
        branches = {i: w.contribution for i, w in enumerate(self.wires)
                    if self.show_grads and w.contribution is not None
                    and self.fanout[w.src] > 1}
        d = self._decimals(values, grads, branches)
        self.num = numbers(d)
        nodes = self._nodes(values, grads)
        edges = self._edges(nodes, branches, d)
        output = None
        if self.opts.style == "textbook":
            lv = next(n for n in nodes if n.name == self.g.loss)
            output = NodeView("out", self.g.loss, "output", None, None, lv.title, lv.markup,
                              (), lv.value, lv.grad, lv.value_text, lv.grad_text,
                              lv.emphasis if lv.emphasis != "active" else "normal",
                              ghost=lv.ghost, value_num=lv.value_num, grad_num=lv.grad_num)
        m = Model(self.g, self.opts, theme, nodes, edges, False, output, decimals=d)
        if self.named:
            hidden = len(self.g) - len(nodes)
            m.notes.append(f"{hidden} unnamed intermediate{'s' if hidden != 1 else ''} drawn "
                           "inside the named node whose expression they belong to "
                           "(fold='never' draws every op)")
        return m

    def _ghost(self, n: str, has_grad: bool) -> frozenset[str]:
        st = self.state
        if st is None:
            return frozenset()
        ghost = set()
        if not self.g.is_leaf(n) and n not in st.values:
            ghost.add("value")
        if has_grad and n not in st.grads:
            lone = self.lone.get(n) if self.fanout.get(n) == 1 else None
            if not (lone is not None and all(e in st.edges for e in lone.members)):
                ghost.add("grad")  # a lone wire's contribution is the gradient itself
        return frozenset(ghost)

    def _nodes(self, values: dict, grads: dict) -> list[NodeView]:
        g, opts, st, num = self.g, self.opts, self.state, self.num
        out = []
        rank, table, fanout = g.rank, opts.style == "table", self.fanout
        for n in self.shown:
            kind, op, generated = self.facts[n]
            title, markup = (g.display_name(n), "") if generated else names.label(n)
            if self.named and op is not None and len(g.expression(n)) > 1:
                title, kind = f"{title} = {g.expr(n, show=names.plain, pretty=True)}", "expr"
            value, grad = values[n], grads[n]
            vnum = num(value) if value is not None else None
            gnum = num(grad) if grad is not None else None
            emphasis = "normal"
            if opts.highlight or st is not None:
                active = st is not None and st.active_node == n and st.active_edge is None
                emphasis = _emphasis(opts, n in self.path[0], active)
            shape = value.shape if value is not None else \
                self.trace.value(n).shape if self.trace is not None else ()
            out.append(NodeView(
                f"n{rank[n]}", n, kind, op.name if op else None, op.symbol if op else None,
                title, names.escape(title) if generated else markup, shape, value, grad,
                vnum.text if vnum else "", gnum.text if gnum else "", emphasis,
                1, self._ghost(n, gnum is not None) if st is not None else _NONE, vnum, gnum,
                "node" if op is None or table else "wire", fanout.get(n, 0), generated))
        return out

    def _edges(self, nodes: list[NodeView], branches: dict, d: int) -> list[EdgeView]:
        st, opts = self.state, self.opts
        view = {n.name: n for n in nodes}
        shows = opts.style == "textbook" or opts.edge_labels
        grads, marked = self.show_grads, opts.highlight or st is not None
        out: list[EdgeView] = []
        append = out.append
        for i, w in enumerate(self.wires):
            src = view[w.src]
            contribution = w.contribution if grads else None
            local = w.local if grads else None
            branch = i in branches
            if branch:
                cnum: Number | None = self.num(branches[i])
            else:
                cnum = src.grad_num if contribution is not None else None
            if not marked:  # the common case: a plain figure
                append(EdgeView(f"e{i}", src.id, view[w.dst].id, w.arg, src.value, contribution,
                                local, src.value_text, cnum.text if cnum else "",
                                "" if local is None else _local_text(local, d), "normal", 1,
                                _NONE, cnum, _DRAWN[(branch and shows, local is not None)],
                                w.members))
                continue
            ghost, emphasis = _NONE, "normal"
            if st is not None:
                hidden = set() if all(e in st.edges for e in w.members) \
                    else {"contribution", "local"}
                ghost = frozenset(hidden | ({"value"} & src.ghost))
            if opts.highlight or st is not None:
                emphasis = _emphasis(opts, any(e in self.path[1] for e in w.members),
                                     st is not None and st.active_edge in w.members)
            drawn = _DRAWN[(branch and shows, local is not None)]
            append(EdgeView(f"e{i}", src.id, view[w.dst].id, w.arg, src.value,
                                contribution, local, src.value_text,
                                cnum.text if cnum else "", _local_text(local, d), emphasis,
                                1, ghost, cnum, drawn, w.members))
        return out


_NONE: frozenset[str] = frozenset()
_DRAWN = {(b, loc): frozenset(({"contribution"} if b else set()) | ({"local"} if loc else set()))
          for b in (False, True) for loc in (False, True)}


def _local_text(local: np.ndarray | None, decimals: int) -> str:
    if local is None:
        return ""
    if np.ndim(local) == 0:
        return number(local, decimals).text
    return "J " + "×".join(map(str, np.shape(local)))
