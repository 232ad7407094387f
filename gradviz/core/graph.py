"""The Graph: a node per value, each with its attributes and its operands, that speaks for
its nodes.

A node is keyed by its name. Leaves have a ``kind`` (``input``, ``param``, ``target``,
``const``) and a float64 default ``value``; computed nodes have kind ``op``, an op from
the op table, its ``params`` and its operands in argument order (``x * x`` has ``x``
twice). Two tables hold them (a dict of attributes and a tuple of operand names per node:
a few hundred bytes a node, so a million-statement file fits in memory); the networkx
MultiDiGraph :attr:`Graph.nx` is built from them when first asked for, with an edge
``u -> v`` keyed by (and carrying as ``arg``) the operand position of ``u`` in ``v``.

Nodes the user did not name (``W2 * H2`` inside ``H4 = W2 * H2 / H1``) are *generated*:
they are named after the node whose expression they belong to (``H4.1``).

Every other module asks the Graph about its nodes (:meth:`Graph.op_of`,
:meth:`Graph.display_name`, :meth:`Graph.consumers`, ...) and never indexes networkx.

Examples
--------
>>> from gradviz import example
>>> g = example("interesting")
>>> g.inputs("H4"), g.display_name("H4.1"), g.named_consumers("H1")
(['H4.1', 'H1'], 'W₂ · H₂', ['H3', 'H4', 'H5'])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from gradviz.core.errors import GraphError
from gradviz.core.format import DEFAULT_DIGITS, fmt, fmt_value
from gradviz.core.names import plain
from gradviz.core.ops import OPS, Op
from gradviz.core.order import natural_key, reach, topological_order

if TYPE_CHECKING:  # networkx is imported when a Graph is first asked for one
    import networkx as nx

__all__ = ["Graph", "LEAF_KINDS", "GRAD_KINDS", "describe", "natural_key", "leaf_value"]

LEAF_KINDS = ("input", "param", "target", "const")
GRAD_KINDS = ("input", "param")  # leaves that get a gradient
Edge3 = tuple[str, str, int]


def leaf_value(value: Any, what: str = "value") -> np.ndarray:
    """Convert a user value to a finite float64 array (scalar, vector or matrix).

    Examples
    --------
    >>> leaf_value([1, -0.0])
    array([1., 0.])
    """
    if type(value) is float and math.isfinite(value):  # the common case, 10x faster
        return np.float64(value + 0.0)  # type: ignore[return-value]  # as a + 0.0 below
    try:
        a = np.array(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as e:
        raise GraphError(f"{what} is not a number or a rectangular list of numbers: {e}") \
            from None
    if a.ndim > 2:
        raise GraphError(f"{what} has {a.ndim} dimensions; gradviz takes scalars, vectors "
                         "and matrices")
    if not np.all(np.isfinite(a)):
        raise GraphError(f"{what} is not finite (inf or nan are not allowed as values)")
    return a + 0.0  # -0.0 -> 0.0


def describe(op: Op, args: list[str], params: Mapping[str, float],
             pretty: bool = False) -> str:
    """The expression text of an op applied to operand texts, e.g. ``W1 * (X1 + X2)``.

    ``pretty`` uses the op's display operator (``a · b``, ``a − b``) instead of the
    graph-file one.

    Examples
    --------
    >>> describe(OPS["sub"], ["a", "b"], {}), describe(OPS["sub"], ["a", "b"], {}, True)
    ('a - b', 'a − b')
    >>> describe(OPS["leaky_relu"], ["z"], {"slope": 0.1})
    'leaky_relu(z, slope=0.1)'
    """
    infix = op.pretty if pretty else op.infix
    if infix and len(args) == 2:
        return f" {infix} ".join(args)
    if infix and len(args) == 1:  # unary minus
        return f"{infix}{args[0]}"
    if op.name == "stack":
        return "[" + ", ".join(args) + "]"
    extra = [f"{k}={fmt(v, None)}" for k, v in params.items() if v != op.param_defaults()[k]]
    return f"{op.name}(" + ", ".join(args + extra) + ")"


@dataclass(eq=False)
class Graph:
    """A computational graph ready to evaluate: its nodes and its metadata.

    Build one with :class:`~gradviz.Builder`, :func:`gradviz.parse`, or
    :func:`gradviz.example`.

    Attributes
    ----------
    attrs : dict
        Each node's attributes by name: ``kind``, ``op``, ``params``, ``value``,
        ``line``, ``col``, ``label``, ``generated``, ``role`` (those at their default
        left out). Read them through the Graph's methods.
    args : dict
        Each node's operands by name, in argument order (``()`` for a leaf).
    loss : str
        The node backward starts from (a scalar).
    title, source, name : str
        What the graph is and where it comes from.
    asks : tuple of str
        The quantities the problem asks for, in order: a node name for its value,
        ``∇NAME`` for its gradient.
    meta : dict
        Other ``#:`` metadata of the graph file (e.g. ``lr``).
    """

    attrs: dict[str, dict[str, Any]]
    args: dict[str, tuple[str, ...]]
    loss: str
    title: str = ""
    source: str = ""
    name: str = ""
    asks: tuple[str, ...] = ()
    text: str | None = None
    file: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_nx(cls, g: nx.MultiDiGraph, **kw: Any) -> Graph:
        """A Graph of a networkx MultiDiGraph keyed as :attr:`nx` (``kw``: loss, title, ...)."""
        attrs = {n: dict(d) for n, d in g.nodes(data=True)}
        args = {n: tuple(u for _, u in sorted((k, u) for u, _, k in g.in_edges(n, keys=True)))
                for n in g}
        return cls(attrs, args, **kw)

    @property
    def nx(self) -> nx.MultiDiGraph:
        """The graph as a networkx MultiDiGraph (built on first use; do not edit it)."""
        if "nx" not in self._cache:
            import networkx

            g = networkx.MultiDiGraph()
            g.add_nodes_from(self.attrs.items())
            g.add_edges_from((u, v, k, {"arg": k}) for v, us in self.args.items()
                             for k, u in enumerate(us))
            self._cache["nx"] = g
        return self._cache["nx"]

    # ---------------------------------------------------------------------- nodes
    def __contains__(self, node: object) -> bool:
        return node in self.attrs

    def __len__(self) -> int:
        return len(self.attrs)

    def kind(self, node: str) -> str:
        """``input``, ``param``, ``target``, ``const``, or ``op`` for a computed node."""
        return str(self.attrs[node]["kind"])

    def is_leaf(self, node: str) -> bool:
        return self.kind(node) in LEAF_KINDS

    def op_of(self, node: str) -> Op | None:
        """The op-table record of a computed node (``None`` for a leaf)."""
        name = self.attrs[node].get("op")
        return OPS[name] if name else None

    def params(self, node: str) -> dict[str, float]:
        """The op parameters of a computed node (defaults filled in); ``{}`` for a leaf."""
        return dict(self.attrs[node].get("params") or {})

    def default(self, node: str) -> np.ndarray:
        """The given value of a leaf (what evaluation uses unless overridden)."""
        return np.asarray(self.attrs[node]["value"])

    def is_generated(self, node: str) -> bool:
        """Whether the node was left unnamed by the user (``H4.1``, a constant ``2``)."""
        return bool(self.attrs[node].get("generated"))

    def role(self, node: str) -> str | None:
        """``loss`` or ``output`` for the node backward starts from, else ``None``."""
        return self.attrs[node].get("role")

    def label(self, node: str) -> str:
        """The name as the user spelt it (or a generated constant's value)."""
        return str(self.attrs[node].get("label", node))

    def position(self, node: str) -> tuple[int | None, int | None]:
        """``(line, column)`` of the node's statement in the graph file, if any."""
        d = self.attrs[node]
        return d.get("line"), d.get("col")

    def display_name(self, node: str) -> str:
        """How a person calls the node: its typeset name (``W₂``), or for an unnamed
        value its expression (``W₂ · H₂``) or number."""
        if not self.is_generated(node):
            return plain(node)
        if self.is_leaf(node):
            return fmt_value(self.default(node), DEFAULT_DIGITS)
        return self.expr(node, show=plain, pretty=True)

    # ------------------------------------------------------------------ structure
    @property
    def order(self) -> list[str]:
        """Every node in a deterministic topological order (ties broken by name)."""
        if "order" not in self._cache:
            leaf = {n for n, d in self.attrs.items() if d["kind"] in LEAF_KINDS}
            edges = ((u, v) for v, us in self.args.items() for u in us)
            order = topological_order(self.attrs, edges,
                                      key=lambda n: (n not in leaf, natural_key(n)))
            if len(order) < len(self):
                raise GraphError("the graph has a cycle")
            self._cache["order"] = order
        return self._cache["order"]

    @property
    def rank(self) -> dict[str, int]:
        """Each node's position in :attr:`order`."""
        if "rank" not in self._cache:
            self._cache["rank"] = {n: i for i, n in enumerate(self.order)}
        return self._cache["rank"]

    def inputs(self, node: str) -> list[str]:
        """The operands of ``node`` in argument order (a name may repeat: ``x * x``)."""
        return list(self.args[node])

    def consumers(self, node: str) -> list[tuple[str, int]]:
        """``(consumer, operand position)`` for every use of ``node``, in order."""
        return sorted(self._uses()[node], key=lambda e: (self.rank[e[0]], e[1]))

    def _uses(self) -> dict[str, list[tuple[str, int]]]:
        if "uses" not in self._cache:
            uses: dict[str, list[tuple[str, int]]] = {n: [] for n in self.attrs}
            for v, us in self.args.items():
                for k, u in enumerate(us):
                    uses[u].append((v, k))
            self._cache["uses"] = uses
        return self._cache["uses"]

    def edges(self) -> list[Edge3]:
        """Every edge ``(src, dst, arg)``, ordered by the position of ``dst``, then ``arg``."""
        if "edges" not in self._cache:
            self._cache["edges"] = [(u, n, k) for n in self.order
                                    for k, u in enumerate(self.inputs(n))]
        return self._cache["edges"]

    def leaves(self, *kinds: str) -> list[str]:
        """Leaf names in canonical order, optionally only of the given kinds."""
        want = kinds or LEAF_KINDS
        return [n for n in self.order if self.kind(n) in want]

    def named(self) -> list[str]:
        """Nodes the user named (not the generated ``H2.1`` intermediates), in order."""
        return [n for n in self.order if not self.is_generated(n)]

    def expression(self, node: str) -> list[str]:
        """``node`` and the unnamed computed nodes of its expression, in order.

        Examples
        --------
        >>> from gradviz import example
        >>> example("interesting").expression("H2")
        ['H2.1', 'H2.2', 'H2']
        """
        out, todo = {node}, [node]
        while todo:
            for u in self.inputs(todo.pop()):
                if self.is_generated(u) and not self.is_leaf(u) and u not in out:
                    out.add(u)
                    todo.append(u)
        return sorted(out, key=self.rank.__getitem__)

    def owner(self, node: str) -> str:
        """The named node whose expression ``node`` belongs to (itself when named)."""
        cur = node
        while self.is_generated(cur):
            users = self.consumers(cur)
            if not users:
                return cur
            cur = users[0][0]
        return cur

    def named_consumers(self, node: str) -> list[str]:
        """The named computed nodes whose expressions use ``node``, in order."""
        found = {self.owner(v) for v, _ in self.consumers(node)}
        return sorted(found, key=self.rank.__getitem__)

    def paths_to_loss(self, node: str) -> tuple[set[str], set[Edge3]]:
        """Nodes and edges on every path from ``node`` to the loss ("sum over all paths")."""
        if node not in self.attrs:
            raise GraphError(f"no node named {node!r}")
        nodes = reach([node], self._users) & reach([self.loss], self.args.__getitem__)
        edges = {e for e in self.edges() if e[0] in nodes and e[1] in nodes}
        return nodes, edges

    def descendants(self, node: str) -> list[str]:
        """Every node computed from ``node``, in order."""
        return sorted(reach([node], self._users) - {node}, key=self.rank.__getitem__)

    def _users(self, node: str) -> list[str]:
        return [v for v, _ in self._uses()[node]]

    # ----------------------------------------------------------------- expressions
    def expr(self, node: str, show: Callable[[str], str] | None = None,
             pretty: bool = False) -> str:
        """The expression that computes ``node``, with unnamed operands inlined.

        ``show`` maps a named operand to its text (e.g. its value, for worked
        substitutions); ``pretty`` uses display symbols (``·``, ``−``) instead of the
        graph-file operators.

        Examples
        --------
        >>> from gradviz import example
        >>> g = example("interesting")
        >>> g.expr("H4"), g.expr("H4", show=lambda n: n.lower(), pretty=True)
        ('W2 * H2 / H1', 'w2 · h2 / h1')
        """
        op = self.op_of(node)
        if op is None:
            return self.label(node)
        args = [self._operand_text(node, op, i, u, show, pretty)
                for i, u in enumerate(self.inputs(node))]
        return describe(op, args, self.params(node), pretty)

    def _operand_text(self, node: str, op: Op, i: int, u: str,
                      show: Callable[[str], str] | None, pretty: bool) -> str:
        """One operand of :meth:`expr`, bracketed where precedence needs it."""
        uop = self.op_of(u) if self.is_generated(u) else None
        if uop is not None:
            text = self.expr(u, show, pretty)
        elif self.is_generated(u):  # an unnamed constant: exact in files, rounded on display
            text = fmt_value(self.default(u), DEFAULT_DIGITS if pretty else None)
        else:
            text = show(u) if show else u
        prec = op.prec(pretty)
        if prec is None:
            return text
        inner = uop.prec(pretty) if uop is not None else None
        if inner is not None:
            tight = (i == 1) != (op.name == "pow")  # right operand (pow: the left one)
            if inner < prec or (tight and inner == prec):
                return f"({text})"
        elif text[:1] in "-−" and (i > 0 or op.name == "pow"):
            return f"({text})"
        return text

    # ---------------------------------------------------------------------- copies
    def with_values(self, values: Mapping[str, Any], **meta: Any) -> Graph:
        """A copy with other leaf values (and, optionally, other title/name/...).

        Examples
        --------
        >>> from gradviz import example
        >>> example("xyz").with_values({"x": 3}).default("x")
        array(3.)
        """
        attrs = dict(self.attrs)
        for n, v in values.items():
            if n not in attrs or attrs[n]["kind"] not in LEAF_KINDS:
                raise GraphError(f"no leaf named {n!r}")
            attrs[n] = {**attrs[n], "value": leaf_value(v, f"the value of {n}")}
        kw = {k: getattr(self, k) for k in ("loss", "title", "source", "name", "asks")}
        kw.update(meta)
        return Graph(attrs, self.args, meta=dict(self.meta), **kw)

    def to_text(self) -> str:
        """The graph as graph-file text (round-trips through :func:`gradviz.parse`)."""
        lines = [f"#: {k}: {v}" for k, v in (("title", self.title), ("source", self.source))
                 if v]
        if self.asks:
            lines.append("#: asks: " + " ".join(self.asks))
        lines += [f"#: {k}: {v}" for k, v in sorted(self.meta.items())]
        for n in self.named():
            if self.is_leaf(n):
                lines.append(f"{n}: {self.kind(n)} = {fmt_value(self.default(n), None)}")
            else:
                role = f": {self.role(n)}" if self.role(n) else ""
                lines.append(f"{n}{role} = {self.expr(n)}")
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        ops = len(self) - len(self.leaves())
        return (f"<Graph {self.name or 'graph'}: {self.title or 'untitled'}; "
                f"{len(self.leaves())} leaves, {ops} computed nodes, loss {self.loss}>")
