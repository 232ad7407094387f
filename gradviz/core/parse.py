"""The graph file format: one statement per line, read with ``ast`` behind an allowlist.

::

    #: title: A More Interesting Graph
    X1: input = 2              # leaves: input, param, target, const
    W1: param = [1, -1]        # scalars, vectors, matrices [[1, 2], [3, 4]]
    H1 = W1 * (X1 + X2)        # + - * / ** @, unary minus, numbers
    H3 = min(X1, H1)           # calls to op-table names, params by keyword or position
    Z = leaky_relu(H3, slope=0.1)
    L: loss = bce(sigmoid(Z), Y)   # `loss` (or `output`) marks where backward starts

Statements may come in any order (forward references are fine); the text is never
``eval``-ed. Lines starting with ``#:`` carry metadata (``title``, ``source``, ``asks``).
Every error is a :class:`~gradviz.ParseError` or :class:`~gradviz.GraphError` with the
line and column.
"""

from __future__ import annotations

import ast
import difflib
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np

from gradviz.core.builder import Builder, Var
from gradviz.core.errors import GradvizError, GraphError, ParseError
from gradviz.core.graph import LEAF_KINDS, Graph, natural_key
from gradviz.core.ops import OPS

__all__ = ["parse", "load", "MAX_LINE", "MAX_DEPTH", "MAX_NESTING", "MAX_TERMS"]

MAX_LINE = 20_000  # characters in one computed statement
MAX_VALUE_LINE = 5_000_000  # characters in one leaf declaration (a big weight matrix)
MAX_NESTING = 100  # nested brackets
MAX_DEPTH = 250  # depth of one expression tree (e.g. a chain of 250 additions)
MAX_TERMS = 5_000  # operators and operands in one statement
ROLES = ("loss", "output")
_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div",
           ast.Pow: "pow", ast.MatMult: "matmul"}
_META = re.compile(r"^#:\s*(\w+)\s*[:=]\s*(.*?)\s*$")
_LEAF_LINE = re.compile(r"^\w+\s*:\s*(input|param|target|const)\s*=\s*[-+\[\d.]")


@dataclass
class _Stmt:
    name: str
    spelling: str
    kind: str | None  # a leaf kind, a role, or None for a plain assignment
    value: ast.expr
    line: int
    col: int  # 1-based column of the name
    text: str  # the line as written
    indent: int


def parse(text: str, source: str = "<string>", name: str = "") -> Graph:
    """Parse graph-file text into a :class:`~gradviz.Graph`.

    Parameters
    ----------
    text : str
        The graph file's contents.
    source : str
        File name used in error messages.
    name : str
        The graph's name (e.g. the example name).

    Raises
    ------
    ParseError, GraphError
        With ``line`` and ``col`` set, for anything outside the grammar.

    Examples
    --------
    >>> g = parse("x: input = 3\\nL: loss = x * x\\n")
    >>> g.order, g.loss
    (['x', 'L'], 'L')
    >>> parse("import os")
    Traceback (most recent call last):
    ...
    gradviz.core.errors.ParseError: <string>:1:1: import statements are not allowed
    """
    try:
        return _Parser(text, source).run(name)
    except GradvizError as e:
        raise e.at(source) from None


