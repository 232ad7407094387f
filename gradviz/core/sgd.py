"""One step of gradient descent, read from a trace."""

from __future__ import annotations

import numpy as np

from gradviz.core.evaluate import Trace

__all__ = ["sgd_step", "descend"]


def descend(value: np.ndarray, grad: np.ndarray, lr: float) -> np.ndarray:
    """The update rule itself: ``value − lr · grad`` (what :func:`sgd_step` applies to every
    param, and what the checker applies to a student's own gradient).

    Examples
    --------
    >>> float(descend(np.float64(0.5), np.float64(-1.5), 0.1))
    0.65
    """
    return np.asarray(value) - lr * np.asarray(grad)


def sgd_step(trace: Trace, lr: float) -> dict[str, np.ndarray]:
    """One gradient-descent step: ``param − lr · grad`` for every param of the graph.

    Parameters
    ----------
    trace : Trace
        An evaluated graph (one variant, or a batch: then one step per variant).
    lr : float
        The learning rate.

    Returns
    -------
    dict of ndarray
        The new value of every param, by name; the trace is left as it is.

    Examples
    --------
    >>> from gradviz import evaluate, example
    >>> new = sgd_step(evaluate(example("two_layer_relu")), lr=0.1)
    >>> round(float(new["w21"]), 10)
    0.65
    """
    new = {}
    for n in trace.graph.leaves("param"):
        grad = trace.grad(n)
        assert grad is not None  # params always take a gradient
        new[n] = descend(trace.value(n), grad, lr)
    return new
