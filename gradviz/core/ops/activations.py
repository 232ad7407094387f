"""Activations (elementwise, one operand) and softmax.

Conventions at kinks: ``relu'(0) = 0`` (PyTorch, JAX); ``leaky_relu'(0) = 1``, the
course's ``f(x) = max(x, 0.1x)`` with ``f'(x) = 1`` for ``x >= 0``; ``elu'(0) = alpha``
(PyTorch); ``hardtanh'`` is 0 at both clip points (PyTorch). Sigmoid is computed without
overflow at ±1000, softmax and log-softmax by log-sum-exp.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gradviz.core.ops import FUNCS, Op, Piece, register

Array = np.ndarray
SQRT_2_OVER_PI = float(np.sqrt(2.0 / np.pi))
GELU_C = 0.044715


def ndtr(x: Array) -> Array:
    """The standard normal CDF Φ (scipy, imported on first use to keep start-up fast).

    Examples
    --------
    >>> ndtr(np.array([0.0, 1.96])).round(4).tolist()
    [0.5, 0.975]
    """
    from scipy.special import ndtr as _ndtr

    return np.asarray(_ndtr(x))


def normal_pdf(x: Array) -> Array:
    """The standard normal density φ.

    Examples
    --------
    >>> normal_pdf(np.array([0.0, 1.0])).round(4).tolist()
    [0.3989, 0.242]
    """
    return np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


def sigmoid(x: Array) -> Array:
    """Stable logistic sigmoid: no overflow, no warning, even at ±1000.

    Examples
    --------
    >>> float(sigmoid(0.0))
    0.5
    >>> sigmoid(np.array([-1000.0, 2.0, 1000.0])).round(4).tolist()
    [0.0, 0.8808, 1.0]
    """
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(z: Array) -> Array:
    """Softmax over the last axis, with the max subtracted (no overflow).

    Examples
    --------
    >>> s = softmax(np.array([[1.0, 2.0, 3.0]]))
    >>> s.round(4).tolist(), float(s.sum().round(12))
    ([[0.09, 0.2447, 0.6652]], 1.0)
    >>> softmax(np.array([[1000.0, 1000.0]])).tolist()
    [[0.5, 0.5]]
    """
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(z: Array) -> Array:
    """Log-softmax over the last axis, by log-sum-exp.

    Examples
    --------
    >>> log_softmax(np.array([[0.0, 0.0]])).round(4).tolist()  # log(1/2) each
    [[-0.6931, -0.6931]]
    >>> float(np.exp(log_softmax(np.array([[1.0, 2.0, 3.0]]))).sum().round(12))
    1.0
    """
    m = z.max(axis=-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))


def _gelu_tanh_parts(x: Array) -> tuple[Array, Array]:
    u = SQRT_2_OVER_PI * (x + GELU_C * x**3)
    return np.tanh(u), SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_C * x**2)


def _gelu_tanh_deriv(x: Array) -> Array:
    t, du = _gelu_tanh_parts(x)
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du


def _silu_deriv(x: Array) -> Array:
    s = sigmoid(x)
    return s * (1.0 + x * (1.0 - s))


FUNCS.update(sigmoid=sigmoid, tanh=np.tanh, Phi=ndtr, phi=normal_pdf, softmax=softmax,
             log_softmax=log_softmax)


def activation(name: str, symbol: str, forward: Callable[..., Array],
               deriv: Callable[..., Array] | None = None, **kw: Any) -> Op:
    """Register a unary elementwise activation; unless given, its VJP is
    ``g · deriv(x)`` with ``deriv`` its exact derivative.

    Examples
    --------
    >>> from gradviz.core.ops import OPS
    >>> op = activation("square_demo", "sq", lambda x: x * x, lambda x: 2.0 * x)
    >>> op.kind, op.formula, op.forward(np.array([3.0])).tolist()
    ('activation', 'square_demo(x)', [9.0])
    >>> op.vjp(np.array([1.0]), None, np.array([3.0]))[0].tolist()  # g · 2x
    [6.0]
    >>> del OPS["square_demo"]  # a demonstration only: leave the table as it was
    """
    vjp = kw.pop("vjp", None)
    if vjp is None:
        assert deriv is not None, name
        d = deriv
        vjp = lambda g, out, x, **p: (g * d(x, **p),)  # noqa: E731
    return register(name=name, symbol=symbol, arity=1, args=("x",), kind="activation",
                    broadcast=True, forward=forward, vjp=vjp, formula=f"{name}(x)", **kw)


activation("sigmoid", "σ", sigmoid,
           vjp=lambda g, out, x: (g * out * (1.0 - out),),
           definition="1/(1 + exp(-x))", local=("out*(1 - out)",))
activation("tanh", "tanh", np.tanh, forward_out=True,
           vjp=lambda g, out, x: (g * (1.0 - out * out),),
           definition="(exp(x) - exp(-x))/(exp(x) + exp(-x))", local=("1 - out**2",))
activation("relu", "ReLU",
           lambda x, out=None: np.maximum(x, 0.0, out=out),  # relu(nan) = nan, as PyTorch
           vjp=lambda g, out, x: (g * np.heaviside(x, 0.0),),  # the step function, 0 at 0
           definition="max(0, x)", forward_out=True,
           pieces=(Piece("x > 0", ("1",), "{out} passes {x} on"),
                   Piece("x <= 0", ("0",), "{out} is off")),
           kink="ReLU′(0) = 0 (PyTorch, JAX).")
activation("leaky_relu", "LReLU",
           lambda x, slope=0.01: np.where(x >= 0, x, slope * x),
           lambda x, slope=0.01: np.where(x >= 0, 1.0, slope),
           params=(("slope", 0.01),), definition="max(x, slope*x)",
           pieces=(Piece("x >= 0", ("1",), "{out} passes {x} on"),
                   Piece("x < 0", ("slope",), "{out} scales {x} by {slope}")),
           kink="LeakyReLU′(0) = 1: the course's f(x) = max(x, 0.1x) with f′(x) = 1 for "
                "x ≥ 0 (the seed problems use a slope of 0.1; PyTorch's default is 0.01).")
activation("softplus", "softplus",
           lambda x, beta=1.0: np.logaddexp(0.0, beta * x) / beta,
           lambda x, beta=1.0: sigmoid(beta * x),
           params=(("beta", 1.0),), definition="log(1 + exp(beta*x))/beta",
           local=("sigmoid(beta*x)",))
activation("gelu", "GELU", lambda x: x * ndtr(x),
           lambda x: ndtr(x) + x * np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi),
           definition="x*Phi(x)", local=("Phi(x) + x*phi(x)",))
activation("gelu_tanh", "GELUₜ",
           lambda x: 0.5 * x * (1.0 + _gelu_tanh_parts(x)[0]), _gelu_tanh_deriv,
           definition="x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x**3)))/2",
           local=("(1 + tanh(sqrt(2/pi)*(x + 0.044715*x**3)))/2 + x*(1 - tanh(sqrt(2/pi)*"
                  "(x + 0.044715*x**3))**2)*sqrt(2/pi)*(1 + 0.134145*x**2)/2",))
activation("elu", "ELU",
           lambda x, alpha=1.0: np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0))),
           lambda x, alpha=1.0: np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0))),
           params=(("alpha", 1.0),),
           pieces=(Piece("x > 0", ("1",), "{out} passes {x} on"),
                   Piece("x <= 0", ("alpha*exp(x)",), "{out} saturates")),
           kink="ELU′(0) = α (the x ≤ 0 branch, as PyTorch).")
activation("silu", "SiLU", lambda x: x * sigmoid(x), _silu_deriv,
           definition="x*sigmoid(x)", local=("sigmoid(x)*(1 + x*(1 - sigmoid(x)))",))
activation("identity", "id", lambda x, out=None: np.add(x, 0.0, out=out),  # −0.0 → 0.0
           vjp=lambda g, out, x: (g,), definition="x", local=("1",), forward_out=True)
activation("hardtanh", "HardTanh",
           lambda x, min_val=-1.0, max_val=1.0: np.clip(x, min_val, max_val),
           lambda x, min_val=-1.0, max_val=1.0: ((x > min_val) & (x < max_val)) * 1.0,
           params=(("min_val", -1.0), ("max_val", 1.0)),
           definition="min(max(x, min_val), max_val)",
           pieces=(Piece("x <= min_val", ("0",), "{out} is clipped at {min_val}"),
                   Piece("x >= max_val", ("0",), "{out} is clipped at {max_val}"),
                   Piece("x > min_val", ("1",), "{out} passes {x} on")),
           kink="HardTanh′ is 0 at both clip points (PyTorch).")


def softmax_vjp(g: Array, s: Array) -> Array:
    """VJP of softmax: s ⊙ (g − ⟨g, s⟩), i.e. (diag(s) − s sᵀ) g.

    Examples
    --------
    >>> s = np.array([[0.5, 0.5]])
    >>> softmax_vjp(np.array([[1.0, 0.0]]), s).tolist()
    [[0.25, -0.25]]
    >>> softmax_vjp(np.array([[1.0, 1.0]]), s).tolist()  # a uniform shift changes nothing
    [[0.0, 0.0]]
    """
    return s * (g - (g * s).sum(axis=-1, keepdims=True))


def log_softmax_vjp(g: Array, out: Array) -> Array:
    """VJP of log_softmax: g − softmax · Σg.

    Examples
    --------
    >>> out = np.log(np.array([[0.25, 0.75]]))
    >>> log_softmax_vjp(np.array([[1.0, 0.0]]), out).tolist()
    [[0.75, -0.75]]
    """
    return g - np.exp(out) * g.sum(axis=-1, keepdims=True)


register(name="softmax", symbol="softmax", arity=1, args=("z",), kind="softmax",
         forward=softmax, vjp=lambda g, out, z: (softmax_vjp(g, out),),
         formula="softmax(z)", definition="exp(z)/sum(exp(z))",
         local=("diag(out) - outer(out, out)",), chain=("hadamard(out, g - dot(g, out))",))
register(name="log_softmax", symbol="log softmax", arity=1, args=("z",), kind="softmax",
         forward=log_softmax, vjp=lambda g, out, z: (log_softmax_vjp(g, out),),
         formula="log_softmax(z)", definition="z - log(sum(exp(z)))",
         chain=("g - softmax(z)*sum(g)",))
