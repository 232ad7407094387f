"""Error carried forward: every cell recomputed from the student's own earlier numbers.

Exam markers grade each step against the student's own upstream numbers. :class:`Carry`
builds that student's graph once (:mod:`gradviz.teaching.surgery`: forward cells keep the
student's values, gradient cells pass the student's gradients on) and evaluates it with
the core, so for every cell it knows what the student *should* have written given what
they wrote before: nested consumers are counted once, fan-out sums over every consumer,
and nodes the problem does not ask about (the mlp's stacked ``X``) get their values from
the student's cells where the graph derives them from those cells, else the true ones.

It also bounds the rounding a student who rounds as they go can carry (rule 5 of
:mod:`gradviz.teaching.precision`: :meth:`Carry.allowance`), and finds which wrong cells a
cell's recomputed value depends on (:meth:`Carry.influence`).

Examples
--------
>>> from gradviz import evaluate, example
>>> t = evaluate(example("interesting"))
>>> c = Carry(t, values={"Yhat": 0.3775}, grads={"H4": -0.6225})
>>> round(float(c.read("L")), 4), round(float(c.read("∇H2")), 4)  # −ln 0.3775; 2·0.6225
(0.9742, 1.245)
>>> c.chain("X1").frontier, c.chain("X1").through
(['H4'], ['H1', 'H2', 'H3', 'H5', 'Yhat', 'L'])
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from gradviz.core.evaluate import Trace, evaluate
from gradviz.teaching.precision import rounding_error
from gradviz.teaching.surgery import Built, Plan, build

__all__ = ["Carry", "Chain", "MAX_ALLOWANCE_NODES"]

MAX_ALLOWANCE_NODES = 400  # named nodes: beyond, no carried-rounding allowance is given
MAX_BATCH = 2_000_000  # graph nodes × variants evaluated in one call


@dataclass(frozen=True)
class Chain:
    """The chain rule from node ``u`` back to the student's nearest gradient cells.

    ``hops`` are the named edges ``(a, b)`` the gradient of ``u`` is made of, ``through``
    the named nodes on the way whose gradients are not on the sheet (derived), and
    ``frontier`` the gradient cells where it starts from the student's numbers.
    """

    u: str
    hops: list[tuple[str, str]]
    through: list[str]
    frontier: list[str]


class Carry:
    """The student's graph: the true trace with the student's cells put in (see above)."""

    def __init__(self, trace: Trace, values: Mapping[str, Any], grads: Mapping[str, Any]
                 ) -> None:
        g = trace.graph
        self.trace = trace
        self.values = {v: np.asarray(x, dtype=float) for v, x in values.items()
                       if v in g and not g.is_leaf(v)}
        self.grads = {u: np.asarray(x, dtype=float) for u, x in grads.items()
                      if u in g and u != g.loss and trace.requires_grad(u)}
        self.plan = Plan(values=self.values, grads=self.grads)
        self.env = self._env(self.values)
        self.built, self.t = self._run(self.plan, self.env)
        self._allow: dict[tuple[str, int], np.ndarray] = {}
        self.evaluations = 2

    def _env(self, values: Mapping[str, Any]) -> Trace:
        """Forward values with the student's value cells in (nothing uses the loss's)."""
        if not any(self.trace.graph.consumers(v) for v in values):
            return self.trace
        b = build(self.trace, Plan(values=values))
        return evaluate(b.graph, check_finite=False)

    def _run(self, plan: Plan, env: Trace) -> tuple[Built, Trace]:
        b = build(self.trace, plan, env)
        return b, evaluate(b.graph, check_finite=False)

    # ------------------------------------------------------------------- read-outs
    def read(self, quantity: str) -> np.ndarray:
        """What the cell should hold given the student's other cells."""
        return self.built.read(self.t, quantity)

    def true(self, quantity: str) -> np.ndarray:
        """The true value of a quantity."""
        t = self.trace
        return np.asarray(t.grad(quantity[1:]) if quantity.startswith("∇")
                          else t.value(quantity))

    def grad(self, node: str) -> np.ndarray:
        """The gradient the student's graph gives a node (theirs, or derived from theirs)."""
        g = self.t.grad(node)
        return np.zeros(np.shape(self.t.value(node))) if g is None else np.asarray(g)

    def value(self, node: str) -> np.ndarray:
        """The value the student's graph gives a node (theirs, or from their values)."""
        return np.asarray(self.env.value(node))

    def variant(self, quantity: str, **changes: Any) -> np.ndarray:
        """``quantity`` in the student's graph changed by a :class:`Plan` (``ops``,
        ``negate``, ...), evaluated once."""
        plan = dataclasses.replace(self.plan, **changes)
        built, t = self._run(plan, self.env)
        self.evaluations += 1
        return built.read(t, quantity)

    def variants(self, quantity: str, settings: list[dict], **changes: Any) -> np.ndarray:
        """``quantity`` in each of many mistake models at once: the student's graph with
        the :class:`Plan` fields ``changes`` (gates, switches...), evaluated in one batch
        with one leaf setting per row (see :mod:`gradviz.teaching.surgery`)."""
        if not settings:
            return np.zeros((0,) + np.shape(self.true(quantity)))
        built = build(self.trace, dataclasses.replace(self.plan, **changes), self.env)
        rows = max(1, MAX_BATCH // max(1, len(built.graph)))  # bounded memory per call
        parts = []
        for i in range(0, len(settings), rows):
            parts.append(built.read(built.evaluate(settings[i:i + rows]), quantity))
            self.evaluations += 1
        return np.concatenate(parts)

    # -------------------------------------------------------------------- structure
    def chain(self, u: str) -> Chain:
        """The hops from ``u`` to the student's nearest gradient cells (or the loss)."""
        g = self.trace.graph
        hops, through, frontier = [], [], []
        seen, todo = {u}, [u]
        while todo:
            a = todo.pop(0)
            for b in g.named_consumers(a):
                hops.append((a, b))
                if b in seen:
                    continue
                seen.add(b)
                if b in self.grads:
                    frontier.append(b)
                else:
                    through.append(b)
                    todo.append(b)
        rank = g.rank
        return Chain(u, hops, sorted(through, key=rank.__getitem__),
                     sorted(frontier, key=rank.__getitem__))

    def sources(self, node: str) -> list[str]:
        """The gradient cells an unasked node's gradient is derived from (none: true)."""
        return self.chain(node).frontier

    # ----------------------------------------------------------------- dependence
    def influence(self, wrong: list[str], cells: list[str]) -> dict[str, list[str]]:
        """For each cell, the wrong cells its recomputed value changes with."""
        out: dict[str, list[str]] = {q: [] for q in cells}
        grads = [w for w in wrong if w.startswith("∇") and w[1:] in self.grads]
        rows: list[tuple[str, Built, Trace, int]] = []
        if grads and cells:  # gradient cells: their weights, all in one batch
            t = self.built.evaluate([{("weight", w[1:]): self.true(w)} for w in grads])
            rows += [(w, self.built, t, i) for i, w in enumerate(grads)]
        for w in (w for w in wrong if w in self.values and cells):
            values = {**self.values, w: self.true(w)}  # local derivatives move with it
            built, t = self._run(dataclasses.replace(self.plan, values=values),
                                 self._env(values))
            rows.append((w, built, t, -1))
        self.evaluations += len(rows) > 0
        for q in cells:
            base = self.read(q)
            for w, built, t, i in rows:
                row = built.read(t, q)
                if w != q and not _same(row[i] if i >= 0 else row, base):
                    out[q].append(w)
        return out

    # -------------------------------------------------------------------- rounding
    def allowance(self, quantity: str, k: int) -> np.ndarray:
        """How far rounding the numbers this cell is computed from (the student's earlier
        cells, the local derivatives, the numbers not on the sheet) to ``k`` significant
        digits can move it from its recomputed value."""
        g = self.trace.graph
        zero = np.zeros(np.shape(self.true(quantity)))
        if len(g.named()) > MAX_ALLOWANCE_NODES:
            return zero
        node = quantity.lstrip("∇")
        try:
            a = self._grad_allow(node, k) if quantity.startswith("∇") else \
                self._value_allow(node, k)
        except (ValueError, TypeError):
            return zero
        return np.where(np.isfinite(a), a, 0.0)

    def _grad_allow(self, u: str, k: int) -> np.ndarray:
        key = ("∇" + u, k)
        if key in self._allow:
            return self._allow[key]
        g, t = self.trace.graph, self.trace
        total = np.zeros(np.shape(t.value(u)))
        for v in g.named_consumers(u):
            jac = t.local_through(v, u)
            if jac is None or not t.requires_grad(v):
                continue
            gv = self.grad(v)
            dv = rounding_error(gv, k) + (0.0 if v in self.grads or v == g.loss else
                                          self._grad_allow(v, k))
            axes = np.ndim(gv)
            total = total + np.tensordot(np.abs(gv), rounding_error(jac, k), axes=axes) + \
                np.tensordot(np.broadcast_to(dv, np.shape(gv)), np.abs(jac), axes=axes)
        self._allow[key] = total
        return total

    def _value_allow(self, v: str, k: int) -> np.ndarray:
        key = (v, k)
        if key in self._allow:
            return self._allow[key]
        g, t = self.trace.graph, self.trace
        total = np.zeros(np.shape(t.value(v)))
        inner = set(g.expression(v))
        outside = {u for w in inner for u in g.inputs(w)} - inner
        for i in sorted(outside, key=g.rank.__getitem__):
            if g.is_leaf(i):
                continue
            jac = t.local_through(v, i)
            if jac is None:
                continue
            di = rounding_error(self.value(i), k) + (0.0 if i in self.values else
                                                     self._value_allow(i, k))
            total = total + np.tensordot(np.abs(jac), np.broadcast_to(di, np.shape(t.value(i))),
                                         axes=np.ndim(t.value(i)))
        self._allow[key] = total
        return total


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all((np.abs(a - b) <= 1e-9 * np.maximum(
        np.abs(a), np.abs(b)) + 1e-12) | (np.isnan(a) & np.isnan(b))))
