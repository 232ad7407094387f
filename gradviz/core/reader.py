"""Read a graph file's statements into a :class:`~gradviz.core.builder.Builder`, in time
and memory linear in the file.

Two passes define the file's meaning (and its errors): pass 1 checks every line in order
(size limits, syntax, allowlist, names assigned twice); pass 2 checks every referenced
name, orders the statements (dependencies first, ties by natural name order, a cycle is an
error) and builds them in that order. A :class:`Reader` in *eager* mode does both at once:
each statement is built as soon as the statements it names are, and its syntax tree is
dropped, so a big file never holds all its trees. The graph is the same either way. When
eager reading meets anything that pass 2 would report (an error while building, a name
still undefined at the end of the file), it gives up with :class:`Retry`, and a second
Reader in reference mode (``eager=False``) reports exactly the error of the two passes.

Examples
--------
>>> r = Reader("y = 2 * x\\nx: input = 3\\n#: title: t\\n", "<string>")
>>> g = r.run("g")
>>> g.order, g.title
(['x', 'y.1', 'y'], 't')
>>> Reader("a = b\\nb = a", "<string>").run("")
Traceback (most recent call last):
...
gradviz.core.reader.Retry
"""

from __future__ import annotations

import ast
import difflib
import keyword
import math
import re
import warnings
from dataclasses import dataclass

from gradviz.core.allowlist import (
    MAX_NDIM,
    check_depth,
    check_line,
    col,
    names_in,
    not_allowed,
    parse_line,
    spelling,
)
from gradviz.core.builder import Builder, Var
from gradviz.core.convert import Converter
from gradviz.core.errors import GradvizError, GraphError, LimitError, ParseError
from gradviz.core.graph import LEAF_KINDS, Graph, natural_key
from gradviz.core.ops import OPS
from gradviz.core.order import topological_order

__all__ = ["Reader", "Retry", "ROLES"]

ROLES = ("loss", "output")
_META = re.compile(r"^#:\s*(\w+)\s*[:=]\s*(.*?)\s*$")
_LEAF_LINE = re.compile(r"^\w+\s*:\s*(input|param|target|const)\s*=\s*[-+\[\d.]")
# `w3: param = -0.25`, read without ast (most lines of a big generated file are like it)
_SCALAR_LEAF = re.compile(r"([A-Za-z_]\w*)[ \t]*:[ \t]*(input|param|target|const)[ \t]*=[ \t]*"
                          r"(-?(?:[1-9]\d{0,300}|0)(?:\.\d{0,300})?(?:[eE][-+]?\d{1,3})?)"
                          r"[ \t]*(?:#.*)?", re.ASCII)
Ref = tuple[str, int, int]  # a name a statement reads, with its line and column


class Retry(Exception):
    """Eager reading met what only reference mode reports exactly; read again."""


@dataclass(slots=True)
class _Stmt:
    name: str
    spelling: str
    kind: str | None  # a leaf kind, a role, or None for a plain assignment
    value: ast.expr | float | None  # a float: a scalar leaf read without ast; None: built
    line: int
    col: int  # 1-based column of the name
    text: str  # the line as written
    indent: int