def load(path: str | Path) -> Graph:
    """Read and parse a graph file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "sq.grad"
    >>> _ = p.write_text("x: input = 3\\nL: loss = x ** 2\\n")
    >>> load(p).name
    'sq'
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise GradvizError(f"cannot read {path}: {e.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ParseError(f"not UTF-8 text (byte {e.start})", source=str(path)) from None
    return parse(text, source=str(path), name=path.stem)


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.text, self.source = text, source
        self.meta: dict[str, str] = {}
        self.meta_line: dict[str, int] = {}
        self.stmts: dict[str, _Stmt] = {}
        self.spellings: dict[str, tuple[str, int, int]] = {}
        self.refs: dict[str, list[tuple[str, int, int]]] = {}  # stmt name -> referenced names

    # ------------------------------------------------------------------ pass 1
    def run(self, name: str) -> Graph:
        text = self.text
        if text.startswith("\ufeff"):
            text = text[1:]
        for i, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
            if "\0" in line:
                raise ParseError("NUL byte in the text", i, line.index("\0") + 1)
            self._line(line, i)
        if not self.stmts:
            raise ParseError("empty graph: write statements such as `x: input = 2` and "
                             "`L: loss = x * x`", 1, 1)
        self._check_references()
        order = self._statement_order()
        return self._build(order, name)

    def _line(self, line: str, n: int) -> None:
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        m = _META.match(stripped)
        if m:
            self.meta[m.group(1).lower()] = m.group(2)
            self.meta_line[m.group(1).lower()] = n
            return
        if not stripped or stripped.startswith("#"):
            return
        is_value = _LEAF_LINE.match(stripped) is not None
        limit = MAX_VALUE_LINE if is_value else MAX_LINE
        if len(stripped) > limit:
            raise ParseError(f"line too long ({len(stripped)} characters; at most {limit})",
                             n, 1)
        code = _strip_comment(stripped)
        depth, deepest = 0, 0
        for j, ch in enumerate(code):
            if ch in "([{":
                depth += 1
                if depth > deepest:
                    deepest = depth
                if depth > MAX_NESTING:
                    raise ParseError(f"expression too deep (more than {MAX_NESTING} nested "
                                     "brackets)", n, indent + j + 1)
            elif ch in ")]}":
                depth -= 1
        terms = 0 if is_value else len(re.findall(r"[-+*/@,]|\w+", code))
        if terms > MAX_TERMS:
            raise ParseError(f"expression too long ({terms} terms; at most {MAX_TERMS})", n, 1)
        try:
            tree = ast.parse(stripped, mode="exec")
        except SyntaxError as e:
            col = indent + (e.offset or 1)
            digits = re.search(r"\d{4000,}", stripped)
            if digits and "digits" in e.msg:
                col = indent + digits.start() + 1
            raise ParseError(_syntax_message(e, stripped), n, col) from None
        except (ValueError, MemoryError, RecursionError):
            digits = re.search(r"\d{4000,}", stripped)
            if digits:
                raise ParseError(f"number too large for float64 ({len(digits.group())} digits)",
                                 n, indent + digits.start() + 1) from None
            raise ParseError("expression too deep or too long", n, indent + 1) from None
        if len(tree.body) != 1:
            raise ParseError("one statement per line", n, indent + 1)
        self._statement(tree.body[0], stripped, n, indent)

    def _statement(self, st: ast.stmt, text: str, n: int, indent: int) -> None:
        pos = (n, indent + _col(text, st.col_offset))
        if isinstance(st, ast.AnnAssign):
            target, kind, value = st.target, st.annotation, st.value
            if not isinstance(kind, ast.Name) or kind.id not in LEAF_KINDS + ROLES:
                raise ParseError("after `NAME:` comes one of "
                                 + ", ".join(LEAF_KINDS + ROLES), n,
                                 indent + _col(text, kind.col_offset))
            kindname = kind.id
            if value is None:
                raise ParseError(f"missing '= value' after `{_spelling(text, target)}: "
                                 f"{kindname}`", *pos)
        elif isinstance(st, ast.Assign):
            if len(st.targets) != 1:
                raise ParseError("one name per assignment (no `a = b = ...`)", *pos)
            target, kindname, value = st.targets[0], None, st.value
        elif isinstance(st, ast.Expr):
            raise ParseError("missing '=': a statement is `NAME = expression` or "
                             "`NAME: kind = value`", *pos)
        else:
            raise ParseError(_not_allowed(st), *pos)
        if not isinstance(target, ast.Name):
            raise ParseError("the left side must be a plain name", n,
                             indent + _col(text, target.col_offset))
        spelling = _spelling(text, target)
        tcol = indent + _col(text, target.col_offset)
        self._note_spelling(target.id, spelling, n, tcol)
        if target.id in self.stmts:
            first = self.stmts[target.id]
            raise GraphError(f"{spelling!r} is assigned twice (first on line {first.line})",
                             n, tcol)
        _check_depth(value, n, indent, text)
        if kindname not in LEAF_KINDS:
            _check_allowed(value, n, indent, text)
        self.stmts[target.id] = _Stmt(target.id, spelling, kindname, value, n, tcol, text,
                                      indent)
        refs = []
        if kindname not in LEAF_KINDS:
            funcs = {id(c.func) for c in ast.walk(value) if isinstance(c, ast.Call)}
            for node in ast.walk(value):
                if isinstance(node, ast.Name) and id(node) not in funcs:
                    col = indent + _col(text, node.col_offset)
                    self._note_spelling(node.id, _spelling(text, node), n, col)
                    refs.append((node.id, n, col))
        self.refs[target.id] = refs

    def _note_spelling(self, name: str, spelling: str, n: int, col: int) -> None:
        seen = self.spellings.setdefault(name, (spelling, n, col))
        if seen[0] != spelling:
            raise GraphError(f"{spelling!r} and {seen[0]!r} (line {seen[1]}) are the same "
                             "name after Unicode NFKC normalization; rename one", n, col)

    # ------------------------------------------------------------------ pass 2
    def _check_references(self) -> None:
        for refs in self.refs.values():
            for ref, n, col in refs:
                if ref in self.stmts:
                    continue
                if ref in OPS:
                    raise GraphError(f"{ref!r} is an op: call it, as in {ref}(x)", n, col)
                close = difflib.get_close_matches(ref, list(self.stmts), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise GraphError(f"undefined name {self.spellings[ref][0]!r}{hint}", n, col)

    def _statement_order(self) -> list[str]:
        deps = nx.DiGraph()
        deps.add_nodes_from(self.stmts)
        for stmt, refs in self.refs.items():
            deps.add_edges_from((ref, stmt) for ref, _, _ in refs)
        if nx.is_directed_acyclic_graph(deps):
            return list(nx.lexicographical_topological_sort(deps, key=natural_key))
        cycle = nx.find_cycle(deps)
        path = [u for u, _ in cycle] + [cycle[0][0]]
        lines = ", ".join(str(self.stmts[p].line) for p in path[:-1])
        first = self.stmts[path[0]]
        shown = " -> ".join(self.stmts[p].spelling for p in path)
        raise GraphError(f"cycle: {shown} (line{'s' if len(path) > 2 else ''} {lines}); "
                         "a value cannot depend on itself", first.line, first.col)

    def _build(self, order: list[str], name: str) -> Graph:
        asks = tuple(_asks(self.meta.get("asks", "")))
        extra = {k: v for k, v in self.meta.items() if k not in ("title", "source", "asks")}
        b = Builder(title=self.meta.get("title", ""), source=self.meta.get("source", ""),
                    name=name, asks=asks, meta=extra)
        env: dict[str, Var] = {}
        for key in order:
            s = self.stmts[key]
            conv = _Converter(b, env, s)
            if s.kind in LEAF_KINDS:
                env[key] = b.leaf(key, s.kind, conv.constant(s.value), label=s.spelling,
                                  line=s.line, col=s.col)
            else:
                env[key] = b.let(key, conv.expr(s.value), role=s.kind, line=s.line, col=s.col)
                b.g.nodes[key]["label"] = s.spelling
        graph = b.build()
        for ask in asks:
            base = ask[1:] if ask.startswith("∇") else ask[:-1] if ask.endswith("+") else ask
            line = self.meta_line.get("asks", 1)
            col = self.text.splitlines()[line - 1].find(ask) + 1 or 1
            if base not in graph:
                raise GraphError(f"`#: asks:` names {ask!r}, which is not a node", line, col)
            if ask.endswith("+") and (graph.kind(base) != "param" or
                                      not _positive(self.meta.get("lr", ""))):
                raise GraphError(f"`#: asks:` names the update {ask!r}: {base!r} must be a "
                                 "param and `#: lr:` a positive learning rate", line, col)
        graph.text, graph.file = self.text, self.source
        return graph


class _Converter:
    """Turn one statement's expression into builder calls, allowlisting every AST node."""

    def __init__(self, b: Builder, env: dict[str, Var], stmt: _Stmt) -> None:
        self.b, self.env, self.s = b, env, stmt

    def pos(self, node: ast.AST) -> tuple[int, int]:
        return self.s.line, self.s.indent + _col(self.s.text, node.col_offset)

    def fail(self, node: ast.AST, msg: str):
        raise ParseError(msg, *self.pos(node))

    # -------------------------------------------------------------- constants
    def is_constant(self, node: ast.expr) -> bool:
        return all(not isinstance(n, (ast.Name, ast.Call)) for n in ast.walk(node))

    def number(self, node: ast.expr) -> float:
        """Fold a constant expression in float64; reject what does not fit."""
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                self.fail(node, f"{type(v).__name__} constants are not allowed; use numbers")
            try:
                x = float(v)
            except OverflowError:
                self.fail(node, "number too large for float64")
            if not math.isfinite(x):
                self.fail(node, f"number {_short(self.s.text, node)} is out of float64 range")
            return x
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            x = self.number(node.operand)
            return -x if isinstance(node.op, ast.USub) else x
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS and \
                type(node.op) is not ast.MatMult:
            a, b = self.number(node.left), self.number(node.right)
            with np.errstate(all="ignore"):
                x = float(OPS[_BINOPS[type(node.op)]].forward(np.float64(a), np.float64(b)))
            if not math.isfinite(x):
                self.fail(node, f"constant expression {_short(self.s.text, node)} is not a "
                                "finite float64 (overflow, division by zero or nan)")
            return x
        if isinstance(node, ast.Name):
            self.fail(node, f"{node.id!r} is not a number (values are numeric literals)")
        self.fail(node, _not_allowed(node))

    def constant(self, node: ast.expr):
        """A leaf value: a number or a (nested) list of numbers."""
        if isinstance(node, ast.List):
            if not node.elts:
                self.fail(node, "empty list")
            items = [self.constant(e) for e in node.elts]
            shapes = {np.shape(i) for i in items}
            if len(shapes) > 1:
                self.fail(node, "rows of different lengths")
            return items
        return self.number(node)

    # ------------------------------------------------------------ expressions
    def expr(self, node: ast.expr) -> Var:
        line, col = self.pos(node)
        if isinstance(node, ast.Name):
            return self.env[node.id]
        if self.is_constant(node) and not isinstance(node, ast.List):
            return self.b.const(self.number(node), line=line, col=col)
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINOPS:
                self.fail(node, f"operator {_op_text(node.op)} is not allowed; use + - * / ** @")
            a, b = self.expr(node.left), self.expr(node.right)
            return self.b.op(_BINOPS[type(node.op)], a, b, line=line, col=col)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand)
            if isinstance(node.op, ast.USub):
                return self.b.op("neg", self.expr(node.operand), line=line, col=col)
            self.fail(node, f"operator {_op_text(node.op)} is not allowed")
        if isinstance(node, ast.List):
            if not node.elts:
                self.fail(node, "empty list")
            return self.b.op("stack", *[self.expr(e) for e in node.elts], line=line, col=col)
        if isinstance(node, ast.Call):
            return self.call(node)
        self.fail(node, _not_allowed(node))

    def call(self, node: ast.Call) -> Var:
        line, col = self.pos(node)
        if not isinstance(node.func, ast.Name):
            self.fail(node.func, "only op names can be called (e.g. sigmoid(x))"
                      if not isinstance(node.func, ast.Attribute)
                      else "attribute access (x.y) is not allowed")
        fname = node.func.id
        if fname not in OPS:
            close = difflib.get_close_matches(fname, list(OPS), n=1)
            hint = f"; did you mean {close[0]}?" if close else "; see `gradviz ops`"
            self.fail(node.func, f"unknown function {fname!r}{hint}")
        op = OPS[fname]
        for a in node.args:
            if isinstance(a, ast.Starred):
                self.fail(a, "*args is not allowed")
        n_operands = len(node.args) if op.arity is None else op.arity
        operand_nodes = node.args[:n_operands]
        if len(operand_nodes) < (op.arity or 1):
            self.fail(node, f"{fname} takes {op.arity or 'at least 1'} operand(s), "
                            f"got {len(operand_nodes)}")
        extra = node.args[n_operands:]
        names = [p for p, _ in op.params]
        if len(extra) > len(names):
            self.fail(extra[len(names)], f"{fname} takes {op.arity} operand(s)"
                      + (f" and the parameters {', '.join(names)}" if names else ""))
        params = {p: self.param(a, fname, p) for p, a in zip(names, extra)}
        for kw in node.keywords:
            if kw.arg is None:
                self.fail(kw.value, "**kwargs is not allowed")
            if kw.arg not in names:
                hint = f"; it takes {', '.join(names)}" if names else "; it takes none"
                self.fail(kw.value, f"{fname} has no parameter {kw.arg!r}{hint}")
            if kw.arg in params:
                self.fail(kw.value, f"parameter {kw.arg!r} given twice")
            params[kw.arg] = self.param(kw.value, fname, kw.arg)
        operands = [self.expr(a) for a in operand_nodes]
        return self.b.op(fname, *operands, line=line, col=col, **params)

    def param(self, node: ast.expr, fname: str, pname: str) -> float:
        if not self.is_constant(node) or isinstance(node, ast.List):
            self.fail(node, f"parameter {pname!r} of {fname} must be a number")
        return self.number(node)


