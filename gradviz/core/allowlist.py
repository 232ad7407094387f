"""What one line of a graph file may hold: size limits checked before ``ast.parse`` and the
allowlist of syntax checked after it, with the words that say what is not allowed.

Every check costs time linear in the line, so a file costs time linear in its size.

Examples
--------
>>> check_line("a = " + "(" * 101 + "x" + ")" * 101, 1, 0, is_value=False)
Traceback (most recent call last):
...
gradviz.core.errors.ParseError: 1:105: expression too deep (more than 100 nested brackets)
>>> [n.id for n in names_in(parse_line("a = f(x) + y", 1, 0).value, 1, 0, "a = f(x) + y")]
['y', 'x']
"""

from __future__ import annotations

import ast
import re
import unicodedata
from typing import NoReturn

from gradviz.core.errors import ParseError

__all__ = ["MAX_LINE", "MAX_VALUE_LINE", "MAX_NESTING", "MAX_DEPTH", "MAX_TERMS", "MAX_NDIM",
           "BINOPS", "check_line", "parse_line", "check_depth", "names_in", "col", "spelling",
           "short", "op_text", "not_allowed"]

MAX_LINE = 20_000  # characters in one computed statement
MAX_VALUE_LINE = 5_000_000  # characters in one leaf declaration (a big weight matrix)
MAX_NESTING = 100  # nested brackets
MAX_DEPTH = 250  # depth of one expression tree (e.g. a chain of 250 additions)
MAX_TERMS = 5_000  # operators and operands in one statement
MAX_NDIM = 2  # values are scalars, vectors and matrices
BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div",
          ast.Pow: "pow", ast.MatMult: "matmul"}


# ------------------------------------------------------------------- before ast
def check_line(code: str, n: int, indent: int, is_value: bool) -> None:
    """Reject a line that is too long, too deeply bracketed, or has too many terms.

    Examples
    --------
    >>> check_line("y = 2*x + 1", 1, 0, is_value=False) is None
    True
    >>> check_line("a = " + "x+" * 5001 + "x", 7, 0, is_value=False)
    Traceback (most recent call last):
    ...
    gradviz.core.errors.ParseError: 7:1: expression too long (10004 terms; at most 5000)
    """
    limit = MAX_VALUE_LINE if is_value else MAX_LINE
    if len(code) > limit:
        raise ParseError(f"line too long ({len(code)} characters; at most {limit})", n, 1)
    code = strip_comment(code)
    if code.count("(") + code.count("[") + code.count("{") > MAX_NESTING:
        depth = 0
        for j, ch in enumerate(code):
            if ch in "([{":
                depth += 1
                if depth > MAX_NESTING:
                    raise ParseError(f"expression too deep (more than {MAX_NESTING} nested "
                                     "brackets)", n, indent + j + 1)
            elif ch in ")]}":
                depth -= 1
    if not is_value and len(code) > MAX_TERMS:  # a term takes at least one character
        terms = len(re.findall(r"[-+*/@,]|\w+", code))
        if terms > MAX_TERMS:
            raise ParseError(f"expression too long ({terms} terms; at most {MAX_TERMS})", n, 1)


def parse_line(text: str, n: int, indent: int) -> ast.stmt:
    """``ast.parse`` one line that passed :func:`check_line`; its one statement.

    Examples
    --------
    >>> type(parse_line("y = 2*x", 1, 0)).__name__
    'Assign'
    >>> parse_line("y = 2*x; z = y", 4, 2)
    Traceback (most recent call last):
    ...
    gradviz.core.errors.ParseError: 4:3: one statement per line
    """
    try:
        tree = ast.parse(text, mode="exec")
    except SyntaxError as e:
        pos = indent + (e.offset or 1)
        digits = re.search(r"\d{4000,}", text)
        if digits and "digits" in e.msg:
            pos = indent + digits.start() + 1
        raise ParseError(_syntax_message(e, text), n, pos) from None
    except (ValueError, MemoryError, RecursionError):
        digits = re.search(r"\d{4000,}", text)
        if digits:
            raise ParseError(f"number too large for float64 ({len(digits.group())} digits)",
                             n, indent + digits.start() + 1) from None
        raise ParseError("expression too deep or too long", n, indent + 1) from None
    if len(tree.body) != 1:
        raise ParseError("one statement per line", n, indent + 1)
    return tree.body[0]


# -------------------------------------------------------------------- after ast
def check_depth(node: ast.AST, n: int, indent: int, text: str) -> None:
    """Reject an expression tree deeper than :data:`MAX_DEPTH` levels.

    Examples
    --------
    >>> check_depth(parse_line("y = -x", 1, 0).value, 1, 0, "y = -x") is None
    True
    >>> text = "y = " + "-" * 300 + "x"
    >>> check_depth(parse_line(text, 5, 0).value, 5, 0, text)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gradviz.core.errors.ParseError: 5:255: expression too deep (more than 250 levels); split...
    """
    if 2 * len(text) <= MAX_DEPTH:  # a level takes a character (or its parent two)
        return
    stack = [(node, 1)]
    while stack:
        cur, d = stack.pop()
        if d > MAX_DEPTH:
            raise ParseError(f"expression too deep (more than {MAX_DEPTH} levels); split it "
                             "into several statements", n,
                             indent + col(text, getattr(cur, "col_offset", 0)))
        stack.extend((c, d + 1) for c in ast.iter_child_nodes(cur)
                     if not isinstance(c, (ast.expr_context, ast.operator, ast.unaryop)))


