"""Reading statements: eager reading builds the same graph as the two reference passes,
gives up (Retry) on whatever the passes report, orders statements as networkx's
lexicographical topological sort does, and holds no syntax tree once a statement is built."""

from __future__ import annotations

import random
import re

import networkx as nx
import pytest

from gradviz import examples
from gradviz.core import reader
from gradviz.core.graph import natural_key
from gradviz.core.library import example_text
from gradviz.core.reader import Reader, Retry


def snapshot(g) -> tuple:
    nodes = {n: {k: (repr(v) if k == "value" else v) for k, v in d.items()}
             for n, d in g.nx.nodes(data=True)}
    return nodes, sorted(g.nx.edges(keys=True, data="arg")), g.loss, g.title, g.asks, g.meta


def shuffled(text: str, seed: int) -> str:
    lines = text.splitlines()
    random.Random(seed).shuffle(lines)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("name", examples())
@pytest.mark.parametrize("seed", [None, 1, 2])
def test_eager_and_reference_readings_build_the_same_graph(name, seed):
    text = example_text(name) if seed is None else shuffled(example_text(name), seed)
    eager = Reader(text, "f").run(name)
    reference = Reader(text, "f", eager=False).run(name)
    assert snapshot(eager) == snapshot(reference)


@pytest.mark.parametrize("text", [
    "a = b + 1\nL: loss = a * 2",  # undefined
    "x: input = 1\na = b + x\nb = a * 2\nL: loss = a",  # cycle
    "x: input = 1\nL: loss = nope(x)",  # an error while building
    "x: input = 1\nL: loss = x * 2\nM: loss = x * 3",  # a second loss
])
def test_eager_reading_leaves_pass_2_errors_to_the_reference_reading(text):
    with pytest.raises(Retry):
        Reader(text, "f").run("")


def test_forward_references_wait_and_are_built_when_defined():
    r = Reader("", "f")
    r._line("L: loss = h * h", 1)
    r._line("h = tanh(z)", 2)
    assert r.blocked == {"L": 1, "h": 1} and not r.env
    r._line("z: input = 0.5", 3)
    assert not r.blocked and set(r.env) == {"z", "h", "L"}
    assert all(s.value is None and s.text == "" for s in r.stmts.values())  # trees dropped


def test_statement_order_is_networkx_lexicographical_topological_sort():
    rng = random.Random(11)
    for _ in range(40):
        names = rng.sample([f"{c}{i}" for c in "abXW" for i in range(12)], rng.randint(2, 30))
        r = Reader("", "f", eager=False)
        deps = nx.DiGraph()
        deps.add_nodes_from(names)
        for i, n in enumerate(names):
            refs = [(m, 1, 1) for m in rng.sample(names[:i], rng.randint(0, min(i, 3)))]
            r.stmts[n] = None  # type: ignore[assignment]  # only the keys are read
            r.refs[n] = refs
            deps.add_edges_from((m, n) for m, _, _ in refs)
        want = list(nx.lexicographical_topological_sort(deps, key=natural_key))
        assert r._statement_order() == want


NUMBERS = ["0", "1", "-1", "1.", "-0", "0.0", "-0.0", "1e5", "1E-5", "1e-400", "2.5e+3",
           "123456789012345678901234567890", "9" * 300, "1.7976931348623157e308", "0e0"]


@pytest.mark.parametrize("number", NUMBERS)
def test_scalar_leaf_shortcut_reads_numbers_as_ast_does(number, monkeypatch):
    text = f"w_1: param = {number}  # note\nL: loss = w_1 * 2\n"
    fast = Reader(text, "f").run("")
    monkeypatch.setattr(reader, "_SCALAR_LEAF", re.compile(r"(?!)"))
    slow = Reader(text, "f").run("")
    assert repr(fast.nx.nodes["w_1"]["value"]) == repr(slow.nx.nodes["w_1"]["value"])
    assert snapshot(fast) == snapshot(slow)
