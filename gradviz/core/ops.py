"""The op table: every operation gradviz knows, defined once.

Each :class:`Op` record holds the forward function, the vector-Jacobian product (one
gradient per input), the display symbol, and the local derivative of the output with
respect to each input as plain text and LaTeX. Unary activations also carry their exact
elementwise derivative ``deriv`` (used by the plots), and ops with kinks say which
convention they take there.

Array convention
----------------
Every array an op sees has one leading *batch* axis (size 1 for a single evaluation),
followed by the node's own ("core") shape: a scalar node is ``(B,)``, a vector ``(B, n)``,
a matrix ``(B, m, n)``. Ops work on the trailing axes only. Ops marked ``broadcast`` get
their inputs padded to a common core rank by the evaluator, so numpy broadcasting
combines scalars with vectors; a VJP may return a gradient in the broadcast shape, and the
backward pass un-broadcasts it (once, for every op).

Conventions at kinks
--------------------
``relu'(0) = 0`` (PyTorch, JAX); ``leaky_relu'(0) = 1``, the course's
``f(x) = max(x, 0.1x)`` with ``f'(x) = 1`` for ``x >= 0``; ``abs'(0) = 0``; ``min``/``max``
ties split the gradient ½/½ (JAX, tinygrad, ``torch.maximum``); ``hinge`` at the margin
and ``l1`` at zero take 0; ``elu'(0) = alpha``. ``bce`` clamps each log at -100 as PyTorch
does, so it is finite at 0 and 1.

Examples
--------
>>> OPS["mul"].symbol, OPS["mul"].dplain
('×', ('b', 'a'))
>>> import numpy as np
>>> float(OPS["sigmoid"].forward(np.array([1000.0]))[0])
1.0
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from gradviz.core.errors import EvalError

__all__ = ["Op", "OPS", "ACTIVATIONS", "LOSSES", "op"]

Array = np.ndarray
LOG_CLAMP = -100.0  # PyTorch's BCELoss clamps log(p) at -100
EPS = 1e-12  # PyTorch's BCE backward divides by max(p(1-p), 1e-12)
SQRT_2_OVER_PI = float(np.sqrt(2.0 / np.pi))
GELU_C = 0.044715


@dataclass(frozen=True)
class Op:
    """One record of the op table.

    Attributes
    ----------
    name : str
        The name used in graph files and the Python builder.
    symbol : str
        What a diagram shows inside the op node ("+", "×", "σ", ...).
    arity : int or None
        Number of operands; ``None`` for variadic ops (``stack``, ``affine``).
    args : tuple of str
        Operand names used in the formulas (``("a", "b")``, ``("x",)``, ...).
    forward : callable
        ``forward(*xs, **params) -> out`` on batch-leading float64 arrays.
    vjp : callable
        ``vjp(g, out, *xs, **params) -> tuple`` with one gradient per input.
    formula, formula_tex : str
        The forward formula in plain text and LaTeX.
    dplain, dlatex : tuple of str
        The local derivative d out / d input for each input (the VJP multiplies the
        upstream gradient ``g`` by it, or by its transpose for vector ops).
    params : tuple of (name, default) pairs
        Numeric parameters such as the leaky slope.
    kind : str
        ``"arith"``, ``"elementwise"``, ``"activation"``, ``"reduce"``, ``"linalg"``,
        ``"structure"``, ``"softmax"`` or ``"loss"``.
    broadcast : bool
        Inputs are padded to a common core rank and broadcast elementwise.
    deriv : callable or None
        For unary elementwise ops: the exact derivative ``f'(x, **params)``.
    kink : str
        The convention taken where the derivative is not defined ("" if none).
    kinks : tuple of float
        Points where an activation's derivative jumps (``(0.0,)`` for ReLU).
    stacked : (callable, callable) or None
        For variadic ops with many operands: ``forward(X)`` and ``vjp(g, out, X)`` on the
        operands stacked along a leading axis (the evaluator gathers them so, and a neuron
        with 129 operands is three numpy calls). ``forward`` and ``vjp`` are built on them.
    """

    name: str
    symbol: str
    arity: int | None
    args: tuple[str, ...]
    forward: Callable[..., Array]
    vjp: Callable[..., tuple]
    formula: str
    formula_tex: str
    dplain: tuple[str, ...]
    dlatex: tuple[str, ...]
    params: tuple[tuple[str, float], ...] = ()
    kind: str = "arith"
    broadcast: bool = False
    deriv: Callable[..., Array] | None = None
    kink: str = ""
    kinks: tuple[float, ...] = ()  # where the derivative jumps (plots draw a jump there)
    stacked: tuple[Callable, Callable] | None = None  # forward(X), vjp(g, out, X) on stacked operands
    doc: str = field(default="", compare=False)

    def param_defaults(self) -> dict[str, float]:
        """The op's parameters with their default values."""
        return dict(self.params)

    def role(self, i: int, n: int) -> int:
        """Which formula applies to input ``i`` of ``n`` (variadic ops reuse roles)."""
        if self.arity is not None:
            return i
        if self.name == "affine":
            return 2 if i == n - 1 else i % 2
        return 0


