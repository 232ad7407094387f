"""Forward and reverse-mode evaluation in float64: the reference evaluator, the Trace, and
:func:`evaluate`.

Read :func:`reference` first: forward in topological order, backward in reverse order,
gradients un-broadcast once and summed in one place. :func:`evaluate` computes the same
numbers with a schedule compiled once per graph (:mod:`gradviz.core.schedule`: nodes
grouped into vectorized numpy calls) and returns a :class:`Trace`, which the views read:
values, gradients, and each edge's piece of the chain rule. The property tests hold the
two evaluators equal on random graphs, every example and a large MLP.

Non-finite policy: evaluation runs with numpy warnings off; afterwards any inf or nan in a
value or in a gradient stops evaluation with an :class:`~gradviz.EvalError` that names the
node, its line and its op (pass ``check_finite=False`` to get the raw numbers, e.g. to
screen batches of problem variants).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from gradviz.core.arrays import pad, unbroadcast
from gradviz.core.errors import GradvizError
from gradviz.core.graph import Graph
from gradviz.core.limits import LIMITS
from gradviz.core.schedule import Pass, compile_graph
from gradviz.core.shapes import check_batch, leaf_overrides

__all__ = ["reference", "evaluate", "Trace", "Edge"]

Arrays = dict[str, np.ndarray]


def reference(graph: Graph, values: Mapping[str, Any] | None = None) -> tuple[Arrays, Arrays]:
    """Forward in topological order, backward in reverse: the evaluator to read first.

    Parameters
    ----------
    graph : Graph
    values : mapping, optional
        Leaf values instead of the defaults; one more leading axis makes a batch.

    Returns
    -------
    values, grads : dict of ndarray
        By node, batch axis first; no gradient where the loss does not depend on a node.

    Examples
    --------
    >>> from gradviz import example
    >>> val, grad = reference(example("xyz"))
    >>> float(val["w"][0]), float(grad["x"][0])
    (100.0, 170.0)
    """
    given = {n: np.asarray(v, dtype=np.float64) + 0.0 for n, v in (values or {}).items()}
    B = max([len(v) for n, v in given.items() if v.ndim > graph.default(n).ndim], default=1)
    val: Arrays = {}
    grad = {graph.loss: np.ones(B)}
    with np.errstate(all="ignore"):
        for n in graph.order:  # forward: operands before the nodes that use them
            op, ins = graph.op_of(n), graph.inputs(n)
            if op is None:  # a leaf: the same in every variant, unless given per variant
                val[n] = np.broadcast_to(given.get(n, d := graph.default(n)), (B,) + d.shape)
            else:
                val[n] = op.forward(*pad([val[u] for u in ins], op), **graph.params(n))
        for n in reversed(graph.order):  # backward: users before their operands
            op, ins = graph.op_of(n), graph.inputs(n)
            if op is None or n not in grad: continue
            gs = op.vjp(grad[n], val[n], *pad([val[u] for u in ins], op), **graph.params(n))
            for u, g in zip(ins, gs):
                g = unbroadcast(g, val[u].shape)  # summed back to the operand's shape
                grad[u] = grad[u] + g if u in grad else g  # the one accumulation
    return val, grad


@dataclass(frozen=True)
class Edge:
    """One edge of the evaluated graph, with its piece of the chain rule.

    ``contribution = upstream · local``: what this edge adds to ``grad(src)``. For vector
    ops ``local`` is the Jacobian ∂dst/∂src with shape ``dst.shape + src.shape``. Edges
    from leaves that take no gradient (targets, constants) have ``None`` there.
    """

    src: str
    dst: str
    arg: int
    upstream: np.ndarray | None
    contribution: np.ndarray | None
    trace: Trace

    @cached_property
    def local(self) -> np.ndarray | None:
        """The local derivative ∂dst/∂src (a Jacobian for vector ops), computed lazily.

        Examples
        --------
        >>> from gradviz import example
        >>> float(evaluate(example("xyz")).edge("w", 0).local)  # ∂(a·b)/∂a = b
        20.0
        """
        if self.contribution is None:
            return None
        return self.trace._jacobian(self.dst, self.arg)


class Trace:
    """The result of :func:`evaluate`: every value, gradient and chain-rule product.

    Values and gradients are float64 arrays of the node's shape (with a leading batch
    axis for a batched evaluation). Nodes that take no gradient (targets, constants and
    what is computed only from them) have gradient ``None``.

    Examples
    --------
    >>> from gradviz import example
    >>> t = evaluate(example("xyz"))
    >>> float(t.value("w")), float(t.grad("x"))
    (100.0, 170.0)
    >>> [(e.src, e.arg, float(e.contribution)) for e in t.edges_into("b.1")]
    [('x', 0, 25.0), ('x', 1, 25.0)]
    >>> t.order[:3], t.loss, t.batch, t.graph.name
    (['x', 'y', 'z'], 'w', None, 'xyz')
    """

    def __init__(self, graph: Graph, run: Pass, batch: int | None) -> None:
        self.graph, self.batch = graph, batch
        self.loss = graph.loss
        self._run = run

    @property
    def order(self) -> list[str]:
        """Every node in the deterministic topological order."""
        return self._run.sched.order

    def _one(self, v: np.ndarray) -> np.ndarray:
        return v if self.batch is not None else v[0]

    def value(self, name: str) -> np.ndarray:
        """The forward value of a node.

        Examples
        --------
        >>> from gradviz import example
        >>> evaluate(example("xyz"), x=[1.0, 2.0]).value("a")  # a batch of two
        array([2., 5.])
        """
        if name not in self._run.sched.slot:
            raise KeyError(f"no node named {name!r}")
        return self._one(self._run.value(name))

    def grad(self, name: str) -> np.ndarray | None:
        """∂loss/∂node, or ``None`` for nodes that take no gradient.

        Examples
        --------
        >>> from gradviz import example
        >>> t = evaluate(example("interesting"))
        >>> round(float(t.grad("H1")), 3), t.grad("Y")
        (-1.452, None)
        """
        if not self.requires_grad(name):
            return None
        return self._one(self._run.grad(name))

    def requires_grad(self, name: str) -> bool:
        """Whether a node takes a gradient (it depends on an input or a param).

        Examples
        --------
        >>> from gradviz import example
        >>> t = evaluate(example("interesting"))
        >>> t.requires_grad("W1"), t.requires_grad("Y")
        (True, False)
        """
        return self._run.sched.requires[name]

    @cached_property
    def values(self) -> dict[str, np.ndarray]:
        """All values by node name, in topological order.

        Examples
        --------
        >>> from gradviz import example
        >>> list(evaluate(example("xyz")).values)[-2:]
        ['b', 'w']
        """
        return {n: self.value(n) for n in self.order}

    @cached_property
    def grads(self) -> dict[str, np.ndarray | None]:
        """All gradients by node name, in topological order.

        Examples
        --------
        >>> from gradviz import example
        >>> {n: float(g) for n, g in evaluate(example("xyz")).grads.items()}["z"]
        40.0
        """
        return {n: self.grad(n) for n in self.order}

    @cached_property
    def edges(self) -> list[Edge]:
        """Every edge, ordered by the topological position of its target, then operand.

        Examples
        --------
        >>> from gradviz import example
        >>> [(e.src, e.dst) for e in evaluate(example("xyz")).edges][:2]
        [('x', 'a.1'), ('y', 'a.1')]
        """
        return [e for n in self.order for e in self.edges_into(n)]

    def edges_into(self, node: str) -> list[Edge]:
        """The edges into ``node`` in operand order.

        Examples
        --------
        >>> from gradviz import example
        >>> [e.src for e in evaluate(example("xyz")).edges_into("w")]
        ['a', 'b']
        """
        return [self.edge(node, i) for i in range(len(self.graph.inputs(node)))]

    def edge(self, node: str, arg: int) -> Edge:
        """The edge into ``node`` at operand position ``arg``.

        Examples
        --------
        >>> from gradviz import example
        >>> e = evaluate(example("xyz")).edge("w", 1)
        >>> e.src, float(e.upstream), float(e.contribution)
        ('b', 1.0, 5.0)
        """
        ins = self.graph.inputs(node)
        if not 0 <= arg < len(ins):
            raise IndexError(f"{node!r} has no operand {arg}")
        u = ins[arg]
        c = self._run.contribution(node, arg)
        return Edge(u, node, arg, self.grad(node) if self.requires_grad(u) else None,
                    None if c is None else self._one(c), self)

    def edges_from(self, node: str) -> list[Edge]:
        """The edges out of ``node`` (its consumers), in topological order.

        Examples
        --------
        >>> from gradviz import example
        >>> [(e.dst, e.arg) for e in evaluate(example("xyz")).edges_from("a")]
        [('b', 1), ('w', 0)]
        """
        return list(self._edges_by_src.get(node, ()))

    @cached_property
    def _edges_by_src(self) -> dict[str, list[Edge]]:
        by_src: dict[str, list[Edge]] = {}
        for e in self.edges:
            by_src.setdefault(e.src, []).append(e)
        return by_src
    def through(self, node: str, consumer: str) -> np.ndarray | None:
        """What the named ``consumer`` adds to ``grad(node)``: the contributions of every
        edge from ``node`` into the consumer's expression (its unnamed intermediates
        included), so ``grad(node)`` is the sum of ``through`` over its named consumers.

        Examples
        --------
        >>> from gradviz import example
        >>> t = evaluate(example("interesting"))
        >>> round(float(t.through("H2", "H4")), 6), round(float(t.grad("H2")), 6)
        (-1.244919, -1.244919)
        """
        tree = set(self.graph.expression(consumer))
        parts = [e.contribution for e in self.edges_from(node)
                 if e.dst in tree and e.contribution is not None]
        if not parts:
            return None
        return sum(parts[1:], parts[0])

    def local_through(self, consumer: str, node: str, limit: int = 4096) -> np.ndarray | None:
        """∂consumer/∂node through the consumer's expression (unnamed intermediates
        included): the local derivative a worked solution writes for a named step.

        A Jacobian of shape ``consumer.shape + node.shape``; ``None`` when it would have
        more than ``limit`` entries (write the chain rule in its vector form instead).

        Examples
        --------
        >>> from gradviz import example
        >>> t = evaluate(example("interesting"))
        >>> float(t.local_through("H4", "H2")), float(t.local_through("H4", "H1"))
        (-2.0, -1.3333333333333333)
        """
        g = self.graph
        size = int(np.size(self.value(consumer))) * int(np.size(self.value(node)))
        if size > limit:
            return None
        d: dict[str, np.ndarray] = {}
        for w in g.expression(consumer):
            total = None
            for e in self.edges_into(w):
                inner = d.get(e.src)
                local = e.local
                if local is None or e.src != node and inner is None:
                    continue
                piece = local if inner is None or e.src == node else np.tensordot(
                    local, inner, axes=np.ndim(self.value(e.src)))
                total = piece if total is None else total + piece
            if total is not None:
                d[w] = total
        shape = np.shape(self.value(consumer)) + np.shape(self.value(node))
        return d.get(consumer, np.zeros(shape))

    def _jacobian(self, node: str, arg: int, variant: int = 0) -> np.ndarray:
        """∂node/∂(operand ``arg``) by one VJP per output element (a batch of basis vectors)."""
        def at(name: str) -> np.ndarray:
            v = np.asarray(self.value(name))
            return v[variant] if self.batch is not None else v

        op = self.graph.op_of(node)
        assert op is not None
        out = at(node)
        k = max(out.size, 1)
        biggest = max([out.size] + [at(u).size for u in self.graph.inputs(node)])
        LIMITS["max_elements"].check(k * max(k, biggest), f"the Jacobian of {node}")
        xs = [np.broadcast_to(at(u), (k,) + at(u).shape) for u in self.graph.inputs(node)]
        basis = np.eye(k).reshape((k,) + out.shape)
        outs = np.broadcast_to(out, (k,) + out.shape)
        with np.errstate(all="ignore"):
            gs = op.vjp(basis, outs, *pad(xs, op), **self.graph.params(node))
        src_shape = xs[arg].shape[1:]
        jac = unbroadcast(gs[arg], (k,) + src_shape)
        return np.asarray(jac, dtype=np.float64).reshape(out.shape + src_shape) + 0.0

    def __repr__(self) -> str:
        b = f", batch={self.batch}" if self.batch is not None else ""
        return f"<Trace of {self.graph.name or 'graph'}: {len(self.order)} nodes{b}>"




def evaluate(graph: Graph, values: Mapping[str, Any] | None = None, /, *,
             check_finite: bool = True, **overrides: Any) -> Trace:
    """Run the forward pass and reverse-mode backward pass of ``graph``.

    Parameters
    ----------
    graph : Graph
        The graph to evaluate.
    values : mapping, optional
        Leaf values to use instead of the defaults (same as keyword overrides).
    check_finite : bool
        Stop with an :class:`~gradviz.EvalError` naming the first node whose value or
        gradient is inf or nan (default). Off: keep the raw numbers.
    **overrides
        Leaf values by name. A value with one more leading axis than the leaf's shape
        is a *batch*: every batched leaf must have the same batch size, and the whole
        graph is evaluated once per variant in one vectorized pass.

    Returns
    -------
    Trace
        Values, gradients and per-edge chain-rule products.

    Notes
    -----
    Kinks follow the op table's conventions: relu'(0) = 0, leaky_relu'(0) = 1,
    abs'(0) = 0, min/max ties split ½/½. A value over the ``max_elements`` limit
    (batch size times its numbers, for a batch) is refused before it is allocated.

    Examples
    --------
    >>> from gradviz import parse
    >>> g = parse("x: input = 3\\ny: input = 2\\nL: loss = max(x, y) * x")
    >>> t = evaluate(g)
    >>> float(t.value("L")), float(t.grad("x")), float(t.grad("y"))
    (9.0, 6.0, 0.0)
    >>> float(evaluate(g, y=3).grad("y"))  # a tie splits the gradient
    1.5
    >>> evaluate(g, x=[1.0, 2.0, 3.0]).grad("x")  # a batch of three; x = 2 ties with y
    array([2., 3., 6.])
    """
    try:
        sched = compile_graph(graph)
        leaves, batch = leaf_overrides(graph, sched.shapes, {**(values or {}), **overrides})
        if batch is not None:
            check_batch(graph, sched.largest, batch)
        run = sched.run(graph, leaves, batch or 1, check_finite)
    except GradvizError as e:
        raise e.at(graph.file) from None
    return Trace(graph, run, batch)

