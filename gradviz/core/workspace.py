"""Where a pass of the compiled schedule keeps its numbers, and how it reuses them.

Values and gradients live in one buffer per core shape, ``(slots, batch) + shape``
(:class:`Layout`). The buffers that hold computed values, and those of leaves a caller
overrides, are views of one flat array of values, so that one check finds any inf or nan;
the other buffers (shapes that only leaves have: weight matrices, mostly) are the leaves'
defaults, shared and read-only. All gradients are views of one flat array.

A :class:`Workspace` is those arrays for one batch size, with every step's views into
them found once (its *plan*, :meth:`~gradviz.core.steps.Step.bind`). Making one costs
about as much as running a small graph, so the schedule keeps the last one and reuses it
for the next pass of the same batch size and overrides, once nothing of the previous pass
is held any more: no Trace, and no array taken from one (each view of these arrays holds
a reference to its flat array, which ``sys.getrefcount`` counts).

Examples
--------
>>> from gradviz import evaluate, example
>>> g = example("xyz")
>>> t = evaluate(g)
>>> evaluate(g)._run.workspace is t._run.workspace  # t holds its arrays: a new one
False
>>> del t
>>> reused = id(evaluate(g)._run.workspace)  # nothing is held any more: reused
>>> id(evaluate(g)._run.workspace) == reused
True
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from gradviz.core.steps import Buffers, Step

__all__ = ["Buffer", "Layout", "Workspace"]

Shape = tuple[int, ...]


class Buffer(NamedTuple):
    """One core shape's buffer: ``slots`` nodes, its first ``leaves`` slots the leaves."""

    shape: Shape
    start: int  # where it begins in a pass's flat array, in elements per variant
    stop: int
    slots: int
    leaves: int
    pooled: bool  # it holds computed values (a view of the flat array of values)


@dataclass
class Layout:
    """The buffers of a schedule, its leaves' defaults, and what a pass zeroes first."""

    buffers: list[Buffer]
    defaults: list[np.ndarray]  # per buffer: its leaves' values, (leaves, 1) + shape
    loss: tuple[int, int]  # the loss's slot, set to 1 before the backward pass
    zero: list[tuple[int, int]] | None = None  # gradient spans zeroed first (None: all)
    computed: tuple[int, int] = field(init=False)  # a span holding every computed value

    def __post_init__(self) -> None:
        pooled = [b for b in self.buffers if b.pooled]
        self.computed = (min((b.start + b.leaves * math.prod(b.shape) for b in pooled),
                             default=0), pooled[-1].stop if pooled else 0)

    @property
    def size(self) -> int:
        """Numbers per variant in all buffers (the gradients of a pass).

        Examples
        --------
        >>> Layout([Buffer((), 0, 3, 3, 2, True), Buffer((2,), 3, 7, 2, 0, True)], [], (0, 2)).size
        7
        """
        return self.buffers[-1].stop if self.buffers else 0


class Workspace:
    """The arrays of passes with ``B`` variants whose leaf-only buffers ``private`` are
    overridden, and each step's plan into them.

    Examples
    --------
    >>> from gradviz import example
    >>> from gradviz.core.schedule import compile_graph
    >>> sched = compile_graph(example("xyz"))
    >>> ws = Workspace(sched.layout, sched.steps, 2, frozenset())
    >>> ws.reset([(*sched.slot["x"], [1.0, 2.0])])
    >>> ws.free()
    True
    >>> x = ws.vals[sched.slot["x"][0]][sched.slot["x"][1]]  # a view held outside
    >>> x, ws.free()
    (array([1., 2.]), False)
    """

    def __init__(self, layout: Layout, steps: list[Step], B: int,
                 private: frozenset[int]) -> None:
        self.layout, self.key = layout, (B, private)
        spans, size = {}, layout.computed[1]
        for i in sorted(private):  # overridden leaf-only buffers: after the pooled ones
            b = layout.buffers[i]
            spans[i], size = (size, size + b.stop - b.start), size + b.stop - b.start
        self.flat_vals = np.empty(size * B)
        self.computed = self.flat_vals[layout.computed[0] * B:layout.computed[1] * B]
        self.vals: Buffers = []
        for i, (b, d) in enumerate(zip(layout.buffers, layout.defaults)):
            if b.pooled or i in spans:
                a, z = (b.start, b.stop) if b.pooled else spans[i]
                self.vals.append(self.flat_vals[a * B:z * B].reshape((b.slots, B) + b.shape))
            else:
                self.vals.append(d if B == 1 else np.broadcast_to(d, (b.slots, B) + b.shape))
        self.flat_grads = np.empty(layout.size * B)
        self.grads: Buffers = [self.flat_grads[b.start * B:b.stop * B].reshape(
            (b.slots, B) + b.shape) for b in layout.buffers]
        self.plans: list[Any] = [st.bind(self.vals, self.grads, B) for st in steps]
        zero = [(0, layout.size)] if layout.zero is None else layout.zero
        self.zeros = [self.flat_grads[a * B:z * B] for a, z in zero]  # zeroed each pass
        i, j = layout.loss
        self.one = self.grads[i][j]  # the loss's gradient: 1
        self.refs = self._refs()
        self.dirty = {i for i, b in enumerate(layout.buffers) if b.pooled or i in private}

    def _refs(self) -> tuple[int, int]:
        return sys.getrefcount(self.flat_vals), sys.getrefcount(self.flat_grads)

    def free(self) -> bool:
        """Whether no array of an earlier pass is held outside this workspace."""
        return self._refs() == self.refs

    def reset(self, leaves: list[tuple[int, int, np.ndarray]]) -> None:
        """Ready a pass: leaf values (their defaults where the last pass set others, then
        the given ``(buffer, slot, value)``), zeros where gradients are added before
        anything is stored, and the loss's 1."""
        layout = self.layout
        for i in self.dirty:
            if layout.buffers[i].leaves:
                self.vals[i][:layout.buffers[i].leaves] = layout.defaults[i]
        self.dirty = {i for i, _, _ in leaves}
        for i, j, value in leaves:
            self.vals[i][j] = value
        for span in self.zeros:
            span.fill(0.0)
        self.one.fill(1.0)