# ----------------------------------------------------------------------- helpers
def _col(text: str, byte_offset: int) -> int:
    """1-based character column from ast's UTF-8 byte offset."""
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1


def _spelling(text: str, node: ast.AST) -> str:
    raw = text.encode("utf-8")[node.col_offset:node.end_col_offset].decode("utf-8", "replace")
    return raw if unicodedata.normalize("NFKC", raw) == getattr(node, "id", raw) else \
        getattr(node, "id", raw)


def _short(text: str, node: ast.AST) -> str:
    seg = text.encode("utf-8")[node.col_offset:node.end_col_offset].decode("utf-8", "replace")
    return seg if len(seg) <= 40 else seg[:37] + "..."


def _strip_comment(text: str) -> str:
    return text.split("#", 1)[0]


def _check_depth(node: ast.AST, n: int, indent: int, text: str) -> None:
    stack = [(node, 1)]
    while stack:
        cur, d = stack.pop()
        if d > MAX_DEPTH:
            raise ParseError(f"expression too deep (more than {MAX_DEPTH} levels); split it "
                             "into several statements", n,
                             indent + _col(text, getattr(cur, "col_offset", 0)))
        stack.extend((c, d + 1) for c in ast.iter_child_nodes(cur)
                     if not isinstance(c, (ast.expr_context, ast.operator, ast.unaryop)))


