"""Typesetting formulas (:mod:`gradviz.core.formula`): plain Unicode, LaTeX, MathML, Python.

Factors are juxtaposed when unambiguous, else joined by ``·`` (``×`` between numbers in a
worked substitution, ``explicit=True``); a symbol counts as one letter if its name is a
letter or Greek letter name with optional accent and digit subscript. Functions print as a
course writes them (``sigmoid`` → σ, ``leaky_relu`` → LeakyReLU, ``log`` → ln, ``f'`` → f′),
and the vector notation of the op table's chain templates as a textbook does: ``sum(x)`` →
Σx, ``norm(a)`` → ‖a‖, ``T(A)`` → Aᵀ, ``matmul(A, B)`` → AB, ``outer(a, b)`` → abᵀ,
``hadamard(a, b)`` → a ⊙ b, ``dot(a, b)`` → a · b, ``index(x, 0)`` → x₁, ``1/2`` → ½.
Display-only calls: ``vector(...)`` and ``stack(...)`` → [a, b], ``matrix(row(...), ...)``,
``ellipsis()`` → ….
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from html import escape
from typing import NamedTuple, TypeAlias

from gradviz.core.formula import (
    Add,
    Call,
    Cmp,
    Div,
    Expr,
    Mul,
    Neg,
    Num,
    Pow,
    Sub,
    Sym,
    _negated,
)

__all__ = ["to_plain", "to_tex", "to_mathml", "to_python", "FUNCTIONS", "NameFn", "NumFn"]

NameFn: TypeAlias = Callable[[str], str]
NumFn: TypeAlias = Callable[[float], str]
CMP, ADD, NEG, MUL, FRAC, POW, ATOM = range(7)  # precedence of a rendered piece
_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_SUBS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_GREEK = ("alpha|beta|gamma|delta|epsilon|zeta|eta|theta|iota|kappa|lambda|mu|nu|xi|omicron|"
          "pi|rho|sigma|tau|upsilon|phi|chi|psi|omega")
_SHORT = re.compile(rf"(?:[A-Za-z]|(?i:{_GREEK}))(?:hat|bar|tilde|dot)?(?:_?\d+(?:_\d+)*)?")
_EXP = re.compile(r"([0-9.]+)e([+-]?)0*(\d+)")
# how a course writes each function: plain Unicode and LaTeX (MathML follows plain)
FUNCTIONS: dict[str, tuple[str, str]] = {
    "sigmoid": ("σ", r"\sigma"), "log": ("ln", r"\ln"), "tanh": ("tanh", r"\tanh"),
    "exp": ("exp", r"\exp"), "max": ("max", r"\max"), "min": ("min", r"\min"),
    "Phi": ("Φ", r"\Phi"), "phi": ("φ", r"\varphi"), "relu": ("ReLU", ""),
    "leaky_relu": ("LeakyReLU", ""), "gelu": ("GELU", ""),
    "gelu_tanh": ("GELU_tanh", r"\operatorname{GELU}_{\tanh}"),
    "elu": ("ELU", ""), "silu": ("SiLU", ""), "hardtanh": ("HardTanh", ""),
    "identity": ("id", ""), "bce": ("BCE", ""), "bce_with_logits": ("BCE", ""),
    "mse": ("MSE", ""), "mse_mean": ("MSE", ""), "l1": ("L1", ""), "huber": ("Huber", ""),
    "cross_entropy": ("CE", ""), "cross_entropy_with_logits": ("CE", ""),
    "cosine_similarity": ("cos", r"\cos"), "stop_gradient": ("sg", ""),
    "log_softmax": ("LogSoftmax", "")}
_OPS = {"+": " + ", "-": " − ", "*": " · ", "": "", "neg": "−", ",": ", ", "<": " < ",
        "<=": " ≤ ", ">": " > ", ">=": " ≥ ", "==": " = ", "x": " × ", "o": " ⊙ "}
_BASE = {**_OPS, "/": "/", "()": "({})", "f()": "({})", "[]": "[{}]", "row": "{}", "mn": "{}",
         "apply": "", "fn:*": "{}", "half": "½", "T": "{}ᵀ", "prime": "{}′", "sub": "{}{}",
         "dots": "…", "sp:norm": "‖{}‖", "sp:sum": "Σ{}", "mat": "[{}]", "mrow": "[{}]",
         "rsep": ", "}
_LANGS = {  # templates per language; "sp:" keys are special forms of one-argument calls
    "plain": {**_BASE, "sp:sqrt": "√{}", "sp:abs": "|{}|"},
    "py": {**_BASE, "-": " - ", "*": "*", "": "*", "x": "*", "neg": "-", "<=": " <= ",
           ">=": " >= ", "==": " == ", "sup": "{}**{}"},
    "tex": {**_BASE, "-": " - ", "*": r" \cdot ", "": " ", "neg": "-", "<=": r" \le ",
            ">=": r" \ge ", "x": r" \times ", "o": r" \odot ", "()": r"\left({}\right)",
            "[]": r"\left[{}\right]", "frac": r"\frac{{{}}}{{{}}}", "half": r"\tfrac{1}{2}",
            "sup": "{}^{{{}}}", "T": r"{}^{{\top}}", "prime": "{}'", "sub": "{{{}}}_{{{}}}",
            "dots": r"\dots", "sp:exp": "e^{{{}}}", "sp:sqrt": r"\sqrt{{{}}}",
            "sp:abs": r"\lvert {} \rvert", "sp:norm": r"\lVert {} \rVert",
            "sp:sum": r"\sum {}", "fn:*": r"\operatorname{{{}}}",
            "mat": r"\begin{{bmatrix}}{}\end{{bmatrix}}", "mrow": "{}", "rsep": r" \\ ",
            "cell": " & "},
    "mml": {**{k: f"<mo>{escape(v.strip())}</mo>" for k, v in _OPS.items()},
            "": "<mo>\u2062</mo>", "()": "<mrow><mo>(</mo>{}<mo>)</mo></mrow>",
            "f()": "<mrow><mo>(</mo>{}<mo>)</mo></mrow>",
            "[]": "<mrow><mo>[</mo>{}<mo>]</mo></mrow>",
            "row": "<mrow>{}</mrow>", "mn": "<mn>{}</mn>",
            "frac": "<mfrac><mrow>{}</mrow><mrow>{}</mrow></mfrac>",
            "half": "<mfrac><mn>1</mn><mn>2</mn></mfrac>",
            "sup": "<msup><mrow>{}</mrow><mrow>{}</mrow></msup>", "apply": "<mo>\u2061</mo>",
            "T": "<msup><mrow>{}</mrow><mo>⊤</mo></msup>",
            "prime": "<msup><mrow>{}</mrow><mo>′</mo></msup>",
            "sub": "<msub><mrow>{}</mrow><mrow>{}</mrow></msub>", "dots": "<mo>…</mo>",
            "sp:exp": "<msup><mi>e</mi><mrow>{}</mrow></msup>", "sp:sqrt": "<msqrt>{}</msqrt>",
            "sp:abs": "<mrow><mo>|</mo>{}<mo>|</mo></mrow>",
            "sp:norm": "<mrow><mo>‖</mo>{}<mo>‖</mo></mrow>",
            "sp:sum": "<mrow><mo>∑</mo>{}</mrow>", "fn:*": '<mi mathvariant="normal">{}</mi>',
            "mat": "<mrow><mo>[</mo><mtable>{}</mtable><mo>]</mo></mrow>",
            "mrow": "<mtr>{}</mtr>", "rsep": "", "cell": "",
            # brackets around flat content do not stretch (stretchy ones get padded)
            "()flat": '<mrow><mo stretchy="false">(</mo>{}<mo stretchy="false">)</mo></mrow>',
            "[]flat": '<mrow><mo stretchy="false">[</mo>{}<mo stretchy="false">]</mo></mrow>'}}
_TALL = ("<mfrac", "<mtable")
_ESC: dict[str, NameFn] = {"tex": lambda s: s.replace("_", r"\_"), "mml": escape}
_INFIX = {"dot": "*", "hadamard": "o"}  # two-operand calls written as an operator


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
    def __init__(self, lang: str, name: NameFn | None, number: NumFn | None,
                 explicit: bool = False) -> None:
        self.lang, self.t, self.number = lang, _LANGS[lang], number or _num
        self.esc = _ESC.get(lang, str)
        self.name = name or (self.esc if lang != "mml" else lambda n: f"<mi>{escape(n)}</mi>")
        self.neg_level = FRAC if lang == "py" else NEG  # in Python -a*b is (-a)*b
        self.explicit = explicit

    def f(self, key: str, *parts: str) -> str:
        if self.lang == "mml" and key in ("()", "f()", "[]") and \
                not any(tall in p for p in parts for tall in _TALL):
            key = key.lstrip("f") + "flat"
        return self.t[key].format(*parts)

    def wrap(self, p: _P, level: int, first: bool = False) -> _P:
        ok = p.level >= level and (first or not p.neg)
        return p if ok else _P(self.f("()", p.text), ATOM, jr=not p.neg)

    def render(self, e: Expr) -> _P:
        if isinstance(e, Num) and e.value < 0:
            return self.render(Neg(Num(-e.value)))
        if isinstance(e, Num):
            return self.num(e.value + 0.0)
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
        if isinstance(e, Div) and e.a == Num(1.0) and e.b == Num(2.0) and self.lang != "py":
            return _P(self.t["half"], ATOM, jr=False)
        if isinstance(e, Div) and "frac" in self.t:  # -a/b is typeset as minus a fraction
            inner = _negated(e.a)
            return self.render(Neg(Div(inner, e.b))) if inner is not None else \
                _P(self.f("frac", self.render(e.a).text, self.render(e.b).text), FRAC)
        return self.binary(e)

    def num(self, v: float) -> _P:
        raw = self.number(v)
        m = _EXP.fullmatch(raw) if self.lang != "py" else None
        if m is None:
            jl = raw.replace(".", "").isdigit()  # 1e-05x is no product
            return _P(self.f("mn", self.esc(raw)), ATOM, jl=jl, jr=False)
        mant, sign, power = m.groups()
        ten = _P(self.f("mn", "10"), ATOM)
        exp = self.f("mn", power) if sign != "-" else self.f("row", self.t["neg"] + self.f(
            "mn", power))
        text = self.f("sup", ten.text, exp) if "sup" in self.t else \
            "10" + (("-" if sign == "-" else "") + power).translate(_SUP)
        return _P(self.f("row", self.f("mn", mant) + self.t["x"] + text), MUL, jl=False,
                  jr=False)

    def binary(self, e: Add | Sub | Mul | Div) -> _P:
        lvl = ADD if isinstance(e, Add | Sub) else MUL
        # a negative number leading a product of numbers is bracketed: (−1.245) × 2
        first = not (self.explicit and isinstance(e, Mul) and isinstance(e.a, Num))
        a = self.wrap(self.render(e.a), min(lvl, self.neg_level), first=first)
        b = self.wrap(self.render(e.b), lvl + (self.lang == "py" or isinstance(e, Sub | Div)))
        times = "x" if self.explicit else "" if a.jl and b.jr else "*"
        op = "+" if isinstance(e, Add) else "-" if isinstance(e, Sub) else "/" if \
            isinstance(e, Div) else times
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
        if self.lang != "py" and e.fn in _SPECIAL:
            return _SPECIAL[e.fn](self, e.args)
        xs, sp = [self.render(a) for a in e.args], "sp:" + e.fn
        if len(xs) == 1 and sp in self.t:  # √x, √(x + 1), |x|, e^{x}, ‖a‖, Σx
            root = self.lang == "plain" and e.fn in ("sqrt", "sum")  # binds like a fraction
            x = self.wrap(xs[0], ATOM if e.fn == "sqrt" else POW) if root or e.fn == "sum" \
                else xs[0]
            lvl = POW if e.fn == "exp" else MUL if e.fn == "sum" else FRAC if root else ATOM
            return _P(self.f(sp, x.text), lvl, jl=self.lang != "plain" and e.fn not in (
                "abs", "sum"))
        head = self.head(e.fn)
        text = head + self.t["apply"] + self.f("f()", self.t[","].join(x.text for x in xs))
        short = self.lang != "plain" or len(FUNCTIONS.get(e.fn.rstrip("'"), (e.fn,))[0]) == 1
        return _P(self.f("row", text), ATOM, jr=short)

    def head(self, fn: str) -> str:
        """A function's name as the course writes it (``f'`` gets a prime)."""
        if fn.endswith("'") and self.lang != "py":
            return self.f("prime", self.head(fn[:-1]))
        plain, tex = FUNCTIONS.get(fn, (fn, ""))
        if self.lang == "tex":
            return tex or self.f("fn:*", self.esc(plain))
        if self.lang == "mml":
            return f"<mi>{escape(plain)}</mi>" if len(plain) == 1 else \
                self.f("fn:*", escape(plain))
        return plain if self.lang == "plain" else fn


def _product(r: _Render, a: _P, b: _P, op: str | None = None) -> _P:
    if op is None:
        op = "x" if r.explicit else "" if a.jl and b.jr else "*"
    return _P(r.f("row", a.text + r.t[op] + b.text), MUL, a.neg, b.jl, a.jr)


def _matmul(r: _Render, args: tuple[Expr, ...]) -> _P:
    a, b = (r.wrap(r.render(x), MUL + (i == 1)) for i, x in enumerate(args))
    return _product(r, a, b, "" if r.lang != "plain" or (a.jl and b.jr) else "*")


def _infix(fn: str) -> Callable[[_Render, tuple[Expr, ...]], _P]:
    def render(r: _Render, args: tuple[Expr, ...]) -> _P:
        a, b = (r.wrap(r.render(x), MUL + (i == 1)) for i, x in enumerate(args))
        return _product(r, a, b, _INFIX[fn])
    return render


def _transpose(r: _Render, args: tuple[Expr, ...]) -> _P:
    base = r.wrap(r.render(args[0]), ATOM)
    return _P(r.f("T", base.text), POW, jl=base.jl, jr=base.jr)


def _index(r: _Render, args: tuple[Expr, ...]) -> _P:
    base = r.wrap(r.render(args[0]), ATOM)
    i = args[1]
    pos = str(int(i.value) + 1) if isinstance(i, Num) and float(i.value).is_integer() else \
        r.render(i).text
    if r.lang == "plain":
        sep = "," if base.text[-1:] in "₀₁₂₃₄₅₆₇₈₉" else ""
        return _P(base.text + sep + pos.translate(_SUBS), ATOM, jl=base.jl, jr=base.jr)
    return _P(r.f("sub", base.text, r.f("mn", pos) if pos.isdigit() else pos), ATOM,
              jl=base.jl, jr=base.jr)


def _vector(r: _Render, args: tuple[Expr, ...]) -> _P:
    return _P(r.f("[]", r.t[","].join(r.render(x).text for x in args)), ATOM, jr=False)


def _matrix(r: _Render, rows: tuple[Expr, ...]) -> _P:
    if r.lang == "plain":
        return _P(r.f("[]", ", ".join(_vector(r, x.args).text for x in rows
                                      if isinstance(x, Call))), ATOM, jr=False)
    cells = []
    for row in rows:
        items = row.args if isinstance(row, Call) else (row,)
        texts = [r.render(x).text for x in items]
        cells.append(r.f("mrow", r.t["cell"].join(texts) if r.lang == "tex" else
                         "".join(f"<mtd>{t}</mtd>" for t in texts)))
    return _P(r.f("mat", r.t["rsep"].join(cells)), ATOM, jr=False)


_SPECIAL: dict[str, Callable[[_Render, tuple[Expr, ...]], _P]] = {
    "T": _transpose, "matmul": _matmul, "index": _index, "vector": _vector, "stack": _vector,
    "matrix": _matrix, "dot": _infix("dot"), "hadamard": _infix("hadamard"),
    "outer": lambda r, a: _matmul(r, (a[0], Call("T", (a[1],)))),
    "ellipsis": lambda r, a: _P(r.t["dots"], ATOM, jl=False, jr=False)}


def to_plain(e: Expr, name: NameFn = str, number: NumFn | None = None,
             explicit: bool = False) -> str:
    """Unicode text as a textbook prints it: U+2212 minus, ``·`` or juxtaposition.

    ``name`` typesets symbol names (``W2`` → ``W₂``); ``number`` formats numbers >= 0
    (default: shortest round-trip text, integers without ``.0``); ``explicit`` writes ``×``
    between every two factors (a substitution with numbers).

    Examples
    --------
    >>> from gradviz.core.formula import parse
    >>> to_plain(parse("-(W*H)/H**2")), to_plain(parse("max(x, 0.1*(-2))"))
    ('−WH/H²', 'max(x, 0.1 · (−2))')
    >>> to_plain(parse("1.5*(2 + -1)"), explicit=True), to_plain(parse("g @ T(h)"))
    ('1.5 × (2 + (−1))', 'ghᵀ')
    >>> to_plain(parse("1/2*sum((y - t)**2)")), to_plain(Call("sigmoid'", (Sym("z"),)))
    ('½Σ(y − t)²', 'σ′(z)')
    """
    return _Render("plain", name, number, explicit).render(e).text


def to_tex(e: Expr, name: NameFn | None = None, number: NumFn | None = None,
           explicit: bool = False) -> str:
    """LaTeX math without ``$``; ``name``, ``number`` and ``explicit`` as in :func:`to_plain`.

    Examples
    --------
    >>> from gradviz.core.formula import parse
    >>> print(to_tex(parse("-a/b**2")), to_tex(parse("x >= 0")), to_tex(parse("exp(-x)")))
    -\\frac{a}{b^{2}} x \\ge 0 e^{-x}
    """
    return _Render("tex", name, number, explicit).render(e).text


def to_mathml(e: Expr, name: NameFn | None = None, number: NumFn | None = None,
              explicit: bool = False) -> str:
    """Presentation MathML without the outer ``<math>``; ``name`` returns MathML markup.

    Examples
    --------
    >>> from gradviz.core.formula import parse
    >>> to_mathml(parse("-1/b"))
    '<mrow><mo>−</mo><mfrac><mrow><mn>1</mn></mrow><mrow><mi>b</mi></mrow></mfrac></mrow>'
    """
    return _Render("mml", name, number, explicit).render(e).text


def to_python(e: Expr) -> str:
    """Canonical source text that :func:`~gradviz.core.formula.parse` reads back as ``e``
    (finite numbers only).

    Examples
    --------
    >>> to_python(Mul(Sym("a"), Add(Sym("b"), Num(-2.0))))
    'a*(b + (-2))'
    """
    return _Render("py", str, lambda v: _num(v, py=True)).render(e).text
