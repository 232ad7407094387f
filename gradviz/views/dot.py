"""Graphviz DOT text of a figure, byte-identical for the same graph and options.

Two styles: ``textbook`` (op nodes as circles with their symbol; each wire carries the
value of its source above, in the value colour, and its chain-rule contribution below,
in the gradient colour, as the CS231n backprop figures do) and ``table`` (one box per
value with rows name | value | grad, micrograd style, with real names and stable ids).
Every label is an HTML-like label built from escaped text.
"""

from __future__ import annotations

from gradviz.core.names import escape
from gradviz.views.figure import EdgeView, Model, NodeView, Options, Theme, layout_model

__all__ = ["to_dot", "model_to_dot"]


def to_dot(obj, options: Options | None = None, state=None, **kw) -> str:
    """DOT text of a Graph (blank or evaluated on the fly) or a Trace.

    Keyword arguments are :class:`~gradviz.figure.Options` fields (``show``, ``style``,
    ``theme``, ``rankdir``, ``highlight``, ``edge_labels``, ``digits``, ``fold``, ...).

    Examples
    --------
    >>> from gradviz import example, evaluate
    >>> text = to_dot(evaluate(example("xyz")), show="values")
    >>> text.splitlines()[0], "n0 [" in text, "label=<" in text
    ('digraph gradviz {', True, True)
    """
    opts = options or Options(**kw)
    return model_to_dot(layout_model(obj, opts, state))