_ALLOWED = (ast.BinOp, ast.UnaryOp, ast.Call, ast.Name, ast.Constant, ast.List, ast.keyword,
            ast.expr_context, ast.operator, ast.unaryop)


def _check_allowed(node: ast.AST, n: int, indent: int, text: str) -> None:
    """Reject, in source order, the first construct outside the grammar's allowlist."""
    bad = [c for c in ast.walk(node) if (not isinstance(c, _ALLOWED) and hasattr(c, "col_offset"))
           or (isinstance(c, ast.keyword) and c.arg is None)]
    if not bad:
        return
    first = min(bad, key=lambda c: getattr(c, "col_offset", None) or c.value.col_offset)
    what = "**kwargs is not allowed" if isinstance(first, ast.keyword) else _not_allowed(first)
    pos = getattr(first, "col_offset", None)
    if pos is None and isinstance(first, ast.keyword):
        pos = first.value.col_offset
    raise ParseError(what, n, indent + _col(text, pos or 0))


def _syntax_message(e: SyntaxError, text: str) -> str:
    msg = e.msg
    if "Exceeds the limit" in msg and "digits" in msg:
        return "number too large for float64"
    if "too many nested parentheses" in msg:
        return f"expression too deep (more than {MAX_NESTING} nested brackets)"
    if "=" not in _strip_comment(text):
        return f"missing '=': a statement is `NAME = expression` ({msg})"
    if "invalid character" in msg or "non-printable" in msg:
        return msg
    return f"syntax error: {msg}"


