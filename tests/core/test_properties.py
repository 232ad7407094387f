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
from tests.strategies import build, finite, programs

EPS = 1e-6
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

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