class Reader:
    """One reading of one graph file (see the module docstring)."""

    def __init__(self, text: str, source: str, eager: bool = True) -> None:
        self.text, self.source, self.eager = text, source, eager
        self.meta: dict[str, str] = {}
        self.meta_line: dict[str, int] = {}
        self.stmts: dict[str, _Stmt] = {}
        self.spellings: dict[str, tuple[str, int, int]] = {}
        self.refs: dict[str, list[Ref]] = {}  # reference mode: statement -> names it reads
        self.b = Builder()
        self.env: dict[str, Var] = {}
        self.blocked: dict[str, int] = {}  # eager mode: statement -> names it still waits for
        self.waiters: dict[str, list[str]] = {}  # eager mode: name -> statements waiting

    def run(self, name: str) -> Graph:
        """The graph; raises ParseError/GraphError, or Retry in eager mode."""
        text = self.text[1:] if self.text.startswith("\ufeff") else self.text
        with warnings.catch_warnings():  # "invalid decimal literal" and the like
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            for i, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
                if "\0" in line:
                    raise ParseError("NUL byte in the text", i, line.index("\0") + 1)
                self._line(line, i)
        if not self.stmts:
            raise ParseError("empty graph: write statements such as `x: input = 2` and "
                             "`L: loss = x * x`", 1, 1)
        if self.blocked:
            raise Retry  # an undefined name or a cycle
        if not self.eager:
            self._check_references()
            for key in self._statement_order():
                self._build(self.stmts[key])
        return self._finish(name)

    # ------------------------------------------------------------------ pass 1
    def _line(self, line: str, n: int) -> None:
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if not stripped or stripped[0] == "#":
            m = _META.match(stripped)
            if m:
                self.meta[m.group(1).lower()] = m.group(2)
                self.meta_line[m.group(1).lower()] = n
            return
        is_value = _LEAF_LINE.match(stripped) is not None
        check_line(stripped, n, indent, is_value=is_value)
        if not (is_value and self._scalar_leaf(stripped, n, indent)):
            self._statement(parse_line(stripped, n, indent), stripped, n, indent)

    def _scalar_leaf(self, text: str, n: int, indent: int) -> bool:
        """Read ``NAME: kind = number`` as ast would; False for anything else."""
        m = _SCALAR_LEAF.fullmatch(text)
        if not m or keyword.iskeyword(m.group(1)):
            return False
        name, kind, number = m.groups()
        value = float(number)
        if not math.isfinite(value) or name in self.stmts:
            return False  # let ast and the converter say what is wrong, as for any line
        self._note_spelling(name, name, n, indent + 1)
        self._add(_Stmt(name, name, kind, value + 0.0, n, indent + 1, "", indent), [])
        return True

    def _statement(self, st: ast.stmt, text: str, n: int, indent: int) -> None:
        target, kindname, value = _parts(st, text, n, indent)
        name = spelling(text, target)
        tcol = indent + col(text, target.col_offset)
        self._note_spelling(target.id, name, n, tcol)
        if target.id in self.stmts:
            first = self.stmts[target.id]
            raise GraphError(f"{name!r} is assigned twice (first on line {first.line})",
                             n, tcol)
        check_depth(value, n, indent, text)
        refs = []
        if kindname not in LEAF_KINDS:
            for node in names_in(value, n, indent, text):
                pos = indent + col(text, node.col_offset)
                self._note_spelling(node.id, spelling(text, node), n, pos)
                refs.append((node.id, n, pos))
        self._add(_Stmt(target.id, name, kindname, value, n, tcol, text, indent), refs)

    def _note_spelling(self, name: str, spelt: str, n: int, pos: int) -> None:
        seen = self.spellings.get(name)
        if seen is None:
            self.spellings[name] = (spelt, n, pos)
        elif seen[0] != spelt:
            raise GraphError(f"{spelt!r} and {seen[0]!r} (line {seen[1]}) are the same "
                             "name after Unicode NFKC normalization; rename one", n, pos)

    def _add(self, s: _Stmt, refs: list[Ref]) -> None:
        """Record a statement; in eager mode, build it (and what waited for it) if it can."""
        self.stmts[s.name] = s
        if not self.eager:
            self.refs[s.name] = refs
            return
        missing = {ref for ref, _, _ in refs if ref not in self.env}
        if missing:
            self.blocked[s.name] = len(missing)
            for ref in missing:
                self.waiters.setdefault(ref, []).append(s.name)
            return
        ready = [s.name]
        while ready:
            key = ready.pop()
            try:
                self._build(self.stmts[key])
            except LimitError:
                raise  # refused before the work, whatever else the file holds
            except GradvizError:
                raise Retry from None  # which error comes first is reference mode's call
            for user in self.waiters.pop(key, ()):
                self.blocked[user] -= 1
                if not self.blocked[user]:
                    del self.blocked[user]
                    ready.append(user)

    # ------------------------------------------------------------------ pass 2
    def _check_references(self) -> None:
        for refs in self.refs.values():
            for ref, n, pos in refs:
                if ref in self.stmts:
                    continue
                if ref in OPS:
                    raise GraphError(f"{ref!r} is an op: call it, as in {ref}(x)", n, pos)
                close = difflib.get_close_matches(ref, list(self.stmts), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise GraphError(f"undefined name {self.spellings[ref][0]!r}{hint}", n, pos)

    def _statement_order(self) -> list[str]:
        """Dependencies first, ties by natural name order."""
        deps = ((ref, stmt) for stmt, refs in self.refs.items()
                for ref in {ref for ref, _, _ in refs})
        order = topological_order(self.stmts, deps, key=natural_key)
        if len(order) < len(self.stmts):
            self._cycle()
        return order

    def _cycle(self) -> None:
        import networkx as nx  # only to name a cycle: parsing a good file does without it

        deps = nx.DiGraph()
        deps.add_nodes_from(self.stmts)
        for stmt, refs in self.refs.items():
            deps.add_edges_from((ref, stmt) for ref, _, _ in refs)
        cycle = nx.find_cycle(deps)
        path = [u for u, _ in cycle] + [cycle[0][0]]
        lines = ", ".join(str(self.stmts[p].line) for p in path[:-1])
        first = self.stmts[path[0]]
        shown = " -> ".join(self.stmts[p].spelling for p in path)
        raise GraphError(f"cycle: {shown} (line{'s' if len(path) > 2 else ''} {lines}); "
                         "a value cannot depend on itself", first.line, first.col)

    # ------------------------------------------------------------------- build
    def _build(self, s: _Stmt) -> None:
        """Add one statement to the builder; its syntax tree is garbage afterwards."""
        key, b = s.name, self.b
        if isinstance(s.value, float):
            self.env[key] = b.leaf(key, s.kind or "", s.value, label=s.spelling, line=s.line,
                                   col=s.col)
        elif s.kind in LEAF_KINDS:
            assert s.value is not None
            conv = Converter(b, self.env, s.line, s.indent, s.text)
            value, shape = conv.array(s.value)
            if len(shape) > MAX_NDIM:
                raise GraphError(f"the value of {key} has {len(shape)} dimensions; gradviz "
                                 "takes scalars, vectors and matrices", s.line, s.col)
            self.env[key] = b.leaf(key, s.kind or "", value, label=s.spelling, line=s.line,
                                   col=s.col)
        else:
            assert s.value is not None
            conv = Converter(b, self.env, s.line, s.indent, s.text)
            self.env[key] = b.let(key, conv.expr(s.value), role=s.kind, label=s.spelling,
                                  line=s.line, col=s.col)
        s.value, s.text = None, ""

    def _finish(self, name: str) -> Graph:
        b = self.b
        b.asks = tuple(_asks(self.meta.get("asks", "")))
        b.title, b.source, b.name = self.meta.get("title", ""), self.meta.get("source", ""), name
        b.meta = {k: v for k, v in self.meta.items() if k not in ("title", "source", "asks")}
        for table in (self.stmts, self.spellings, self.refs, self.env):
            table.clear()  # memory for the graph
        graph = b.build(keep=False)
        for ask in b.asks:
            self._check_ask(graph, ask)
        graph.text, graph.file = self.text, self.source
        return graph

    def _check_ask(self, graph: Graph, ask: str) -> None:
        """An ask names a node, its gradient or (``w+``) a param's update with ``#: lr:``."""
        base = ask[1:] if ask.startswith("∇") else ask[:-1] if ask.endswith("+") else ask
        line = self.meta_line.get("asks", 1)
        pos = self.text.splitlines()[line - 1].find(ask) + 1 or 1
        if base not in graph:
            raise GraphError(f"`#: asks:` names {ask!r}, which is not a node", line, pos)
        if ask.endswith("+") and (graph.kind(base) != "param" or
                                  not _positive(self.meta.get("lr", ""))):
            raise GraphError(f"`#: asks:` names the update {ask!r}: {base!r} must be a "
                             "param and `#: lr:` a positive learning rate", line, pos)


def _positive(text: str) -> bool:
    try:
        return 0 < float(text) < float("inf")
    except ValueError:
        return False


def _parts(st: ast.stmt, text: str, n: int, indent: int) -> tuple[ast.Name, str | None, ast.expr]:
    """The target, kind (a leaf kind, a role or None) and value of one statement."""
    pos = (n, indent + col(text, st.col_offset))
    target: ast.expr
    if isinstance(st, ast.AnnAssign):
        target, kind, value = st.target, st.annotation, st.value
        if not isinstance(kind, ast.Name) or kind.id not in LEAF_KINDS + ROLES:
            raise ParseError("after `NAME:` comes one of " + ", ".join(LEAF_KINDS + ROLES), n,
                             indent + col(text, kind.col_offset))
        kindname: str | None = kind.id
        if value is None:
            raise ParseError(f"missing '= value' after `{spelling(text, target)}: "
                             f"{kindname}`", *pos)
    elif isinstance(st, ast.Assign):
        if len(st.targets) != 1:
            raise ParseError("one name per assignment (no `a = b = ...`)", *pos)
        target, kindname, value = st.targets[0], None, st.value
    elif isinstance(st, ast.Expr):
        raise ParseError("missing '=': a statement is `NAME = expression` or "
                         "`NAME: kind = value`", *pos)
    else:
        raise ParseError(not_allowed(st), *pos)
    if not isinstance(target, ast.Name):
        raise ParseError("the left side must be a plain name", n,
                         indent + col(text, target.col_offset))
    return target, kindname, value


def _asks(text: str) -> list[str]:
    """``Yhat L ∇W3 grad(B3)`` -> ['Yhat', 'L', '∇W3', '∇B3']."""
    out = []
    for tok in re.findall(r"grad\(\s*[^\s)]+\s*\)|[^\s,]+", text):
        m = re.fullmatch(r"grad\(\s*([^\s)]+)\s*\)", tok)
        out.append("∇" + m.group(1) if m else tok)
    return out