def _op_text(op: ast.AST) -> str:
    return {ast.FloorDiv: "//", ast.Mod: "%", ast.LShift: "<<", ast.RShift: ">>",
            ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^", ast.Not: "not",
            ast.Invert: "~"}.get(type(op), type(op).__name__)


def _not_allowed(node: ast.AST) -> str:
    what = {
        ast.Import: "import statements are", ast.ImportFrom: "import statements are",
        ast.Attribute: "attribute access (x.y) is",
        ast.Subscript: "subscripts (x[i]) are not allowed; use index(x, i) -", ast.Lambda:
        "lambda is", ast.FunctionDef: "function definitions are", ast.Compare:
        "comparisons are", ast.BoolOp: "and/or are", ast.IfExp: "conditional expressions are",
        ast.Dict: "dicts are", ast.Set: "sets are",
        ast.Tuple: "tuples are not allowed; use [a, b] -",
        ast.ListComp: "comprehensions are", ast.GeneratorExp: "comprehensions are",
        ast.JoinedStr: "strings are", ast.AugAssign: "augmented assignments (+=) are",
        ast.NamedExpr: "the walrus operator is", ast.Starred: "*args is",
    }.get(type(node), f"{type(node).__name__} syntax is")
    if what.endswith("-"):
        return what[:-2]
    return f"{what} not allowed"


