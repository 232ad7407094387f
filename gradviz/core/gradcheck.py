"""Backprop checked against float64 central differences, every leaf at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from gradviz.core.errors import EvalError
from gradviz.core.evaluate import evaluate
from gradviz.core.graph import GRAD_KINDS, Graph
from gradviz.core.limits import limit
from gradviz.core.schedule import compile_graph

__all__ = ["gradcheck", "GradCheck"]


@dataclass(frozen=True)
class GradCheck:
    """Analytic against central-difference gradients, per leaf that takes a gradient.

    Examples
    --------
    >>> from gradviz import example
    >>> check = gradcheck(example("xyz"))
    >>> float(check.analytic["x"]), round(float(check.numeric["x"]), 6), check.ok
    (170.0, 170.0, True)
    """

    analytic: dict[str, np.ndarray]
    numeric: dict[str, np.ndarray]
    max_error: float
    tolerance: float

    @property
    def ok(self) -> bool:
        """Whether the largest error is within the tolerance.

        Examples
        --------
        >>> GradCheck({}, {}, 1e-9, 1e-6).ok
        True
        """
        return self.max_error <= self.tolerance


def gradcheck(graph: Graph, values: Mapping[str, Any] | None = None, /, *,
              eps: float = 1e-6, tol: float = 1e-6, **overrides: Any) -> GradCheck:
    """Compare backprop with float64 central differences at every input and param.

    The ``2 · (number of elements)`` perturbed graphs are evaluated in batched passes,
    as many variants at once as the ``max_elements`` limit allows. The error is
    ``|analytic − numeric| / max(1, |numeric|)``. Do not use it at kinks (relu at 0, max
    ties): there the one-sided slopes differ by design.

    Parameters
    ----------
    graph : Graph
    values : mapping, optional
        Leaf values instead of the defaults (same as keyword overrides).
    eps : float
        The step of the central differences.
    tol : float
        The largest error that passes (:attr:`GradCheck.ok`).
    **overrides
        Leaf values by name.

    Returns
    -------
    GradCheck
        Both gradients per leaf, and the largest error.

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
    sizes = [int(np.size(trace.value(n))) for n in leaves]
    offsets = np.cumsum([0] + sizes)
    variants = 2 * int(offsets[-1])
    sched = compile_graph(graph)
    numbers = max(sched.layout.size, sched.largest[0], 1)  # per variant
    chunk = max(2, limit("max_elements") // numbers // 2 * 2)
    fx = np.empty(variants)
    for start in range(0, variants, chunk):
        rows = np.arange(start, min(start + chunk, variants))
        batched = {n: _perturbed(trace.value(n), rows, int(offsets[k]), eps)
                   for k, n in enumerate(leaves)}
        fx[rows] = evaluate(graph, {**base, **batched}, check_finite=False).value(graph.loss)
    num = (fx[0::2] - fx[1::2]) / (2 * eps)
    analytic, numeric, err = {}, {}, 0.0
    for n, size, pos in zip(leaves, sizes, offsets.tolist()):
        a = np.asarray(trace.grad(n))
        m = num[pos:pos + size].reshape(a.shape)
        analytic[n], numeric[n] = a, m
        if size:
            err = max(err, float(np.max(np.abs(a - m) / np.maximum(1.0, np.abs(m)))))
    return GradCheck(analytic, numeric, err, tol)


def _perturbed(value: np.ndarray, rows: np.ndarray, offset: int, eps: float) -> np.ndarray:
    """A leaf's value in the variants ``rows``: variant 2k moves element k (counted over
    all leaves, this one's first at ``offset``) up by ``eps``, variant 2k + 1 down."""
    v = np.asarray(value, dtype=np.float64)
    arr = np.broadcast_to(v, (len(rows),) + v.shape).copy()
    flat = arr.reshape(len(rows), -1)
    k = rows // 2 - offset
    mine = (k >= 0) & (k < flat.shape[1])
    flat[np.flatnonzero(mine), k[mine]] += np.where(rows[mine] % 2 == 0, eps, -eps)
    return arr
