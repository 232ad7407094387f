"""Symbolic op-table formulas: parse, substitute, simplify, typeset, evaluate.

Templates are Python syntax over operand names (``"-a/b**2"``, ``"x >= 0"``), parsed behind
an allowlist, never ``eval``. Negative literals are ``Num(-v)``; ``Neg(Num(v))`` prints the
same. Factors are juxtaposed when unambiguous, else joined by ``·``; a symbol counts as one
letter if its name is a letter or Greek letter name with optional accent and digit subscript.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape
from typing import Any, Literal, NamedTuple, TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = ["Num", "Sym", "Neg", "Add", "Sub", "Mul", "Div", "Pow", "Call", "Cmp", "Expr",
           "parse", "subst", "simplify", "to_plain", "to_tex", "to_mathml", "to_python",
           "evaluate", "free_symbols", "calls", "margin", "CmpOp"]

Array: TypeAlias = npt.NDArray[Any]
Funcs: TypeAlias = Mapping[str, Callable[..., Array]]
NameFn: TypeAlias = Callable[[str], str]
NumFn: TypeAlias = Callable[[float], str]
CmpOp: TypeAlias = Literal["<", "<=", ">", ">=", "=="]
_CMPF: dict[str, np.ufunc] = {"<": np.less, "<=": np.less_equal, ">": np.greater,
                              ">=": np.greater_equal, "==": np.equal}

@dataclass(frozen=True)
class Num:
    """A number; negative literals are ``Num(-v)``."""
    value: float

@dataclass(frozen=True)
class Sym:
    """A symbol (operand name) such as ``x``, ``W2`` or ``out``."""
    name: str

@dataclass(frozen=True)
class Neg:
    """Unary minus ``-x``."""
    x: Expr

@dataclass(frozen=True)
class _Bin:
    a: Expr
    b: Expr

class Add(_Bin):
    """Sum ``a + b``."""
class Sub(_Bin):
    """Difference ``a - b``."""
class Mul(_Bin):
    """Product ``a * b``."""
class Div(_Bin):
    """Quotient ``a / b``."""
class Pow(_Bin):
    """Power ``a ** b``."""

@dataclass(frozen=True)
class Call:
    """Call ``fn(*args)`` of a function by name."""
    fn: str
    args: tuple[Expr, ...]

@dataclass(frozen=True)
class Cmp:
    """Comparison ``a op b`` with ``op`` one of ``< <= > >= ==``."""
    op: CmpOp
    a: Expr
    b: Expr

Expr: TypeAlias = Num | Sym | Neg | Add | Sub | Mul | Div | Pow | Call | Cmp
_BINS = (Add, Sub, Mul, Div, Pow)
_ZERO, _ONE = Num(0.0), Num(1.0)  # Num(0) == Num(-0.0) == _ZERO
_ARITH = {Add: np.add, Sub: np.subtract, Mul: np.multiply, Div: np.divide, Pow: np.power}
_AST_BIN: dict[type[ast.operator], Callable[[Expr, Expr], Expr]] = dict(
    zip([ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow], _BINS, strict=True))
_AST_CMP: dict[type[ast.cmpop], CmpOp] = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">",
                                          ast.GtE: ">=", ast.Eq: "=="}

def parse(text: str) -> Expr:
    """Parse Python syntax behind an allowlist; ``ValueError`` says what is not allowed.

    Allowed: numbers, names not starting with ``_``, ``+ - * / **``, unary ``-`` and ``+``,
    calls of a plain name with positional arguments, one comparison at the top.

    Examples
    --------
    >>> parse("-a/b**2")
    Div(a=Neg(x=Sym(name='a')), b=Pow(a=Sym(name='b'), b=Num(value=2.0)))
    """
    if len(text) > 2000:  # a formula, not a program
        raise ValueError("formula longer than 2000 characters")
    try:
        body = ast.parse(text.strip(), mode="eval").body
        if not isinstance(body, ast.Compare):
            return _node(body, text)
        op = _AST_CMP.get(type(body.ops[0]))
        if len(body.ops) > 1 or op is None:
            raise ValueError(f"formula {text!r}: allowed is one comparison < <= > >= ==")
        return Cmp(op, _node(body.left, text), _node(body.comparators[0], text))
    except (SyntaxError, RecursionError, OverflowError) as exc:  # deep nesting, 10**400
        raise ValueError(f"cannot parse formula {text!r}: {exc}") from None

def _node(n: ast.AST, text: str) -> Expr:
    c = n.value if isinstance(n, ast.Constant) else None
    if isinstance(c, int | float) and not isinstance(c, bool):
        return Num(float(c))
    if isinstance(n, ast.Name) and not n.id.startswith("_"):
        return Sym(n.id)
    if isinstance(n, ast.BinOp) and type(n.op) in _AST_BIN:
        return _AST_BIN[type(n.op)](_node(n.left, text), _node(n.right, text))
    if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.UAdd | ast.USub):
        x, literal = _node(n.operand, text), isinstance(n.operand, ast.Constant)
        return x if isinstance(n.op, ast.UAdd) else \
            Num(-x.value) if literal and isinstance(x, Num) else Neg(x)
    if isinstance(n, ast.Call) and not n.keywords:
        if isinstance(n.func, ast.Name) and not n.func.id.startswith("_"):
            return Call(n.func.id, tuple(_node(a, text) for a in n.args))
        n = n.func  # blame the callee
    what = "keyword arguments in" if isinstance(n, ast.Call) and n.keywords else type(n).__name__
    raise ValueError(f"{what} {ast.unparse(n)!r} is not allowed in formula {text!r}")

def _kids(e: Expr) -> tuple[Expr, ...]:
    return e.args if isinstance(e, Call) else (e.x,) if isinstance(e, Neg) else \
        (e.a, e.b) if isinstance(e, Cmp | _Bin) else ()

def _map(e: Expr, f: Callable[[Expr], Expr]) -> Expr:
    k = tuple(f(x) for x in _kids(e))
    return Call(e.fn, k) if isinstance(e, Call) else Neg(k[0]) if isinstance(e, Neg) else \
        Cmp(e.op, *k) if isinstance(e, Cmp) else type(e)(*k) if isinstance(e, _BINS) else e

def subst(e: Expr, mapping: Mapping[str, Expr]) -> Expr:
    """Replace symbols by expressions, all at once (inserted expressions are not rescanned).

    Examples
    --------
    >>> to_python(subst(parse("a*b + a"), {"a": parse("x + 1"), "b": Sym("a")}))
    '(x + 1)*a + (x + 1)'
    """
    return mapping.get(e.name, e) if isinstance(e, Sym) else _map(e, lambda k: subst(k, mapping))

def free_symbols(e: Expr) -> frozenset[str]:
    """Names of the symbols in ``e``.

    Examples
    --------
    >>> sorted(free_symbols(parse("max(x, slope*x)")))
    ['slope', 'x']
    """
    return frozenset([e.name] if isinstance(e, Sym) else []).union(*map(free_symbols, _kids(e)))

def calls(e: Expr) -> frozenset[str]:
    """Names of the functions called in ``e``.

    Examples
    --------
    >>> sorted(calls(parse("sigmoid(x)*(1 - tanh(max(x, 0)))")))
    ['max', 'sigmoid', 'tanh']
    """
    return frozenset([e.fn] if isinstance(e, Call) else []).union(*map(calls, _kids(e)))

def _negated(e: Expr) -> Expr | None:  # b if e is -b (a negation or a negative number)
    return e.x if isinstance(e, Neg) else Num(-e.value) if isinstance(e, Num) and e.value < 0 \
        else None

def _step(e: Expr) -> Expr:  # one bottom-up pass: at most one rewrite per node
    e = _map(e, _step)
    if isinstance(e, Neg):
        return e.x.x if isinstance(e.x, Neg) else Num(-e.x.value) if isinstance(e.x, Num) else e
    if not isinstance(e, _BINS):
        return e
    a, b, nb = e.a, e.b, _negated(e.b)
    if isinstance(a, Num) and isinstance(b, Num):
        with np.errstate(all="ignore"):
            v = float(_ARITH[type(e)](float(a.value), float(b.value)))
        if math.isfinite(v):
            return Num(v)
    if isinstance(e, Add | Sub):
        if a == _ZERO or b == _ZERO:
            return a if b == _ZERO else b if isinstance(e, Add) else Neg(b)
        return e if nb is None else Sub(a, nb) if isinstance(e, Add) else Add(a, nb)
    if isinstance(e, Pow):
        return a if b == _ONE else _ONE if b == _ZERO else e
    if b == _ONE or a == _ZERO:
        return a  # x*1, x/1, 0*x, 0/x
    if isinstance(e, Mul) and (b == _ZERO or a == _ONE):
        return b  # x*0, 1*x
    if isinstance(a, Neg) or isinstance(b, Neg):
        return Neg(type(e)(a.x, b)) if isinstance(a, Neg) else Neg(type(e)(a, nb or b))
    if isinstance(e, Mul) and isinstance(b, Div) and b.a == _ONE:
        return Div(a, b.b)  # a*(1/b)
    if isinstance(e, Mul) and isinstance(a, Div) and not isinstance(b, Div):
        return Div(Mul(a.a, b), a.b)  # (a/b)*c, and then 1*c → c
    return Pow(a, Num(2.0)) if isinstance(e, Mul) and a == b else e

def simplify(e: Expr) -> Expr:
    """Light algebra, repeated until nothing changes (so it is idempotent).

    Folds finite constants, drops 0 and 1 where neutral, ``0*x`` → 0, ``x**0`` → 1, lifts
    minus signs out of products and quotients, ``a + (-b)`` ↔ ``a - b``, ``--x`` → ``x``,
    ``a*(1/b)`` and ``(a/b)*c`` → ``a*c/b``, ``x*x`` → ``x**2``; leaves calls alone.

    Examples
    --------
    >>> to_python(simplify(parse("-(-x)*(1/b) + 0*y - (-2) + (a/b)*(-c)")))
    'x/b + 2 - a*c/b'
    """
    while repr(new := _step(e)) != repr(e):  # repr, not ==, since Num(nan) != Num(nan)
        e = new
    return e

CMP, ADD, NEG, MUL, FRAC, POW, ATOM = range(7)  # precedence of a rendered piece
_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_GREEK = ("alpha|beta|gamma|delta|epsilon|zeta|eta|theta|iota|kappa|lambda|mu|nu|xi|omicron|"
          "pi|rho|sigma|tau|upsilon|phi|chi|psi|omega")
_SHORT = re.compile(rf"(?:[A-Za-z]|(?i:{_GREEK}))(?:hat|bar|tilde|dot)?(?:_?\d+(?:_\d+)*)?")
_OPS = {"+": " + ", "-": " − ", "*": " · ", "": "", "neg": "−", ",": ", ", "<": " < ",
        "<=": " ≤ ", ">": " > ", ">=": " ≥ ", "==": " = "}
_BASE = {**_OPS, "/": "/", "()": "({})", "f()": "({})", "row": "{}", "mn": "{}", "apply": "",
         "fn:*": "{}"}
_LANGS = {  # templates per language; "sp:" keys are special forms of one-argument calls
    "plain": {**_BASE, "fn:sigmoid": "σ", "fn:log": "ln", "fn:Phi": "Φ", "fn:phi": "φ",
              "sp:sqrt": "√{}", "sp:abs": "|{}|"},
    "py": {**_BASE, "-": " - ", "*": "*", "": "*", "neg": "-", "<=": " <= ", ">=": " >= ",
           "==": " == ", "sup": "{}**{}"},
    "tex": {**_BASE, "-": " - ", "*": r" \cdot ", "": " ", "neg": "-", "<=": r" \le ",
            ">=": r" \ge ", "()": r"\left({}\right)", "frac": r"\frac{{{}}}{{{}}}",
            "sup": "{}^{{{}}}", "sp:exp": "e^{{{}}}", "sp:sqrt": r"\sqrt{{{}}}",
            "sp:abs": r"\lvert {} \rvert", "fn:sigmoid": r"\sigma", "fn:tanh": r"\tanh",
            "fn:log": r"\ln", "fn:max": r"\max", "fn:min": r"\min", "fn:Phi": r"\Phi",
            "fn:phi": r"\varphi", "fn:*": r"\operatorname{{{}}}"},
    "mml": {**{k: f"<mo>{escape(v.strip())}</mo>" for k, v in _OPS.items()},
            "": "<mo>\u2062</mo>", "()": "<mrow><mo>(</mo>{}<mo>)</mo></mrow>",
            "f()": "<mrow><mo>(</mo>{}<mo>)</mo></mrow>", "row": "<mrow>{}</mrow>",
            "mn": "<mn>{}</mn>", "frac": "<mfrac><mrow>{}</mrow><mrow>{}</mrow></mfrac>",
            "sup": "<msup><mrow>{}</mrow><mrow>{}</mrow></msup>", "apply": "<mo>\u2061</mo>",
            "sp:exp": "<msup><mi>e</mi><mrow>{}</mrow></msup>", "sp:sqrt": "<msqrt>{}</msqrt>",
            "sp:abs": "<mrow><mo>|</mo>{}<mo>|</mo></mrow>", "fn:sigmoid": "<mi>σ</mi>",
            "fn:Phi": "<mi>Φ</mi>", "fn:phi": "<mi>φ</mi>", "fn:log": "<mi>ln</mi>",
            "fn:*": '<mi mathvariant="normal">{}</mi>'}}
_ESC: dict[str, NameFn] = {"tex": lambda s: s.replace("_", r"\_"), "mml": escape}

def _num(v: float, py: bool = False) -> str:
    if py and not math.isfinite(v):
        raise ValueError(f"{v} has no Python literal")
    return str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)

class _P(NamedTuple):  # a rendered piece and how it may combine with its neighbours
    text: str
    level: int
    neg: bool = False  # starts with a minus sign
    jl: bool = True  # a factor may follow it by juxtaposition
    jr: bool = True  # it may follow a factor by juxtaposition

class _Render:  # typesets expressions in one language of _LANGS
    def __init__(self, lang: str, name: NameFn | None, number: NumFn | None) -> None:
        self.lang, self.t, self.number = lang, _LANGS[lang], number or _num
        self.esc = _ESC.get(lang, str)
        self.name = name or (self.esc if lang != "mml" else lambda n: f"<mi>{escape(n)}</mi>")
        self.neg_level = FRAC if lang == "py" else NEG  # in Python -a*b is (-a)*b

    def f(self, key: str, *parts: str) -> str:
        return self.t[key].format(*parts)

    def wrap(self, p: _P, level: int, first: bool = False) -> _P:
        ok = p.level >= level and (first or not p.neg)
        return p if ok else _P(self.f("()", p.text), ATOM, jr=not p.neg)

    def render(self, e: Expr) -> _P:
        if isinstance(e, Num) and e.value < 0:
            return self.render(Neg(Num(-e.value)))
        if isinstance(e, Num):
            raw = self.number(e.value + 0.0)
            jl = raw.replace(".", "").isdigit()  # 1e-05x is no product
            return _P(self.f("mn", self.esc(raw)), ATOM, jl=jl, jr=False)
        if isinstance(e, Sym):
            one = _SHORT.fullmatch(e.name) is not None
            return _P(self.name(e.name), ATOM, jl=one, jr=one)
        if isinstance(e, Neg):
            x = self.wrap(self.render(e.x), self.neg_level + 1)
            return _P(self.f("row", self.t["neg"] + x.text), self.neg_level, True, x.jl, False)
        if isinstance(e, Call | Pow):
            return self.call(e) if isinstance(e, Call) else self.pow(e)
        if isinstance(e, Cmp):
            a, b = (self.wrap(self.render(x), ADD, first=True) for x in (e.a, e.b))
            return _P(self.f("row", a.text + self.t[e.op] + b.text), CMP)
        if isinstance(e, Div) and "frac" in self.t:  # -a/b is typeset as minus a fraction
            inner = _negated(e.a)
            return self.render(Neg(Div(inner, e.b))) if inner is not None else \
                _P(self.f("frac", self.render(e.a).text, self.render(e.b).text), FRAC)
        lvl = ADD if isinstance(e, Add | Sub) else MUL
        a = self.wrap(self.render(e.a), min(lvl, self.neg_level), first=True)
        b = self.wrap(self.render(e.b), lvl + (self.lang == "py" or isinstance(e, Sub | Div)))
        op = "+" if isinstance(e, Add) else "-" if isinstance(e, Sub) else "/" if \
            isinstance(e, Div) else "" if a.jl and b.jr else "*"
        return _P(self.f("row", a.text + self.t[op] + b.text), lvl, a.neg,
                  b.jl and not isinstance(e, Div), a.jr)  # a/b c would misread

    def pow(self, e: Pow) -> _P:
        base, ex, x = self.wrap(self.render(e.a), ATOM), self.render(e.b), e.b
        if "sup" in self.t:  # TeX, MathML, Python (a**(-b))
            ex = self.wrap(ex, POW) if self.lang == "py" else ex
            return _P(self.f("sup", base.text, ex.text), POW, jl=base.jl, jr=base.jr)
        if isinstance(x, Num) and float(x.value).is_integer() and abs(x.value) < 1e9:
            return _P(base.text + str(int(x.value)).translate(_SUP), POW, jl=base.jl, jr=base.jr)
        return _P(f"{base.text}^{self.f('()', ex.text)}", POW, jl=False, jr=base.jr)

    def call(self, e: Call) -> _P:
        xs, sp = [self.render(a) for a in e.args], "sp:" + e.fn
        if len(xs) == 1 and sp in self.t:  # √x, √(x + 1), |x|, e^{x}
            root = self.lang == "plain" and e.fn == "sqrt"  # √ binds like a fraction bar
            x = self.wrap(xs[0], ATOM) if root else xs[0]
            lvl = POW if e.fn == "exp" else FRAC if root else ATOM
            return _P(self.f(sp, x.text), lvl, jl=self.lang != "plain" and e.fn != "abs")
        head = self.t.get("fn:" + e.fn) or self.f("fn:*", self.esc(e.fn))
        text = head + self.t["apply"] + self.f("f()", self.t[","].join(x.text for x in xs))
        return _P(self.f("row", text), ATOM, jr=self.lang != "plain" or len(head) == 1)

def to_plain(e: Expr, name: NameFn = str, number: NumFn | None = None) -> str:
    """Unicode text as a textbook prints it: U+2212 minus, ``·`` or juxtaposition.

    ``name`` typesets symbol names (``W2`` → ``W₂``); ``number`` formats numbers >= 0
    (default: shortest round-trip text, integers without ``.0``).

    Examples
    --------
    >>> to_plain(parse("-(W*H)/H**2")), to_plain(parse("max(x, 0.1*(-2))"))
    ('−WH/H²', 'max(x, 0.1 · (−2))')
    """
    return _Render("plain", name, number).render(e).text

def to_tex(e: Expr, name: NameFn | None = None, number: NumFn | None = None) -> str:
    """LaTeX math without ``$``; ``name`` and ``number`` as in :func:`to_plain`.

    Examples
    --------
    >>> print(to_tex(parse("-a/b**2")), to_tex(parse("x >= 0")), to_tex(parse("exp(-x)")))
    -\\frac{a}{b^{2}} x \\ge 0 e^{-x}
    """
    return _Render("tex", name, number).render(e).text

def to_mathml(e: Expr, name: NameFn | None = None, number: NumFn | None = None) -> str:
    """Presentation MathML without the outer ``<math>``; ``name`` returns MathML markup.

    Examples
    --------
    >>> to_mathml(parse("-1/b"))
    '<mrow><mo>−</mo><mfrac><mrow><mn>1</mn></mrow><mrow><mi>b</mi></mrow></mfrac></mrow>'
    """
    return _Render("mml", name, number).render(e).text

def to_python(e: Expr) -> str:
    """Canonical source text that :func:`parse` reads back as ``e`` (finite numbers only).

    Examples
    --------
    >>> to_python(Mul(Sym("a"), Add(Sym("b"), Num(-2.0))))
    'a*(b + (-2))'
    """
    return _Render("py", str, lambda v: _num(v, py=True)).render(e).text

def evaluate(e: Expr, env: Mapping[str, float | Array], funcs: Funcs) -> Array:
    """Evaluate with numpy broadcasting; comparisons give boolean arrays.

    ``KeyError`` names a symbol missing from ``env`` or a function missing from ``funcs``.

    Examples
    --------
    >>> evaluate(parse("max(x, 0.1*x)"), {"x": np.array([-2.0, 3.0])}, {"max": np.maximum})
    array([-0.2,  3. ])
    >>> evaluate(parse("y*s < 1"), {"y": 1.0, "s": np.array([0.5, 2.0])}, {})
    array([ True, False])
    """
    if isinstance(e, Sym) and e.name not in env:
        raise KeyError(f"unknown symbol {e.name!r}")
    if isinstance(e, Num | Sym):
        return np.asarray(e.value if isinstance(e, Num) else env[e.name], dtype=float)
    if isinstance(e, Call) and e.fn not in funcs:
        raise KeyError(f"unknown function {e.fn!r}")
    f = funcs[e.fn] if isinstance(e, Call) else np.negative if isinstance(e, Neg) else \
        _CMPF[e.op] if isinstance(e, Cmp) else _ARITH[type(e)]
    return np.asarray(f(*(evaluate(k, env, funcs) for k in _kids(e))))

def margin(cond: Cmp, env: Mapping[str, float | Array], funcs: Funcs) -> Array:
    """Distance ``|lhs - rhs|`` of a comparison from its boundary (to keep off kinks).

    Examples
    --------
    >>> margin(Cmp("<", parse("y*s"), Num(1)), {"y": 1.0, "s": np.array([0.5, 2.0])}, {})
    array([0.5, 1. ])
    """
    return np.asarray(np.abs(evaluate(cond.a, env, funcs) - evaluate(cond.b, env, funcs)))