def _positive(text: str) -> bool:
    try:
        return 0 < float(text) < float("inf")
    except ValueError:
        return False


def _asks(text: str) -> list[str]:
    """``Yhat L ∇W3 grad(B3)`` -> ['Yhat', 'L', '∇W3', '∇B3']."""
    out = []
    for tok in re.findall(r"grad\(\s*[^\s)]+\s*\)|[^\s,]+", text):
        m = re.fullmatch(r"grad\(\s*([^\s)]+)\s*\)", tok)
        out.append("∇" + m.group(1) if m else tok)
    return out


def parse_value(text: str, what: str = "value"):
    """Parse a leaf value such as ``2``, ``-1.5``, ``[1, -1]`` or ``[[1, 2], [3, 4]]``.

    Uses the same allowlisted constant grammar as graph files (``1/3`` and ``2**0.5``
    fold in float64); anything else raises :class:`~gradviz.ParseError`.

    Examples
    --------
    >>> parse_value("[1, -1/2]")
    [1.0, -0.5]
    """
    text = text.strip()
    if len(text) > MAX_LINE or "\0" in text:
        raise ParseError(f"{what}: value too long or not text")
    if max((text[:i].count("[") - text[:i].count("]") for i in range(len(text) + 1)),
           default=0) > MAX_NESTING:
        raise ParseError(f"{what}: too deeply nested")
    try:
        tree = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise ParseError(f"{what}: {text!r} is not a number or a list of numbers") from None
    stmt = _Stmt(what, what, "const", tree, 1, 1, text, 0)
    try:
        _check_depth(tree, 1, 0, text)
        return _Converter(Builder(), {}, stmt).constant(tree)
    except ParseError as e:
        raise ParseError(f"{what}: {e.message}") from None
