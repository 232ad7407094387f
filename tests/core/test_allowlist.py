"""Line limits before ast, the allowlist after it, and the shortcuts that keep them linear
(each checked against the plain walk it replaces)."""

from __future__ import annotations

import ast
import random

import pytest

from gradviz.core.allowlist import (
    MAX_DEPTH,
    MAX_NESTING,
    MAX_TERMS,
    check_depth,
    check_line,
    col,
    names_in,
    parse_line,
    spelling,
)
from gradviz.core.errors import ParseError


def test_check_line_names_the_first_bracket_too_deep():
    text = "a = " + "(" * (MAX_NESTING + 5) + "x" + ")" * (MAX_NESTING + 5)
    with pytest.raises(ParseError) as info:
        check_line(text, 3, 2, is_value=False)
    assert (info.value.line, info.value.col) == (3, 2 + 4 + MAX_NESTING + 1)


def test_check_line_counts_terms_only_in_computed_lines():
    terms = "+".join(["x"] * (MAX_TERMS + 1))
    with pytest.raises(ParseError, match="too long"):
        check_line("a = " + terms, 1, 0, is_value=False)
    check_line("a: input = [" + ",".join(["1"] * (MAX_TERMS + 1)) + "]", 1, 0, is_value=True)


def test_parse_line_maps_syntax_errors_to_columns():
    with pytest.raises(ParseError) as info:
        parse_line("a = (1", 4, 3)
    assert info.value.line == 4 and info.value.col > 3
    with pytest.raises(ParseError, match="one statement per line"):
        parse_line("a = 1; b = 2", 1, 0)


def _walk_depth(node: ast.AST) -> int:
    children = [c for c in ast.iter_child_nodes(node)
                if not isinstance(c, (ast.expr_context, ast.operator, ast.unaryop))]
    return 1 + max((_walk_depth(c) for c in children), default=0)


@pytest.mark.parametrize("text", ["-" * 120 + "x", "f(" * 40 + "x" + ")" * 40,
                                  "[" * 60 + "1" + "]" * 60, "x" + "+x" * 60,
                                  "lambda: " * 20 + "1", "f'{x:{y}}'", "a.b.c.d.e",
                                  "[x for x in y for z in w]", "f(k=g(k=h(k=1)))"])
def test_a_tree_is_never_deeper_than_twice_its_text(text):
    # check_depth skips the walk for lines of at most MAX_DEPTH / 2 characters on this ground
    value = ast.parse(text, mode="eval").body
    assert _walk_depth(value) <= 2 * len(text)


def test_check_depth_still_rejects_deep_long_lines():
    text = "x" + "+x" * (MAX_DEPTH + 5)
    with pytest.raises(ParseError, match="too deep"):
        check_depth(ast.parse(text, mode="eval").body, 1, 0, text)


def _walk_names(value: ast.expr) -> list[str]:
    funcs = {id(c.func) for c in ast.walk(value) if isinstance(c, ast.Call)}
    return [n.id for n in ast.walk(value) if isinstance(n, ast.Name) and id(n) not in funcs]


def test_names_in_agrees_with_ast_walk_on_random_expressions():
    rng = random.Random(5)
    atoms = ["x", "y", "1", "2.5", "sigmoid(x)", "f(y, k=z)", "[a, b]", "-c", "g(h)(q)"]
    for _ in range(500):
        text = atoms[rng.randrange(len(atoms))]
        for _ in range(rng.randrange(6)):
            text = f"({text}) {rng.choice('+-*/@')} {rng.choice(atoms)}"
        value = ast.parse(text, mode="eval").body
        assert [n.id for n in names_in(value, 1, 0, text)] == _walk_names(value)


@pytest.mark.parametrize("text, col_, what", [
    ("a = x.y + z[0]", 5, "attribute"), ("a = f(**k) + 1", 7, "**kwargs"),
    ("a = x + (1, 2)", 9, "tuples"), ("a = f(*x)", 7, "*args"),
])
def test_names_in_rejects_the_first_construct_outside_the_allowlist(text, col_, what):
    value = ast.parse(text).body[0].value
    with pytest.raises(ParseError) as info:
        names_in(value, 2, 0, text)
    assert info.value.col == col_ and what in info.value.message


def test_columns_and_spellings_of_non_ascii_lines():
    text = "ｘé = x + é"
    st = ast.parse(text).body[0]
    assert spelling(text, st.targets[0]) == "ｘé" and st.targets[0].id == "xé"
    assert col(text, st.value.right.col_offset) == text.index("é", 3) + 1
