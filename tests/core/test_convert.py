"""Statement trees to Builder calls: constants fold in float64, shapes are computed without
numpy (so any nesting gives a positioned error), and constant-ness is decided once per
node."""

from __future__ import annotations

import ast
import random

import pytest

from gradviz.core.builder import Builder
from gradviz.core.convert import Converter
from gradviz.core.errors import ParseError


def conv(text: str, **env) -> tuple[Converter, ast.expr]:
    b = Builder()
    names = {k: b.input(k, v) for k, v in env.items()}
    return Converter(b, names, line=7, indent=2, text=text), ast.parse(text).body[0].value


@pytest.mark.parametrize("depth", [1, 2, 3, 64, 65, 66, 99])
def test_array_shapes_at_any_depth(depth):
    text = "v = " + "[" * depth + "1" + "]" * depth
    c, node = conv(text)
    value, shape = c.array(node)
    assert shape == (1,) * depth
    for _ in range(depth):
        value = value[0]
    assert value == 1.0


def test_ragged_rows_are_positioned():
    c, node = conv("v = [[1, 2], [3]]")
    with pytest.raises(ParseError) as info:
        c.array(node)
    assert (info.value.line, info.value.col, info.value.message) == \
        (7, 2 + 5, "rows of different lengths")


def _walk_constant(node: ast.AST) -> bool:
    return all(not isinstance(n, (ast.Name, ast.Call)) for n in ast.walk(node))


def test_is_constant_agrees_with_the_walk():
    rng = random.Random(3)
    atoms = ["x", "1", "2.5", "f(1)", "[1, 2]", "[x, 1]", "-3", "-x"]
    for _ in range(300):
        text = rng.choice(atoms)
        for _ in range(rng.randrange(5)):
            text = f"({text}) {rng.choice('+-*/')} {rng.choice(atoms)}"
        c, node = conv("v = " + text)
        for sub in ast.walk(node):
            if isinstance(sub, ast.expr):
                assert c.is_constant(sub) == _walk_constant(sub), (text, ast.dump(sub))


def test_expr_folds_constants_and_builds_ops():
    c, node = conv("v = x * (1 + 1/2) - 2**-1", x=4.0)
    var = c.expr(node)
    c.b.loss("v", var)
    g = c.b.build()
    assert [g.op_of(n).name for n in g.order if not g.is_leaf(n)] == ["mul", "sub"]
    assert sorted(float(g.default(n)) for n in g.leaves("const")) == [0.5, 1.5]


@pytest.mark.parametrize("text, col_, words", [
    ("v = x // 2", 7, "operator //"), ("v = nope(x)", 7, "unknown function 'nope'"),
    ("v = sigmoid(x, 1)", 18, "takes 1 operand"), ("v = leaky_relu(x, slop=1)", 26, "slop"),
    ("v = x * 1e400", 11, "float64"), ("v = x * (1/0)", 12, "finite"),
])
def test_conversion_errors_are_positioned(text, col_, words):
    c, node = conv(text, x=1.0)
    with pytest.raises(ParseError) as info:
        c.expr(node)
    assert (info.value.line, info.value.col) == (7, col_) and words in info.value.message
