"""The vectorized steps of a compiled schedule (:mod:`gradviz.core.schedule`).

A step runs one group of nodes (same level, op, params and operand shapes) as one numpy
call. It reads its operands from the value buffers (one per core shape,
``(slots, batch) + shape``), writes its outputs there, and on the way back writes each
operand's gradient contribution into the gradient buffers: stores where the compiler
found the write to be the first one to its slots, adds otherwise. Three ways to gather
the operands, one class each: :class:`One` (a single node: plain views), :class:`Each`
(one gather per operand position) and :class:`Stacked` (all operands at once, for ops
such as ``affine`` that take them stacked).

Examples
--------
>>> import numpy as np
>>> from gradviz.core.ops import OPS
>>> x, y = Operand(0, (), (), 0), Operand(0, (), (), 1)
>>> step = One(OPS["mul"], {}, ["z"], Operand(0, (), (), 2), [x, y], [0, 1])
>>> vals = [np.array([[3.0], [4.0], [0.0]])]  # buffer 0: slots x, y, z; batch of 1
>>> xs, out = step.forward(vals, 1)
>>> vals[0][2], out
(array([12.]), array([12.]))
>>> grads = [np.array([[0.0], [0.0], [1.0]])]
>>> [c.tolist() for c in step.backward(grads, xs, out, 1)], grads[0][:2].tolist()
([[4.0], [3.0]], [[4.0], [3.0]])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from gradviz.core.arrays import unbroadcast
from gradviz.core.ops import Op

__all__ = ["Operand", "Step", "One", "Each", "Stacked", "write", "Buffers"]

Shape = tuple[int, ...]
Sel = int | slice | np.ndarray
Buffers = list[np.ndarray]


class Operand(NamedTuple):
    """Where one operand position of a step reads its values and writes its gradients."""

    buf: int  # its buffer (one per core shape)
    shape: Shape  # its core shape
    core: Shape  # the shape the op sees: padded to the op's common rank (broadcast ops)
    sel: Sel  # its slots in node order: one slot, a slice of slots, or an index array
    fan_in: bool = False  # a slot repeats in ``sel``: gradients summed with np.add.at
    assign: bool = False  # the backward pass writes these gradient slots first: store


def write(buf: np.ndarray, o: Operand, c: np.ndarray) -> None:
    """Store (first write) or add a gradient contribution into the slots ``o.sel``."""
    if o.fan_in:  # np.add.at is fast on 1-D arrays: index elements, not slots
        row = buf[0].size
        sel = np.asarray(o.sel)
        if row > 1:
            sel = sel[..., None] * row + np.arange(row)
        np.add.at(buf.reshape(-1), sel.reshape(-1), c.reshape(-1))
    elif isinstance(o.sel, np.ndarray):  # an index array: gather, add, scatter
        buf[o.sel] = c + 0.0 if o.assign else buf[o.sel] + c
    elif o.assign:
        np.add(c, 0.0, out=buf[o.sel])  # + 0.0: a gradient is never -0.0
    else:
        view = buf[o.sel]
        view += c


@dataclass
class Step:
    """Nodes of one level with the same op, params and operand shapes, run as one call.

    The outputs fill the consecutive slots ``out.sel`` of their shape's buffer.
    ``forward`` writes them and returns what ``backward`` needs; ``backward`` writes the
    operands' gradient contributions and returns them, one row per operand position in
    ``needed`` (each row indexed by node, except for a step of one node). Three ways to
    gather, one subclass each.
    """

    op: Op
    params: dict[str, float]
    nodes: list[str]
    out: Operand
    operands: list[Operand]
    needed: list[int]  # operand positions that take a gradient
    live: bool = field(default=True, init=False)  # False: the loss depends on none of it
    f: Any = field(init=False, repr=False)
    vjp: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        p = self.params
        self.f = partial(self.op.forward, **p) if p else self.op.forward
        self.vjp = partial(self.op.vjp, **p) if p else self.op.vjp

    def writes(self) -> list[Operand]:
        """The gradient writes of ``backward``, in the order it makes them."""
        return [self.operands[i] for i in self.needed] if self.live else []

    def mark(self, assign: list[bool]) -> None:
        """Record which writes come first to their slots (they store rather than add)."""
        for i, a in zip(self.needed, assign):
            self.operands[i] = self.operands[i]._replace(assign=a)

    def contribution(self, rows: Any, row: int, j: int) -> np.ndarray:
        """Node ``j``'s gradient contribution to its operand of row ``row``."""
        return rows[row][j]

    def forward(self, vals: Buffers, B: int) -> tuple[Any, np.ndarray]:
        raise NotImplementedError

    def backward(self, grads: Buffers, xs: Any, out: np.ndarray, B: int) -> Any:
        raise NotImplementedError


