"""Property tests: random small DAGs of random ops, checked against central differences,
and the compiled evaluator checked against the reference one.

Each drawn "program" is a list of leaves (scalars or 3-vectors, inputs or params) and
ops whose operands are earlier nodes, so fan-out, repeated operands (``x * x``) and
scalar-vector broadcasting all occur. Kinks and ties are avoided with ``assume``: every
relu/leaky/abs/elu operand and every min/max difference must keep its sign under all the
perturbations gradcheck makes (checked on the same batched pass).

:func:`gradviz.core.evaluate.reference` is the oracle of :func:`gradviz.evaluate` (the
compiled schedule): on every random program, scalar and broadcasting, single and
batched, on graphs of any op of the table, on every built-in example and on a
1,517-node neuron-level MLP, the two agree on every value and gradient to 1e-12.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import gradviz
from gradviz.core.evaluate import reference
from tests.helpers import EDGE_GRAPHS, graph_named
from tests.strategies import build, finite, oracle_graphs, programs

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


# ------------------------------------------------------- the reference as the oracle
def magnitudes(graph, values):
    """Per variant and node, how large the terms summed into its gradient are: ones
    backpropagated through the absolute values of the local derivatives (|J|ᵀ). Two
    correct evaluators that add the same terms in another order agree to about 1e-16
    of this, not of the sum: 1e61 − 1e61 + 1 is 1 or 0 depending on the order."""
    values = {n: np.asarray(v) for n, v in (values or {}).items()}
    batched = {n for n, v in values.items() if v.ndim > np.ndim(graph.default(n))}
    B = max((len(values[n]) for n in batched), default=0)
    one = [{n: v[i] if n in batched else v for n, v in values.items()} for i in range(B)]
    return [_magnitudes(gradviz.evaluate(graph, v, check_finite=False)) for v in one or [{}]]


def _magnitudes(t):
    size = {t.loss: 1.0}
    with np.errstate(all="ignore"):
        for n in reversed(t.order):
            for e in t.edges_into(n):
                if e.local is None or n not in size:
                    continue
                term = np.tensordot(size[n], np.abs(e.local), axes=np.ndim(size[n]))
                size[e.src] = size.get(e.src, 0.0) + term
    return size


def assert_matches_reference(graph, values=None, random=True):
    """Every value and gradient of the compiled evaluator equals the reference's to
    1e-12: for ``random`` graphs, gradients to 1e-12 of the terms they sum (see
    :func:`magnitudes`), for the others to 1e-12 of themselves."""
    t = gradviz.evaluate(graph, values or {}, check_finite=False)
    val, grad = reference(graph, values)
    if not random:
        t_grads = {n: t.grad(n) for n in t.order if t.requires_grad(n)}
        sizes = [{n: np.abs(np.asarray(g)[v] if t.batch else g) for n, g in t_grads.items()}
                 for v in range(t.batch or 1)]
    else:
        sizes = magnitudes(graph, values)
    for n in t.order:
        got = t.value(n) if t.batch is not None else np.asarray(t.value(n))[None]
        np.testing.assert_allclose(got, val[n], rtol=1e-12, atol=1e-12, equal_nan=True,
                                   err_msg=f"value of {n}")
        if not t.requires_grad(n):
            assert t.grad(n) is None
            continue
        got = t.grad(n) if t.batch is not None else np.asarray(t.grad(n))[None]
        want = grad.get(n, np.zeros_like(got))  # the loss does not depend on n
        for v, size in enumerate(sizes):
            scale = np.nan_to_num(np.broadcast_to(size.get(n, 0.0), got[v].shape),
                                  nan=np.inf, posinf=np.inf)
            with np.errstate(all="ignore"):
                tol = 1e-12 * (1.0 + scale)
                ok = np.isclose(got[v], want[v], rtol=0, atol=0, equal_nan=True) | \
                    (np.abs(got[v] - want[v]) <= tol) | ~np.isfinite(tol)
            assert ok.all(), (f"gradient of {n}, variant {v}: {got[v]} against {want[v]} "
                              f"(terms up to {scale}) in\n{graph.to_text()}")


def batch_of(graph, variants):
    """The first leaf that takes a gradient, set to len(variants) values."""
    leaf = (graph.leaves("input", "param") or graph.leaves())[0]
    shape = np.shape(graph.default(leaf))
    return {leaf: np.array(variants).reshape((len(variants),) + (1,) * len(shape))
            * np.ones(shape)}


@SETTINGS
@given(programs(vectors=False), st.lists(finite, min_size=0, max_size=3))
def test_compiled_equals_reference_on_scalar_programs(program, variants):
    graph = build(program)[0]
    assert_matches_reference(graph, batch_of(graph, variants) if variants else None)


@SETTINGS
@given(programs(vectors=True), st.lists(finite, min_size=0, max_size=3))
def test_compiled_equals_reference_on_broadcasting_programs(program, variants):
    graph = build(program)[0]
    assert_matches_reference(graph, batch_of(graph, variants) if variants else None)


@settings(SETTINGS, max_examples=150)
@given(oracle_graphs(), st.lists(finite, min_size=0, max_size=3))
def test_compiled_equals_reference_on_graphs_of_any_op(graph, variants):
    assert_matches_reference(graph, batch_of(graph, variants) if variants else None)


@pytest.mark.parametrize("name", EDGE_GRAPHS)
def test_compiled_equals_reference_on_every_example(name):
    g = graph_named(name)
    assert_matches_reference(g, random=False)
    assert_matches_reference(g, batch_of(g, [0.5, -1.5, 2.0]), random=False)


def test_compiled_equals_reference_on_a_neuron_mlp():
    g = gradviz.mlp([8, 32, 32, 1], granularity="neuron", activation="tanh", loss="mse")
    assert len(g) >= 1500
    assert_matches_reference(g, random=False)
    assert_matches_reference(g, {"x1": np.linspace(-1, 1, 4), "w2_3_5": np.arange(4.0)},
                             random=False)
