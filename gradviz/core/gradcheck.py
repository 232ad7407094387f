"""Backprop checked against float64 central differences, every leaf at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from gradviz.core.errors import EvalError
from gradviz.core.evaluate import evaluate
from gradviz.core.graph import GRAD_KINDS, Graph

__all__ = ["gradcheck", "GradCheck"]

@dataclass(frozen=True)
class GradCheck:
    """Analytic against central-difference gradients, per leaf that takes a gradient."""

    analytic: dict[str, np.ndarray]
    numeric: dict[str, np.ndarray]
    max_error: float
    tolerance: float

    @property
    def ok(self) -> bool:
        return self.max_error <= self.tolerance


def gradcheck(graph: Graph, values: Mapping[str, Any] | None = None, /, *,
              eps: float = 1e-6, tol: float = 1e-6, **overrides: Any) -> GradCheck:
    """Compare backprop with float64 central differences at every input and param.

    All ``2 · (number of elements)`` perturbed graphs are evaluated in one batched pass.
    The error is ``|analytic − numeric| / max(1, |numeric|)``. Do not use it at kinks
    (relu at 0, max ties): there the one-sided slopes differ by design.

    Examples
    --------
    >>> from gradviz import example
    >>> gradcheck(example("interesting")).ok
    True
    """
    base = {**(values or {}), **overrides}
    trace = evaluate(graph, base)
    if trace.batch is not None:
        raise EvalError("gradcheck takes one variant, not a batch")
    leaves = graph.leaves(*GRAD_KINDS)
    sizes = [max(np.size(trace.value(n)), 1) for n in leaves]
    total = sum(sizes)
    batched = {}
    pos = 0
    for n, size in zip(leaves, sizes):
        v = np.asarray(trace.value(n), dtype=np.float64)
        arr = np.broadcast_to(v, (2 * total,) + v.shape).copy()
        flat = arr.reshape(2 * total, -1)
        for j in range(size):
            flat[2 * (pos + j), j] += eps
            flat[2 * (pos + j) + 1, j] -= eps
        batched[n] = arr
        pos += size
    fx = evaluate(graph, {**base, **batched}, check_finite=False).value(graph.loss)
    num = (fx[0::2] - fx[1::2]) / (2 * eps)
    analytic, numeric, err, pos = {}, {}, 0.0, 0
    for n, size in zip(leaves, sizes):
        a = np.asarray(trace.grad(n))
        m = num[pos:pos + size].reshape(a.shape)
        analytic[n], numeric[n] = a, m
        if size:
            err = max(err, float(np.max(np.abs(a - m) / np.maximum(1.0, np.abs(m)))))
        pos += size
    return GradCheck(analytic, numeric, err, tol)
