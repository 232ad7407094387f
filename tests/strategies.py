"""Hypothesis strategies shared by the property tests: random computational graphs.

A drawn "program" is a list of leaves (scalars or 3-vectors, inputs or params) and ops
whose operands are earlier nodes, so fan-out, repeated operands (``x * x``) and
scalar-vector broadcasting all occur; :func:`build` turns it into a Graph whose loss is a
weighted sum of a few nodes, and says which quantities must not cross a kink or zero.
:func:`oracle_graphs` draws graphs of every op in the table, for comparing the compiled
evaluator with the reference one.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import gradviz
from gradviz.core.arrays import pad
from gradviz.core.ops import OPS

SMOOTH_UNARY = ["neg", "sigmoid", "tanh", "softplus", "silu", "gelu", "gelu_tanh",
                "identity", "exp_tanh", "log_pos", "sqrt_pos"]
KINK_UNARY = ["relu", "leaky_relu", "abs", "elu"]
BINARY = ["add", "sub", "mul", "div", "min", "max", "pow_pos"]

finite = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)


@st.composite
def programs(draw, vectors: bool):
    n_leaves = draw(st.integers(1, 3))
    leaves = []
    for i in range(n_leaves):
        shape = draw(st.sampled_from([(), (3,)])) if vectors else ()
        value = np.array(draw(st.lists(finite, min_size=3, max_size=3)))[:3] if shape \
            else draw(finite)
        leaves.append((f"v{i}", draw(st.sampled_from(["input", "param"])), value))
    ops = []
    for k in range(draw(st.integers(1, 7))):
        avail = n_leaves + k
        name = draw(st.sampled_from(SMOOTH_UNARY + KINK_UNARY + BINARY))
        a = draw(st.integers(0, avail - 1))
        if name in BINARY:
            b = draw(st.integers(0, avail - 1))
            if name in ("min", "max") and a == b:
                name = "mul"  # max(x, x) is a tie by construction
            params = {}
        else:
            b = None
            params = {"leaky_relu": {"slope": 0.1}, "elu": {"alpha": 1.5}}.get(name, {})
        ops.append((name, a, b, params))
    total = n_leaves + len(ops)
    outs = draw(st.lists(st.integers(0, total - 1), min_size=1, max_size=3, unique=True))
    if total - 1 not in outs:
        outs.append(total - 1)  # the last op always reaches the loss
    weights = draw(st.lists(finite, min_size=len(outs), max_size=len(outs)))
    return leaves, ops, outs, weights


def build(program):
    """The graph, the names of its nodes, and the quantities that must not cross 0."""
    leaves, ops, outs, weights = program
    b = gradviz.Builder(name="random")
    nodes, shapes = [], []
    for name, kind, value in leaves:
        nodes.append(b.leaf(name, kind, value))
        shapes.append(np.shape(value))
    kinks, denominators = [], []
    for k, (name, i, j, params) in enumerate(ops):
        x, nm = nodes[i], f"n{k}"
        shape = np.broadcast_shapes(shapes[i], shapes[j]) if j is not None else shapes[i]
        y = nodes[j] if j is not None else None
        if name == "exp_tanh":
            v = b.op("exp", b.op("tanh", x), name=nm)
        elif name == "log_pos":
            v = b.op("log", b.op("softplus", x) + 0.5, name=nm)
        elif name == "sqrt_pos":
            v = b.op("sqrt", b.op("softplus", x) + 0.1, name=nm)
        elif name == "pow_pos":
            v = b.op("pow", b.op("sigmoid", x) + 0.5, b.op("tanh", y) * 2.0, name=nm)
        else:
            v = b.op(name, *([x] if y is None else [x, y]), name=nm, **params)
        if name in KINK_UNARY:
            kinks.append((x.node, None))
        elif name in ("min", "max"):
            kinks.append((x.node, y.node))
        elif name == "div":
            denominators.append(y.node)
        nodes.append(v)
        shapes.append(shape)
    terms = [b.op("sum", b.op("mul", nodes[o], b.const(np.full(shapes[o], w))))
             for o, w in zip(outs, weights)]
    loss = terms[0]
    for t in terms[1:]:
        loss = loss + t
    b.loss("L", loss)
    return b.build(), kinks, denominators




# ------------------------------------------------------------------ any op, any shape
ORACLE_SHAPES = [(), (3,), (2, 3)]
LAST_AXIS = {"softmax", "log_softmax", "cross_entropy", "cross_entropy_with_logits"}


def result_shape(op, shapes, params):
    """The core shape ``op`` gives operands of these shapes, or ``None`` if it refuses
    them (found by running it once on ones, as shape inference does)."""
    xs = pad([np.ones((1,) + s) for s in shapes], op)
    try:
        with np.errstate(all="ignore"):
            out = np.asarray(op.forward(*xs, **params))
    except (gradviz.GradvizError, ValueError, IndexError):
        return None
    return out.shape[1:] if 1 <= out.ndim <= 3 and out.shape[0] == 1 else None


@st.composite
def oracle_graphs(draw, max_ops: int = 6):
    """A random graph of any ops of the table on scalars, 3-vectors and 2×3 matrices (and
    what ops make of them), for holding the two evaluators equal: kinks, ties and
    non-finite numbers are all allowed. An op is often applied to several operand sets
    at once, so that the compiled schedule groups them into one step."""
    b = gradviz.Builder(name="oracle")
    nodes, shapes = [], []
    for i in range(draw(st.integers(1, 4))):
        shape = draw(st.sampled_from(ORACLE_SHAPES))
        size = int(np.prod(shape, dtype=int))
        value = np.array(draw(st.lists(finite, min_size=size, max_size=size))).reshape(shape)
        kind = draw(st.sampled_from(["input", "param", "target", "const"]))
        nodes.append(b.leaf(f"v{i}", kind, value))
        shapes.append(shape)
    for k in range(draw(st.integers(1, max_ops))):
        name = draw(st.sampled_from(sorted(OPS)))
        op = OPS[name]
        n = op.arity or (2 * draw(st.integers(0, 2)) + 1 if name == "affine"
                         else draw(st.integers(1, 3)))
        params = {"i": float(draw(st.integers(0, 1)))} if name == "index" else {}
        for r in range(draw(st.integers(1, 3))):
            args = [draw(st.integers(0, len(nodes) - 1)) for _ in range(n)]
            if name.startswith("cross_entropy") and len({len(shapes[a]) for a in args}) > 1:
                continue  # class indices: whether they are valid depends on the values
            if name in LAST_AXIS and any(shapes[a] == () for a in args):
                continue  # these reduce the last axis: a scalar's is the batch axis (a bug)
            shape = result_shape(op, [shapes[a] for a in args], params)
            if shape is not None:
                nodes.append(b.op(name, *[nodes[a] for a in args], name=f"n{k}_{r}", **params))
                shapes.append(shape)
    outs = sorted(set(draw(st.lists(st.integers(0, len(nodes) - 1), min_size=1, max_size=3))
                      + [len(nodes) - 1]))
    terms = [b.op("sum", b.op("mul", nodes[o], b.const(np.full(shapes[o], draw(finite)))))
             for o in outs]
    loss = terms[0]
    for t in terms[1:]:
        loss = loss + t
    b.loss("L", loss)
    return b.build()
