"""The canonical JSON spec of a figure: what a course repository snapshot-tests.

Stable key order, synthetic ids, full-precision numbers (``canonical``) beside the label
text people read (``*_text``: the figure's one number of decimals and the minus sign
U+2212, exactly as drawn). ``drawn`` says where each quantity is drawn: a node's value and
gradient on the ``node`` or on its output ``wire``; on an edge, the ``contribution`` of a
branch and the ``local`` derivative. The same graph and options give byte-identical JSON
on every run.
"""

from __future__ import annotations

import json
from typing import Any

from gradviz.core.evaluate import Trace
from gradviz.core.format import canonical
from gradviz.core.graph import Graph
from gradviz.views.dot import figure_model
from gradviz.views.model import Model, Options
from gradviz.views.story import State

__all__ = ["to_spec", "to_json", "model_to_spec", "SPEC_VERSION"]

SPEC_VERSION = 2


def _num(v):
    return None if v is None else canonical(v)


def _options(m: Model) -> dict:
    o = m.options
    return {"show": o.show, "style": o.style, "theme": o.theme, "rankdir": o.rankdir,
            "highlight": o.highlight, "edge_labels": o.edge_labels, "digits": o.digits,
            "decimals": m.decimals, "fold": o.fold, "fit": o.fit, "leaves": o.leaves}


def model_to_spec(m: Model) -> dict:
    """The spec of a figure model, as a dict ready for ``json.dumps``."""
    return {
        "gradviz_spec": SPEC_VERSION,
        "graph": {"name": m.graph.name, "title": m.graph.title, "loss": m.graph.loss,
                  "folded": m.folded, "notes": list(m.notes)},
        "options": _options(m),
        "nodes": [{"id": n.id, "name": n.name, "kind": n.kind, "op": n.op, "symbol": n.symbol,
                   "label": n.title, "shape": list(n.shape), "count": n.count,
                   "value": _num(n.value), "grad": _num(n.grad), "value_text": n.value_text,
                   "grad_text": n.grad_text, "drawn": n.drawn, "emphasis": n.emphasis}
                  for n in m.nodes],
        "edges": [{"id": e.id, "src": e.src, "dst": e.dst, "arg": e.arg, "count": e.count,
                   "contribution": _num(e.contribution), "local": _num(e.local),
                   "contribution_text": e.contribution_text, "local_text": e.local_text,
                   "drawn": sorted(e.drawn), "emphasis": e.emphasis} for e in m.edges],
    }


def to_spec(obj: Trace | Graph, options: Options | None = None, state: State | None = None,
            **kw: Any) -> dict:
    """The figure spec as a dict (see :func:`to_json`)."""
    return model_to_spec(figure_model(obj, options or Options(**kw), state))


def to_json(obj: Trace | Graph, options: Options | None = None, state: State | None = None,
            **kw: Any) -> str:
    """The figure spec as canonical JSON text.

    Examples
    --------
    >>> from gradviz import evaluate, example
    >>> text = to_json(evaluate(example("xyz")), show="values")
    >>> text == to_json(evaluate(example("xyz")), show="values"), text[:20]
    (True, '{\\n "gradviz_spec": 2')
    """
    return json.dumps(to_spec(obj, options, state, **kw), ensure_ascii=False, indent=1) + "\n"
