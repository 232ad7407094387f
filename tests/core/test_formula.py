"""Tests for formula.py: golden typesetting, parser allowlist, and properties (hypothesis)."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import fields

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gradviz.core.formula import (
    Add,
    Call,
    Cmp,
    CmpOp,
    Div,
    Expr,
    Mul,
    Neg,
    Num,
    Pow,
    Sub,
    Sym,
    calls,
    evaluate,
    free_symbols,
    margin,
    parse,
    simplify,
    subst,
    to_mathml,
    to_plain,
    to_python,
    to_tex,
)

# --- name typesetters, as gradviz.names does it: W2 -> W₂ / W_{2} / <msub> -------------------
_NAME = re.compile(r"([A-Za-z]+?)(\d*)")
_GREEK = {"alpha": ("α", r"\alpha"), "sigma": ("σ", r"\sigma")}
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def pname(n: str) -> str:
    base, sub = _NAME.fullmatch(n).groups()  # type: ignore[union-attr]
    return _GREEK.get(base, (base,))[0] + sub.translate(_SUB)


def tname(n: str) -> str:
    base, sub = _NAME.fullmatch(n).groups()  # type: ignore[union-attr]
    base = _GREEK[base][1] if base in _GREEK else base if len(base) == 1 else \
        rf"\mathrm{{{base}}}"
    return base + (f"_{{{sub}}}" if sub else "")


def mname(n: str) -> str:
    base, sub = _NAME.fullmatch(n).groups()  # type: ignore[union-attr]
    mi = f"<mi>{_GREEK.get(base, (base,))[0]}</mi>"
    return f"<msub>{mi}<mn>{sub}</mn></msub>" if sub else mi


def fill(template: str, **operands: str | Expr) -> Expr:
    """Substitute operand expressions (source text or Expr) into an op template."""
    m = {k: parse(v) if isinstance(v, str) else v for k, v in operands.items()}
    return subst(parse(template), m)


# --- golden typesetting of op formulas ---------------------------------------------------------
GOLDEN = [  # (expression, plain, tex)
    (fill("-a/b**2", a="W2*H2", b="H1"), "−W₂H₂/H₁²", r"-\frac{W_{2} H_{2}}{H_{1}^{2}}"),
    (fill("1/b", b="H1"), "1/H₁", r"\frac{1}{H_{1}}"),
    (fill("out*(1 - out)", out="sigmoid(x)"), "σ(x)(1 − σ(x))",
     r"\sigma(x) \left(1 - \sigma(x)\right)"),
    (fill("1 - out**2", out="tanh(z1)"), "1 − tanh(z₁)²", r"1 - \tanh(z_{1})^{2}"),
    (fill("max(x, slope*x)", x=Num(-2), slope=Num(0.1)), "max(−2, 0.1 · (−2))",
     r"\max(-2, 0.1 \cdot \left(-2\right))"),
    (fill("max(x, slope*x)", slope=Num(0.1)), "max(x, 0.1x)", r"\max(x, 0.1 x)"),
    (fill("max(x, slope*x)"), "max(x, slope · x)", r"\max(x, \mathrm{slope} \cdot x)"),
    (fill("a*b", a=Num(0.6225), b=Num(-1.333)), "0.6225 · (−1.333)",
     r"0.6225 \cdot \left(-1.333\right)"),
    (fill("b*a**(b - 1)", a="x", b="n"), "nx^(n − 1)", r"n x^{n - 1}"),
    (fill("exp(x)", x="W1*x1 + b1"), "exp(W₁x₁ + b₁)", r"e^{W_{1} x_{1} + b_{1}}"),
    (fill("1/(2*sqrt(x))"), "1/(2√x)", r"\frac{1}{2 \sqrt{x}}"),
    (fill("1/x", x="sigmoid(z)"), "1/σ(z)", r"\frac{1}{\sigma(z)}"),
    (fill("(p - y)/(p*(1 - p))"), "(p − y)/(p(1 − p))", r"\frac{p - y}{p \left(1 - p\right)}"),
    (fill("Phi(x) + x*phi(x)"), "Φ(x) + xφ(x)", r"\Phi(x) + x \varphi(x)"),
    (fill("sign(x)", x="a - b"), "sign(a − b)", r"\operatorname{sign}(a - b)"),
    (fill("2*(a - b)"), "2(a − b)", r"2 \left(a - b\right)"),
    (fill("y*s < 1"), "ys < 1", "y s < 1"),
    (fill("x >= 0"), "x ≥ 0", r"x \ge 0"),
    (fill("a > b", a="W1*x", b=Num(-1)), "W₁x > −1", "W_{1} x > -1"),
    (fill("alpha*abs(x)"), "α|x|", r"\alpha \lvert x \rvert"),
]


@pytest.mark.parametrize(("e", "plain", "tex"), GOLDEN)
def test_golden_plain_and_tex(e: Expr, plain: str, tex: str) -> None:
    assert to_plain(e, pname) == plain
    assert to_tex(e, tname) == tex


MATHML_GOLDEN = {  # plain form -> MathML, for the same expressions as GOLDEN
    '−W₂H₂/H₁²': (
        '<mrow><mo>−</mo><mfrac><mrow><mrow><msub><mi>W</mi><mn>2</mn></msub><mo>\u2062</mo><msub>'
        '<mi>H</mi><mn>2</mn></msub></mrow></mrow><mrow><msup><mrow><msub><mi>H</mi><mn>1</mn>'
        '</msub></mrow><mrow><mn>2</mn></mrow></msup></mrow></mfrac></mrow>'),
    '1/H₁': (
        '<mfrac><mrow><mn>1</mn></mrow><mrow><msub><mi>H</mi><mn>1</mn></msub></mrow></mfrac>'),
    'σ(x)(1 − σ(x))': (
        '<mrow><mrow><mi>σ</mi><mo>\u2061</mo><mrow><mo>(</mo><mi>x</mi><mo>)</mo></mrow></mrow>'
        '<mo>\u2062</mo><mrow><mo>(</mo><mrow><mn>1</mn><mo>−</mo><mrow><mi>σ</mi><mo>\u2061</mo>'
        '<mrow><mo>(</mo><mi>x</mi><mo>)</mo></mrow></mrow></mrow><mo>)</mo></mrow></mrow>'),
    '1 − tanh(z₁)²': (
        '<mrow><mn>1</mn><mo>−</mo><msup><mrow><mrow><mi mathvariant="normal">tanh</mi>'
        '<mo>\u2061</mo><mrow><mo>(</mo><msub><mi>z</mi><mn>1</mn></msub><mo>)</mo></mrow></mrow>'
        '</mrow><mrow><mn>2</mn></mrow></msup></mrow>'),
    'max(−2, 0.1 · (−2))': (
        '<mrow><mi mathvariant="normal">max</mi><mo>\u2061</mo><mrow><mo>(</mo><mrow><mo>−</mo>'
        '<mn>2</mn></mrow><mo>,</mo><mrow><mn>0.1</mn><mo>·</mo><mrow><mo>(</mo><mrow><mo>−</mo>'
        '<mn>2</mn></mrow><mo>)</mo></mrow></mrow><mo>)</mo></mrow></mrow>'),
    'max(x, 0.1x)': (
        '<mrow><mi mathvariant="normal">max</mi><mo>\u2061</mo><mrow><mo>(</mo><mi>x</mi>'
        '<mo>,</mo><mrow><mn>0.1</mn><mo>\u2062</mo><mi>x</mi></mrow><mo>)</mo></mrow></mrow>'),
    '0.6225 · (−1.333)': (
        '<mrow><mn>0.6225</mn><mo>·</mo><mrow><mo>(</mo><mrow><mo>−</mo><mn>1.333</mn></mrow>'
        '<mo>)</mo></mrow></mrow>'),
    'nx^(n − 1)': (
        '<mrow><mi>n</mi><mo>\u2062</mo><msup><mrow><mi>x</mi></mrow><mrow><mrow><mi>n</mi>'
        '<mo>−</mo><mn>1</mn></mrow></mrow></msup></mrow>'),
    'exp(W₁x₁ + b₁)': (
        '<msup><mi>e</mi><mrow><mrow><mrow><msub><mi>W</mi><mn>1</mn></msub><mo>\u2062</mo><msub>'
        '<mi>x</mi><mn>1</mn></msub></mrow><mo>+</mo><msub><mi>b</mi><mn>1</mn></msub></mrow>'
        '</mrow></msup>'),
    '1/(2√x)': (
        '<mfrac><mrow><mn>1</mn></mrow><mrow><mrow><mn>2</mn><mo>\u2062</mo><msqrt><mi>x</mi>'
        '</msqrt></mrow></mrow></mfrac>'),
    '(p − y)/(p(1 − p))': (
        '<mfrac><mrow><mrow><mi>p</mi><mo>−</mo><mi>y</mi></mrow></mrow><mrow><mrow><mi>p</mi>'
        '<mo>\u2062</mo><mrow><mo>(</mo><mrow><mn>1</mn><mo>−</mo><mi>p</mi></mrow><mo>)</mo>'
        '</mrow></mrow></mrow></mfrac>'),
    'Φ(x) + xφ(x)': (
        '<mrow><mrow><mi>Φ</mi><mo>\u2061</mo><mrow><mo>(</mo><mi>x</mi><mo>)</mo></mrow></mrow>'
        '<mo>+</mo><mrow><mi>x</mi><mo>\u2062</mo><mrow><mi>φ</mi><mo>\u2061</mo><mrow><mo>(</mo>'
        '<mi>x</mi><mo>)</mo></mrow></mrow></mrow></mrow>'),
    'ys < 1': (
        '<mrow><mrow><mi>y</mi><mo>\u2062</mo><mi>s</mi></mrow><mo>&lt;</mo><mn>1</mn></mrow>'),
    'W₁x > −1': (
        '<mrow><mrow><msub><mi>W</mi><mn>1</mn></msub><mo>\u2062</mo><mi>x</mi></mrow>'
        '<mo>&gt;</mo><mrow><mo>−</mo><mn>1</mn></mrow></mrow>'),
    'α|x|': (
        '<mrow><mi>α</mi><mo>\u2062</mo><mrow><mo>|</mo><mi>x</mi><mo>|</mo></mrow></mrow>'),
}



@pytest.mark.parametrize(("e", "plain"), [(e, p) for e, p, _ in GOLDEN if p in MATHML_GOLDEN])
def test_golden_mathml(e: Expr, plain: str) -> None:
    assert to_mathml(e, mname) == MATHML_GOLDEN[plain]


def test_mathml_forms() -> None:
    e = fill("-a/b**2", a="W2*H2", b="H1")
    assert to_mathml(e, mname) == (
        "<mrow><mo>−</mo><mfrac><mrow><mrow><msub><mi>W</mi><mn>2</mn></msub><mo>\u2062</mo>"
        "<msub><mi>H</mi><mn>2</mn></msub></mrow></mrow><mrow><msup><mrow><msub><mi>H</mi>"
        "<mn>1</mn></msub></mrow><mrow><mn>2</mn></mrow></msup></mrow></mfrac></mrow>")
    assert to_mathml(fill("max(x, slope*x)", x=Num(-2), slope=Num(0.1))) == (
        '<mrow><mi mathvariant="normal">max</mi><mo>\u2061</mo><mrow><mo>(</mo><mrow><mo>−</mo>'
        "<mn>2</mn></mrow><mo>,</mo><mrow><mn>0.1</mn><mo>·</mo><mrow><mo>(</mo><mrow><mo>−</mo>"
        "<mn>2</mn></mrow><mo>)</mo></mrow></mrow><mo>)</mo></mrow></mrow>")
    assert to_mathml(fill("out*(1 - out)", out="sigmoid(x)")) == (
        "<mrow><mrow><mi>σ</mi><mo>\u2061</mo><mrow><mo>(</mo><mi>x</mi><mo>)</mo></mrow></mrow>"
        "<mo>\u2062</mo><mrow><mo>(</mo><mrow><mn>1</mn><mo>−</mo><mrow><mi>σ</mi><mo>\u2061</mo>"
        "<mrow><mo>(</mo><mi>x</mi><mo>)</mo></mrow></mrow></mrow><mo>)</mo></mrow></mrow>")
    assert to_mathml(parse("sqrt(x) + exp(y) + abs(z) + tanh(w) >= 0")) == (
        "<mrow><mrow><mrow><mrow><msqrt><mi>x</mi></msqrt><mo>+</mo><msup><mi>e</mi><mrow>"
        "<mi>y</mi></mrow></msup></mrow><mo>+</mo><mrow><mo>|</mo><mi>z</mi><mo>|</mo></mrow>"
        '</mrow><mo>+</mo><mrow><mi mathvariant="normal">tanh</mi><mo>\u2061</mo><mrow><mo>(</mo>'
        "<mi>w</mi><mo>)</mo></mrow></mrow></mrow><mo>≥</mo><mn>0</mn></mrow>")


@pytest.mark.parametrize(("text", "plain"), [
    ("a - (b - c)", "a − (b − c)"), ("a - b + c", "a − b + c"), ("a + (b - c)", "a + b − c"),
    ("-(a*b)", "−ab"), ("(-a)*b", "−ab"), ("-(a + b)", "−(a + b)"), ("-a**2", "−a²"),
    ("(-a)**2", "(−a)²"), ("(-2)**2", "(−2)²"), ("x**-1", "x⁻¹"), ("x**0.5", "x^(0.5)"),
    ("x**(a + 1)", "x^(a + 1)"), ("(x**2)**3", "(x²)³"), ("x - -y", "x − (−y)"),
    ("x + -y", "x + (−y)"), ("x*-y", "x · (−y)"), ("-(-x)", "−(−x)"), ("x/-y", "x/(−y)"),
    ("a/(b*c)", "a/(bc)"), ("a*(b/c)", "ab/c"), ("(a/b)*c", "a/b · c"), ("a*b*c", "abc"),
    ("x*tanh(x)", "x · tanh(x)"), ("abs(x)*abs(y)", "|x| · |y|"), ("sqrt(x)*y", "√x · y"),
    ("sqrt(x)**2", "(√x)²"), ("sqrt(x + 1)", "√(x + 1)"), ("sqrt(-x)", "√(−x)"),
    ("2*x", "2x"), ("x*2", "x · 2"), ("2*3", "2 · 3"), ("1e-05*x", "1e-05 · x"),
    ("lr*x", "lr · x"), ("x*lr", "x · lr"), ("x**2*y", "x²y"),
    ("(a + b)*(c + d)", "(a + b)(c + d)"),
    ("f(x, y)", "f(x, y)"), ("log(x)", "ln(x)"), ("exp(x)", "exp(x)"), ("a == b", "a = b"),
])
def test_plain_parentheses_and_juxtaposition(text: str, plain: str) -> None:
    assert to_plain(parse(text)) == plain


def test_numbers_and_names_hooks() -> None:
    e = parse("0.62246*x - 1/3")
    assert to_plain(e, number=lambda v: f"{v:.3g}") == "0.622x − 1/3"
    assert to_plain(simplify(parse("1/3 + x"))) == "0.3333333333333333 + x"
    assert to_plain(Num(-0.0)) == "0" and to_plain(Num(2.0)) == "2" and to_tex(Num(-2.5)) == "-2.5"
    assert to_tex(parse("b_out*x + my_fn(x)")) == r"b\_out \cdot x + \operatorname{my\_fn}(x)"
    assert to_mathml(Sym("a<b")) == "<mi>a&lt;b</mi>"
    assert to_mathml(Num(1e-5)) == "<mn>1e-05</mn>"


def test_negated_literals_print_as_literals() -> None:
    assert to_python(Neg(Num(2))) == "-2" and parse("-2") == Num(-2.0)
    assert to_python(Neg(Num(-2))) == "-(-2)" and parse("-(-2)") == Neg(Num(-2.0))
    assert to_plain(Neg(Num(2))) == to_plain(Num(-2)) == "−2"
    assert to_mathml(Neg(Num(2))) == to_mathml(Num(-2)) == "<mrow><mo>−</mo><mn>2</mn></mrow>"
    assert simplify(Neg(Num(2))) == Num(-2) and simplify(Neg(Num(-2))) == Num(2)


def test_tex_fraction_forms() -> None:
    assert to_tex(parse("-1/b")) == r"-\frac{1}{b}"
    assert to_tex(parse("a/b*c")) == r"\frac{a}{b} c"
    assert to_tex(parse("(a/b)**2")) == r"\left(\frac{a}{b}\right)^{2}"
    assert to_tex(parse("x/-y")) == r"\frac{x}{-y}"
    assert to_tex(parse("exp(x)**2 + sqrt(x)")) == r"\left(e^{x}\right)^{2} + \sqrt{x}"


# --- parser -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("-2", Num(-2.0)), ("+x", Sym("x")), ("-x", Neg(Sym("x"))), ("--2", Neg(Num(-2.0))),
    ("-2**2", Neg(Pow(Num(2), Num(2)))), ("(-2)**2", Pow(Num(-2), Num(2))),
    ("a - b + c", Add(Sub(Sym("a"), Sym("b")), Sym("c"))), ("1_000", Num(1000)),
    ("f()", Call("f", ())), ("max(a, b)", Call("max", (Sym("a"), Sym("b")))),
    ("  x >= 0 ", Cmp(">=", Sym("x"), Num(0))), ("a == -1", Cmp("==", Sym("a"), Num(-1))),
])
def test_parse(text: str, expected: Expr) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(("text", "complaint"), [
    ("x.real", "Attribute"), ("x[0]", "Subscript"), ("lambda: 0", "Lambda"),
    ("'a'", "Constant"), ("b'a'", "Constant"), ("True", "Constant"), ("None", "Constant"),
    ("1j", "Constant"), ("f(x=1)", "keyword"), ("f(*xs)", "Starred"), ("a < b < c", "comparison"),
    ("a != b", "comparison"), ("a in b", "comparison"), ("(a < b) + 1", "Compare"),
    ("__import__('os')", "'__import__'"), ("__builtins__", "__builtins__"), ("_x", "'_x'"),
    ("x.y(1)", "Attribute"), ("(lambda: 1)()", "Lambda"), ("f(x)(y)", "Call"),
    ("x if y else z", "IfExp"), ("a and b", "BoolOp"), ("not a", "UnaryOp"), ("~a", "UnaryOp"),
    ("x % 2", "BinOp"), ("x // 2", "BinOp"), ("a @ b", "BinOp"), ("[x]", "List"),
    ("(x, y)", "Tuple"), ("f'{x}'", "JoinedStr"), ("(y := 2)", "NamedExpr"), ("x +", "parse"),
    ("", "parse"), ("x = 1", "parse"), ("x; y", "parse"), ("-" * 3000 + "x", "longer"),
    ("(" * 300 + "x" + ")" * 300, "nested"), ("9" * 400, "large"),
])
def test_parse_rejects(text: str, complaint: str) -> None:
    with pytest.raises(ValueError) as info:
        parse(text)
    assert complaint in str(info.value)


def test_parse_nesting_limit_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse("-" * 1900 + "x")


# --- tree utilities ---------------------------------------------------------------------------
def test_subst_free_symbols_calls() -> None:
    e = parse("max(x, slope*x) + sigmoid(W2*h)")
    assert free_symbols(e) == {"x", "slope", "W2", "h"}
    assert calls(e) == {"max", "sigmoid"}
    swapped = subst(parse("a - b"), {"a": Sym("b"), "b": Sym("a")})
    assert swapped == Sub(Sym("b"), Sym("a"))  # simultaneous, not sequential
    assert subst(Num(1), {"x": Num(2)}) == Num(1)


def test_nodes_are_hashable_and_compare_by_type() -> None:
    assert len({parse("a + b"), parse("a + b"), parse("a - b"), parse("a*b")}) == 3
    add, sub = parse("a + b"), parse("a - b")
    assert add != sub and hash(add) == hash(parse("a + b"))
    assert repr(Add(Sym("a"), Num(1))) == "Add(a=Sym(name='a'), b=Num(value=1))"
    with pytest.raises(AttributeError):
        Sym("x").name = "y"  # type: ignore[misc]  # frozen


# --- evaluation -------------------------------------------------------------------------------
FUNCS: dict[str, Callable[..., np.ndarray]] = {"max": np.maximum, "erf": np.vectorize(math.erf)}


def test_evaluate_broadcasts_and_compares() -> None:
    x = np.array([[-2.0], [3.0]])
    out = evaluate(parse("max(x, slope*x)"), {"x": x, "slope": np.array([0.1, 0.2])}, FUNCS)
    assert out.shape == (2, 2) and np.allclose(out, [[-0.2, -0.4], [3.0, 3.0]])
    cond = evaluate(parse("y*s < 1"), {"y": np.array([1.0, -1.0]), "s": 2.0}, {})
    assert cond.dtype == bool and cond.tolist() == [False, True]
    assert evaluate(parse("x >= 0"), {"x": 0.0}, {}).item() is True
    assert evaluate(parse("-x**2"), {"x": 3}, {}).item() == -9.0  # -(x**2), as Python reads it
    fs = {"sigmoid": lambda x: 1 / (1 + np.exp(-x))}
    assert float(evaluate(parse("out*(1 - out)"), {"out": 0.5}, fs)) == 0.25
    assert float(evaluate(parse("sigmoid(0)"), {}, fs)) == 0.5
    assert np.isclose(evaluate(parse("0.5*(1 + erf(1/sqrt2))"), {"sqrt2": 2**0.5}, FUNCS),
                      0.8413447460685429)


def test_evaluate_unknown_names() -> None:
    with pytest.raises(KeyError, match="'slope'"):
        evaluate(parse("slope*x"), {"x": 1.0}, FUNCS)
    with pytest.raises(KeyError, match="'gelu'"):
        evaluate(parse("gelu(x)"), {"x": 1.0}, FUNCS)


def test_margin() -> None:
    cond = parse("y*s < 1")
    assert isinstance(cond, Cmp)
    m = margin(cond, {"y": np.array([1.0, -1.0]), "s": np.array([0.25, 3.0])}, {})
    assert np.allclose(m, [0.75, 4.0])
    assert margin(Cmp(">=", Sym("x"), Num(0)), {"x": -0.5}, {}) == 0.5


@pytest.mark.parametrize("v", [math.inf, -math.inf, math.nan])
def test_to_python_rejects_non_finite(v: float) -> None:
    with pytest.raises(ValueError, match="no Python literal"):
        to_python(Add(Sym("x"), Num(v)))


# --- simplify ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "simple"), [
    ("0 + x", "x"), ("x + 0", "x"), ("x - 0", "x"), ("0 - x", "-x"), ("1*x", "x"),
    ("x*1", "x"), ("0*x", "0"), ("x*0", "0"), ("0/x", "0"), ("x/1", "x"), ("x**1", "x"),
    ("x**0", "1"), ("-(-x)", "x"), ("-(2)", "-2"), ("(-a)*b", "-(a*b)"), ("a*(-b)", "-(a*b)"),
    ("(-a)*(-b)", "a*b"), ("(-a)/b", "-(a/b)"), ("a/(-b)", "-(a/b)"), ("a*(1/b)", "a/b"),
    ("(1/b)*a", "a/b"), ("a - (-b)", "a + b"), ("a + (-b)", "a - b"), ("a + -2", "a - 2"),
    ("a - -2", "a + 2"), ("(a/b)*c", "a*c/b"), ("(a/b)*(c/d)", "a/b*(c/d)"), ("x*x", "x**2"),
    ("2*3 + 1/4 - 2**3", "-1.75"), ("1/0", "1/0"), ("(-8)**0.5", "(-8)**0.5"),
    ("sigmoid(0*x)", "sigmoid(0)"), ("0*x < x*1", "0 < x"), ("b*a**(b - 1)", "b*a**(b - 1)"),
])
def test_simplify_rules(text: str, simple: str) -> None:
    assert to_python(simplify(parse(text))) == simple


def test_simplify_worked_solution() -> None:
    e = fill("-a/b**2", a="W2*H2", b="H1")
    assert to_plain(simplify(subst(e, {"W2": Num(0.5), "H2": Num(-2)})), pname) == "1/H₁²"
    slope = fill("x >= 0", x=fill("1*z + 0", z="W1*x"))
    assert to_plain(simplify(slope), pname) == "W₁x ≥ 0"


# --- properties -------------------------------------------------------------------------------
NAMES = ["x", "y", "W2", "slope", "alpha"]
FUNCS1 = ["sigmoid", "tanh", "abs", "exp", "sqrt", "log", "Phi", "phi", "sign", "g_1"]
numbers = st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 3)) | \
    st.integers(-3, 3).map(float) | st.sampled_from([0.0, 1.0, -1.0, 1e-05, 1e20, 0.1])


def _negate(x: Expr) -> Expr:
    """-x; a literal stays a literal (Neg(Num(v)) reads back as Num(-v))."""
    return Num(-x.value) if isinstance(x, Num) else Neg(x)


def _nodes(kids: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return (kids.map(_negate)
            | st.builds(Add, kids, kids) | st.builds(Sub, kids, kids)
            | st.builds(Mul, kids, kids) | st.builds(Div, kids, kids)
            | st.builds(Pow, kids, kids)
            | st.builds(lambda f, a: Call(f, (a,)), st.sampled_from(FUNCS1), kids)
            | st.builds(lambda f, xs: Call(f, tuple(xs)), st.sampled_from(["max", "min", "f"]),
                        st.lists(kids, max_size=3)))


leaves = st.builds(Num, numbers) | st.builds(Sym, st.sampled_from(NAMES))
exprs = st.recursive(leaves, _nodes, max_leaves=14)
formulas = exprs | st.builds(Cmp, st.sampled_from(["<", "<=", ">", ">=", "=="]), exprs, exprs)
# Renderers must also cope with non-canonical Neg(Num(v)) (it prints like Num(-v)).
raw_exprs = st.recursive(leaves | st.builds(Neg, leaves), _nodes, max_leaves=14)
any_formulas = raw_exprs | st.builds(Cmp, st.sampled_from(["<", ">="]), raw_exprs, raw_exprs)


@given(formulas)
@settings(max_examples=400)
def test_to_python_round_trip(e: Expr) -> None:
    assert parse(to_python(e)) == e


@given(any_formulas)
@settings(max_examples=300)
def test_mathml_is_well_formed(e: Expr) -> None:
    for name in (None, mname):
        doc = f'<math xmlns="http://www.w3.org/1998/Math/MathML">{to_mathml(e, name)}</math>'
        ET.fromstring(doc)  # raises on malformed XML


def _balanced(text: str, pairs: tuple[str, str]) -> bool:
    depth = 0
    for c in text:
        depth += (c == pairs[0]) - (c == pairs[1])
        if depth < 0:
            return False
    return depth == 0


@given(any_formulas)
@settings(max_examples=300)
def test_plain_and_tex_typography(e: Expr) -> None:
    plain, tex = to_plain(e, pname), to_tex(e, tname)
    assert "-" not in re.sub(r"\de-\d", "", plain)  # U+2212 minus, except in 1e-05
    for bad in ("−−", "+ −", "− −", "· −", "(−)", "^−"):
        assert bad not in plain
    assert _balanced(plain, ("(", ")")) and _balanced(tex, ("{", "}"))
    sized = tex.replace(r"\left(", "\x01").replace(r"\right)", "\x02")
    assert _balanced(sized, ("\x01", "\x02"))


# Evaluation: only total functions and integer powers, away from division by zero.
SAFE_FUNCS: dict[str, Callable[..., np.ndarray]] = {
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)), "tanh": np.tanh, "abs": np.abs,
    "max": np.maximum}
UNARY = ["sigmoid", "tanh", "abs"]
safe_exprs: st.SearchStrategy[Expr] = st.recursive(
    st.builds(Num, st.integers(-4, 4).map(float) | st.sampled_from([0.5, -0.25, 1.5]))
    | st.builds(Sym, st.sampled_from(["x", "y", "z"])),
    lambda kids: (st.builds(Neg, kids) | st.builds(Add, kids, kids) | st.builds(Sub, kids, kids)
                  | st.builds(Mul, kids, kids) | st.builds(Div, kids, kids)
                  | st.builds(Pow, kids, st.builds(Num, st.sampled_from([0.0, 1, 2, 3, -1.0])))
                  | st.builds(lambda f, a: Call(f, (a,)), st.sampled_from(UNARY), kids)
                  | st.builds(lambda a, b: Call("max", (a, b)), kids, kids)),
    max_leaves=12)
envs = st.fixed_dictionaries({k: st.floats(-3, 3, allow_nan=False) for k in "xyz"})


def _subexprs(e: Expr) -> Iterator[Expr]:
    yield e
    for f in fields(e):
        v = getattr(e, f.name)
        for k in v if isinstance(v, tuple) else [v]:
            if not isinstance(k, str | float | int):
                yield from _subexprs(k)


def _scale(e: Expr, env: dict[str, float]) -> float:
    """Largest magnitude of any intermediate value; assume() away singular cases."""
    big = 1.0
    with np.errstate(all="ignore"):
        for s in _subexprs(e):
            v = float(evaluate(s, env, SAFE_FUNCS))
            assume(math.isfinite(v) and abs(v) < 1e8)
            if isinstance(s, Div | Pow) and (isinstance(s, Div) or s.b == Num(-1.0)):
                den = s.b if isinstance(s, Div) else s.a
                assume(abs(float(evaluate(den, env, SAFE_FUNCS))) > 1e-3)
            big = max(big, abs(v))
    return big


@given(safe_exprs, envs)
@settings(max_examples=500, suppress_health_check=[HealthCheck.filter_too_much])
def test_simplify_is_sound(e: Expr, env: dict[str, float]) -> None:
    scale = _scale(e, env)
    s = simplify(e)
    with np.errstate(all="ignore"):
        before, after = float(evaluate(e, env, SAFE_FUNCS)), float(evaluate(s, env, SAFE_FUNCS))
    assert math.isclose(before, after, rel_tol=1e-9, abs_tol=1e-9 * scale)


@given(formulas)
@settings(max_examples=400)
def test_simplify_is_idempotent(e: Expr) -> None:
    once = simplify(e)
    assert simplify(once) == once


@given(safe_exprs, envs)
@settings(max_examples=300, suppress_health_check=[HealthCheck.filter_too_much])
def test_python_text_evaluates_equal(e: Expr, env: dict[str, float]) -> None:
    _scale(e, env)
    with np.errstate(all="ignore"):
        before = evaluate(e, env, SAFE_FUNCS)
        after = evaluate(parse(to_python(e)), env, SAFE_FUNCS)
    assert np.array_equal(before, after)


@given(safe_exprs, safe_exprs, st.sampled_from(["<", "<=", ">", ">=", "=="]), envs)
@settings(max_examples=200, suppress_health_check=[HealthCheck.filter_too_much])
def test_margin_is_distance_to_boundary(a: Expr, b: Expr, op: CmpOp, env: dict[str, float]) -> None:
    _scale(Sub(a, b), env)
    m = float(margin(Cmp(op, a, b), env, SAFE_FUNCS))
    lhs, rhs = (float(evaluate(x, env, SAFE_FUNCS)) for x in (a, b))
    assert m == abs(lhs - rhs)
    if m > 1e-6 * max(1.0, abs(lhs)) and op != "==":  # moving lhs less than m keeps the branch
        shifted = Cmp(op, Add(a, Num(0.5 * m * np.sign(rhs - lhs))), b)
        with np.errstate(all="ignore"):
            assert bool(evaluate(shifted, env, SAFE_FUNCS)) == bool(
                evaluate(Cmp(op, a, b), env, SAFE_FUNCS))