class One(Step):
    """A single node: every operand (``sel`` is its slot) and the output are plain views.

    The most common step when values are vectors and matrices, so it keeps its plan in
    plain tuples: the fewer Python operations per step, the closer to hand-written numpy.
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        self.reads = [(o.buf, o.sel) for o in self.operands]
        self.padded = any(o.core != o.shape for o in self.operands)
        self.mark([o.assign for o in self.writes()])

    def mark(self, assign: list[bool]) -> None:
        super().mark(assign)
        self.targets = [(i, o.buf, o.sel, o.shape, o.assign)
                        for i, o in ((i, self.operands[i]) for i in self.needed)]

    def forward(self, vals: Buffers, B: int) -> tuple[Any, np.ndarray]:
        if self.padded:
            xs = [vals[o.buf][o.sel].reshape((B,) + o.core) for o in self.operands]
        else:
            xs = [vals[b][j] for b, j in self.reads]
        out = self.f(*xs)
        vals[self.out.buf][self.out.sel] = out
        return xs, out

    def backward(self, grads: Buffers, xs: Any, out: np.ndarray, B: int) -> Any:
        gs = self.vjp(grads[self.out.buf][self.out.sel], out, *xs)
        rows = []
        for i, b, j, shape, assign in self.targets:
            c = gs[i]
            if c.shape != (B,) + shape:
                c = unbroadcast(c, (B,) + shape)
            if assign:
                np.add(c, 0.0, out=grads[b][j])  # + 0.0: a gradient is never -0.0
            else:
                v = grads[b][j]
                v += c
            rows.append(c)
        return rows

    def contribution(self, rows: Any, row: int, j: int) -> np.ndarray:
        return rows[row]


class Each(Step):
    """Several nodes, gathered one operand position at a time (``sel`` a slice, a view,
    where the slots are consecutive, else an index array)."""

    def forward(self, vals: Buffers, B: int) -> tuple[Any, np.ndarray]:
        k = len(self.nodes)
        xs = [vals[o.buf][o.sel].reshape((k * B,) + o.core) for o in self.operands]
        out = self.f(*xs)
        vals[self.out.buf][self.out.sel] = out.reshape((k, B) + self.out.shape)
        return xs, out

    def backward(self, grads: Buffers, xs: Any, out: np.ndarray, B: int) -> Any:
        k = len(self.nodes)
        g = grads[self.out.buf][self.out.sel].reshape((k * B,) + self.out.shape)
        gs = self.vjp(g, out, *xs)
        rows = []
        for i in self.needed:
            o = self.operands[i]
            c = unbroadcast(gs[i], (k * B,) + o.shape).reshape((k, B) + o.shape)
            write(grads[o.buf], o, c)
            rows.append(c)
        return rows


@dataclass
class Stacked(Step):
    """Operands all of one shape, gathered at once into ``(operands, nodes · batch) +
    shape`` with the 2-D index ``idx``; an op with a ``stacked`` form (``Op.stacked``)
    takes it whole, others get its rows. The gradients go back in one write, ``to``."""

    idx: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.intp))
    to: Operand = Operand(0, (), (), 0)

    def writes(self) -> list[Operand]:
        return [self.to] if self.needed and self.live else []

    def mark(self, assign: list[bool]) -> None:
        if assign:
            self.to = self.to._replace(assign=assign[0])

    def forward(self, vals: Buffers, B: int) -> tuple[Any, np.ndarray]:
        k, o = len(self.nodes), self.operands[0]
        xs = np.take(vals[o.buf], self.idx, axis=0).reshape((len(self.idx), k * B) + o.shape)
        out = self.op.stacked[0](xs) if self.op.stacked else self.f(*xs)
        vals[self.out.buf][self.out.sel] = out.reshape((k, B) + self.out.shape)
        return xs, out

    def backward(self, grads: Buffers, xs: Any, out: np.ndarray, B: int) -> Any:
        k, s = len(self.nodes), self.to.shape
        g = grads[self.out.buf][self.out.sel].reshape((k * B,) + self.out.shape)
        if self.op.stacked:
            cs = self.op.stacked[1](g, out, xs)
            if len(self.needed) < len(xs):
                cs = cs[self.needed]
        else:
            gs = self.vjp(g, out, *xs)
            cs = np.stack([unbroadcast(gs[i], (k * B,) + s) for i in self.needed])
        cs = cs.reshape((len(self.needed), k, B) + s)
        write(grads[self.to.buf], self.to, cs)
        return cs
