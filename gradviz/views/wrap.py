"""Wrapping a long figure into rows (left to right) or columns (top to bottom).

A deep graph drawn left to right is a strip: a chain of twelve ``tanh`` is twelve nodes
wide and one high. :func:`bands` cuts the drawing's levels into ``Options.bands``
consecutive bands of about equal depth; ``dot.py`` draws each band as an invisible
cluster, stacks them in order, and replaces every wire that crosses from one band to a
later one by a pair of tags naming the value it carries (``h₆ ▸`` where the band ends,
``▸ h₆`` where the next one picks it up), as a diagram continued on the next line.
"""

from __future__ import annotations

from gradviz.views.model import Model

__all__ = ["bands", "levels"]


def levels(m: Model) -> dict[str, int]:
    """The depth of every drawn node: computed nodes by longest path from the leaves,
    leaves one before their first consumer (where Graphviz puts them)."""
    ins: dict[str, list[str]] = {}
    outs: dict[str, list[str]] = {}
    for e in m.edges:
        ins.setdefault(e.dst, []).append(e.src)
        outs.setdefault(e.src, []).append(e.dst)
    leaf = {n.id for n in m.nodes if not ins.get(n.id)}
    level: dict[str, int] = {}
    for n in m.nodes:  # the model's nodes come in topological order
        if n.id not in leaf:
            level[n.id] = 1 + max(level.get(u, 0) for u in ins[n.id])
    for n in m.nodes:
        if n.id in leaf:
            level[n.id] = max(0, min((level[v] for v in outs.get(n.id, [])), default=1) - 1)
    return level


def bands(m: Model) -> dict[str, int]:
    """The band (0, 1, …) of every drawn node.

    Examples
    --------
    >>> from gradviz import evaluate, example
    >>> from gradviz.views.figure import layout_model
    >>> from gradviz.views.model import Options
    >>> m = layout_model(evaluate(example("xyz")), Options(bands=2))
    >>> sorted(set(bands(m).values()))
    [0, 1]
    """
    level = levels(m)
    depth = max(level.values(), default=0) + 1
    k = max(1, min(m.options.bands, depth))
    band = {n: lv * k // depth for n, lv in level.items()}
    consumers: dict[str, list[str]] = {}
    fed = {e.dst for e in m.edges}
    for e in m.edges:
        consumers.setdefault(e.src, []).append(e.dst)
    for n, vs in consumers.items():  # a leaf goes with its first consumer: no tags for it
        if n not in fed:
            band[n] = min(band[v] for v in vs)
    return band
