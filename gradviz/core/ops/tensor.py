"""Reductions, products of vectors and matrices, and structure: sum, mean, matmul, dot,
stop_gradient, transpose, stack, index, and ``affine`` (a neuron's weighted sum)."""

from __future__ import annotations

import math

import numpy as np

from gradviz.core.errors import EvalError
from gradviz.core.ops import FUNCS, register

Array = np.ndarray


def core_axes(x: Array) -> tuple[int, ...]:
    """The core axes of a batch-leading array.

    Examples
    --------
    >>> core_axes(np.zeros((1, 2, 3))), core_axes(np.zeros(4))  # a matrix, scalars
    ((1, 2), ())
    """
    return tuple(range(1, x.ndim))


def expand(g: Array, x: Array) -> Array:
    """Broadcast a per-sample scalar ``g`` (B,) over the core axes of ``x``.

    Examples
    --------
    >>> g, x = np.array([2.0, 3.0]), np.ones((2, 3))
    >>> expand(g, x).shape, (expand(g, x) * x).tolist()
    ((2, 1), [[2.0, 2.0, 2.0], [3.0, 3.0, 3.0]])
    """
    return g.reshape(g.shape + (1,) * (x.ndim - 1))


def core_size(*xs: Array) -> int:
    """How many elements a core holds once the operands are broadcast together.

    Examples
    --------
    >>> core_size(np.zeros((1, 3))), core_size(np.zeros((1, 2, 1)), np.zeros((1, 3)))
    (3, 6)
    """
    if len(xs) == 1 or all(x.shape[1:] == xs[0].shape[1:] for x in xs):
        return math.prod(xs[0].shape[1:])
    return int(np.prod(np.broadcast_shapes(*(x.shape[1:] for x in xs)), dtype=np.int64))


FUNCS.update(sum=lambda x: np.sum(np.atleast_1d(x), axis=-1),
             mean=lambda x: np.mean(np.atleast_1d(x), axis=-1),
             dot=lambda a, b: np.sum(np.atleast_1d(a * b), axis=-1), hadamard=np.multiply)
register(name="sum", symbol="Σ", arity=1, args=("x",), kind="reduce",
         forward=lambda x: x.sum(axis=core_axes(x)),
         vjp=lambda g, out, x: (expand(g, x) * np.ones_like(x),),
         formula="sum(x)", local=("1",))
register(name="mean", symbol="mean", arity=1, args=("x",), kind="reduce",
         forward=lambda x: x.mean(axis=core_axes(x)),
         vjp=lambda g, out, x: (expand(g, x) * np.full_like(x, 1.0 / core_size(x)),),
         formula="mean(x)", local=("1/n",))


_PRODUCT = {(1, 1): "...i,...i->...", (2, 1): "...ij,...j->...i", (1, 2): "...i,...ij->...j"}
_BLAS_FROM = 256  # multiply-adds from which one variant's product is a BLAS call


def _product(spec: str, a: Array, b: Array, out: Array | None = None) -> Array:
    """``einsum(spec, a, b)``: a product of a vector with a vector or a matrix, per variant
    (written into ``out`` if given).

    On one variant with at least ``_BLAS_FROM`` multiply-adds it is a BLAS call, several
    times faster; smaller products keep einsum's sums, to which the JSON snapshots of the
    examples are pinned bit for bit.
    """
    if len(a) == 1 == len(b) and max(a.size, b.size) >= _BLAS_FROM:
        x, y = (b, a) if spec == "...ij,...i->...j" else (a, b)
        if out is None:
            return np.dot(x[0], y[0])[None]
        np.dot(x[0], y[0], out=out.reshape(out.shape[1:]))  # a view, 0-d for a scalar
        return out
    return np.einsum(spec, a, b, out=out)


def _matmul(a: Array, b: Array, out: Array | None = None) -> Array:
    key = (a.ndim - 1, b.ndim - 1)
    if key == (2, 2):
        return np.matmul(a, b, out=out)
    if key not in _PRODUCT:
        raise EvalError(f"@ needs vectors or matrices, got shapes {a.shape[1:]} and "
                        f"{b.shape[1:]}")
    return _product(_PRODUCT[key], a, b, out)


def _outer(u: Array, v: Array, out: Array | None = None) -> Array:
    """The outer product ``u vᵀ`` of two vectors per variant: on one variant a BLAS
    product of inner dimension 1, which multiplies each pair once, as broadcasting does."""
    if len(u) == 1 == len(v):
        if out is None:
            return np.dot(u.T, v)[None]
        np.dot(u.T, v, out=out[0])
        return out
    return np.multiply(u[..., :, None], v[..., None, :], out=out)


_NEW = (None, None)


def _matmul_vjp(g: Array, out: Array, a: Array, b: Array,
                into: tuple[Array | None, Array | None] = _NEW) -> tuple[Array, Array]:
    ra, rb, (da, db) = a.ndim - 1, b.ndim - 1, into
    if ra == 1 and rb == 1:
        return np.multiply(g[..., None], b, out=da), np.multiply(g[..., None], a, out=db)
    if ra == 2 and rb == 1:  # g bᵀ, and Aᵀ g
        return _outer(g, b, da), _product("...ij,...i->...j", a, g, db)
    if ra == 1 and rb == 2:
        return _product("...ij,...j->...i", b, g, da), _outer(a, g, db)
    return (np.matmul(g, np.swapaxes(b, -1, -2), out=da),
            np.matmul(np.swapaxes(a, -1, -2), g, out=db))