def _q(text: str) -> str:
    """A quoted DOT attribute value (only ever gradviz's own strings: colours, fonts)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _lines(text: str) -> str:
    return "<BR/>".join(escape(t) if len(t) < 200 else escape(t[:199] + "…")
                        for t in text.split("\n"))


def _font(text: str, color: str, size: float | None = None, italic: bool = False) -> str:
    size_attr = f' POINT-SIZE="{size:g}"' if size else ""
    body = f"<I>{text}</I>" if italic else text
    return f'<FONT COLOR="{color}"{size_attr}>{body}</FONT>'


def _colors(t: Theme, emphasis: str) -> tuple[str, str, float]:
    """(line colour, text colour, pen width) for an emphasis level."""
    return {"muted": (t.muted, t.muted, 1.0), "path": (t.highlight, t.fg, 2.5),
            "active": (t.highlight, t.fg, 3.0)}.get(emphasis, (t.edge, t.fg, 1.2))


def _value_color(m: Model, emphasis: str, ghost: frozenset = frozenset(),
                 grad_key: str = "grad") -> tuple[str, str]:
    """Colours of the value and gradient texts; a ghost is drawn in the background colour."""
    t = m.theme
    vc, gc = (t.muted, t.muted) if emphasis == "muted" else (t.value, t.grad)
    return (t.bg if "value" in ghost else vc), (t.bg if grad_key in ghost else gc)


def _grad_text(text: str) -> str:
    # the ∇ mark keeps gradients apart from values without relying on colour
    return f"∇ {text}"


def _rows(cells: list[str]) -> str:
    return ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            + "".join(f"<TR><TD>{c}</TD></TR>" for c in cells) + "</TABLE>")


def _leaf_label(m: Model, n: NodeView) -> str:
    vc, gc = _value_color(m, n.emphasis, n.ghost)
    fg = m.theme.muted if n.emphasis == "muted" else m.theme.fg
    cells = [_font(f"<B>{n.markup}</B>", fg)]
    if n.value_text:
        cells.append(_font(_lines(n.value_text), vc))
    if n.grad_text:
        cells.append(_font(_lines(_grad_text(n.grad_text)), gc,
                           italic=m.options.theme == "print"))
    return _rows(cells)


def _op_label(m: Model, n: NodeView, named: bool) -> str:
    fg = m.theme.muted if n.emphasis == "muted" else m.theme.fg
    cells = [_font(f"<B>{escape(n.symbol or '?')}</B>", fg)]
    if named:
        cells.append(_font(n.markup, fg, m.options.fontsize * 0.8))
    return _rows(cells)


def _table_label(m: Model, n: NodeView, fill: str) -> str:
    vc, gc = _value_color(m, n.emphasis, n.ghost)
    vc, gc = (fill if c == m.theme.bg and g else c for c, g in ((vc, "value" in n.ghost),
                                                             (gc, "grad" in n.ghost)))
    fg = m.theme.muted if n.emphasis == "muted" else m.theme.fg
    rows = [f'<TR><TD COLSPAN="2">{_font("<B>" + n.markup + "</B>", fg)}</TD></TR>']
    if n.value_text or m.options.show != "grads":
        rows.append(f'<TR><TD>{_font("value", fg)}</TD>'
                    f'<TD>{_font(_lines(n.value_text or " "), vc)}</TD></TR>')
    if n.grad_text or m.options.show in ("grads", "all"):
        rows.append(f'<TR><TD>{_font("grad", fg)}</TD>'
                    f'<TD>{_font(_lines(n.grad_text or " "), gc)}</TD></TR>')
    return (f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" '
            f'BGCOLOR="{fill}" COLOR="{_colors(m.theme, n.emphasis)[0]}">'
            + "".join(rows) + "</TABLE>")


def _edge_label(m: Model, e: EdgeView, values: bool = True) -> str:
    vc, gc = _value_color(m, e.emphasis, e.ghost, "contribution")
    cells = []
    if e.value_text and values:
        cells.append(_font(_lines(e.value_text), vc))
    if e.local_text:
        lc = m.theme.bg if "local" in e.ghost else m.theme.fg
        cells.append(_font("∂ " + _lines(e.local_text), lc, m.options.fontsize * 0.8))
    if e.contribution_text:
        cells.append(_font(_lines(_grad_text(e.contribution_text)), gc,
                           italic=m.options.theme == "print"))
    return _rows(cells) if cells else ""


def model_to_dot(m: Model) -> str:
    """DOT text of a figure model (see :func:`gradviz.figure.layout_model`)."""
    o, t = m.options, m.theme
    out = ["digraph gradviz {",
           f"  graph [rankdir={o.rankdir}, bgcolor={_q(t.bg)}, fontname={_q(o.font)}, "
           f"nodesep=0.35, ranksep=0.5, pad=0.2, forcelabels=true];",
           f"  node [fontname={_q(o.font)}, fontsize={o.fontsize:g}, color={_q(t.edge)}, "
           f"fontcolor={_q(t.fg)}, penwidth=1.2];",
           f"  edge [fontname={_q(o.font)}, fontsize={o.fontsize * 0.85:g}, color={_q(t.edge)}, "
           f"arrowsize=0.7, penwidth=1.2];"]
    table = o.style == "table" and not m.folded
    for n in m.nodes:
        line, _, pen = _colors(t, n.emphasis)
        if m.folded:
            small = [_font(escape(x), t.fg, o.fontsize * 0.8) for x in n.title.split("\n")[1:]]
            label = _rows([_font(f"<B>{n.markup}</B>", t.fg)] + small)
            fill = t.op_fill if n.kind == "group" else t.leaf_fill
            out.append(f'  {n.id} [shape=box, style="rounded,filled", fillcolor={_q(fill)}, '
                       f"color={_q(line)}, penwidth={pen:g}, label=<{label}>];")
        elif n.kind == "op":
            named = not m.graph.is_generated(n.name)
            if table:
                out.append(f"  o{n.id[1:]} [shape=circle, style=filled, fillcolor={_q(t.op_fill)}, "
                           f"color={_q(line)}, penwidth={pen:g}, margin=0.02, "
                           f"label=<{_op_label(m, n, False)}>];")
                out.append(f"  {n.id} [shape=plaintext, margin=0, "
                           f"label=<{_table_label(m, n, t.op_fill)}>];")
                out.append(f"  o{n.id[1:]} -> {n.id} [color={_q(line)}, penwidth={pen:g}];")
            else:
                # where paths meet, the summed gradient stands beside the node
                total = ""
                if n.grad_text and len(m.graph.consumers(n.name)) > 1:
                    gc = _value_color(m, n.emphasis, n.ghost)[1]
                    total = f", xlabel=<{_font(_lines(_grad_text(n.grad_text)), gc)}>"
                out.append(f"  {n.id} [shape=circle, style=filled, fillcolor={_q(t.op_fill)}, "
                           f"color={_q(line)}, penwidth={pen:g}, margin=0.02, "
                           f"label=<{_op_label(m, n, named)}>{total}];")
        elif table:
            out.append(f"  {n.id} [shape=plaintext, margin=0, "
                       f"label=<{_table_label(m, n, t.leaf_fill)}>];")
        else:
            out.append(f"  {n.id} [shape=plaintext, margin=0.05, label=<{_leaf_label(m, n)}>];")
    if m.output is not None and not m.folded:
        n = m.output
        out.append(f"  {n.id} [shape=plaintext, margin=0.05, "
                   f"label=<{_rows([_font('<B>' + n.markup + '</B>', t.fg)])}>];")
    for e in m.edges:
        line, _, pen = _colors(t, e.emphasis)
        dst = f"o{e.dst[1:]}" if table else e.dst
        attrs = [f"color={_q(line)}", f"penwidth={pen:g}"]
        if m.folded:
            if e.count > 1:
                attrs.append(f"label=<{_font(f'×{e.count}', t.fg, o.fontsize * 0.8)}>")
        elif not table or o.edge_labels:
            label = _edge_label(m, e, values=not table)
            if label:
                attrs.append(f"label=<{label}>")
        out.append(f"  {e.src} -> {dst} [{', '.join(attrs)}];")
    if m.output is not None and not m.folded:
        loss_id = next(n.id for n in m.nodes if n.name == m.graph.loss)
        n = m.output
        cells = []
        vc, gc = _value_color(m, n.emphasis, n.ghost)
        if n.value_text:
            cells.append(_font(_lines(n.value_text), vc))
        if n.grad_text:
            cells.append(_font(_grad_text(n.grad_text), gc))
        label = f", label=<{_rows(cells)}>" if cells else ""
        line, _, pen = _colors(t, n.emphasis)
        out.append(f"  {loss_id} -> out [color={_q(line)}, penwidth={pen:g}{label}];")
    out.append("}")
    return "\n".join(out) + "\n"
