"""Tests for typeset.py: golden typesetting of op formulas in plain Unicode, LaTeX and
MathML, the vector notation of the chain templates, and typography properties."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings

from gradviz.core.formula import Call, Expr, Neg, Num, Sym, parse, simplify, subst
from gradviz.core.typeset import to_mathml, to_plain, to_python, to_tex
from tests.core.test_formula import any_formulas

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
    assert to_mathml(e, mname) == flat(MATHML_GOLDEN[plain])


def flat(mathml: str) -> str:
    """Brackets around content without fractions or tables do not stretch."""
    return mathml.replace("<mo>(</mo>", '<mo stretchy="false">(</mo>').replace(
        "<mo>)</mo>", '<mo stretchy="false">)</mo>')


def test_mathml_forms() -> None:
    e = fill("-a/b**2", a="W2*H2", b="H1")
    assert to_mathml(e, mname) == flat(
        "<mrow><mo>−</mo><mfrac><mrow><mrow><msub><mi>W</mi><mn>2</mn></msub><mo>\u2062</mo>"
        "<msub><mi>H</mi><mn>2</mn></msub></mrow></mrow><mrow><msup><mrow><msub><mi>H</mi>"
        "<mn>1</mn></msub></mrow><mrow><mn>2</mn></mrow></msup></mrow></mfrac></mrow>")
    assert to_mathml(fill("max(x, slope*x)", x=Num(-2), slope=Num(0.1))) == flat(
        '<mrow><mi mathvariant="normal">max</mi><mo>\u2061</mo><mrow><mo>(</mo><mrow><mo>−</mo>'
        "<mn>2</mn></mrow><mo>,</mo><mrow><mn>0.1</mn><mo>·</mo><mrow><mo>(</mo><mrow><mo>−</mo>"
        "<mn>2</mn></mrow><mo>)</mo></mrow></mrow><mo>)</mo></mrow></mrow>")
    assert to_mathml(fill("out*(1 - out)", out="sigmoid(x)")) == flat(
        "<mrow><mrow><mi>σ</mi><mo>\u2061</mo><mrow><mo>(</mo><mi>x</mi><mo>)</mo></mrow></mrow>"
        "<mo>\u2062</mo><mrow><mo>(</mo><mrow><mn>1</mn><mo>−</mo><mrow><mi>σ</mi><mo>\u2061</mo>"
        "<mrow><mo>(</mo><mi>x</mi><mo>)</mo></mrow></mrow></mrow><mo>)</mo></mrow></mrow>")
    assert to_mathml(parse("sqrt(x) + exp(y) + abs(z) + tanh(w) >= 0")) == flat(
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
    ("2*x", "2x"), ("x*2", "x · 2"), ("2*3", "2 · 3"), ("1e-05*x", "1 × 10⁻⁵ · x"),
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
    assert to_mathml(Num(1.5e-5)) == ("<mrow><mn>1.5</mn><mo>×</mo><msup><mrow><mn>10</mn></mrow>"
                                      "<mrow><mrow><mo>−</mo><mn>5</mn></mrow></mrow></msup></mrow>")
    assert to_tex(Num(2e20)) == r"2 \times 10^{20}"


@pytest.mark.parametrize(("text", "plain", "tex"), [
    ("g @ T(h)", "ghᵀ", r"g h^{\top}"), ("T(W2) @ d", "W₂ᵀd", r"W_{2}^{\top} d"),
    ("outer(d, x)", "dxᵀ", r"d x^{\top}"), ("hadamard(g, relu(z))", "g ⊙ ReLU(z)",
                                            r"g \odot \operatorname{ReLU}(z)"),
    ("norm(a)**2", "‖a‖²", r"\lVert a \rVert^{2}"), ("dot(W1, X) + B1", "W₁ · X + B₁",
                                                     r"W_{1} \cdot X + B_{1}"),
    ("1/2*(a - b)**2", "½(a − b)²", r"\tfrac{1}{2} \left(a - b\right)^{2}"),
    ("1/2*sum((yhat - y)**2)", "½Σ(ŷ − y)²", r"\tfrac{1}{2} \sum \left(\hat{y} - y\right)^{2}"),
    ("index(x, 0)", "x₁", "{x}_{1}"), ("index(W1, 1)", "W₁,₂", "{W_{1}}_{2}"),
    ("vector(1, -2, ellipsis(), 3)", "[1, −2, …, 3]", r"\left[1, -2, \dots, 3\right]"),
    ("matrix(row(1, 2), row(-3, 4))", "[[1, 2], [−3, 4]]",
     r"\begin{bmatrix}1 & 2 \\ -3 & 4\end{bmatrix}"),
    ("leaky_relu(x) + log(y)", "LeakyReLU(x) + ln(y)", r"\operatorname{LeakyReLU}(x) + \ln(y)"),
])
def test_vector_notation_and_function_names(text: str, plain: str, tex: str) -> None:
    e = parse(text)
    assert to_plain(e, pname2) == plain and to_tex(e, tname2) == tex
    ET.fromstring(f'<math xmlns="http://www.w3.org/1998/Math/MathML">{to_mathml(e)}</math>')


def pname2(n: str) -> str:
    return {"yhat": "ŷ"}.get(n) or pname(n)


def tname2(n: str) -> str:
    return {"yhat": r"\hat{y}"}.get(n) or tname(n)


def test_primes_and_explicit_products() -> None:
    assert to_plain(Call("sigmoid'", (Sym("z"),))) == "σ′(z)"
    assert to_tex(Call("leaky_relu'", (Sym("z"),))) == r"\operatorname{LeakyReLU}'(z)"
    assert "<mo>′</mo>" in to_mathml(Call("tanh'", (Sym("z"),)))
    assert to_plain(parse("1.5*(2 + -1)"), explicit=True) == "1.5 × (2 + (−1))"
    assert to_plain(parse("g @ T(h)"), explicit=True) == "ghᵀ"  # a matrix product stays one


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


def test_simplify_worked_solution() -> None:
    e = fill("-a/b**2", a="W2*H2", b="H1")
    assert to_plain(simplify(subst(e, {"W2": Num(0.5), "H2": Num(-2)})), pname) == "1/H₁²"
    slope = fill("x >= 0", x=fill("1*z + 0", z="W1*x"))
    assert to_plain(simplify(slope), pname) == "W₁x ≥ 0"
