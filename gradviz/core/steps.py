"""The vectorized steps of a compiled schedule (:mod:`gradviz.core.schedule`).

A step runs one group of nodes (same level, op, params and operand shapes) as one numpy
call. It reads its operands from the value buffers (one per core shape,
``(slots, batch) + shape``), writes its outputs there, and on the way back writes each
operand's gradient contribution into the gradient buffers: stores where the compiler
found the write to be the first one to its slots, adds otherwise.

A step finds its views into the buffers once, in :meth:`Step.bind`, which returns its
*plan*; :meth:`Step.forward` and :meth:`Step.backward` then run on the plan (the fewer
Python operations per step, the closer to hand-written numpy). Three ways to gather the
operands, one class each: :class:`One` (a single node: plain views), :class:`Each` (one
gather per operand position) and :class:`Stacked` (all operands at once, for ops such as
``affine`` that take them stacked).

Examples
--------
>>> import numpy as np
>>> from gradviz.core.ops import OPS
>>> x, y = Operand(0, (), (), 0), Operand(0, (), (), 1)
>>> step = One(OPS["mul"], {}, ["z"], Operand(0, (), (), 2), [x, y], [0, 1])
>>> vals = [np.array([[3.0], [4.0], [0.0]])]  # buffer 0: slots x, y, z; batch of 1
>>> grads = [np.array([[0.0], [0.0], [1.0]])]
>>> plan = step.bind(vals, grads, 1)
>>> out = step.forward(plan)
>>> vals[0][2], out
(array([12.]), array([12.]))
>>> [c.tolist() for c in step.backward(plan, out)], grads[0][:2].tolist()
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
    alone: bool = False  # and no other write reaches them: they end as this one leaves them


def write(buf: np.ndarray, o: Operand, c: np.ndarray) -> None:
    """Store (first write) or add a gradient contribution into the slots ``o.sel``.

    Examples
    --------
    >>> buf = np.zeros((3, 1))  # three scalar slots, a batch of one
    >>> write(buf, Operand(0, (), (), np.array([2, 0, 2]), fan_in=True), np.ones((3, 1)))
    >>> buf.ravel().tolist()  # slot 2 took two contributions
    [1.0, 0.0, 2.0]
    >>> write(buf, Operand(0, (), (), 1, assign=True), np.array([5.0]))  # stored
    >>> buf.ravel().tolist()
    [1.0, 5.0, 2.0]
    """
    if o.fan_in:  # np.add.at is fast on 1-D arrays: index elements, not slots
        row = buf[0].size
        sel = np.asarray(o.sel)
        if row > 1:
            sel = sel[..., None] * row + np.arange(row)
        np.add.at(buf.reshape(-1), sel.reshape(-1), c.reshape(-1))
    elif isinstance(o.sel, np.ndarray):  # an index array: gather, add, scatter
        buf[o.sel] = c if o.assign else buf[o.sel] + c
    elif o.assign:
        buf[o.sel] = c
    else:
        view = buf[o.sel]
        view += c


@dataclass
class Step:
    """Nodes of one level with the same op, params and operand shapes, run as one call.

    The outputs fill the consecutive slots ``out.sel`` of their shape's buffer.
    ``forward`` writes them and returns what ``backward`` needs; ``backward`` writes the
    operands' gradient contributions and returns them, one row per operand position in
    ``needed`` (each row indexed by node, except for a step of one node).
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

    def mark(self, assign: list[bool], alone: list[bool]) -> None:
        """Record which writes come first to their slots (they store rather than add),
        and which of those no other write reaches (``Op.into`` may write there)."""
        for i, a, only in zip(self.needed, assign, alone):
            self.operands[i] = self.operands[i]._replace(assign=a, alone=only)

    def contribution(self, rows: Any, row: int, j: int) -> np.ndarray:
        """Node ``j``'s gradient contribution to its operand of row ``row``."""
        return rows[row][j]

    def bind(self, vals: Buffers, grads: Buffers, B: int) -> Any:
        """The step's views into one set of buffers (with batch size ``B``): its plan."""
        raise NotImplementedError

    def compute(self, xs: Any, dst: np.ndarray) -> np.ndarray:
        """The op's value on operands ``xs``, left in the slots ``dst`` (an op that takes
        ``out=`` writes it there itself, ``Op.forward_out``; else it is copied there)."""
        if self.op.forward_out:
            return self.f(*xs, out=dst)
        out = self.f(*xs)
        dst[...] = out
        return out

    def forward(self, plan: Any) -> Any:
        raise NotImplementedError

    def backward(self, plan: Any, saved: Any) -> Any:
        raise NotImplementedError


