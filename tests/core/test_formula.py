"""Tests for formula.py: parser allowlist, substitution, simplification, evaluation, and
properties (hypothesis). Typesetting is tests/core/test_typeset.py."""

from __future__ import annotations

import math
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
)
from gradviz.core.typeset import to_python


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
    ("x % 2", "BinOp"), ("x // 2", "BinOp"), ("[x]", "List"),
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
