"""Problem variants: every rule of a good hand problem, on every built-in example, over
1,000 variants each (all of them for xyz, whose grid holds fewer good ones).

The checks here are written independently of :mod:`gradviz.teaching.screen`: they read the
op records and the evaluated batch directly.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from gradviz import evaluate, example
from gradviz.core import formula as F
from gradviz.core.errors import GradvizError
from gradviz.core.library import examples
from gradviz.core.ops import FUNCS
from gradviz.teaching.generate import (
    MAX_CANDIDATES,
    NUMBERS,
    Rules,
    batches,
    draw,
    free_leaves,
    variants,
)
from gradviz.teaching.screen import exact_nodes

N = 1000
# op names whose values are transcendental (the oracle for the op records' reading)
TRANSCENDENTAL = {"sigmoid", "tanh", "softmax", "bce", "cross_entropy"}


@pytest.fixture(scope="module", params=examples())
def batch(request):
    """An example, its original trace, its variants' leaf values and their batched trace."""
    g = example(request.param)
    found = list(itertools.islice(draw(g, seed=2024), N))
    values = {n: np.stack([v[n] for v in found]) for n in found[0]}
    return g, evaluate(g), found, evaluate(g, values)


def rows(v, n: int) -> np.ndarray:
    return np.asarray(v, dtype=float).reshape(n, -1)


def pieces_taken(g, trace, node, n):
    """Which piece of the node's op holds, per variant and element (first that holds)."""
    op = g.op_of(node)
    ins = g.inputs(node)
    env = {k: np.full((1, 1), v) for k, v in g.params(node).items()}
    env.update({op.args[op.role(i, len(ins))]: rows(trace.value(u), n)
                for i, u in enumerate(ins)})
    env["out"] = rows(trace.value(node), n)
    holds = [np.broadcast_to(F.evaluate(F.parse(p.when), env, FUNCS), env["out"].shape)
             for p in op.pieces]
    return np.argmax(np.stack(holds), axis=0)


def test_enough_distinct_variants(batch):
    g, _, found, _ = batch
    assert len(found) == N or (g.name == "xyz" and len(found) > 500)
    keys = {tuple(np.concatenate([np.ravel(v[n]) for n in sorted(v)])) for v in found}
    original = tuple(np.concatenate([np.ravel(g.default(n)) for n in sorted(found[0])]))
    assert len(keys) == len(found) and original not in keys


def test_same_branch_and_sign_at_every_kink_min_and_max(batch):
    g, o, found, t = batch
    n = len(found)
    piecewise = [v for v in g.order if g.op_of(v) is not None and g.op_of(v).pieces]
    for node in piecewise:
        assert (pieces_taken(g, t, node, n) == pieces_taken(g, o, node, 1)).all(), node
        for u in g.inputs(node):
            assert (np.sign(rows(t.value(u), n)) == np.sign(rows(o.value(u), 1))).all(), u
    if g.name.startswith("interesting"):  # the old generator gave H1 < 0 in 15 of 15
        assert (rows(t.value("H1"), n) > 0).all()


def test_leaves_nonzero_with_one_decimal_and_targets_kept(batch):
    g, _, found, t = batch
    for leaf in free_leaves(g):
        v = rows(t.value(leaf), len(found))
        assert (v != 0).all(), leaf
        assert np.allclose(v * 10, np.round(v * 10), rtol=0, atol=1e-9), leaf
    for leaf in g.leaves("target", "const"):
        assert (rows(t.value(leaf), len(found)) == rows(g.default(leaf), 1)).all()


def test_every_path_stays_visible(batch):
    g, o, found, t = batch
    n = len(found)
    for e, eo in zip(t.edges, o.edges):
        if e.contribution is not None:
            lost = (rows(e.contribution, n) == 0) & (rows(eo.contribution, 1) != 0)
            assert not lost.any(), (e.src, e.dst)
    for node in g.order:
        if t.grad(node) is not None:
            lost = (rows(t.grad(node), n) == 0) & (rows(o.grad(node), 1) != 0)
            assert not lost.any(), node


def test_nothing_smaller_than_a_hundredth_unless_the_original_is(batch):
    g, o, found, t = batch
    n = len(found)
    for node in g.order:
        for v, ov in ((t.value(node), o.value(node)), (t.grad(node), o.grad(node))):
            if v is not None:
                tiny = (np.abs(rows(v, n)) < 0.01) & (np.abs(rows(ov, 1)) >= 0.01)
                assert not tiny.any(), node
    if g.name == "mlp":  # the old generator gave Ŷ = 1.3e-05
        assert (rows(t.value("Yhat"), n) >= 0.01).all()


def three_decimals(v) -> np.ndarray:
    v = np.asarray(v) * 1000
    return np.abs(v - np.round(v)) <= 1e-6 * np.maximum(1, np.abs(v))


