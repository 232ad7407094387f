"""Arithmetic and elementwise ops: + − × ÷, negation, power, exp, log, √, |·|, max, min.

Conventions: ``abs'(0) = 0`` (sign(0) = 0, as PyTorch and JAX); a ``max``/``min`` tie
splits the gradient ½/½ (JAX, tinygrad, ``torch.maximum``).
"""

from __future__ import annotations

import numpy as np

from gradviz.core.ops import FUNCS, Piece, register

Array = np.ndarray


def _tie(a: Array, b: Array) -> Array:
    """Share of the gradient that goes to ``a`` in ``max(a, b)``: 1, ½ at a tie, or 0."""
    return np.where(a > b, 1.0, np.where(a == b, 0.5, 0.0))


FUNCS.update(exp=np.exp, log=np.log, sqrt=np.sqrt, abs=np.abs, sign=np.sign,
             max=np.maximum, min=np.minimum)
_BINARY = dict(arity=2, args=("a", "b"), kind="arith", broadcast=True)
_UNARY = dict(arity=1, args=("x",), kind="elementwise", broadcast=True)

register(name="add", symbol="+", **_BINARY, infix="+", pretty="+", precedence=1,
         forward=np.add, forward_out=True,
         vjp=lambda g, out, a, b: (g, g),
         formula="a + b", local=("1", "1"))
register(name="sub", symbol="−", **_BINARY, infix="-", pretty="−", precedence=1,
         forward=np.subtract, forward_out=True,
         vjp=lambda g, out, a, b: (g, -g),
         formula="a - b", local=("1", "-1"))
register(name="mul", symbol="×", **_BINARY, infix="*", pretty="·", precedence=2,
         forward=np.multiply, forward_out=True,
         vjp=lambda g, out, a, b: (g * b, g * a),
         formula="a*b", local=("b", "a"))
register(name="div", symbol="÷", **_BINARY, infix="/", pretty="/", precedence=2,
         forward=np.divide, forward_out=True,
         vjp=lambda g, out, a, b: (g / b, -g * out / b),
         formula="a/b", local=("1/b", "-a/b**2"), domain=("abs(b) > 0",),
         kink="b = 0 gives inf or nan: the evaluator stops with an error naming the node.")
register(name="neg", symbol="−", **_UNARY, infix="-", pretty="−", precedence=3,
         forward=np.negative, forward_out=True,
         vjp=lambda g, out, x: (-g,),
         formula="-x", local=("-1",))
register(name="pow", symbol="^", **_BINARY, infix="**", pretty="^", precedence=4,
         forward=lambda a, b: a**b,
         vjp=lambda g, out, a, b: (
             g * np.where(b == 0, 0.0, b * a ** (b - 1)),
             g * out * np.log(np.where(a > 0, a, np.nan)),
         ),
         formula="a**b", local=("b*a**(b - 1)", "a**b*log(a)"),
         kink="d/db needs a > 0 (nan otherwise, harmless when b is a constant).")
register(name="exp", symbol="exp", **_UNARY,
         forward=np.exp, forward_out=True,
         vjp=lambda g, out, x: (g * out,),
         formula="exp(x)", local=("exp(x)",))
register(name="log", symbol="log", **_UNARY,
         forward=np.log, forward_out=True,
         vjp=lambda g, out, x: (g / x,),
         formula="log(x)", local=("1/x",), domain=("x > 0",),
         kink="log(0) = -inf and log(x<0) = nan: the evaluator stops with an error.")
register(name="sqrt", symbol="√", **_UNARY,
         forward=np.sqrt, forward_out=True,
         vjp=lambda g, out, x: (g / (2.0 * out),),
         formula="sqrt(x)", local=("1/(2*sqrt(x))",), domain=("x > 0",),
         kink="sqrt'(0) = inf: the evaluator stops with an error naming the node.")
register(name="abs", symbol="|·|", **_UNARY,
         forward=np.abs, forward_out=True,
         vjp=lambda g, out, x: (g * np.sign(x),),
         formula="abs(x)", local=("sign(x)",),
         pieces=(Piece("x > 0", ("1",), "{out} keeps the sign of {x}"),
                 Piece("x < 0", ("-1",), "{out} flips the sign of {x}"),
                 Piece("x == 0", ("0",), "{out} is at its kink")),
         kink="|x|′ at 0 is 0 (sign(0) = 0, as PyTorch and JAX).")
register(name="max", symbol="max", **_BINARY,
         forward=np.maximum, forward_out=True,
         vjp=lambda g, out, a, b: (g * _tie(a, b), g * _tie(b, a)),
         formula="max(a, b)",
         pieces=(Piece("a > b", ("1", "0"), "{out} takes {a}"),
                 Piece("a < b", ("0", "1"), "{out} takes {b}"),
                 Piece("a == b", ("1/2", "1/2"), "{out} is a tie")),
         kink="A tie a = b splits the gradient ½/½ (JAX, tinygrad, torch.maximum).")
register(name="min", symbol="min", **_BINARY,
         forward=np.minimum, forward_out=True,
         vjp=lambda g, out, a, b: (g * _tie(b, a), g * _tie(a, b)),
         formula="min(a, b)",
         pieces=(Piece("a < b", ("1", "0"), "{out} takes {a}"),
                 Piece("a > b", ("0", "1"), "{out} takes {b}"),
                 Piece("a == b", ("1/2", "1/2"), "{out} is a tie")),
         kink="A tie a = b splits the gradient ½/½ (JAX, tinygrad, torch.minimum).")
