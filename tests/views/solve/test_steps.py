"""Step nodes: named nodes and the unnamed values that need a name, their users, their
error signals, and the backward order (layer by layer, the asked order within a layer)."""

from __future__ import annotations

from gradviz import Builder, evaluate, example, parse
from gradviz.views.solve.steps import backward_order, needed, steps_of


def test_activation_inputs_get_temporary_names():
    st = steps_of(evaluate(example("mlp")))
    names = [st.display[n] for n in st.nodes if n in st.display]
    assert names == ["z1", "z2", "z3"]
    assert sorted(st.deltas.values()) == ["1", "2", "3"]
    assert st.consumers["X1"] == ["X"] and st.consumers["X"] == [n for n in st.nodes
                                                               if st.display.get(n) in
                                                               ("z1", "z2")]


def test_names_never_collide_with_the_graphs():
    g = parse("z1: input = 1\nu1: input = 2\nh = tanh(z1 * 2)\nk = tanh(z1 + u1)\n"
              "L: loss = h * k")
    st = steps_of(evaluate(g))
    assert sorted(st.display.values()) == ["v1", "v2"]  # z1 and u1 are taken


def test_a_shared_unnamed_value_is_a_step():
    b = Builder()
    x, y = b.input("x", 2.0), b.input("y", 3.0)
    s = x * y
    b.loss("L", s * s + s)
    st = steps_of(evaluate(b.build()))
    assert list(st.display.values()) == ["z"] and st.consumers["x"] == [next(iter(st.display))]


def test_expression_folds_unnamed_intermediates():
    st = steps_of(evaluate(example("interesting")))
    assert st.expression("H4") == ["H4.1", "H4"] and st.is_step("H4") and not st.is_step("H4.1")
    assert [e.dst for e in st.edges("H2", "H4")] == ["H4.1"]


def test_backward_layer_by_layer_in_the_asked_order():
    t = evaluate(example("two_layer_relu"))
    st = steps_of(t)
    asks = [q[1:] for q in t.graph.asks if q.startswith("∇")]
    order = backward_order(st, asks)
    assert order[:8] == ["o1", "o2", "w31", "w32", "w41", "w42", "b3", "b4"]
    assert order[-6:] == ["w11", "w12", "w21", "w22", "b1", "b2"]
    assert "i1" not in needed(st, asks) and "i1" in needed(st, [])


def test_every_node_after_its_users():
    for name in ("interesting", "mlp", "softmax_classifier", "xyz"):
        st = steps_of(evaluate(example(name)))
        order = backward_order(st, [])
        for i, u in enumerate(order):
            assert all(v not in order[i:] for v in st.consumers[u]), (name, u)
