"""An activation and its exact derivative, sampled for plotting (no manim here)."""

from __future__ import annotations

import numpy as np

from gradviz.core.errors import GradvizError

__all__ = ["activation_samples", "pieces", "tick", "decimals"]


def activation_samples(name: str, lo: float = -4.0, hi: float = 4.0, n: int = 401,
                       **params: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``x``, ``f(x)`` and the exact ``f'(x)``, from the op's forward and VJP in one
    batched pass: never a numerical derivative.

    Examples
    --------
    >>> x, f, df = activation_samples("relu", -1, 1, 5)
    >>> f.tolist(), df.tolist()
    ([0.0, 0.0, 0.0, 0.5, 1.0], [0.0, 0.0, 0.0, 1.0, 1.0])
    """
    from gradviz.core.ops import ACTIVATIONS, OPS

    if name not in ACTIVATIONS:
        raise GradvizError(f"unknown activation {name!r}; choose from {', '.join(ACTIVATIONS)}")
    op = OPS[name]
    xs = np.linspace(lo, hi, n)
    full = {**op.param_defaults(), **params}
    out = op.forward(xs, **full)
    (df,) = op.vjp(np.ones_like(xs), out, xs, **full)
    return xs, np.asarray(out, dtype=np.float64), np.asarray(df, dtype=np.float64)


def pieces(name: str, xs: np.ndarray, **params: float) -> list[np.ndarray]:
    """Split the domain at the op's kinks, so that a jump in f' is drawn as a jump.

    >>> [p.tolist() for p in pieces("relu", np.array([-1.0, -0.5, 0.5, 1.0]))]
    [[-1.0, -0.5], [0.5, 1.0]]
    """
    from gradviz.core.ops import OPS

    cuts = [k for k in OPS[name].kinks(**params) if xs[0] < k < xs[-1]]
    edges = [-np.inf] + cuts + [np.inf]
    out = []
    for lo, hi in zip(edges, edges[1:]):
        seg = xs[(xs > lo) & (xs < hi)] if cuts else xs
        if len(seg) > 1:
            out.append(seg)
    return out


def tick(lo: float, hi: float) -> float:
    """A round tick step giving at most six ticks over ``[lo, hi]``.

    >>> tick(0, 1), tick(-4, 4), tick(0, 300)
    (0.2, 2, 50)
    """
    span = hi - lo
    for step in (0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100):
        if span / step <= 6:
            return step
    return span / 5


def decimals(step: float) -> int:
    """Decimal places the tick labels of ``step`` need.

    >>> decimals(1), decimals(0.5), decimals(0.25)
    (0, 1, 2)
    """
    return 0 if step >= 1 else 1 if round(step * 10, 9) == int(step * 10) else 2