def names_in(node: ast.expr, n: int, indent: int, text: str) -> list[ast.Name]:
    """The names an allowed expression reads (not the called op names), in ``ast.walk``
    order; raises at the first construct, in source order, outside the allowlist.

    Examples
    --------
    >>> text = "y = sigmoid(w*x + b)"
    >>> [n.id for n in names_in(parse_line(text, 1, 0).value, 1, 0, text)]
    ['b', 'w', 'x']
    >>> names_in(parse_line("y = x.T", 2, 0).value, 2, 0, "y = x.T")
    Traceback (most recent call last):
    ...
    gradviz.core.errors.ParseError: 2:5: attribute access (x.y) is not allowed
    """
    names: list[ast.Name] = []
    todo: list[ast.AST] = [node]
    for cur in todo:  # breadth first, as ast.walk
        if isinstance(cur, ast.Name):
            names.append(cur)
        elif isinstance(cur, ast.BinOp):
            todo += (cur.left, cur.right)
        elif isinstance(cur, ast.UnaryOp):
            todo.append(cur.operand)
        elif isinstance(cur, ast.List):
            todo += cur.elts
        elif isinstance(cur, ast.Call):
            if not isinstance(cur.func, ast.Name):
                todo.append(cur.func)
            todo += cur.args
            todo += cur.keywords
        elif isinstance(cur, ast.keyword) and cur.arg is not None:
            todo.append(cur.value)
        elif not isinstance(cur, ast.Constant):
            _reject_first(node, n, indent, text)
    return names


_ALLOWED = (ast.BinOp, ast.UnaryOp, ast.Call, ast.Name, ast.Constant, ast.List, ast.keyword,
            ast.expr_context, ast.operator, ast.unaryop)


def _reject_first(node: ast.AST, n: int, indent: int, text: str) -> NoReturn:
    """Raise at the first construct, in source order, outside the allowlist."""
    bad = [c for c in ast.walk(node) if (not isinstance(c, _ALLOWED) and hasattr(c, "col_offset"))
           or (isinstance(c, ast.keyword) and c.arg is None)]
    first = min(bad, key=_offset)
    what = "**kwargs is not allowed" if isinstance(first, ast.keyword) else not_allowed(first)
    raise ParseError(what, n, indent + col(text, _offset(first)))


def _offset(node: ast.AST) -> int:
    """Where a node starts (a ``**kwargs`` keyword: where its value does)."""
    pos = getattr(node, "col_offset", None)
    if not pos and isinstance(node, ast.keyword):
        return node.value.col_offset
    return pos or 0


# ----------------------------------------------------------------------- helpers
def col(text: str, byte_offset: int) -> int:
    """1-based character column from ast's UTF-8 byte offset.

    Examples
    --------
    >>> col("x = 1", 4), col("é = 1", 5)
    (5, 5)
    """
    if text.isascii():
        return byte_offset + 1
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1


def spelling(text: str, node: ast.expr) -> str:
    """A name as written in ``text`` (ast gives it NFKC-normalized).

    Examples
    --------
    >>> text = "y = \ufb01 + 1"  # the ligature ﬁ, which ast reads as "fi"
    >>> node = parse_line(text, 1, 0).value.left
    >>> node.id, spelling(text, node) == "\ufb01"
    ('fi', True)
    """
    if text.isascii():
        return text[node.col_offset:node.end_col_offset]
    raw = text.encode("utf-8")[node.col_offset:node.end_col_offset].decode("utf-8", "replace")
    return raw if unicodedata.normalize("NFKC", raw) == getattr(node, "id", raw) else \
        getattr(node, "id", raw)


def short(text: str, node: ast.expr) -> str:
    """The source of ``node`` in ``text``, cut to 40 characters (for error messages).

    Examples
    --------
    >>> text = "y = 2*x + sigmoid(w*x + b)"
    >>> short(text, parse_line(text, 1, 0).value.right)
    'sigmoid(w*x + b)'
    >>> text = "y = " + " + ".join(f"x{i}" for i in range(20))
    >>> short(text, parse_line(text, 1, 0).value)
    'x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7...'
    """
    seg = text.encode("utf-8")[node.col_offset:node.end_col_offset].decode("utf-8", "replace")
    return seg if len(seg) <= 40 else seg[:37] + "..."


def strip_comment(text: str) -> str:
    """A line without its ``#`` comment.

    Examples
    --------
    >>> strip_comment("y = x + 1  # the sum")
    'y = x + 1  '
    """
    return text.split("#", 1)[0]


def _syntax_message(e: SyntaxError, text: str) -> str:
    msg = e.msg
    if "Exceeds the limit" in msg and "digits" in msg:
        return "number too large for float64"
    if "too many nested parentheses" in msg:
        return f"expression too deep (more than {MAX_NESTING} nested brackets)"
    if "=" not in strip_comment(text):
        return f"missing '=': a statement is `NAME = expression` ({msg})"
    if "invalid character" in msg or "non-printable" in msg:
        return msg
    return f"syntax error: {msg}"


def op_text(op: ast.AST) -> str:
    """How an operator outside the grammar is written, for error messages.

    Examples
    --------
    >>> op_text(ast.FloorDiv()), op_text(ast.Mod()), op_text(ast.Add())
    ('//', '%', 'Add')
    """
    return {ast.FloorDiv: "//", ast.Mod: "%", ast.LShift: "<<", ast.RShift: ">>",
            ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^", ast.Not: "not",
            ast.Invert: "~"}.get(type(op), type(op).__name__)


def not_allowed(node: ast.AST) -> str:
    """Why a construct is outside the grammar, in words.

    Examples
    --------
    >>> not_allowed(ast.parse("import os").body[0])
    'import statements are not allowed'
    >>> not_allowed(ast.parse("x[0]", mode="eval").body)
    'subscripts (x[i]) are not allowed; use index(x, i)'
    """
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
