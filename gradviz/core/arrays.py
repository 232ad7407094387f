"""The array convention both evaluators share: batch-leading arrays, padded operands,
gradients summed back to their operand's shape.

Every array an op sees has a leading *batch* axis (size 1 for a single evaluation)
before the node's own *core* shape (see :mod:`gradviz.core.ops`). A broadcasting op gets
its operands padded to a common core rank (:func:`pad`), so numpy broadcasting combines
a scalar with a vector; its VJP may then return a gradient in the broadcast shape, which
:func:`unbroadcast` sums back to the operand's shape, once, for every op.

Examples
--------
>>> import numpy as np
>>> from gradviz.core.ops import OPS
>>> a, v = np.array([2.0]), np.array([[1.0, 2.0, 3.0]])  # a scalar and a 3-vector
>>> [x.shape for x in pad([a, v], OPS["mul"])]
[(1, 1), (1, 3)]
>>> unbroadcast(np.array([[1.0, 2.0, 3.0]]), (1,))  # the scalar's gradient
array([6.])
"""

from __future__ import annotations

import numpy as np

from gradviz.core.ops import Op

__all__ = ["pad", "unbroadcast", "broadcast_shape"]


def pad(xs: list[np.ndarray], op: Op) -> list[np.ndarray]:
    """Insert singleton core axes so that a broadcasting op combines scalars with vectors.

    Parameters
    ----------
    xs : list of ndarray
        The operands, batch-leading.
    op : Op
        The op they are handed to; operands of ops that do not broadcast are returned as
        they are.

    Returns
    -------
    list of ndarray
        Views of the operands, all of the same number of axes.

    Examples
    --------
    >>> import numpy as np
    >>> from gradviz.core.ops import OPS
    >>> [x.shape for x in pad([np.ones(1), np.ones((1, 2, 3))], OPS["add"])]
    [(1, 1, 1), (1, 2, 3)]
    """
    if not op.broadcast:
        return xs
    r = max(x.ndim for x in xs) - 1
    return [x if x.ndim - 1 == r else
            x.reshape(x.shape[:1] + (1,) * (r - x.ndim + 1) + x.shape[1:]) for x in xs]


def unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a gradient over the axes its operand was broadcast along (batch axis kept).

    Parameters
    ----------
    g : ndarray
        A gradient as a VJP returns it, batch-leading, possibly in the broadcast shape.
    shape : tuple of int
        The operand's shape, batch axis included.

    Returns
    -------
    ndarray
        ``g`` itself when it has the shape already, else its sums (or a read-only
        broadcast view, when ``g`` has fewer elements than ``shape``).

    Examples
    --------
    >>> import numpy as np
    >>> unbroadcast(np.ones((2, 3, 4)), (2, 1, 4)).shape
    (2, 1, 4)
    >>> unbroadcast(np.ones((2, 3)), (2,))
    array([3., 3.])
    """
    g = np.asarray(g)
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(1, 1 + extra)))
    axes = tuple(i for i in range(1, g.ndim) if shape[i] == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return np.broadcast_to(g, shape) if g.shape != shape else g


def broadcast_shape(*shapes: tuple[int, ...]) -> tuple[int, ...] | None:
    """The shape numpy broadcasting gives core shapes (right-aligned), or ``None`` if
    they do not broadcast; plain Python, so it is cheap and allocates nothing.

    Examples
    --------
    >>> broadcast_shape((20000, 1), (20000,)), broadcast_shape((3,), (2,))
    ((20000, 20000), None)
    >>> broadcast_shape((), (4, 1), (5,))
    (4, 5)
    """
    rank = max(len(s) for s in shapes)
    out = []
    for axis in range(-rank, 0):
        sizes = {s[axis] for s in shapes if len(s) >= -axis} - {1}
        if len(sizes) > 1:
            return None
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)
