"""Shape inference: each node's core shape, topological level and whether it takes a
gradient, within the resource limits; and the checks of leaf values given to evaluate.

Every kind of node (op, params, operand shapes) runs its op once, on zeros, to find its
result's shape. Before that, the numbers the result will hold are bounded (and, for a
broadcasting op, the numbers its operands broadcast to): what is over the
``max_elements`` limit (:mod:`gradviz.core.limits`) is refused before anything is
allocated, with the node, its line, the limit and how to raise it. When the bound is not
enough to tell, the op runs on an empty batch first, which gives the result's shape and
allocates nothing.

Examples
--------
>>> from gradviz import parse
>>> found = infer(parse("v: input = [1, 2]\\nL: loss = sum(v * v)"))
>>> found.shapes["L.1"], found.level["L"], found.requires["v"], found.largest
((2,), 2, True, (2, 'v'))
>>> found.kinds["L.1"]
('mul', (), ((2,), (2,)))
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from gradviz.core.arrays import broadcast_shape, pad
from gradviz.core.errors import EvalError, GradvizError, ShapeError
from gradviz.core.graph import GRAD_KINDS, LEAF_KINDS, Graph, leaf_value
from gradviz.core.limits import LIMITS
from gradviz.core.ops import Op

__all__ = ["Inferred", "infer", "check_batch", "leaf_overrides", "who"]

Shape = tuple[int, ...]


class Inferred(NamedTuple):
    """What shape inference finds out about a graph."""

    shapes: dict[str, Shape]  # core shape of every node
    level: dict[str, int]  # 0 for leaves, else 1 + the deepest operand's level
    requires: dict[str, bool]  # whether the node takes a gradient
    largest: tuple[int, str]  # the most numbers one value (or intermediate) holds, and where
    kinds: dict[str, tuple]  # op node -> (op, params, operand shapes): what runs it alike


def infer(graph: Graph) -> Inferred:
    """Shapes, levels and requires-grad flags of every node, in one pass.

    Each op runs once per kind of node (op, params and operand shapes), on zeros, to find
    its result's shape. Raises :class:`~gradviz.ShapeError` (with the node and its line)
    for operands that do not fit their op or a loss that is not a scalar, and a
    :class:`~gradviz.GradvizError` for a value over the ``max_elements`` limit.

    Examples
    --------
    >>> from gradviz import example
    >>> found = infer(example("softmax_classifier"))
    >>> found.shapes["W1"], found.shapes["L"], found.level["L"], found.requires["y"]
    ((4, 3), (), 7, False)
    """
    shapes: dict[str, Shape] = {}
    level: dict[str, int] = {}
    requires: dict[str, bool] = {}
    kinds: dict[str, tuple] = {}
    known: dict[tuple, tuple[Shape, int]] = {}  # kind -> (result shape, numbers it needs)
    first: dict[tuple, tuple] = {}
    largest, cap = (0, ""), LIMITS["max_elements"].value
    for n in graph.order:
        op = graph.op_of(n)
        if op is None:
            shapes[n] = shape = graph.default(n).shape
            need = math.prod(shape)
            _check(graph, n, need, shape, cap)
            level[n], requires[n] = 0, graph.kind(n) in GRAD_KINDS
        else:
            ins = graph.inputs(n)
            params = graph.params(n)
            kind = (op.name, tuple(sorted(params.items())) if params else (),
                    tuple([shapes[u] for u in ins]))
            if kind not in known:
                known[kind] = _result(graph, n, op, params, kind[2], cap)
                first[kind] = kind
            kinds[n] = first[kind]  # one tuple per kind, shared by its nodes
            shapes[n], need = known[kind]
            level[n] = 1 + max([level[u] for u in ins])
            requires[n] = any([requires[u] for u in ins])
        if need > largest[0]:
            largest = (need, n)
    if shapes[graph.loss] != ():
        raise ShapeError(f"the loss {graph.loss!r} must be a scalar, but has shape "
                         f"{shapes[graph.loss]}; wrap it in sum(...) or mean(...)",
                         *graph.position(graph.loss))
    return Inferred(shapes, level, requires, largest, kinds)


def _result(graph: Graph, n: str, op: Op, params: dict[str, float],
            in_shapes: tuple[Shape, ...], cap: int) -> tuple[Shape, int]:
    """The shape of ``n``'s result and the numbers it needs (at least), found by running
    its op on zeros once the limit is known to allow them."""
    need = _room(graph, n, op, list(in_shapes), cap)
    with np.errstate(all="ignore"):
        out = _apply(graph, n, op, [np.zeros((1,) + s) for s in in_shapes], 1, params)
    return out.shape[1:], max(need, math.prod(out.shape[1:]))


def _room(graph: Graph, n: str, op: Op, in_shapes: list[Shape], cap: int) -> int:
    """The numbers node ``n`` (or its broadcast operands) will hold, checked against the
    limit ``cap`` before the op runs."""
    need = 0
    if op.broadcast:
        b = broadcast_shape(*in_shapes)
        if b is None:
            return 0  # the op raises: shapes that do not combine
        need = math.prod(b)
        _check(graph, n, need, b, cap, "its operands broadcast to")
    bound = len(in_shapes)  # no op makes more numbers than this
    for s in in_shapes:
        bound *= max(math.prod(s), 1)
        if bound > cap:  # it could be over: find the result's shape on an empty batch
            out = _apply(graph, n, op, [np.empty((0,) + t) for t in in_shapes], 0,
                         graph.params(n))
            _check(graph, n, math.prod(out.shape[1:]), out.shape[1:], cap)
            return max(need, math.prod(out.shape[1:]))
    return need


def _apply(graph: Graph, n: str, op: Op, xs: list[np.ndarray], batch: int,
           params: dict[str, float]) -> np.ndarray:
    """Run the op of ``n`` on batch-leading operands, naming the node if it fails."""
    try:
        out = np.asarray(op.forward(*pad(xs, op), **params), dtype=np.float64)
    except GradvizError as e:
        raise ShapeError(f"{who(graph, n)}: {e.message}", *graph.position(n)) from None
    except (ValueError, IndexError):
        shapes_txt = " and ".join(str(x.shape[1:]) for x in xs)
        raise ShapeError(f"{who(graph, n)}: {op.name} cannot combine shapes {shapes_txt}",
                         *graph.position(n)) from None
    if out.ndim == 0 or out.shape[0] != batch or out.ndim > 3:
        raise ShapeError(f"{who(graph, n)}: result has shape {out.shape[1:]}; gradviz values "
                         "are scalars, vectors or matrices", *graph.position(n))
    return out


def _check(graph: Graph, n: str, need: int, shape: Shape, cap: int,
           what: str = "shape") -> None:
    """Refuse ``need`` numbers at node ``n`` if they are over the limit ``cap``."""
    if need <= cap:
        return
    try:
        LIMITS["max_elements"].check(need, f"{who(graph, n)} ({what} "
                                           f"{'×'.join(map(str, shape)) or '()'})")
    except GradvizError as e:
        raise GradvizError(e.message, *graph.position(n)) from None


def check_batch(graph: Graph, largest: tuple[int, str], batch: int) -> None:
    """Refuse a batch whose largest value (``batch`` × its numbers) is over the limit.

    Examples
    --------
    >>> from gradviz import example
    >>> check_batch(example("xyz"), (1, "w"), 10)
    >>> try:
    ...     check_batch(example("xyz"), (1, "w"), 10**9)
    ... except GradvizError as e:
    ...     print(e.message)  # doctest: +ELLIPSIS
    w (1 number) in a batch of 1000000000 needs 1000000000 numbers, over the limit of ...
    """
    need, n = largest
    if need * batch > LIMITS["max_elements"].value:
        try:
            LIMITS["max_elements"].check(need * batch, f"{who(graph, n)} ({need} number"
                                         f"{'s' if need != 1 else ''}) in a batch of {batch}")
        except GradvizError as e:
            raise GradvizError(e.message, *graph.position(n)) from None


def who(graph: Graph, n: str) -> str:
    """A node as a message names it: its name, or the expression of an unnamed one.

    Examples
    --------
    >>> from gradviz import example
    >>> who(example("interesting"), "H4.1"), who(example("interesting"), "H4")
    ('W2 * H2', 'H4')
    """
    return f"{graph.expr(n)!s}" if graph.is_generated(n) else n


def leaf_overrides(graph: Graph, shapes: Mapping[str, Shape], merged: Mapping[str, Any]
                   ) -> tuple[dict[str, np.ndarray], int | None]:
    """Leaf values given to :func:`~gradviz.evaluate`, checked against the leaves'
    shapes: batch-leading arrays, and the batch size (``None``: no batch).

    Examples
    --------
    >>> from gradviz import example
    >>> g = example("xyz")
    >>> given, batch = leaf_overrides(g, infer(g).shapes, {"x": [1.0, 2.0], "y": 4})
    >>> given["x"].shape, given["y"].shape, batch
    ((2,), (1,), 2)
    """
    out, batch = {}, None
    for name, v in merged.items():
        if name not in graph:
            close = [n for n in graph.leaves() if n.lower() == name.lower()]
            hint = f"; did you mean {close[0]!r}?" if close else \
                f"; leaves are {', '.join(graph.leaves())}"
            raise EvalError(f"no leaf named {name!r}{hint}")
        if graph.kind(name) not in LEAF_KINDS:
            raise EvalError(f"{name!r} is computed (line {graph.position(name)[0]}); only "
                            "inputs, params, targets and consts can be set")
        a = leaf_value(v, f"the value given for {name}") if np.ndim(v) <= 2 else \
            np.asarray(v, dtype=np.float64) + 0.0  # a batch of matrices: -0.0 -> 0.0 too
        if not np.all(np.isfinite(a)):
            raise EvalError(f"the value given for {name} is not finite")
        core = shapes[name]
        if a.shape == core:
            out[name] = a[None]
        elif a.shape[1:] == core:
            if batch is not None and a.shape[0] != batch:
                raise EvalError(f"batch sizes differ: {name} has {a.shape[0]} variants, "
                                f"another leaf {batch}")
            batch = a.shape[0]
            out[name] = a
        else:
            raise EvalError(f"{name} has shape {core}; got a value of shape {a.shape}")
    return out, batch