class One(Step):
    """A single node: every operand (``sel`` is its slot) and the output are plain views.

    The most common step when values are vectors and matrices, so its plan holds the
    views themselves: forward is one call (and a copy, unless the op writes its value into
    the slot itself). An op whose VJP can write into
    given arrays (``Op.into``) gets the gradient slots when its writes are the only ones
    to them: no copy at all (a slot a later write adds to would change the contribution
    the step returns, a view of it).
    """

    def bind(self, vals: Buffers, grads: Buffers, B: int) -> Any:
        xs = [vals[o.buf][o.sel].reshape((B,) + o.core) for o in self.operands]
        targets = [(i, grads[o.buf][o.sel], (B,) + o.shape, o.assign)
                   for i, o in ((i, self.operands[i]) for i in self.needed)]
        into = None
        if self.op.into and all(self.operands[i].alone for i in self.needed):
            slots = {i: dest for i, dest, _, _ in targets}
            into = tuple(slots.get(i) for i in range(len(self.operands)))
        o = self.out
        return xs, vals[o.buf][o.sel], grads[o.buf][o.sel], targets, into

    def forward(self, plan: Any) -> np.ndarray:
        return self.compute(plan[0], plan[1])

    def backward(self, plan: Any, out: np.ndarray) -> list[np.ndarray]:
        xs, _, g, targets, into = plan
        if into is not None:  # the VJP writes the gradients into their slots
            gs = self.vjp(g, out, *xs, into=into)
            return [gs[i] for i in self.needed]
        gs = self.vjp(g, out, *xs)
        rows = []
        for i, dest, full, assign in targets:
            c = gs[i]
            if c.shape != full:
                c = unbroadcast(c, full)
            if assign:
                dest[...] = c
            else:
                dest += c
            rows.append(c)
        return rows

    def contribution(self, rows: Any, row: int, j: int) -> np.ndarray:
        # a new view: a row may be the plan's own view of the gradients (matmul's VJP
        # writes there, identity and add pass g on), which holding would not count as
        # holding the workspace (sys.getrefcount of its flat array)
        return rows[row][...]


class Each(Step):
    """Several nodes, gathered one operand position at a time: a view where the slots
    are consecutive (``sel`` a slice), else a gather by the index array ``sel``."""

    def bind(self, vals: Buffers, grads: Buffers, B: int) -> Any:
        kB, o = len(self.nodes) * B, self.out
        reads = [vals[x.buf][x.sel].reshape((kB,) + x.core) if isinstance(x.sel, slice)
                 else (vals[x.buf], x.sel, (kB,) + x.core) for x in self.operands]
        dst = vals[o.buf][o.sel].reshape((kB,) + o.shape)
        return reads, dst, grads[o.buf][o.sel].reshape((kB,) + o.shape), grads, B

    def forward(self, plan: Any) -> tuple[list[np.ndarray], np.ndarray]:
        reads, dst = plan[0], plan[1]
        xs = [x if isinstance(x, np.ndarray) else x[0][x[1]].reshape(x[2]) for x in reads]
        return xs, self.compute(xs, dst)

    def backward(self, plan: Any, saved: Any) -> list[np.ndarray]:
        _, _, g, grads, B = plan
        (xs, out), k = saved, len(self.nodes)
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

    def mark(self, assign: list[bool], alone: list[bool]) -> None:
        if assign:
            self.to = self.to._replace(assign=assign[0])

    def bind(self, vals: Buffers, grads: Buffers, B: int) -> Any:
        kB, o = len(self.nodes) * B, self.out
        return (vals[self.to.buf], vals[o.buf][o.sel].reshape((kB,) + o.shape),
                grads[o.buf][o.sel].reshape((kB,) + o.shape), grads[self.to.buf], B)

    def forward(self, plan: Any) -> tuple[np.ndarray, np.ndarray]:
        src, dst, _, _, B = plan
        shape = (len(self.idx), len(self.nodes) * B) + self.to.shape
        xs = np.take(src, self.idx, axis=0).reshape(shape)
        if not self.op.stacked:
            return xs, self.compute(xs, dst)
        out = self.op.stacked[0](xs)
        dst[...] = out
        return xs, out

    def backward(self, plan: Any, saved: Any) -> np.ndarray:
        _, _, g, buf, B = plan
        (xs, out), k, s = saved, len(self.nodes), self.to.shape
        if self.op.stacked:
            cs = self.op.stacked[1](g, out, xs)
            if len(self.needed) < len(xs):
                cs = cs[self.needed]
        else:
            gs = self.vjp(g, out, *xs)
            cs = np.stack([unbroadcast(gs[i], (k * B,) + s) for i in self.needed])
        cs = cs.reshape((len(self.needed), k, B) + s)
        write(buf, self.to, cs)
        return cs
