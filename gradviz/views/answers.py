"""The answer table a problem asks for, read from the trace.

``#: asks:`` names, in order, a node (its value), ``∇node`` (its gradient) or ``node+`` (the
parameter after one gradient-descent step with the graph's ``#: lr:``, as
:func:`gradviz.sgd_step` takes it).
"""

from __future__ import annotations

import numpy as np

from gradviz.core.errors import GraphError
from gradviz.core.evaluate import Trace
from gradviz.core.graph import Graph
from gradviz.core.names import plain
from gradviz.core.sgd import sgd_step

__all__ = ["asked", "quantity_label", "learning_rate"]


def quantity_label(q: str) -> str:
    """How a person writes an asked quantity: ``∇W1`` → ``∇W₁``, ``w21+`` → ``w₂₁⁺``.

    Examples
    --------
    >>> quantity_label("∇W1"), quantity_label("Yhat"), quantity_label("w21+")
    ('∇W₁', 'Ŷ', 'w₂₁⁺')
    """
    if q.startswith("∇"):
        return "∇" + plain(q[1:])
    if q.endswith("+"):
        return plain(q[:-1]) + "⁺"
    return plain(q)


def learning_rate(graph: Graph) -> float:
    """The graph's ``#: lr:`` (what an asked update ``w+`` uses).

    Examples
    --------
    >>> from gradviz import example
    >>> learning_rate(example("two_layer_relu"))
    0.1
    """
    text = graph.meta.get("lr", "")
    try:
        lr = float(text)
    except ValueError:
        lr = float("nan")
    if not np.isfinite(lr) or lr <= 0:
        raise GraphError(f"an update (`name+` in `#: asks:`) needs `#: lr:` with a positive "
                         f"learning rate, not {text!r}")
    return lr


def asked(trace: Trace) -> list[tuple[str, np.ndarray | None]]:
    """The quantities the problem asks for, in its order, with their numbers.

    A graph without ``#: asks:`` gets its loss, then the gradient of every input and
    param.

    Examples
    --------
    >>> from gradviz import evaluate, example, fmt
    >>> [(q, fmt(v)) for q, v in asked(evaluate(example("xyz")))][:4]
    [('a', '5'), ('b', '20'), ('w', '100'), ('∇x', '170')]
    >>> [(q, fmt(v)) for q, v in asked(evaluate(example("two_layer_relu")))][-1]
    ('w21+', '0.65')
    """
    g = trace.graph
    asks = g.asks or (g.loss, *(f"∇{n}" for n in g.leaves("input", "param")))
    updated = sgd_step(trace, learning_rate(g)) if any(q.endswith("+") for q in asks) else {}
    out = []
    for q in asks:
        if q.startswith("∇"):
            out.append((q, trace.grad(q[1:])))
        elif q.endswith("+"):
            out.append((q, updated[q[:-1]]))
        else:
            out.append((q, trace.value(q)))
    return out