def _dot(a: Array, b: Array) -> Array:
    if a.ndim == b.ndim == 2:
        return _matmul(a, b)
    raise EvalError(f"dot needs two vectors, got shapes {a.shape[1:]} and {b.shape[1:]}")


def _transpose(a: Array) -> Array:
    if a.ndim == 3:
        return np.swapaxes(a, -1, -2)
    raise EvalError(f"transpose needs a matrix, got shape {a.shape[1:]}")


register(name="matmul", symbol="@", arity=2, args=("A", "B"), kind="linalg",
         infix="@", pretty="@", precedence=2,
         forward=_matmul, vjp=_matmul_vjp, forward_out=True, into=True,
         formula="A @ B", chain=("g @ T(B)", "T(A) @ g"))
register(name="dot", symbol="·", arity=2, args=("a", "b"), kind="linalg",
         pretty="·", precedence=2,
         forward=_dot,
         vjp=lambda g, out, a, b: (g[..., None] * b, g[..., None] * a),
         formula="dot(a, b)", local=("b", "a"), chain=("g*b", "g*a"))
register(name="stop_gradient", symbol="sg", arity=1, args=("x",), kind="structure",
         forward=lambda x: x + 0.0,
         vjp=lambda g, out, x: (np.zeros(np.broadcast_shapes(g.shape, x.shape)),),
         formula="stop_gradient(x)", local=("0",))
register(name="transpose", symbol="ᵀ", arity=1, args=("A",), kind="linalg",
         forward=_transpose,
         vjp=lambda g, out, a: (np.swapaxes(g, -1, -2),),
         formula="T(A)", chain=("T(g)",))


def _stack(*xs: Array) -> Array:
    return np.stack(np.broadcast_arrays(*xs), axis=1)


register(name="stack", symbol="[ ]", arity=None, args=("x",), kind="structure",
         broadcast=True,
         forward=_stack,
         vjp=lambda g, out, *xs: tuple(g[:, i] for i in range(len(xs))),
         formula="stack(x)", chain=("index(g, i)",))


def _index(x: Array, i: float) -> Array:
    k = int(i)
    if x.ndim != 2 or k != i or not 0 <= k < x.shape[1]:
        raise EvalError(f"index {i:g} is not a position of a vector of shape {x.shape[1:]}")
    return x[:, k]


def _index_vjp(g: Array, out: Array, x: Array, i: float) -> tuple[Array]:
    grad = np.zeros(np.broadcast_shapes(g.shape[:1], x.shape[:1]) + x.shape[1:])
    grad[:, int(i)] = g
    return (grad,)


register(name="index", symbol="[i]", arity=1, args=("x",), params=(("i", 0.0),),
         kind="structure",
         forward=_index, vjp=_index_vjp,
         formula="index(x, i)", chain=("onehot(g, i)",))


def _affine_stacked(X: Array) -> Array:
    """``affine`` on its operands stacked along a leading axis: ``X = [x1, w1, ..., b]``.

    Adds ``b + x1·w1 + x2·w2 + ...`` in exactly this order. Numpy sums along a slow axis
    one term after the other, but pairwise along the fast one, so one number per term (a
    single neuron, no batch) is accumulated instead.
    """
    if len(X) % 2 == 0:
        raise EvalError("affine takes pairs x, w and a final bias: affine(x1, w1, ..., b)")
    terms = np.empty(((len(X) + 1) // 2,) + X.shape[1:])
    terms[0] = X[-1]
    np.multiply(X[0:-1:2], X[1:-1:2], out=terms[1:])
    if terms[0].size > 1:
        return terms.sum(axis=0)
    return np.add.accumulate(terms, axis=0)[-1]


def _affine_stacked_vjp(g: Array, out: Array, X: Array) -> Array:
    """The gradients of :func:`_affine_stacked`, stacked like its operands: w, x, ..., 1."""
    grads = np.empty(np.broadcast_shapes(X.shape, (1,) + g.shape))
    np.multiply(g, X[1:-1:2], out=grads[0:-1:2])
    np.multiply(g, X[0:-1:2], out=grads[1:-1:2])
    grads[-1] = g
    return grads


def _stack_operands(xs: tuple[Array, ...]) -> Array:
    return np.stack(np.broadcast_arrays(*xs))


register(name="affine", symbol="Σ", arity=None, args=("x", "w", "b"), kind="arith",
         broadcast=True, stacked=(_affine_stacked, _affine_stacked_vjp),
         roles=lambda i, n: 2 if i == n - 1 else i % 2,
         forward=lambda *xs: _affine_stacked(_stack_operands(xs)),
         vjp=lambda g, out, *xs: tuple(_affine_stacked_vjp(g, out, _stack_operands(xs))),
         formula="x*w + b", local=("w", "x", "1"))
