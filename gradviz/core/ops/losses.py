"""Losses: BCE (of a probability or a logit), MSE (the course's ½Σ and PyTorch's mean),
L1, Huber, hinge, cross-entropy (of probabilities or logits), cosine similarity.

Losses reduce by mean over elements as PyTorch does (``n`` in the templates), except
``mse`` = ½Σ(ŷ − y)² and ``cross_entropy`` = −Σ y log ŷ. ``bce`` clamps each log at −100
and its gradient's denominator at 1e-12, as PyTorch's BCELoss, so it is finite at 0 and 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from gradviz.core.errors import EvalError
from gradviz.core.ops import FUNCS, Op, Piece, register
from gradviz.core.ops.activations import log_softmax, sigmoid, softmax
from gradviz.core.ops.tensor import core_size, expand

Array = np.ndarray
LOG_CLAMP = -100.0  # PyTorch's BCELoss clamps log(p) at -100
EPS = 1e-12  # PyTorch's BCE backward divides by max(p(1-p), 1e-12)


def _clamped_log(p: Array) -> Array:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.maximum(np.log(p), LOG_CLAMP)


def _norm(a: Array) -> Array:
    return np.sqrt((a * a).sum(axis=-1))


FUNCS.update(norm=_norm)
_PAIR = dict(arity=2, kind="loss")


def _bce(p: Array, y: Array) -> Array:
    full = np.broadcast_shapes(p.shape, y.shape)
    per = -(y * _clamped_log(p) + (1.0 - y) * _clamped_log(1.0 - p))
    return np.broadcast_to(per, full).mean(axis=tuple(range(1, len(full))))


def _bce_vjp(g: Array, out: Array, p: Array, y: Array) -> tuple[Array, Array]:
    n = core_size(p, y)
    gg = expand(g, np.broadcast_to(p, np.broadcast_shapes(p.shape, y.shape)))
    dp = gg * (p - y) / np.maximum(p * (1.0 - p), EPS) / n
    dy = gg * (_clamped_log(1.0 - p) - _clamped_log(p)) / n
    return dp, dy


register(name="bce", symbol="BCE", args=("yhat", "y"), **_PAIR, broadcast=True,
         forward=_bce, vjp=_bce_vjp, formula="bce(yhat, y)",
         definition="mean(-y*log(yhat) - (1 - y)*log(1 - yhat))",
         local=("(yhat - y)/(yhat*(1 - yhat))/n", "(log(1 - yhat) - log(yhat))/n"),
         through=(("sigmoid", "(yhat - y)/n"),),
         kink="Each log is clamped at -100 and the denominator at 1e-12, as PyTorch's "
              "BCELoss.")


def _bce_logits(z: Array, y: Array) -> Array:
    full = np.broadcast_shapes(z.shape, y.shape)
    loss = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return np.broadcast_to(loss, full).mean(axis=tuple(range(1, len(full))))


def _bce_logits_vjp(g: Array, out: Array, z: Array, y: Array) -> tuple[Array, Array]:
    n = core_size(z, y)
    gg = expand(g, np.broadcast_to(z, np.broadcast_shapes(z.shape, y.shape)))
    return gg * (sigmoid(z) - y) / n, gg * (-z) / n


register(name="bce_with_logits", symbol="BCEℓ", args=("z", "y"), **_PAIR, broadcast=True,
         forward=_bce_logits, vjp=_bce_logits_vjp, formula="bce_with_logits(z, y)",
         definition="max(z, 0) - z*y + log(1 + exp(-abs(z)))",
         local=("(sigmoid(z) - y)/n", "-z/n"))


def difference_loss(name: str, symbol: str, per: Callable[..., Array],
                    dper: Callable[..., Array], mean: bool = True, **kw: Any) -> Op:
    """Register a loss of the difference ``d = ŷ − y``, reduced by mean (or sum).

    Examples
    --------
    >>> from gradviz.core.ops import OPS
    >>> op = difference_loss("abs_demo", "A", np.abs, np.sign)  # mean |ŷ − y|
    >>> p, y = np.array([[1.0, 4.0]]), np.array([[2.0, 2.0]])
    >>> op.forward(p, y).tolist()
    [1.5]
    >>> [d.tolist() for d in op.vjp(np.array([1.0]), None, p, y)]  # ±sign(d)/n
    [[[-0.5, 0.5]], [[0.5, -0.5]]]
    >>> del OPS["abs_demo"]  # a demonstration only: leave the table as it was
    """

    def forward(p: Array, y: Array, out: Array | None = None, **params: float) -> Array:
        v = per(p - y, **params)  # elementwise: the operands' broadcast shape
        axes = tuple(range(1, v.ndim))
        return v.mean(axis=axes, out=out) if mean else v.sum(axis=axes, out=out)

    def vjp(g: Array, out: Array, p: Array, y: Array, **params: float) -> tuple[Array, Array]:
        dd = dper(p - y, **params)
        d = expand(g, dd) * dd
        if mean:
            d = d * (1.0 / math.prod(dd.shape[1:]))
        return d, -d

    return register(name=name, symbol=symbol, args=("yhat", "y"), **_PAIR, broadcast=True,
                    forward=forward, vjp=vjp, formula=f"{name}(yhat, y)", forward_out=True,
                    **kw)


difference_loss("mse", "MSE", lambda d: 0.5 * d * d, lambda d: d, mean=False,
                definition="1/2*sum((yhat - y)**2)", local=("yhat - y", "-(yhat - y)"))
difference_loss("mse_mean", "MSE", lambda d: d * d, lambda d: 2.0 * d,
                definition="mean((yhat - y)**2)",
                local=("2*(yhat - y)/n", "-2*(yhat - y)/n"))
difference_loss("l1", "L1", np.abs, np.sign, definition="mean(abs(yhat - y))",
                pieces=(Piece("yhat > y", ("1/n", "-1/n"), "{yhat} is above {y}"),
                        Piece("yhat < y", ("-1/n", "1/n"), "{yhat} is below {y}"),
                        Piece("yhat == y", ("0", "0"), "{yhat} equals {y}")),
                kink="At ŷ = y the gradient is 0 (sign(0) = 0).")
difference_loss("huber", "Huber",
                lambda d, delta=1.0: np.where(np.abs(d) <= delta, 0.5 * d * d,
                                              delta * (np.abs(d) - 0.5 * delta)),
                lambda d, delta=1.0: np.clip(d, -delta, delta),
                params=(("delta", 1.0),),
                pieces=(Piece("abs(yhat - y) <= delta", ("(yhat - y)/n", "-(yhat - y)/n"),
                              "{yhat} is within {delta} of {y}"),
                        Piece("yhat - y > delta", ("delta/n", "-delta/n"),
                              "{yhat} is more than {delta} above {y}"),
                        Piece("yhat - y < -delta", ("-delta/n", "delta/n"),
                              "{yhat} is more than {delta} below {y}")))


def _hinge(s: Array, y: Array) -> Array:
    full = np.broadcast_shapes(s.shape, y.shape)
    v = np.broadcast_to(np.maximum(0.0, 1.0 - y * s), full)
    return v.mean(axis=tuple(range(1, len(full))))


def _hinge_vjp(g: Array, out: Array, s: Array, y: Array) -> tuple[Array, Array]:
    full = np.broadcast_shapes(s.shape, y.shape)
    active = (1.0 - y * s > 0) * (expand(g, np.empty(full)) / core_size(s, y))
    return -y * active, -s * active


register(name="hinge", symbol="hinge", args=("s", "y"), **_PAIR, broadcast=True,
         forward=_hinge, vjp=_hinge_vjp, formula="hinge(s, y)",
         definition="max(0, 1 - y*s)",
         pieces=(Piece("y*s < 1", ("-y/n", "-s/n"), "{s} is inside the margin: {out} is on"),
                 Piece("y*s >= 1", ("0", "0"), "{s} is beyond the margin: {out} is 0")),
         kink="At the margin y·s = 1 the gradient is 0 (as ReLU′(0)); y is ±1.")


def _onehot(p: Array, y: Array) -> Array:
    if y.ndim == p.ndim:
        return y
    k = p.shape[-1]
    if not np.all((y == np.round(y)) & (y >= 0) & (y < k)):
        raise EvalError(f"a class index must be an integer in 0..{k - 1}, got {y.ravel()[:3]}")
    return (np.arange(k) == y[..., None]) * 1.0


def _ce(p: Array, y: Array) -> Array:
    return -(_onehot(p, y) * _clamped_log(p)).sum(axis=-1)


def _ce_vjp(g: Array, out: Array, p: Array, y: Array) -> tuple[Array, Array]:
    t = _onehot(p, y)
    dy = -g[..., None] * _clamped_log(p) if y.ndim == p.ndim else np.zeros_like(y * g)
    return -g[..., None] * t / np.maximum(p, EPS), dy


register(name="cross_entropy", symbol="CE", args=("yhat", "y"), **_PAIR,
         forward=_ce, vjp=_ce_vjp, formula="cross_entropy(yhat, y)",
         definition="-sum(y*log(yhat))", local=("-y/yhat", "-log(yhat)"),
         through=(("softmax", "yhat - y"),),
         kink="log ŷ clamped at -100 and ŷ at 1e-12 in the gradient, as bce; y is one-hot "
              "or a class index.")


def _ce_logits(z: Array, y: Array) -> Array:
    return -(_onehot(z, y) * log_softmax(z)).sum(axis=-1)


def _ce_logits_vjp(g: Array, out: Array, z: Array, y: Array) -> tuple[Array, Array]:
    t = _onehot(z, y)
    dz = g[..., None] * (softmax(z) * t.sum(axis=-1, keepdims=True) - t)
    dy = -g[..., None] * log_softmax(z) if y.ndim == z.ndim else np.zeros_like(y * g)
    return dz, dy


register(name="cross_entropy_with_logits", symbol="CEℓ", args=("z", "y"), **_PAIR,
         forward=_ce_logits, vjp=_ce_logits_vjp, formula="cross_entropy_with_logits(z, y)",
         definition="-sum(y*log_softmax(z))", local=("softmax(z) - y", "-log_softmax(z)"))


def _cos_parts(a: Array, b: Array, eps: float) -> tuple[Array, Array, Array, Array]:
    if a.shape[1:] != b.shape[1:] or a.ndim < 2:
        raise EvalError(f"cosine_similarity needs two vectors (or matrices, row by row) of "
                        f"the same shape, got {a.shape[1:]} and {b.shape[1:]}")
    na, nb = _norm(a), _norm(b)
    return (a * b).sum(axis=-1), na, nb, np.maximum(na * nb, eps)


def _cos(a: Array, b: Array, eps: float = 1e-8) -> Array:
    d, _, _, den = _cos_parts(a, b, eps)
    return d / den


def _cos_vjp(g: Array, out: Array, a: Array, b: Array, eps: float = 1e-8
             ) -> tuple[Array, Array]:
    """The derivative of d / max(‖a‖‖b‖, eps): below eps the denominator is a constant,
    so only the dot product's derivative remains."""
    _, na, nb, den = _cos_parts(a, b, eps)
    c, gg = out[..., None], g[..., None]
    clamped = (na * nb <= eps)[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        da = np.where(clamped, 0.0, c * a / (na * na)[..., None])
        db = np.where(clamped, 0.0, c * b / (nb * nb)[..., None])
    return gg * (b / den[..., None] - da), gg * (a / den[..., None] - db)


register(name="cosine_similarity", symbol="cos", args=("a", "b"), **_PAIR,
         forward=_cos, vjp=_cos_vjp, params=(("eps", 1e-8),),
         formula="cosine_similarity(a, b)", definition="dot(a, b)/(norm(a)*norm(b))",
         local=("b/(norm(a)*norm(b)) - out*a/norm(a)**2",
                "a/(norm(a)*norm(b)) - out*b/norm(b)**2"),
         kink="The norm product is clamped at eps = 1e-8, as PyTorch; below it the "
              "gradient is that of a·b/eps.")
