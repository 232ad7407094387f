"""Property tests: random small DAGs of random ops, checked against central differences.

Each drawn "program" is a list of leaves (scalars or 3-vectors, inputs or params) and
ops whose operands are earlier nodes, so fan-out, repeated operands (``x * x``) and
scalar-vector broadcasting all occur. Kinks and ties are avoided with ``assume``: every
relu/leaky/abs/elu operand and every min/max difference must keep its sign under all the
perturbations gradcheck makes (checked on the same batched pass).
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import gradviz

EPS = 1e-6
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

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


def perturbations(graph, trace):
    """The batch gradcheck evaluates: every element of every leaf moved by ±EPS."""
    leaves = graph.leaves("input", "param")
    sizes = [max(np.size(trace.value(n)), 1) for n in leaves]
    total, pos, batched = sum(sizes), 0, {}
    for n, size in zip(leaves, sizes):
        v = np.asarray(trace.value(n), dtype=np.float64)
        arr = np.broadcast_to(v, (2 * total,) + v.shape).copy()
        flat = arr.reshape(2 * total, -1)
        for j in range(size):
            flat[2 * (pos + j), j] += EPS
            flat[2 * (pos + j) + 1, j] -= EPS
        batched[n] = arr
        pos += size
    return batched


def batched_diff(x, y):
    """x − y for batch-leading arrays of core rank 0 or 1 (a scalar against a vector)."""
    if x.ndim < y.ndim:
        x = x[:, None]
    elif y.ndim < x.ndim:
        y = y[:, None]
    return x - y


def well_conditioned(graph, kinks, denominators):
    """Values bounded, denominators away from 0, no kink or tie crossed by a perturbation."""
    t = gradviz.evaluate(graph, check_finite=False)
    for n in t.order:
        v = t.value(n)
        if not np.all(np.isfinite(v)) or np.max(np.abs(v), initial=0.0) > 1e3:
            return None
        g = t.grad(n)
        if g is not None and (not np.all(np.isfinite(g)) or np.max(np.abs(g), initial=0) > 1e4):
            return None
    if any(np.min(np.abs(t.value(d)), initial=np.inf) < 0.2 for d in denominators):
        return None
    if kinks:
        pt = gradviz.evaluate(graph, perturbations(graph, t), check_finite=False)
        for a, b in kinks:
            base = t.value(a) - (t.value(b) if b else 0.0)
            moved = batched_diff(pt.value(a), pt.value(b)) if b else pt.value(a)
            if np.min(np.abs(base), initial=np.inf) < 1e-9:
                return None
            if not np.all(np.sign(moved) == np.sign(base)):
                return None
    return t


def check_program(program):
    graph, kinks, denominators = build(program)
    trace = well_conditioned(graph, kinks, denominators)
    assume(trace is not None)
    gc = gradviz.gradcheck(graph)
    assert gc.ok, (gc.max_error, gc.analytic, gc.numeric)
    # fan-in: the contributions along the edges out of a node sum to its gradient
    for n in trace.order:
        g = trace.grad(n)
        if g is None or n == trace.loss:
            continue
        total = sum((e.contribution for e in trace.edges_from(n)), np.zeros(np.shape(g)))
        np.testing.assert_allclose(total, g, rtol=1e-12, atol=1e-12)
    return graph, trace


@SETTINGS
@given(programs(vectors=False))
def test_random_scalar_dags_gradcheck(program):
    check_program(program)


@SETTINGS
@given(programs(vectors=True))
def test_random_broadcasting_dags_gradcheck(program):
    check_program(program)


@SETTINGS
@given(programs(vectors=False), st.lists(finite, min_size=3, max_size=3))
def test_random_dags_batch_equals_loop(program, variants):
    graph, _, _ = build(program)
    first = graph.leaves("input", "param")[0]
    batch = np.array(variants)
    t = gradviz.evaluate(graph, check_finite=False, **{first: batch})
    assert t.batch == 3
    for i, v in enumerate(batch):
        single = gradviz.evaluate(graph, check_finite=False, **{first: v})
        for n in t.order:
            np.testing.assert_allclose(t.value(n)[i], single.value(n), rtol=1e-12,
                                       atol=1e-12, equal_nan=True)
            if single.grad(n) is not None:
                np.testing.assert_allclose(t.grad(n)[i], single.grad(n), rtol=1e-12,
                                           atol=1e-12, equal_nan=True)
