"""The answer table a problem asks for, read from the trace."""

from __future__ import annotations

import numpy as np

from gradviz.core.evaluate import Trace

__all__ = ["asked", "quantity_label"]


def quantity_label(q: str) -> str:
    """``∇W1`` stays ``∇W1``; ``Yhat`` stays ``Yhat`` (renderers typeset names later)."""
    return q


def asked(trace: Trace) -> list[tuple[str, np.ndarray]]:
    """The quantities the problem asks for, in its order, with their numbers.

    A graph without ``#: asks:`` gets its loss, then the gradient of every input and
    param.

    Examples
    --------
    >>> from gradviz import evaluate, example, fmt
    >>> [(q, fmt(v)) for q, v in asked(evaluate(example("xyz")))][:4]
    [('a', '5'), ('b', '20'), ('w', '100'), ('∇x', '170')]
    """
    g = trace.graph
    asks = g.asks or (g.loss, *(f"∇{n}" for n in g.leaves("input", "param")))
    out = []
    for q in asks:
        if q.startswith("∇"):
            out.append((q, trace.grad(q[1:])))
        else:
            out.append((q, trace.value(q)))
    return out