def test_hand_values_are_terminating_decimals_up_to_the_first_transcendental_op(batch):
    g, o, found, t = batch
    before = set(exact_nodes(g))
    after = {v for v in g.order if g.op_of(v) and g.op_of(v).name in TRANSCENDENTAL}
    for v in g.order:  # the oracle: nothing computed from a transcendental op is exact
        if g.op_of(v) and any(u in after for u in g.inputs(v)):
            after.add(v)
    assert before == {v for v in g.order if g.op_of(v) and v not in after}
    # waived where the original is not exact either: linear_f_linear_g's L, and the leaky
    # slope 0.01 of softmax_classifier (sigmoid_regression's 2-decimal leaves are waived
    # too, but one-decimal leaves keep its sums exact anyway)
    waived = {"linear_f_linear_g": {"L"}, "softmax_classifier": {"a1", "z2.1", "z2"}}
    for v in waived.get(g.name, set()):
        assert not three_decimals(o.value(v)).all()
    for v in before - waived.get(g.name, set()):
        assert three_decimals(rows(t.value(v), len(found))).all(), v


def test_no_op_passes_an_operand_on_unless_the_original_does(batch):
    g, o, found, t = batch
    n = len(found)
    for v in g.order:
        op = g.op_of(v)
        if op is None or op.pieces:
            continue
        for u in g.inputs(v):
            if np.shape(o.value(u)) == np.shape(o.value(v)) and \
                    np.any(o.value(u) != o.value(v)):
                same = rows(t.value(u), n) == rows(t.value(v), n)
                assert not (same & (rows(o.value(u), 1) != rows(o.value(v), 1))).any(), v


def test_unsaturated_and_losses_of_ordinary_size(batch):
    g, o, found, t = batch
    n = len(found)
    for v in g.order:
        op = g.op_of(v)
        if op and op.name in TRANSCENDENTAL and op.kind != "loss":
            for u in g.inputs(v):
                bound = max(3.0, np.abs(rows(o.value(u), 1)).max())
                assert (np.abs(rows(t.value(u), n)) <= bound).all(), v
    loss = rows(t.value(g.loss), n)
    if g.role(g.loss) == "loss":
        assert (np.abs(loss) <= max(10.0, abs(float(o.value(g.loss))))).all()
    largest = max(100.0, *(np.abs(x).max() for x in [*o.values.values(),
                                                     *(d for d in o.grads.values()
                                                       if d is not None)]))
    assert all(np.isfinite(rows(x, n)).all() and np.abs(rows(x, n)).max() <= largest
               for x in [*t.values.values(), *(d for d in t.grads.values() if d is not None)])


def test_spread_signs_and_sizes_vary_across_variants(batch):
    g, o, found, t = batch
    n = len(found)
    feeds = {u for v in g.order if g.op_of(v) is not None and g.op_of(v).pieces
             for u in g.inputs(v)}
    for leaf in free_leaves(g):
        v = rows(t.value(leaf), n)
        assert len(np.unique(np.abs(v))) >= 4, leaf
        if leaf not in feeds:  # both signs, neither below a tenth of the variants
            assert ((v > 0).mean(axis=0) >= 0.1).all() and ((v < 0).mean(axis=0) >= 0.1).all()
    for node in g.named():
        if g.kind(node) == "op" and np.any(o.value(node) != 0):  # (not a ReLU that is off)
            assert len(np.unique(np.round(rows(t.value(node), n), 9), axis=0)) >= 5, node


@pytest.mark.parametrize("name", ["interesting", "mlp", "softmax_classifier"])
def test_variants_are_reproducible_distinct_and_prefix_stable(name):
    g = example(name)
    a = variants(g, seed=11, count=3)
    assert [v.to_text() for v in a] == [v.to_text() for v in variants(g, seed=11, count=3)]
    assert variants(g, seed=11, count=1)[0].to_text() == a[0].to_text()
    assert a[0].to_text() != variants(g, seed=12, count=1)[0].to_text()
    assert len({v.to_text().split("\n", 1)[1] for v in a}) == 3
    assert a[1].name == f"{name}_seed11_v2" and "(variant 2, seed 11)" in a[1].title


def test_grid_follows_the_original_and_checks_its_numbers():
    assert Rules().for_graph(example("interesting")).grid().tolist() == \
        [-3, -2.5, -2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2, 2.5, 3]
    tenths = Rules().for_graph(example("sigmoid_regression")).grid()
    assert len(tenths) == 40 and tenths.min() == -2 and 0.1 in tenths
    assert Rules(low=-1, high=1, step=0.1).for_graph(example("mlp")).grid().max() == 1
    for bad in (Rules(low=-3, high=3, step=0.25), Rules(low=0.2, high=0.4, step=0.5)):
        with pytest.raises(GradvizError):
            bad.grid()
    with pytest.raises(GradvizError, match="for_graph"):
        Rules().grid()


def test_small_spaces_are_enumerated_and_exhaustion_is_reported():
    g = example("xyz")  # 12³ grid points: each screened once, then the draw ends
    assert len(list(draw(g, seed=0))) == len(list(draw(g, seed=5))) < 12 ** 3
    with pytest.raises(GradvizError, match="found among all 1728 points of the leaf grid"):
        variants(g, seed=0, count=1000)
    sizes = batches()
    assert sizes[0] < sizes[-1] and sum(sizes) <= MAX_CANDIDATES
    assert max(batches(5000)) * 5000 <= NUMBERS[0] and sum(batches(5000)) * 5000 <= NUMBERS[1]
