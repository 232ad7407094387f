"""Graph variants: each plan evaluated by the core gives the chain rule it describes."""

from __future__ import annotations

import numpy as np
import pytest

from gradviz import evaluate, example, examples
from gradviz.core.ops import OPS
from gradviz.teaching.surgery import Plan, build, op_env, op_locals
from gradviz.views.answers import asked


def read(trace, plan, quantity, env=None):
    b = build(trace, plan, env)
    return b.read(evaluate(b.graph, check_finite=False), quantity)


@pytest.mark.parametrize("name", examples())
def test_probes_with_the_true_gradients_read_the_true_gradients(name):
    t = evaluate(example(name))
    grads = {q[1:]: v for q, v in asked(t) if q.startswith("∇") and q[1:] != t.loss}
    for q, v in asked(t):
        if q.endswith("+"):
            continue  # an update is graded from its gradient (tests/teaching/test_updates.py)
        np.testing.assert_allclose(read(t, Plan(grads=grads), q), v, rtol=1e-12, atol=1e-14)


def test_the_student_gradients_flow_on_and_nested_consumers_count_once():
    t = evaluate(example("interesting"))
    # H1 reaches H5 directly and through H4: with the student's ∇H4 and ∇H5, the H4 path
    # uses the student's ∇H4 once, not ∇H5·∂H5/∂H4 again
    plan = Plan(grads={"H3": -0.6, "H4": 0.5, "H5": 7.0})
    assert float(read(t, plan, "∇H1")) == pytest.approx(-0.6 * 1 + 0.5 * (-4 / 3) + 7.0 * 0)
    b = build(t, Plan(grads={**plan.grads, "H1": 0.0}))
    parts = b.through(evaluate(b.graph, check_finite=False), "H1")
    assert {v: round(float(x), 6) for v, x in parts.items()} == \
        {"H3": -0.6, "H4": round(0.5 * -4 / 3, 6), "H5": 0.0}


def test_gates_bypass_switch_upstream_and_negate_in_one_batch():
    t = evaluate(example("interesting"))
    grads = {"H3": -0.6225, "H4": 0.6225, "H5": 0.6225}
    plan = Plan(grads=grads, gates=frozenset({("H1", "H3"), ("H1", "H4")}),
                bypass=frozenset({("H1", "H4")}), switch=frozenset({"H5"}),
                upstream=frozenset({"H3"}))
    b = build(t, plan)
    rows = [{},                                                   # the student's chain rule
            {("gate", "H1", "H3"): 0.0},                          # the path through H3 left out
            {("gate", "H1", "H4"): -1.0},                         # ∂H4/∂H1 with its sign flipped
            {("gate", "H1", "H4"): 0.0, ("bypass", "H1", "H4"): 1.0},  # ... left out
            {("local", "H5", 1): 1.0},                            # the max's other branch
            {("weight", "H3"): 1.0}]                              # ∂H3/∂H1 alone
    got = [float(x) for x in b.read(b.evaluate(rows), "∇H1")]
    a, c = -0.6225, 0.6225 * -4 / 3
    assert got == pytest.approx([a + c, c, a - c, a + 0.6225, a + c + 0.6225, 1.0 + c])
    assert float(read(t, Plan(grads=grads), "∇H1")) == pytest.approx(a + c)
    assert float(read(t, Plan(grads=grads, negate=frozenset({"∇H1"})), "∇H1")) == \
        pytest.approx(-(a + c))
    assert ("keep", "H3") not in b.leaves  # a gradient cell's edges are probes already


def test_student_values_and_the_locals_taken_at_them():
    t = evaluate(example("interesting"))
    # the student's Ŷ = 0.5: L = −ln 0.5, and σ′ is taken at their Ŷ, so ∂L/∂z = Ŷ − Y
    plan = Plan(values={"Yhat": 0.5})
    assert float(read(t, plan, "L")) == pytest.approx(np.log(2))
    assert float(read(t, plan, "∇H5")) == pytest.approx(0.5)
    assert float(read(t, plan, "Yhat")) == pytest.approx(t.value("Yhat"))  # from its inputs
    other = Plan(values={"Yhat": 0.5}, ops={"Yhat": "tanh"})
    assert float(read(t, other, "Yhat")) == pytest.approx(np.tanh(-0.5))


@pytest.mark.parametrize("name", sorted(n for n, op in OPS.items() if op.pieces and op.arity))
def test_every_piecewise_record_gives_its_locals_per_piece(name):
    op = OPS[name]
    env = {**op.param_defaults(), "n": 1.0, "out": np.array(0.3)}
    env.update({r: np.array(v) for r, v in zip(op.args, [0.7, -0.4, 1.0])})
    taken = op_locals(op, env, op.arity)
    assert taken is None or len(taken) == op.arity  # losses are not elementwise records
    for p in range(len(op.pieces)):
        if op.kind in ("arith", "elementwise", "activation"):
            assert len(op_locals(op, env, op.arity, piece=p)) == op.arity


def test_op_env_names_roles_value_and_params():
    t = evaluate(example("mlp"))
    env = op_env(t.graph, t, "H1")
    assert env["slope"] == 0.1 and float(env["x"]) == -2.0 and float(env["out"]) == -0.2


def test_a_batch_row_is_the_single_evaluation_of_that_setting():
    t = evaluate(example("mlp"))
    plan = Plan(grads={"H1": 0.69, "H2": 0.69}, gates=frozenset({("X", "H1"), ("X", "H2")}),
                switch=frozenset({"H1"}), upstream=frozenset({"X"}))
    b = build(t, plan)
    rows = [{}, {("gate", "X", "H2"): 0.0}, {("local", "H1", 0): 1.0},
            {("keep", "X"): 0.0, ("weight", "X"): np.ones(2)}]
    batch = b.read(b.evaluate(rows), "∇X1")
    for row, got in zip(rows, batch):  # each row alone, batched with the plain variant
        alone = b.read(b.evaluate([{}, row]), "∇X1")[1]
        assert float(alone) == pytest.approx(float(got))
    # as given; without X → H2; H1's slope 1 (0.69 − 0.69); ∂X/∂X1 alone (both uses of X)
    assert [round(float(x), 4) for x in batch] == [-0.621, 0.069, 0.0, 1.0]
