"""The steps of a worked solution: which nodes get a line, what they are called, in what order.

A *step node* is a node the user named, or an unnamed intermediate that needs a name to be
explained: the argument of an activation (``z₁`` for ``W₁ · X + B₁`` inside
``H₁ = leaky_relu(W₁ · X + B₁)``), a value used in more than one place, or a part of a
formula that would otherwise fold more than :data:`MAX_FOLD` operations. Every other
unnamed intermediate is folded into the formula of the step that owns it, so a graph written
as one expression still gets a full chain of steps. The input of an activation carries an
error signal δ = ∂L/∂z, as the courses write it.

The backward order follows the problem's ``asks`` when that is a valid backward order
(every node after all the nodes that use it), and otherwise goes layer by layer from the
loss, each layer's parameters before its hidden nodes, grouped by the node that uses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gradviz.core.evaluate import Edge, Trace
from gradviz.core.graph import Graph
from gradviz.core.names import split

__all__ = ["Steps", "steps_of", "ACTIVATION_KINDS"]

ACTIVATION_KINDS = ("activation", "softmax")
TEMP_LETTERS = ("z", "u", "v", "s", "p", "q")
MAX_FOLD = 24  # unnamed operations folded into one formula; a bigger one gets a name


@dataclass
class Steps:
    """The step nodes of one trace.

    Attributes
    ----------
    nodes : list of str
        Step nodes (leaves included) in forward (topological) order.
    display : dict
        Unnamed step node → its temporary name (``z1``).
    owner : dict
        Every computed node → the step node whose formula it belongs to.
    consumers : dict
        Step node → the step nodes that use it, in forward order.
    deltas : dict
        Step node with an error signal → the subscript of its δ.
    """

    trace: Trace
    nodes: list[str]
    display: dict[str, str]
    owner: dict[str, str]
    consumers: dict[str, list[str]]
    deltas: dict[str, str]
    operands: dict[str, list[str]] = field(default_factory=dict)
    _edges: dict[str, dict[str, list[Edge]]] = field(default_factory=dict, repr=False)
    _contained: dict[str, bool] = field(default_factory=dict, repr=False)

    @property
    def graph(self) -> Graph:
        return self.trace.graph

    def is_step(self, n: str) -> bool:
        """Whether ``n`` is a step node (named, or an unnamed value with a name here)."""
        return n in self.consumers

    def expression(self, v: str) -> list[str]:
        """``v`` and the unnamed computed nodes folded into its formula, in order."""
        g = self.graph
        out, todo = {v}, [v]
        while todo:
            for u in g.inputs(todo.pop()):
                if not g.is_leaf(u) and self.owner.get(u) == v and u not in out:
                    out.add(u)
                    todo.append(u)
        return sorted(out, key=g.rank.__getitem__)

    def self_contained(self, v: str) -> bool:
        """Whether ``v``'s formula uses no other unnamed step (then the trace's view of
        ``v``, :meth:`Graph.expression`, is the step's)."""
        if v not in self._contained:
            g = self.graph
            self._contained[v] = not any(
                g.is_generated(u) and u in self.consumers
                for w in self.expression(v) for u in g.inputs(w))
        return self._contained[v]

    def edges(self, u: str, v: str) -> list[Edge]:
        """The edges from ``u`` into the formula of the step ``v``."""
        if u not in self._edges:
            by: dict[str, list[Edge]] = {}
            for e in self.trace.edges_from(u):
                by.setdefault(self.owner.get(e.dst, e.dst), []).append(e)
            self._edges[u] = by
        return self._edges[u].get(v, [])

    def is_activation_input(self, u: str) -> bool:
        """Whether ``u`` is what an activation (or softmax) is applied to."""
        users = self.consumers.get(u, [])
        g = self.graph
        if len(users) != 1 or g.is_leaf(users[0]):
            return False
        op = g.op_of(users[0])
        return op is not None and op.kind in ACTIVATION_KINDS and g.inputs(users[0]) == [u]


def _promoted(g: Graph, leaves: set[str]) -> list[str]:
    """Unnamed computed nodes that need a name: activation inputs and shared values."""
    out = []
    size: dict[str, int] = {}  # nodes folded into an unnamed node's formula, itself included
    for n in g.order:
        if n in leaves:
            continue
        folded = 1 + sum(size.get(u, 0) for u in g.inputs(n))
        if not g.is_generated(n):
            continue
        users = g.consumers(n)
        w = users[0][0] if len(users) == 1 else None
        op = g.op_of(w) if w is not None else None
        if w is None or folded > MAX_FOLD or (op is not None and op.kind in ACTIVATION_KINDS
                                               and g.inputs(w) == [n]):
            out.append(n)
        else:
            size[n] = folded
    return out