OPS: dict[str, Op] = {}


def op(**kw) -> Op:
    """Register one op record in :data:`OPS` (used only by this module)."""
    record = Op(**kw)
    assert record.name not in OPS, record.name
    OPS[record.name] = record
    return record


# ---------------------------------------------------------------------------- helpers
def _core(x: Array) -> tuple[int, ...]:
    """The core axes of a batch-leading array."""
    return tuple(range(1, x.ndim))


def _expand(g: Array, x: Array) -> Array:
    """Broadcast a per-sample scalar ``g`` (B,) over the core axes of ``x``."""
    return g.reshape(g.shape + (1,) * (x.ndim - 1))


def _core_size(*xs: Array) -> int:
    return int(np.prod(np.broadcast_shapes(*(x.shape[1:] for x in xs)), dtype=np.int64))


def ndtr(x: Array) -> Array:
    """The standard normal CDF Φ (scipy, imported on first use to keep start-up fast)."""
    from scipy.special import ndtr as _ndtr

    return _ndtr(x)


def _sigmoid(x: Array) -> Array:
    """Stable logistic sigmoid: no overflow, no warning, even at +-1000."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _clamped_log(p: Array) -> Array:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.maximum(np.log(p), LOG_CLAMP)


def _tie(a: Array, b: Array) -> Array:
    """Share of the gradient that goes to ``a`` in ``max(a, b)``: 1, ½ at a tie, or 0."""
    return np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))


# ------------------------------------------------------------------------- arithmetic
op(name="add", symbol="+", arity=2, args=("a", "b"), kind="arith", broadcast=True,
   forward=lambda a, b: a + b,
   vjp=lambda g, out, a, b: (g, g),
   formula="a + b", formula_tex="a + b", dplain=("1", "1"), dlatex=("1", "1"),
   doc="Sum of two values.")
op(name="sub", symbol="−", arity=2, args=("a", "b"), kind="arith", broadcast=True,
   forward=lambda a, b: a - b,
   vjp=lambda g, out, a, b: (g, -g),
   formula="a − b", formula_tex="a - b", dplain=("1", "−1"), dlatex=("1", "-1"),
   doc="Difference of two values.")
op(name="mul", symbol="×", arity=2, args=("a", "b"), kind="arith", broadcast=True,
   forward=lambda a, b: a * b,
   vjp=lambda g, out, a, b: (g * b, g * a),
   formula="a · b", formula_tex=r"a \cdot b", dplain=("b", "a"), dlatex=("b", "a"),
   doc="Elementwise product; x*x keeps two edges, so d(x*x)/dx = 2x.")
op(name="div", symbol="÷", arity=2, args=("a", "b"), kind="arith", broadcast=True,
   forward=lambda a, b: a / b,
   vjp=lambda g, out, a, b: (g / b, -g * out / b),
   formula="a / b", formula_tex=r"\frac{a}{b}",
   dplain=("1/b", "−a/b²"), dlatex=(r"\frac{1}{b}", r"-\frac{a}{b^{2}}"),
   kink="b = 0 gives inf or nan: the evaluator stops with an error naming the node.",
   doc="Quotient.")
op(name="neg", symbol="−", arity=1, args=("x",), kind="elementwise", broadcast=True,
   forward=lambda x: -x,
   vjp=lambda g, out, x: (-g,),
   deriv=lambda x: np.full_like(x, -1.0),
   formula="−x", formula_tex="-x", dplain=("−1",), dlatex=("-1",),
   doc="Negation.")
op(name="pow", symbol="^", arity=2, args=("a", "b"), kind="arith", broadcast=True,
   forward=lambda a, b: a**b,
   vjp=lambda g, out, a, b: (
       g * np.where(b == 0, 0.0, b * a ** (b - 1)),
       g * out * np.log(np.where(a > 0, a, np.nan)),
   ),
   formula="a ^ b", formula_tex="a^{b}",
   dplain=("b·a^(b−1)", "a^b·ln a"), dlatex=(r"b\,a^{b-1}", r"a^{b}\ln a"),
   kink="d/db needs a > 0 (nan otherwise, harmless when b is a constant).",
   doc="Power; a constant exponent such as x**2 gets no gradient.")
op(name="exp", symbol="exp", arity=1, args=("x",), kind="elementwise", broadcast=True,
   forward=np.exp,
   vjp=lambda g, out, x: (g * out,),
   deriv=np.exp,
   formula="exp(x)", formula_tex=r"e^{x}", dplain=("exp(x)",), dlatex=(r"e^{x}",),
   doc="Exponential.")
op(name="log", symbol="log", arity=1, args=("x",), kind="elementwise", broadcast=True,
   forward=np.log,
   vjp=lambda g, out, x: (g / x,),
   deriv=lambda x: 1.0 / x,
   formula="ln(x)", formula_tex=r"\ln x", dplain=("1/x",), dlatex=(r"\frac{1}{x}",),
   kink="log(0) = -inf and log(x<0) = nan: the evaluator stops with an error.",
   doc="Natural logarithm.")
op(name="sqrt", symbol="√", arity=1, args=("x",), kind="elementwise", broadcast=True,
   forward=np.sqrt,
   vjp=lambda g, out, x: (g / (2.0 * out),),
   deriv=lambda x: 0.5 / np.sqrt(x),
   formula="√x", formula_tex=r"\sqrt{x}", dplain=("1/(2√x)",),
   dlatex=(r"\frac{1}{2\sqrt{x}}",),
   kink="sqrt'(0) = inf: the evaluator stops with an error naming the node.",
   doc="Square root.")
op(name="abs", symbol="|·|", arity=1, args=("x",), kind="elementwise", broadcast=True,
   forward=np.abs,
   vjp=lambda g, out, x: (g * np.sign(x),),
   deriv=np.sign,
   formula="|x|", formula_tex=r"\lvert x \rvert", dplain=("sign(x)",),
   dlatex=(r"\operatorname{sign}(x)",),
   kink="abs'(0) = 0 (sign(0) = 0, as PyTorch and JAX).",
   doc="Absolute value.")
op(name="max", symbol="max", arity=2, args=("a", "b"), kind="arith", broadcast=True,
   forward=np.maximum,
   vjp=lambda g, out, a, b: (g * _tie(a, b), g * _tie(b, a)),
   formula="max(a, b)", formula_tex=r"\max(a, b)",
   dplain=("1 if a > b, ½ if a = b, else 0", "1 if b > a, ½ if a = b, else 0"),
   dlatex=(r"[a > b] + \tfrac12 [a = b]", r"[b > a] + \tfrac12 [a = b]"),
   kink="A tie a = b splits the gradient ½/½ (JAX, tinygrad, torch.maximum).",
   doc="Elementwise maximum; the gradient goes to the larger operand.")
op(name="min", symbol="min", arity=2, args=("a", "b"), kind="arith", broadcast=True,
   forward=np.minimum,
   vjp=lambda g, out, a, b: (g * _tie(b, a), g * _tie(a, b)),
   formula="min(a, b)", formula_tex=r"\min(a, b)",
   dplain=("1 if a < b, ½ if a = b, else 0", "1 if b < a, ½ if a = b, else 0"),
   dlatex=(r"[a < b] + \tfrac12 [a = b]", r"[b < a] + \tfrac12 [a = b]"),
   kink="A tie a = b splits the gradient ½/½ (JAX, tinygrad, torch.minimum).",
   doc="Elementwise minimum; the gradient goes to the smaller operand.")


# ------------------------------------------------------------- reductions and linalg
op(name="sum", symbol="Σ", arity=1, args=("x",), kind="reduce",
   forward=lambda x: x.sum(axis=_core(x)),
   vjp=lambda g, out, x: (_expand(g, x) * np.ones_like(x),),
   formula="Σᵢ xᵢ", formula_tex=r"\sum_i x_i", dplain=("1",), dlatex=("1",),
   doc="Sum of all elements (a scalar).")
op(name="mean", symbol="mean", arity=1, args=("x",), kind="reduce",
   forward=lambda x: x.mean(axis=_core(x)),
   vjp=lambda g, out, x: (_expand(g, x) * np.full_like(x, 1.0 / _core_size(x)),),
   formula="(1/n) Σᵢ xᵢ", formula_tex=r"\frac{1}{n}\sum_i x_i",
   dplain=("1/n",), dlatex=(r"\frac{1}{n}",),
   doc="Mean of all elements (a scalar).")


def _matmul(a: Array, b: Array) -> Array:
    ra, rb = a.ndim - 1, b.ndim - 1
    if ra == 1 and rb == 1:
        return np.einsum("...i,...i->...", a, b)
    if ra == 2 and rb == 1:
        return np.einsum("...ij,...j->...i", a, b)
    if ra == 1 and rb == 2:
        return np.einsum("...i,...ij->...j", a, b)
    if ra == 2 and rb == 2:
        return np.matmul(a, b)
    raise EvalError(f"@ needs vectors or matrices, got shapes {a.shape[1:]} and {b.shape[1:]}")


def _matmul_vjp(g: Array, out: Array, a: Array, b: Array) -> tuple[Array, Array]:
    ra, rb = a.ndim - 1, b.ndim - 1
    if ra == 1 and rb == 1:
        return g[..., None] * b, g[..., None] * a
    if ra == 2 and rb == 1:
        return g[..., :, None] * b[..., None, :], np.einsum("...ij,...i->...j", a, g)
    if ra == 1 and rb == 2:
        return np.einsum("...ij,...j->...i", b, g), a[..., :, None] * g[..., None, :]
    return np.matmul(g, np.swapaxes(b, -1, -2)), np.matmul(np.swapaxes(a, -1, -2), g)


op(name="matmul", symbol="@", arity=2, args=("A", "B"), kind="linalg",
   forward=_matmul, vjp=_matmul_vjp,
   formula="A @ B", formula_tex=r"A B", dplain=("g Bᵀ", "Aᵀ g"),
   dlatex=(r"g B^{\top}", r"A^{\top} g"),
   doc="Matrix product: vector·vector (a scalar), matrix @ vector, vector @ matrix, "
       "matrix @ matrix.")
op(name="dot", symbol="·", arity=2, args=("a", "b"), kind="linalg",
   forward=lambda a, b: _matmul(a, b) if a.ndim == b.ndim == 2 else _not_vectors(a, b),
   vjp=lambda g, out, a, b: (g[..., None] * b, g[..., None] * a),
   formula="a · b = Σᵢ aᵢbᵢ", formula_tex=r"a \cdot b", dplain=("b", "a"),
   dlatex=("b", "a"),
   doc="Dot product of two vectors of the same length (a scalar).")


def _not_vectors(a: Array, b: Array) -> Array:
    raise EvalError(f"dot needs two vectors, got shapes {a.shape[1:]} and {b.shape[1:]}")


op(name="stop_gradient", symbol="sg", arity=1, args=("x",), kind="structure",
   forward=lambda x: x + 0.0,
   vjp=lambda g, out, x: (np.zeros(np.broadcast_shapes(g.shape, x.shape)),),
   formula="x (no gradient flows back)", formula_tex=r"\operatorname{sg}(x)",
   dplain=("0",), dlatex=("0",),
   doc="The value of x, with no gradient through it (JAX's stop_gradient, PyTorch's "
       "detach); the answer checker uses it to model a path left out of a sum.")
op(name="transpose", symbol="ᵀ", arity=1, args=("A",), kind="linalg",
   forward=lambda a: np.swapaxes(a, -1, -2) if a.ndim == 3 else _not_matrix(a),
   vjp=lambda g, out, a: (np.swapaxes(g, -1, -2),),
   formula="Aᵀ", formula_tex=r"A^{\top}", dplain=("(transpose)",),
   dlatex=(r"(\cdot)^{\top}",), doc="Matrix transpose.")


def _not_matrix(a: Array) -> Array:
    raise EvalError(f"transpose needs a matrix, got shape {a.shape[1:]}")


# ---------------------------------------------------------------------- structure ops
def _stack(*xs: Array) -> Array:
    return np.stack(np.broadcast_arrays(*xs), axis=1)


op(name="stack", symbol="[ ]", arity=None, args=("x",), kind="structure", broadcast=True,
   forward=_stack,
   vjp=lambda g, out, *xs: tuple(g[:, i] for i in range(len(xs))),
   formula="[x₁, …, xₙ]", formula_tex=r"[x_1, \dots, x_n]",
   dplain=("1 at its own position",), dlatex=(r"e_i",),
   doc="Stack values of the same shape into a vector (or matrix): `[a, b]`.")


def _index(x: Array, i: float) -> Array:
    k = int(i)
    if x.ndim != 2 or k != i or not 0 <= k < x.shape[1]:
        raise EvalError(f"index {i:g} is not a position of a vector of shape {x.shape[1:]}")
    return x[:, k]


def _index_vjp(g: Array, out: Array, x: Array, i: float) -> tuple[Array]:
    grad = np.zeros(np.broadcast_shapes(g.shape[:1], x.shape[:1]) + x.shape[1:])
    grad[:, int(i)] = g
    return (grad,)


op(name="index", symbol="[i]", arity=1, args=("x",), params=(("i", 0.0),), kind="structure",
   forward=_index, vjp=_index_vjp,
   formula="x[i]", formula_tex="x_{i}", dplain=("1 at position i",), dlatex=(r"e_i",),
   doc="Pick element i (0-based) of a vector: index(y, 2).")


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


op(name="affine", symbol="Σ", arity=None, args=("x", "w", "b"), kind="arith",
   broadcast=True, stacked=(_affine_stacked, _affine_stacked_vjp),
   forward=lambda *xs: _affine_stacked(_stack_operands(xs)),
   vjp=lambda g, out, *xs: tuple(_affine_stacked_vjp(g, out, _stack_operands(xs))),
   formula="x₁w₁ + … + xₙwₙ + b", formula_tex=r"\sum_i x_i w_i + b",
   dplain=("w", "x", "1"), dlatex=("w", "x", "1"),
   doc="A neuron's weighted sum in one node: affine(x1, w1, x2, w2, ..., b).")


# ------------------------------------------------------------------------ activations
def _sig_deriv(x: Array) -> Array:
    s = _sigmoid(x)
    return s * (1.0 - s)


def _gelu_tanh_parts(x: Array) -> tuple[Array, Array]:
    u = SQRT_2_OVER_PI * (x + GELU_C * x**3)
    return np.tanh(u), SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_C * x**2)


def _gelu_tanh_deriv(x: Array) -> Array:
    t, du = _gelu_tanh_parts(x)
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du


def _gelu_deriv(x: Array) -> Array:
    return ndtr(x) + x * np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


def _silu_deriv(x: Array) -> Array:
    s = _sigmoid(x)
    return s * (1.0 + x * (1.0 - s))


def _activation(name: str, symbol: str, forward, deriv, formula: str, formula_tex: str,
                dplain: str, dlatex: str, params=(), kink: str = "", doc: str = "",
                vjp=None, kinks: tuple[float, ...] = ()) -> Op:
    """Register a unary elementwise activation; its VJP is g times its exact derivative."""
    return op(name=name, symbol=symbol, arity=1, args=("x",), kind="activation",
              broadcast=True, forward=forward, deriv=deriv, params=params,
              vjp=vjp or (lambda g, out, x, **p: (g * deriv(x, **p),)),
              formula=formula, formula_tex=formula_tex, dplain=(dplain,),
              dlatex=(dlatex,), kink=kink, kinks=kinks, doc=doc)


_activation("sigmoid", "σ", _sigmoid, _sig_deriv, "σ(x) = 1/(1 + e^(−x))",
            r"\sigma(x) = \frac{1}{1 + e^{-x}}", "σ(x)(1 − σ(x))",
            r"\sigma(x)\,(1 - \sigma(x))",
            vjp=lambda g, out, x: (g * out * (1.0 - out),),
            doc="Logistic sigmoid, computed without overflow.")
_activation("tanh", "tanh", np.tanh, lambda x: 1.0 - np.tanh(x) ** 2, "tanh(x)",
            r"\tanh x", "1 − tanh²(x)", r"1 - \tanh^{2} x",
            vjp=lambda g, out, x: (g * (1.0 - out * out),),
            doc="Hyperbolic tangent, tanh(x) = 2σ(2x) − 1.")
_activation("relu", "ReLU", lambda x: np.where(x > 0, x, 0.0), lambda x: (x > 0) * 1.0,
            "max(x, 0)", r"\max(x, 0)", "1 if x > 0 else 0", r"[x > 0]",
            kink="relu'(0) = 0 (PyTorch, JAX).", kinks=(0.0,), doc="Rectified linear unit.")
_activation("leaky_relu", "LReLU",
            lambda x, slope=0.01: np.where(x >= 0, x, slope * x),
            lambda x, slope=0.01: np.where(x >= 0, 1.0, slope),
            "x if x ≥ 0 else slope·x", r"\begin{cases} x & x \ge 0 \\ \alpha x & x < 0 \end{cases}",
            "1 if x ≥ 0 else slope", r"\begin{cases} 1 & x \ge 0 \\ \alpha & x < 0 \end{cases}",
            params=(("slope", 0.01),),
            kink="leaky_relu'(0) = 1: the course's f(x) = max(x, 0.1x) with f'(x) = 1 for x ≥ 0.",
            kinks=(0.0,),
            doc="Leaky ReLU; the seed problems use slope=0.1, PyTorch's default is 0.01.")
_activation("softplus", "softplus",
            lambda x, beta=1.0: np.logaddexp(0.0, beta * x) / beta,
            lambda x, beta=1.0: _sigmoid(beta * x),
            "(1/β) ln(1 + e^(βx))", r"\frac{1}{\beta}\ln(1 + e^{\beta x})",
            "σ(βx)", r"\sigma(\beta x)", params=(("beta", 1.0),),
            doc="Softplus, a smooth ReLU.")
_activation("gelu", "GELU", lambda x: x * ndtr(x), _gelu_deriv, "x·Φ(x)",
            r"x\,\Phi(x)", "Φ(x) + x·φ(x)", r"\Phi(x) + x\,\varphi(x)",
            doc="GELU, exact (erf) form; Φ is the standard normal CDF.")
_activation("gelu_tanh", "GELUₜ",
            lambda x: 0.5 * x * (1.0 + _gelu_tanh_parts(x)[0]), _gelu_tanh_deriv,
            "½x(1 + tanh(√(2/π)(x + 0.044715x³)))",
            r"\tfrac12 x\bigl(1 + \tanh(\sqrt{2/\pi}(x + 0.044715x^{3}))\bigr)",
            "½(1 + t) + ½x(1 − t²)√(2/π)(1 + 3·0.044715x²)",
            r"\tfrac12(1 + t) + \tfrac12 x (1 - t^{2})\sqrt{2/\pi}(1 + 0.134145x^{2})",
            doc="GELU, tanh approximation (t is the tanh term).")
_activation("elu", "ELU",
            lambda x, alpha=1.0: np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0))),
            lambda x, alpha=1.0: np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0))),
            "x if x > 0 else α(e^x − 1)",
            r"\begin{cases} x & x > 0 \\ \alpha(e^{x} - 1) & x \le 0 \end{cases}",
            "1 if x > 0 else α·e^x",
            r"\begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}",
            params=(("alpha", 1.0),), kink="elu'(0) = alpha (the x ≤ 0 branch, as PyTorch).",
            kinks=(0.0,),
            doc="Exponential linear unit.")
_activation("silu", "SiLU", lambda x: x * _sigmoid(x), _silu_deriv, "x·σ(x)",
            r"x\,\sigma(x)", "σ(x)(1 + x(1 − σ(x)))",
            r"\sigma(x)\bigl(1 + x(1 - \sigma(x))\bigr)", doc="SiLU / Swish.")
_activation("identity", "id", lambda x: x + 0.0, lambda x: np.ones_like(x), "x", "x",
            "1", "1", doc="Identity (a linear output).")


# -------------------------------------------------------------------------- softmax
def _softmax(z: Array) -> Array:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax(z: Array) -> Array:
    m = z.max(axis=-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))


def softmax_vjp(g: Array, s: Array) -> Array:
    """VJP of softmax: s ⊙ (g − ⟨g, s⟩), i.e. (diag(s) − s sᵀ) g."""
    return s * (g - (g * s).sum(axis=-1, keepdims=True))


def log_softmax_vjp(g: Array, out: Array) -> Array:
    """VJP of log_softmax: g − softmax · Σg."""
    return g - np.exp(out) * g.sum(axis=-1, keepdims=True)


op(name="softmax", symbol="softmax", arity=1, args=("z",), kind="softmax",
   forward=_softmax, vjp=lambda g, out, z: (softmax_vjp(g, out),),
   formula="ŷₖ = e^(zₖ) / Σⱼ e^(zⱼ)", formula_tex=r"\hat y_k = \frac{e^{z_k}}{\sum_j e^{z_j}}",
   dplain=("∂ŷₖ/∂zᵢ = ŷₖ(δₖᵢ − ŷᵢ)",), dlatex=(r"\hat y_k(\delta_{ki} - \hat y_i)",),
   doc="Softmax over the last axis, computed with the max subtracted (no overflow).")
op(name="log_softmax", symbol="log softmax", arity=1, args=("z",), kind="softmax",
   forward=_log_softmax, vjp=lambda g, out, z: (log_softmax_vjp(g, out),),
   formula="zₖ − log Σⱼ e^(zⱼ)", formula_tex=r"z_k - \log\sum_j e^{z_j}",
   dplain=("δₖᵢ − softmax(z)ᵢ",), dlatex=(r"\delta_{ki} - \operatorname{softmax}(z)_i",),
   doc="Log-softmax by log-sum-exp.")


# ----------------------------------------------------------------------------- losses
def _bce_vjp(g, out, p, y):
    n = _core_size(p, y)
    gg = _expand(g, np.broadcast_to(p, np.broadcast_shapes(p.shape, y.shape)))
    dp = gg * (p - y) / np.maximum(p * (1.0 - p), EPS) / n
    dy = gg * (_clamped_log(1.0 - p) - _clamped_log(p)) / n
    return dp, dy


op(name="bce", symbol="BCE", arity=2, args=("ŷ", "y"), kind="loss", broadcast=True,
   forward=lambda p, y: -(y * _clamped_log(p) + (1.0 - y) * _clamped_log(1.0 - p)).mean(
       axis=_core(np.broadcast_to(p, np.broadcast_shapes(p.shape, y.shape)))),
   vjp=_bce_vjp,
   formula="−y log ŷ − (1 − y) log(1 − ŷ)",
   formula_tex=r"-y\log\hat y - (1 - y)\log(1 - \hat y)",
   dplain=("(ŷ − y)/(ŷ(1 − ŷ))", "log(1 − ŷ) − log ŷ"),
   dlatex=(r"\frac{\hat y - y}{\hat y(1 - \hat y)}", r"\log(1 - \hat y) - \log\hat y"),
   kink="Each log is clamped at -100 and the denominator at 1e-12, as PyTorch's BCELoss.",
   doc="Binary cross-entropy of a probability ŷ (mean over elements).")


def _bce_logits(z, y):
    full = np.broadcast_shapes(z.shape, y.shape)
    loss = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return np.broadcast_to(loss, full).mean(axis=tuple(range(1, len(full))))


def _bce_logits_vjp(g, out, z, y):
    n = _core_size(z, y)
    gg = _expand(g, np.broadcast_to(z, np.broadcast_shapes(z.shape, y.shape)))
    return gg * (_sigmoid(z) - y) / n, gg * (-z) / n


op(name="bce_with_logits", symbol="BCEℓ", arity=2, args=("z", "y"), kind="loss",
   broadcast=True, forward=_bce_logits, vjp=_bce_logits_vjp,
   formula="max(z, 0) − z·y + log(1 + e^(−|z|))",
   formula_tex=r"\max(z, 0) - z y + \log(1 + e^{-|z|})",
   dplain=("σ(z) − y", "−z"), dlatex=(r"\sigma(z) - y", "-z"),
   doc="Binary cross-entropy of a logit z (stable for any z; mean over elements).")


def _diff_loss(name, symbol, per, dper, formula, formula_tex, dplain, dlatex, mean=True,
               params=(), kink="", doc=""):
    """Register a loss of the difference d = ŷ − y, reduced by mean (or sum)."""

    def forward(p, y, **kw):
        full = np.broadcast_shapes(p.shape, y.shape)
        v = np.broadcast_to(per(p - y, **kw), full)
        axes = tuple(range(1, len(full)))
        return v.mean(axis=axes) if mean else v.sum(axis=axes)

    def vjp(g, out, p, y, **kw):
        full = np.broadcast_shapes(p.shape, y.shape)
        scale = 1.0 / int(np.prod(full[1:], dtype=np.int64)) if mean else 1.0
        d = _expand(g, np.empty(full)) * dper(p - y, **kw) * scale
        return d, -d

    return op(name=name, symbol=symbol, arity=2, args=("ŷ", "y"), kind="loss",
              broadcast=True, forward=forward, vjp=vjp, formula=formula,
              formula_tex=formula_tex, dplain=(dplain, "−(" + dplain + ")"),
              dlatex=(dlatex, "-(" + dlatex + ")"), params=params, kink=kink, doc=doc)


_diff_loss("mse", "MSE", lambda d: 0.5 * d * d, lambda d: d, "½ Σ (ŷ − y)²",
           r"\tfrac12 \sum (\hat y - y)^{2}", "ŷ − y", r"\hat y - y", mean=False,
           doc="Squared error with the ½, summed: ½Σ(ŷ − y)² (the course's MSE).")
_diff_loss("mse_mean", "MSE", lambda d: d * d, lambda d: 2.0 * d, "(1/n) Σ (ŷ − y)²",
           r"\frac{1}{n}\sum (\hat y - y)^{2}", "2(ŷ − y)/n", r"\frac{2(\hat y - y)}{n}",
           doc="Mean squared error without the ½ (PyTorch's MSELoss).")
_diff_loss("l1", "L1", np.abs, np.sign, "(1/n) Σ |ŷ − y|", r"\frac{1}{n}\sum|\hat y - y|",
           "sign(ŷ − y)/n", r"\frac{\operatorname{sign}(\hat y - y)}{n}",
           kink="l1'(0) = 0 (sign(0) = 0).", doc="Mean absolute error.")
_diff_loss("huber", "Huber",
           lambda d, delta=1.0: np.where(np.abs(d) <= delta, 0.5 * d * d,
                                         delta * (np.abs(d) - 0.5 * delta)),
           lambda d, delta=1.0: np.clip(d, -delta, delta),
           "½d² if |d| ≤ δ else δ(|d| − ½δ), d = ŷ − y",
           r"\begin{cases} \tfrac12 d^{2} & |d| \le \delta \\ \delta(|d| - \tfrac12\delta) & "
           r"\text{else} \end{cases}",
           "clip(ŷ − y, −δ, δ)/n", r"\frac{\operatorname{clip}(\hat y - y, -\delta, \delta)}{n}",
           params=(("delta", 1.0),), doc="Huber loss (mean), quadratic within δ.")


def _hinge(s, y):
    full = np.broadcast_shapes(s.shape, y.shape)
    v = np.broadcast_to(np.maximum(0.0, 1.0 - y * s), full)
    return v.mean(axis=tuple(range(1, len(full))))


def _hinge_vjp(g, out, s, y):
    full = np.broadcast_shapes(s.shape, y.shape)
    active = (1.0 - y * s > 0) * (_expand(g, np.empty(full)) / _core_size(s, y))
    return -y * active, -s * active


op(name="hinge", symbol="hinge", arity=2, args=("s", "y"), kind="loss", broadcast=True,
   forward=_hinge, vjp=_hinge_vjp,
   formula="max(0, 1 − y·s), y ∈ {−1, +1}", formula_tex=r"\max(0, 1 - y s)",
   dplain=("−y if y·s < 1 else 0", "−s if y·s < 1 else 0"),
   dlatex=(r"-y\,[y s < 1]", r"-s\,[y s < 1]"),
   kink="At the margin y·s = 1 the gradient is 0 (as relu'(0)).",
   doc="Hinge loss of a score s against a label y = ±1 (mean over elements).")


def _onehot(p: Array, y: Array) -> Array:
    if y.ndim == p.ndim:
        return y
    k = p.shape[-1]
    if not np.all((y == np.round(y)) & (y >= 0) & (y < k)):
        raise EvalError(f"a class index must be an integer in 0..{k - 1}, got {y.ravel()[:3]}")
    return (np.arange(k) == y[..., None]) * 1.0


def _ce(p, y):
    return -(_onehot(p, y) * _clamped_log(p)).sum(axis=-1)


def _ce_vjp(g, out, p, y):
    t = _onehot(p, y)
    dy = -g[..., None] * _clamped_log(p) if y.ndim == p.ndim else np.zeros_like(y * g)
    return -g[..., None] * t / np.maximum(p, EPS), dy


op(name="cross_entropy", symbol="CE", arity=2, args=("ŷ", "y"), kind="loss",
   forward=_ce, vjp=_ce_vjp,
   formula="−Σₖ yₖ log ŷₖ", formula_tex=r"-\sum_k y_k \log \hat y_k",
   dplain=("−yₖ/ŷₖ", "−log ŷₖ"), dlatex=(r"-\frac{y_k}{\hat y_k}", r"-\log\hat y_k"),
   kink="log ŷ clamped at -100 and ŷ at 1e-12 in the gradient, as bce.",
   doc="Cross-entropy of probabilities ŷ (e.g. a softmax output) against a one-hot "
       "vector or a class index y.")


def _ce_logits(z, y):
    return -(_onehot(z, y) * _log_softmax(z)).sum(axis=-1)


def _ce_logits_vjp(g, out, z, y):
    t = _onehot(z, y)
    dz = g[..., None] * (_softmax(z) * t.sum(axis=-1, keepdims=True) - t)
    dy = -g[..., None] * _log_softmax(z) if y.ndim == z.ndim else np.zeros_like(y * g)
    return dz, dy


op(name="cross_entropy_with_logits", symbol="CEℓ", arity=2, args=("z", "y"), kind="loss",
   forward=_ce_logits, vjp=_ce_logits_vjp,
   formula="−Σₖ yₖ log softmax(z)ₖ", formula_tex=r"-\sum_k y_k \log\operatorname{softmax}(z)_k",
   dplain=("softmax(z) − y", "−log softmax(z)"),
   dlatex=(r"\operatorname{softmax}(z) - y", r"-\log\operatorname{softmax}(z)"),
   doc="Cross-entropy of logits z (log-sum-exp, stable); y one-hot or a class index.")


def _cos_parts(a, b, eps):
    na = np.sqrt((a * a).sum(axis=-1))
    nb = np.sqrt((b * b).sum(axis=-1))
    return (a * b).sum(axis=-1), na, nb, np.maximum(na * nb, eps)


def _cos(a, b, eps=1e-8):
    d, _, _, den = _cos_parts(a, b, eps)
    return d / den


def _cos_vjp(g, out, a, b, eps=1e-8):
    _, na, nb, den = _cos_parts(a, b, eps)
    c, gg = out[..., None], g[..., None]
    da = gg * (b / den[..., None] - c * a / np.maximum(na * na, eps * eps)[..., None])
    db = gg * (a / den[..., None] - c * b / np.maximum(nb * nb, eps * eps)[..., None])
    return da, db


op(name="cosine_similarity", symbol="cos", arity=2, args=("a", "b"), kind="loss",
   forward=_cos, vjp=_cos_vjp, params=(("eps", 1e-8),),
   formula="a·b / (‖a‖‖b‖)", formula_tex=r"\frac{a \cdot b}{\lVert a\rVert\,\lVert b\rVert}",
   dplain=("b/(‖a‖‖b‖) − cos·a/‖a‖²", "a/(‖a‖‖b‖) − cos·b/‖b‖²"),
   dlatex=(r"\frac{b}{\lVert a\rVert\lVert b\rVert} - \cos\,\frac{a}{\lVert a\rVert^{2}}",
           r"\frac{a}{\lVert a\rVert\lVert b\rVert} - \cos\,\frac{b}{\lVert b\rVert^{2}}"),
   kink="The norm product is clamped at eps = 1e-8, as PyTorch.",
   doc="Cosine similarity of two vectors (use 1 − cos as a loss).")


ACTIVATIONS: tuple[str, ...] = tuple(n for n, o in OPS.items() if o.kind == "activation")
LOSSES: tuple[str, ...] = tuple(n for n, o in OPS.items() if o.kind == "loss")
