"""Build a :class:`~gradviz.Graph` from Python, micrograd style.

``Builder`` keeps its nodes by id while they grow (an unnamed value is named when a named
one uses it); ``build()`` hands them to a :class:`Graph` by name.

Examples
--------
>>> b = Builder(title="xyz")
>>> x, y, z = b.input("x", 2), b.input("y", 3), b.input("z", -1)
>>> a = b.let("a", x * y + z)
>>> w = b.output("w", a * b.let("b", (x + x) * a))
>>> g = b.build()
>>> g.order[:4], g.loss
(['x', 'y', 'z', 'a.1'], 'w')
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from gradviz.core.errors import GraphError
from gradviz.core.format import fmt_value
from gradviz.core.graph import LEAF_KINDS, Graph, leaf_value, natural_key
from gradviz.core.limits import LIMITS
from gradviz.core.ops import OPS

__all__ = ["Builder", "Var"]


class Var:
    """A value under construction in a :class:`Builder`; supports ``+ - * / ** @`` and -x."""

    __slots__ = ("builder", "id")

    def __init__(self, builder: Builder, id: int) -> None:
        self.builder, self.id = builder, id

    @property
    def node(self) -> str:
        """The value's name (unnamed values are named when a named value uses them)."""
        return self.builder._names[self.id]

    def _bin(self, opname: str, other: Any, swap: bool = False) -> Var:
        other = self.builder._lift(other)
        a, b = (other, self) if swap else (self, other)
        return self.builder.op(opname, a, b)

    def __add__(self, o): return self._bin("add", o)
    def __radd__(self, o): return self._bin("add", o, True)
    def __sub__(self, o): return self._bin("sub", o)
    def __rsub__(self, o): return self._bin("sub", o, True)
    def __mul__(self, o): return self._bin("mul", o)
    def __rmul__(self, o): return self._bin("mul", o, True)
    def __truediv__(self, o): return self._bin("div", o)
    def __rtruediv__(self, o): return self._bin("div", o, True)
    def __pow__(self, o): return self._bin("pow", o)
    def __rpow__(self, o): return self._bin("pow", o, True)
    def __matmul__(self, o): return self._bin("matmul", o)
    def __rmatmul__(self, o): return self._bin("matmul", o, True)
    def __neg__(self): return self.builder.op("neg", self)
    def __pos__(self): return self

    def __repr__(self) -> str:
        return f"Var({self.node!r})"


