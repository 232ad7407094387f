"""Turn one allowlisted statement's syntax tree into :class:`~gradviz.core.builder.Builder`
calls: operators and op calls become nodes, constant expressions fold in float64, and
every rejection names its line and column.

Examples
--------
>>> import ast
>>> from gradviz.core.builder import Builder
>>> b = Builder()
>>> env = {"x": b.input("x", 2.0)}
>>> conv = Converter(b, env, line=1, indent=0, text="y = x * (1 + 1/2)")
>>> var = conv.expr(ast.parse(conv.text).body[0].value)
>>> b.loss("y", var).node, conv.array(ast.parse("[[1, 2], [3, 4]]").body[0].value)
('y', ([[1.0, 2.0], [3.0, 4.0]], (2, 2)))
"""

from __future__ import annotations

import ast
import difflib
import math
from typing import NoReturn

import numpy as np

from gradviz.core.allowlist import BINOPS, col, not_allowed, op_text, short
from gradviz.core.builder import Builder, Var
from gradviz.core.errors import ParseError
from gradviz.core.ops import OPS

__all__ = ["Converter"]


class Converter:
    """Turn one statement's expression into builder calls, allowlisting every AST node."""

    def __init__(self, b: Builder, env: dict[str, Var], line: int, indent: int,
                 text: str) -> None:
        self.b, self.env, self.line, self.indent, self.text = b, env, line, indent, text
        self._constant: dict[int, bool] = {}

    def pos(self, node: ast.expr) -> tuple[int, int]:
        return self.line, self.indent + col(self.text, node.col_offset)

    def fail(self, node: ast.expr, msg: str) -> NoReturn:
        raise ParseError(msg, *self.pos(node))

    # -------------------------------------------------------------- constants
    def is_constant(self, node: ast.expr) -> bool:
        """No name and no call anywhere in ``node`` (remembered: linear in the tree)."""
        t = type(node)
        if t is ast.Name or t is ast.Call:
            return False
        if t is ast.Constant:
            return True
        known = self._constant.get(id(node))
        if known is None:
            if isinstance(node, ast.BinOp):
                known = self.is_constant(node.left) and self.is_constant(node.right)
            elif isinstance(node, ast.UnaryOp):
                known = self.is_constant(node.operand)
            elif isinstance(node, ast.List):
                known = all(self.is_constant(e) for e in node.elts)
            else:
                known = all(not isinstance(n, (ast.Name, ast.Call)) for n in ast.walk(node))
            self._constant[id(node)] = known
        return known

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
                self.fail(node, f"number {short(self.text, node)} is out of float64 range")
            return x
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            x = self.number(node.operand)
            return -x if isinstance(node.op, ast.USub) else x
        if isinstance(node, ast.BinOp) and type(node.op) in BINOPS and \
                type(node.op) is not ast.MatMult:
            a, b = self.number(node.left), self.number(node.right)
            with np.errstate(all="ignore"):
                x = float(OPS[BINOPS[type(node.op)]].forward(np.float64(a), np.float64(b)))
            if not math.isfinite(x):
                self.fail(node, f"constant expression {short(self.text, node)} is not a "
                                "finite float64 (overflow, division by zero or nan)")
            return x
        if isinstance(node, ast.Name):
            self.fail(node, f"{node.id!r} is not a number (values are numeric literals)")
        self.fail(node, not_allowed(node))

    def array(self, node: ast.expr) -> tuple[float | list, tuple[int, ...]]:
        """A leaf value (a number or nested lists of numbers) and its shape."""
        if isinstance(node, ast.List):
            if not node.elts:
                self.fail(node, "empty list")
            items = [self.array(e) for e in node.elts]
            shapes = {s for _, s in items}
            if len(shapes) > 1:
                self.fail(node, "rows of different lengths")
            return [v for v, _ in items], (len(items), *items[0][1])
        return self.number(node), ()

    # ------------------------------------------------------------ expressions
    def expr(self, node: ast.expr) -> Var:
        if type(node) is ast.Name:
            return self.env[node.id]
        if type(node) is ast.Call:
            return self.call(node)
        line, pos = self.pos(node)
        if type(node) is not ast.List and self.is_constant(node):
            return self.b.const(self.number(node), line=line, col=pos)
        if isinstance(node, ast.BinOp):
            if type(node.op) not in BINOPS:
                self.fail(node, f"operator {op_text(node.op)} is not allowed; use + - * / ** @")
            a, b = self.expr(node.left), self.expr(node.right)
            return self.b.op(BINOPS[type(node.op)], a, b, line=line, col=pos)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand)
            if isinstance(node.op, ast.USub):
                return self.b.op("neg", self.expr(node.operand), line=line, col=pos)
            self.fail(node, f"operator {op_text(node.op)} is not allowed")
        if isinstance(node, ast.List):
            if not node.elts:
                self.fail(node, "empty list")
            return self.b.op("stack", *[self.expr(e) for e in node.elts], line=line, col=pos)
        self.fail(node, not_allowed(node))

    def call(self, node: ast.Call) -> Var:
        line, pos = self.pos(node)
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
        params = self._params(node, fname, node.args[n_operands:])
        operands = [self.expr(a) for a in operand_nodes]
        return self.b.op(fname, *operands, line=line, col=pos,
                         **params)  # type: ignore[arg-type]  # op parameters, never `name`

    def _params(self, node: ast.Call, fname: str, extra: list[ast.expr]) -> dict[str, float]:
        if not extra and not node.keywords:
            return {}
        op = OPS[fname]
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
        return params

    def param(self, node: ast.expr, fname: str, pname: str) -> float:
        if not self.is_constant(node) or isinstance(node, ast.List):
            self.fail(node, f"parameter {pname!r} of {fname} must be a number")
        return self.number(node)
