"""The canonical JSON spec of a figure: what a course repository snapshot-tests.

Stable key order, synthetic ids, full-precision numbers (``canonical``) beside the label
text (``fmt``), so the same graph and options give byte-identical JSON on every run.
"""

from __future__ import annotations

import json

from gradviz.core.format import canonical
from gradviz.views.figure import Model, Options, layout_model

__all__ = ["to_spec", "to_json", "model_to_spec"]

SPEC_VERSION = 1


def _num(v):
    return None if v is None else canonical(v)


def model_to_spec(m: Model) -> dict:
    o = m.options
    return {
        "gradviz_spec": SPEC_VERSION,
        "graph": {"name": m.graph.name, "title": m.graph.title, "loss": m.graph.loss,
                  "folded": m.folded, "notes": list(m.notes)},
        "options": {"show": o.show, "style": o.style, "theme": o.theme, "rankdir": o.rankdir,
                    "highlight": o.highlight, "edge_labels": o.edge_labels,
                    "digits": o.digits},
        "nodes": [{"id": n.id, "name": n.name, "kind": n.kind, "op": n.op, "symbol": n.symbol,
                   "label": n.title, "shape": list(n.shape), "count": n.count,
                   "value": _num(n.value), "grad": _num(n.grad), "value_text": n.value_text,
                   "grad_text": n.grad_text, "emphasis": n.emphasis} for n in m.nodes],
        "edges": [{"id": e.id, "src": e.src, "dst": e.dst, "arg": e.arg, "count": e.count,
                   "value": _num(e.value), "contribution": _num(e.contribution),
                   "local": _num(e.local), "value_text": e.value_text,
                   "contribution_text": e.contribution_text, "local_text": e.local_text,
                   "emphasis": e.emphasis} for e in m.edges],
    }


def to_spec(obj, options: Options | None = None, state=None, **kw) -> dict:
    """The figure spec as a dict (see :func:`to_json`)."""
    return model_to_spec(layout_model(obj, options or Options(**kw), state))


def to_json(obj, options: Options | None = None, state=None, **kw) -> str:
    """The figure spec as canonical JSON text.

    Examples
    --------
    >>> from gradviz import evaluate, example
    >>> text = to_json(evaluate(example("xyz")), show="values")
    >>> text == to_json(evaluate(example("xyz")), show="values"), text[:20]
    (True, '{\\n "gradviz_spec": 1')
    """
    return json.dumps(to_spec(obj, options, state, **kw), ensure_ascii=False, indent=1) + "\n"