def _temp_names(g: Graph, temps: list[str]) -> dict[str, str]:
    taken = {n.lower().replace("_", "") for n in g.named()}  # z_1 and z1 both read z₁
    for letter in TEMP_LETTERS:
        names = [letter] if len(temps) == 1 else [f"{letter}{i}" for i in
                                                    range(1, len(temps) + 1)]
        if not {x.lower() for x in names} & taken:
            return dict(zip(temps, names, strict=True))
    return {t: f"tmp{i}" for i, t in enumerate(temps, 1)}


def steps_of(trace: Trace) -> Steps:
    """The step nodes of a trace, their temporary names, owners, users and error signals.

    Examples
    --------
    >>> from gradviz import evaluate, example
    >>> s = steps_of(evaluate(example("interesting")))
    >>> list(s.display.values()), s.consumers["H1"], s.deltas
    (['z'], ['H3', 'H4', 'H5'], {'Yhat.1': ''})
    """
    g = trace.graph
    leaves = set(g.leaves())
    temps = _promoted(g, leaves)
    display = _temp_names(g, temps)
    steps = set(temps) | set(g.named())
    owner: dict[str, str] = {}
    for n in reversed(g.order):
        if n not in leaves:
            owner[n] = n if n in steps else owner.get(g.consumers(n)[0][0], n)
    nodes = [n for n in g.order if n in steps]
    consumers: dict[str, list[str]] = {}
    operands: dict[str, list[str]] = {n: [] for n in nodes}
    rank = g.rank
    for u in nodes:
        users = sorted({owner[v] for v, _ in g.consumers(u)}, key=rank.__getitem__)
        consumers[u] = users
        for v in users:
            operands[v].append(u)
    st = Steps(trace, nodes, display, owner, consumers, {}, operands)
    st.deltas = _deltas(st)
    return st


def _deltas(st: Steps) -> dict[str, str]:
    """Error signals δ for activation inputs, subscripted like the input (z₁ → δ₁)."""
    g = st.graph
    if any(n.startswith(("delta", "δ")) for n in g.named()):
        return {}
    subs: dict[str, str] = {}
    for u in st.nodes:
        if st.is_activation_input(u) and st.trace.requires_grad(u):
            parts = split(st.display.get(u, u))
            digits = parts is not None and parts[2].replace(",", "").isdigit()
            subs[u] = parts[2] if parts and digits else ""
    seen: dict[str, int] = {}
    for s in subs.values():
        seen[s] = seen.get(s, 0) + 1
    return {u: s for u, s in subs.items() if seen[s] == 1}


# ----------------------------------------------------------------------- ordering
def needed(st: Steps, asked: list[str]) -> set[str]:
    """Step nodes whose gradients the asked ones need (all of them when none is asked)."""
    tr, loss = st.trace, st.trace.loss
    want = [n for n in asked if n in st.consumers] or \
        [n for n in st.nodes if st.graph.is_leaf(n)]
    out: set[str] = set()
    todo = [n for n in want if tr.requires_grad(n) and n != loss]
    while todo:
        u = todo.pop()
        if u in out or u == loss or not tr.requires_grad(u):
            continue
        out.add(u)
        todo.extend(st.consumers[u])
    return out


def backward_order(st: Steps, asked: list[str]) -> list[str]:
    """The backward blocks, layer by layer from the loss (a node's layer is its longest
    distance from the loss, so every node comes after all the nodes that use it); within a
    layer in the problem's asked order, then parameters before hidden nodes, grouped by the
    node that uses them.

    Examples
    --------
    >>> from gradviz import evaluate, example
    >>> st = steps_of(evaluate(example("mlp")))
    >>> [st.display.get(n, n) for n in backward_order(st, ["W3", "B3", "W2", "B2", "H2"])]
    ['Yhat', 'z3', 'W3', 'B3', 'H2', 'z2', 'W2', 'B2']
    """
    keep = needed(st, asked)
    rank: dict[str, int] = {}
    for i, n in enumerate(asked):
        rank.setdefault(n, i)
    g = st.graph
    layer: dict[str, int] = {}
    for u in reversed(st.nodes):
        if u in keep:
            layer[u] = 1 + max([layer.get(v, 0) for v in st.consumers[u]], default=0)
    layers: dict[int, list[str]] = {}
    for u, depth in layer.items():
        layers.setdefault(depth, []).append(u)
    out: list[str] = []
    pos: dict[str, int] = {}

    def key(u: str) -> tuple:
        first = min((pos.get(v, -1) for v in st.consumers[u]), default=-1)
        return (rank.get(u, len(asked)), not g.is_leaf(u), first, g.rank[u])
    for depth in sorted(layers):
        for u in sorted(layers[depth], key=key):
            pos[u] = len(out)
            out.append(u)
    return out