class Builder:
    """Build a :class:`Graph` from Python, micrograd style.

    Unnamed intermediate values get names from the value that uses them: in
    ``b.let("H2", X1 * X2 + B1)`` the product becomes ``H2.1``.

    Parameters
    ----------
    title, source, name : str
        Metadata carried by the graph.
    asks : iterable of str
        The quantities a problem asks for (``"Yhat"``, ``"∇W1"``).

    Examples
    --------
    >>> from gradviz import evaluate
    >>> b = Builder()
    >>> x = b.input("x", 3.0)
    >>> b.loss("L", x * x)
    Var('L')
    >>> float(evaluate(b.build()).grad("x"))
    6.0
    """

    def __init__(self, title: str = "", source: str = "", name: str = "",
                 asks: Iterable[str] = (), meta: Mapping[str, str] | None = None) -> None:
        self.title, self.source, self.name, self.asks = title, source, name, tuple(asks)
        self.meta = dict(meta or {})
        # nodes by id while the graph grows: renaming an unnamed value touches only it
        self._names: list[str] = []
        self._attrs: list[dict[str, Any]] = []
        self._args: list[tuple[int, ...]] = []
        self._ids: dict[str, int] = {}
        self._loss: str | None = None
        self._norms: dict[str, str] = {}
        self._max_nodes = LIMITS["max_nodes"].value

    # --------------------------------------------------------------------- leaves
    def leaf(self, name: str, kind: str, value: Any, *, label: str | None = None,
             line: int | None = None, col: int | None = None) -> Var:
        """Add a leaf of the given kind (``input``, ``param``, ``target``, ``const``)."""
        if kind not in LEAF_KINDS:
            raise GraphError(f"unknown leaf kind {kind!r}; use one of {', '.join(LEAF_KINDS)}",
                             line, col)
        self._check_new(name, line, col)
        try:
            v = leaf_value(value, f"the value of {name}")
        except GraphError as e:
            raise GraphError(e.message, line, col) from None
        return self._add(name, {"kind": kind, "value": v}, label=label, line=line, col=col)

    def input(self, name: str, value: Any, **kw: Any) -> Var:
        return self.leaf(name, "input", value, **kw)

    def param(self, name: str, value: Any, **kw: Any) -> Var:
        return self.leaf(name, "param", value, **kw)

    def target(self, name: str, value: Any, **kw: Any) -> Var:
        return self.leaf(name, "target", value, **kw)

    def const(self, value: Any, name: str | None = None, **kw: Any) -> Var:
        """A constant; unnamed constants (``2`` in ``2 * x``) are labelled by their value."""
        if name is not None:
            return self.leaf(name, "const", value, **kw)
        arr = leaf_value(value, "a constant")
        return self._add(None, {"kind": "const", "value": arr, "generated": True},
                         label=fmt_value(arr, None), line=kw.get("line"), col=kw.get("col"))

    # ----------------------------------------------------------------- computed
    def op(self, opname: str, *args: Any, name: str | None = None,
           line: int | None = None, col: int | None = None, **params: float) -> Var:
        """Apply an op from the op table to operands (``Var`` or numbers)."""
        op = OPS.get(opname)
        if op is None:
            raise GraphError(f"unknown op {opname!r}", line, col)
        if op.arity is not None and len(args) != op.arity:
            raise GraphError(f"{opname} takes {op.arity} operand(s), got {len(args)}", line, col)
        if op.arity is None and not args:
            raise GraphError(f"{opname} needs at least one operand", line, col)
        full = op.param_defaults() if op.params or params else {}
        for k in params:
            if k not in full:
                hint = f"; it takes {', '.join(full)}" if full else "; it takes none"
                raise GraphError(f"{opname} has no parameter {k!r}{hint}", line, col)
            full[k] = float(params[k])
        operands = tuple([a.id if type(a) is Var and a.builder is self else self._lift(a).id
                          for a in args])
        if name is not None:
            self._check_new(name, line, col)
        attrs: dict[str, Any] = {"kind": "op", "op": opname}
        if full:
            attrs["params"] = full
        if name is None:
            attrs["generated"] = True
        return self._add(name, attrs, operands, line=line, col=col)

    def __getattr__(self, opname: str) -> Callable[..., Var]:
        """``b.sigmoid(x)``, ``b.leaky_relu(z, slope=0.1)``: any op-table name."""
        if opname in OPS:
            return lambda *a, **k: self.op(opname, *a, **k)
        raise AttributeError(opname)

    def let(self, name: str, var: Var, *, role: str | None = None, label: str | None = None,
            line: int | None = None, col: int | None = None) -> Var:
        """Give a computed value a name; its unnamed operands become ``name.1``, ...

        ``label`` is the name as the user spelt it (default ``name``).
        """
        var = self._lift(var)
        d = self._attrs[var.id]
        if not d.get("generated") or d["kind"] != "op":
            var = self.op("identity", var)  # ``a = b`` or ``a = 2``: a node of its own
        self._check_new(name, line, col)
        for k, t in enumerate(self._temps_postorder(var.id), start=1):
            self._rename(t, self._fresh(f"{name}.{k}"))
        self._rename(var.id, name)
        d = self._attrs[var.id]
        d.pop("generated", None)
        if role is not None:
            d["role"] = role
        if label is not None and label != name:
            d["label"] = label
        if line is not None:
            d["line"], d["col"] = line, col
        if role in ("loss", "output"):
            if self._loss is not None:
                raise GraphError(f"a second {role} {name!r}: the graph already has "
                                 f"{self._loss!r} to differentiate", line, col)
            self._loss = name
        return var

    def loss(self, name: str, var: Var, **kw: Any) -> Var:
        """Name the value backward starts from (a scalar loss)."""
        return self.let(name, var, role="loss", **kw)

    def output(self, name: str, var: Var, **kw: Any) -> Var:
        """Like :meth:`loss`, for a graph whose result is not a loss (e.g. ``w`` in xyz)."""
        return self.let(name, var, role="output", **kw)

    def build(self, keep: bool = True) -> Graph:
        """Check the graph (no cycle, one node to differentiate) and return it.

        ``keep=False`` spends the builder: the graph takes its tables over (the parser's
        builder, which nothing uses afterwards; memory at scale).
        """
        unnamed = [i for i, n in enumerate(self._names) if n.startswith("\0")]
        for k, i in enumerate(unnamed, start=1):
            self._rename(i, self._fresh(f"t.{k}"))
        if not self._names:
            raise GraphError("the graph is empty: declare inputs and compute something")
        loss = self._loss or self._sink()
        names, attrs, args = self._names, self._attrs, self._args
        if keep:  # the builder may grow on: the graph gets copies of its attribute dicts
            attrs = [dict(d) for d in attrs]
        else:  # the tables go to the graph (or are freed) as it takes the nodes over
            self._ids, self._norms = {}, {}
            self._names, self._attrs, self._args = [], [], []
        operands = {name: tuple([names[a] for a in ids]) for name, ids in zip(names, args)}
        return Graph(dict(zip(names, attrs)), operands, loss=loss, title=self.title,
                     source=self.source, name=self.name, asks=self.asks, meta=dict(self.meta))

    # ------------------------------------------------------------------ helpers
    def _add(self, name: str | None, attrs: dict[str, Any], args: tuple[int, ...] = (), *,
             label: str | None = None, line: int | None = None, col: int | None = None
             ) -> Var:
        """A new node; attributes at their default (no label but the name, no line) are
        left out, as the Graph reads them with defaults (memory at scale)."""
        i = len(self._names)
        if i >= self._max_nodes:
            LIMITS["max_nodes"].check(i + 1, "the graph", at_least=True)
        node = name if name is not None else f"\0{i + 1}"
        if label is not None and label != node:
            attrs["label"] = label
        if line is not None:
            attrs["line"], attrs["col"] = line, col
        self._names.append(node)
        self._attrs.append(attrs)
        self._args.append(args)
        self._ids[node] = i
        return Var(self, i)

    def _rename(self, i: int, name: str) -> None:
        del self._ids[self._names[i]]
        self._names[i] = name
        self._ids[name] = i

    def _temps_postorder(self, root: int) -> list[int]:
        """Unnamed ancestors of ``root`` in post-order (operands before users)."""
        out: list[int] = []
        seen = {root}
        stack = [(root, iter(self._args[root]))]
        while stack:
            node, it = stack[-1]
            for u in it:
                if self._names[u].startswith("\0") and u not in seen:
                    seen.add(u)
                    stack.append((u, iter(self._args[u])))
                    break
            else:
                stack.pop()
                if node != root:
                    out.append(node)
        return out

    def _sink(self) -> str:
        """The one computed node nothing uses (the loss when none is marked)."""
        used = {a for args in self._args for a in args}
        sinks = sorted((n for i, n in enumerate(self._names)
                        if i not in used and self._attrs[i]["kind"] == "op"), key=natural_key)
        if len(sinks) != 1:
            raise GraphError("no loss: mark the value to differentiate with "
                             "`NAME: loss = ...`" + (f" (candidates: {', '.join(sinks)})"
                                                    if sinks else ""))
        return sinks[0]

    def _lift(self, x: Any) -> Var:
        if isinstance(x, Var):
            if x.builder is not self:
                raise GraphError("a value from another Builder cannot be used here")
            return x
        if isinstance(x, (list, tuple)) and any(isinstance(e, Var) for e in x):
            return self.op("stack", *x)
        return self.const(x)

    def _fresh(self, name: str) -> str:
        while name in self._ids:
            name += "'"
        return name

    def _check_new(self, name: str, line: int | None, col: int | None) -> None:
        if not isinstance(name, str) or not name or "\0" in name:
            raise GraphError(f"invalid name {name!r}", line, col)
        if name in self._ids:
            d = self._attrs[self._ids[name]]
            first = f" (first defined on line {d['line']})" if d.get("line") else ""
            raise GraphError(f"{name!r} is defined twice{first}", line, col)
        norm = name if name.isascii() else unicodedata.normalize("NFKC", name)
        other = self._norms.get(norm)
        if other is not None and other != name:
            raise GraphError(f"{name!r} collides with {other!r} after Unicode NFKC "
                             "normalization; rename one", line, col)
        self._norms[norm] = name
