"""The graph file format: grammar, allowlist, positioned errors (DESIGN.md bad inputs 1, 2,
7-12), round trips through ``Graph.to_text()``, ``parse_value`` and the Python Builder."""

from __future__ import annotations

import builtins
import random
import time

import numpy as np
import pytest

import gradviz
from gradviz import (
    Builder,
    GradvizError,
    GraphError,
    ParseError,
    evaluate,
    example,
    examples,
    load,
    mlp,
    parse,
)
from gradviz.core.parse import parse_value

FAST = 2.0  # seconds: every bad input is rejected well within this


def error(text: str, cls: type[GradvizError] = GradvizError) -> GradvizError:
    """Parse ``text`` expecting a gradviz error of class ``cls`` (anything else fails)."""
    with pytest.raises(cls) as info:
        parse(text)
    return info.value


def check(e: GradvizError, line: int, col: int | tuple[int, ...], *words: str) -> None:
    """The error is positioned at ``line:col`` and its message contains every word."""
    cols = col if isinstance(col, tuple) else (col,)
    assert (e.line, e.col in cols) == (line, True), (e.line, e.col, e.message)
    for w in words:
        assert w.lower() in e.message.lower(), (w, e.message)
    assert str(e).startswith(f"<string>:{line}:{e.col}: "), str(e)
    assert "Traceback" not in e.message


def values(graph: gradviz.Graph) -> dict[str, np.ndarray]:
    t = evaluate(graph)
    return {n: t.value(n) for n in graph.named()}


def grads(graph: gradviz.Graph) -> dict[str, np.ndarray | None]:
    t = evaluate(graph)
    return {n: t.grad(n) for n in graph.named()}


def same_arrays(a: dict, b: dict) -> bool:
    if a.keys() != b.keys():
        return False
    for k in a:
        if (a[k] is None) != (b[k] is None):
            return False
        if a[k] is not None and not np.array_equal(a[k], b[k]):
            return False
    return True


# ====================================================================== 1: cycles
def test_self_cycle_names_the_path_and_line():
    e = error("x: input = 1\na = a + 1\nL: loss = a * x", GraphError)
    check(e, 2, 1, "cycle", "a -> a", "line 2")


def test_two_node_cycle_names_the_path_and_both_lines():
    e = error("x: input = 1\na = b + 1\nb = a * 2\nL: loss = a + x", GraphError)
    check(e, 2, 1, "cycle", "a -> b -> a")
    assert "2" in e.message and "3" in e.message and "lines" in e.message


def test_longer_cycle_through_an_op_call_in_any_statement_order():
    e = error("L: loss = c + x\nc = sigmoid(b)\nx: input = 1\nb = a * x\na = c - 1",
              GraphError)
    assert "cycle" in e.message
    # the path goes a -> b -> c -> a (in some rotation), with their lines 5, 4, 2
    path = e.message.split("cycle: ")[1].split(" (")[0].split(" -> ")
    assert path[0] == path[-1] and sorted(path[:-1]) == ["a", "b", "c"]
    for n in ("2", "4", "5"):
        assert n in e.message.split("(")[1]
    assert e.line in (2, 4, 5) and e.col == 1


# ============================================================= 2: repeated operands
def test_x_times_x_has_two_edges_and_gradient_2x():
    g = parse("x: input = 3\na = x * x\nL: loss = a")
    assert g.nx.number_of_edges("x", "a") == 2
    assert g.inputs("a") == ["x", "x"]
    t = evaluate(g)
    assert float(t.value("a")) == 9.0
    assert float(t.grad("x")) == 6.0  # 2x
    assert [float(e.contribution) for e in t.edges_into("a")] == [3.0, 3.0]
    np.testing.assert_array_equal(evaluate(g, x=[1.0, -2.0, 0.5]).grad("x"), [2.0, -4.0, 1.0])


def test_x_plus_x_keeps_two_edges():
    g = parse("x: input = 3\na = x + x\nL: loss = a * 1")
    assert g.nx.number_of_edges("x", "a") == 2
    assert float(evaluate(g).grad("x")) == 2.0


def test_x_squared_written_as_power_matches_product():
    g = parse("x: input = -1.5\nL: loss = x ** 2")
    assert float(evaluate(g).grad("x")) == -3.0


# ======================================================== 7: constants out of float64
BIG = "9" * 5000


@pytest.mark.parametrize("text, line, col, words", [
    ("x: input = 1e400\nL: loss = x * x", 1, 12, ["1e400", "float64"]),
    ("x: input = 1\nL: loss = x * 1e400", 2, 15, ["1e400", "float64"]),
    ("x: input = -1e400\nL: loss = x * x", 1, (12, 13), ["1e400", "float64"]),
    ("x: input = 1\nL: loss = x * -1e400", 2, (15, 16), ["1e400", "float64"]),
    ("x: input = 1e308*10\nL: loss = x * x", 1, 12, ["1e308*10", "finite"]),
    ("x: input = 1\nL: loss = x * (1e308*10)", 2, 16, ["1e308*10", "finite"]),
    ("x: input = 1/0\nL: loss = x * x", 1, 12, ["1/0", "division by zero"]),
    ("x: input = " + "9" * 4000 + "\nL: loss = x * x", 1, 12, ["too large", "float64"]),
    ("x: input = 0x" + "f" * 5000 + "\nL: loss = x * x", 1, 12, ["too large", "float64"]),
], ids=["1e400-leaf", "1e400-expr", "-1e400-leaf", "-1e400-expr", "1e308*10-leaf",
        "1e308*10-expr", "1/0", "4000-digits", "huge-hex"])
def test_constant_outside_float64_is_rejected_at_its_position(text, line, col, words):
    check(error(text, ParseError), line, col, *words)


@pytest.mark.parametrize("text, line, col", [
    (f"x: input = {BIG}\nL: loss = x * x", 1, 12),
    (f"x: input = 1\nL: loss = x + {BIG}", 2, 15),
], ids=["leaf", "expr"])
def test_5000_digit_integer_is_rejected_at_the_number_in_student_words(text, line, col):
    t0 = time.perf_counter()
    e = error(text, ParseError)
    assert time.perf_counter() - t0 < FAST
    assert e.line == line
    # Python's own advice ("use sys.set_int_max_str_digits()") means nothing to a student
    assert "sys." not in e.message and "set_int_max_str_digits" not in e.message, e.message
    assert e.col == col, (e.col, e.message)


@pytest.mark.parametrize("word", ["nan", "inf", "NaN", "Infinity"])
def test_nan_and_inf_are_names_not_floats(word):
    # as a leaf value: not a number
    check(error(f"x: input = {word}\nL: loss = x * x", ParseError), 1, 12, word,
          "not a number")
    # inside an expression: an undefined name, never float('nan')
    check(error(f"x: input = 1\nL: loss = x * {word}", GraphError), 2, 15,
          "undefined name", word)


def test_nan_is_an_ordinary_name_when_defined():
    g = parse("nan: input = 2\nL: loss = nan * 3")
    assert float(evaluate(g).value("L")) == 6.0


def test_largest_float64_and_underflow_are_accepted():
    g = parse("x: input = 1.7976931348623157e308\ny: input = 1e-400\nL: loss = y * 2")
    assert float(g.nx.nodes["x"]["value"]) == np.finfo(np.float64).max
    assert float(g.nx.nodes["y"]["value"]) == 0.0


# ============================================================ 8: too deep, too long
def test_201_nested_parentheses_are_too_deep():
    t0 = time.perf_counter()
    e = error("x: input = 1\nL: loss = " + "(" * 201 + "x" + ")" * 201, ParseError)
    assert time.perf_counter() - t0 < FAST
    check(e, 2, 111, "too deep")  # the 101st bracket, at column 10 + 101


def test_201_nested_brackets_in_a_leaf_value_are_too_deep():
    e = error("x: input = " + "[" * 201 + "1" + "]" * 201 + "\nL: loss = sum(x)", ParseError)
    check(e, 1, 112, "too deep")


def test_201_nested_calls_are_too_deep():
    e = error("x: input = 1\nL: loss = " + "sigmoid(" * 201 + "x" + ")" * 201, ParseError)
    assert e.line == 2 and "too deep" in e.message


def test_100k_term_line_is_too_long_and_fast():
    line = "L: loss = " + " + ".join(["x"] * 100_000)
    t0 = time.perf_counter()
    e = error("x: input = 1\n" + line, ParseError)
    assert time.perf_counter() - t0 < FAST
    check(e, 2, 1, "too long")


def test_many_terms_within_the_character_limit_are_too_long():
    # 6000 terms in 12k characters: under the line limit, over the term limit
    e = error("x: input = 1\nL: loss = " + "+".join(["x"] * 6000), ParseError)
    check(e, 2, 1, "too long")


@pytest.mark.parametrize("n", [249, 250, 251])
def test_chain_at_the_depth_limit_parses_or_is_too_deep_not_a_crash(n):
    # MAX_DEPTH = 250 levels: around the limit either answer is fine, a crash is not
    try:
        g = parse("x: input = 1\nL: loss = " + " + ".join(["x"] * n))
    except ParseError as e:
        assert e.line == 2 and "too deep" in e.message
    else:
        assert float(evaluate(g).value("L")) == n


@pytest.mark.parametrize("n", [300, 1000, 2400])
def test_long_chain_of_additions_is_too_deep_not_a_crash(n):
    # a left-nested chain x + x + ... deeper than MAX_DEPTH: a ParseError, never an
    # AttributeError/RecursionError escaping from the parser
    t0 = time.perf_counter()
    e = error("x: input = 1\nL: loss = " + " + ".join(["x"] * n), ParseError)
    assert time.perf_counter() - t0 < FAST
    assert e.line == 2 and "too deep" in e.message and e.col is not None


@pytest.mark.parametrize("op", ["*", "-", "/"])
def test_long_chain_of_other_binary_operators_is_too_deep_not_a_crash(op):
    e = error("x: input = 1\nL: loss = " + f" {op} ".join(["x"] * 400), ParseError)
    assert e.line == 2 and "too deep" in e.message


def test_long_unary_chain_is_too_deep():
    e = error("x: input = 1\nL: loss = " + "-" * 300 + "x", ParseError)
    assert e.line == 2 and "too deep" in e.message


def test_chain_just_under_the_depth_limit_works():
    g = parse("x: input = 1\nL: loss = " + " + ".join(["x"] * 200))
    assert float(evaluate(g).value("L")) == 200.0
    assert float(evaluate(g).grad("x")) == 200.0


# ================================================================== 9: the allowlist
REJECTED = [
    ("import os", 1, 1, ["import", "not allowed"]),
    ("from os import path", 1, 1, ["import", "not allowed"]),
    ("x: input = 1\nL: loss = __import__('os')", 2, 11, ["unknown function", "__import__"]),
    ("x: input = 1\nL: loss = x.y", 2, 11, ["attribute", "not allowed"]),
    ("x: input = 1\nL: loss = x.real * 2", 2, 11, ["attribute"]),
    ("x: input = [1, 2]\nL: loss = x[0]", 2, 11, ["subscript", "index(x, i)"]),
    ("x: input = 1\nL: loss = lambda: 1", 2, 11, ["lambda", "not allowed"]),
    ("x: input = 1\nL: loss = foo(x)", 2, 11, ["unknown function", "foo"]),
    ("x: input = 1\nL: loss = sigmod(x)", 2, 11, ["unknown function", "did you mean sigmoid"]),
    ('x: input = 1\nL: loss = eval("1")', 2, 11, ["unknown function", "eval"]),
    ('x: input = 1\nL: loss = open("f")', 2, 11, ["unknown function", "open"]),
    ("x: input = 1\nL: loss = exec('x')", 2, 11, ["unknown function", "exec"]),
    ("x: input = 'a'\nL: loss = x * x", 1, 12, ["str", "not allowed"]),
    ('x: input = 1\nL: loss = x * "a"', 2, 15, ["str", "not allowed"]),
    ("x: input = 1\nL: loss = f'{x}'", 2, 11, ["string", "not allowed"]),
    ("x: input = b'1'\nL: loss = x * x", 1, 12, ["bytes", "not allowed"]),
    ("x: input = True\nL: loss = x * x", 1, 12, ["bool", "not allowed"]),
    ("x: input = 1j\nL: loss = x * x", 1, 12, ["complex", "not allowed"]),
    ("x: input = None\nL: loss = x * x", 1, 12, ["not allowed"]),
    ("x: input = 1\nL: loss = x < 2", 2, 11, ["comparison", "not allowed"]),
    ("x: input = 1\nL: loss = x == x", 2, 11, ["comparison", "not allowed"]),
    ("a: input = 1\nb: input = 1\nc: input = 1\nL: loss = a if b else c", 4, 11,
     ["conditional", "not allowed"]),
    ("x: input = 1\nL: loss = x and x", 2, 11, ["and/or", "not allowed"]),
    ("x: input = 1\nL: loss = x // 2", 2, 11, ["//", "not allowed"]),
    ("x: input = 1\nL: loss = x % 2", 2, 11, ["%", "not allowed"]),
    ("x: input = 1\nL: loss = x | 2", 2, 11, ["|", "not allowed"]),
    ("x: input = 1\nL: loss = not x", 2, 11, ["not", "not allowed"]),
    ("x: input = 1\nL: loss = ~x", 2, 11, ["~", "not allowed"]),
    ("x: input = 1\nL: loss = sigmoid(x, **kwargs)", 2, 22, ["**kwargs", "not allowed"]),
    ("x: input = 1\nL: loss = sigmoid(*args)", 2, 19, ["*args", "not allowed"]),
    ("x: input = 1\nL: loss = (y := x)", 2, 12, ["walrus", "not allowed"]),
    ("x: input = 1\nL: loss = x, x", 2, 11, ["tuple", "[a, b]"]),
    ("x: input = 1\nL: loss = {1: x}", 2, 11, ["dict", "not allowed"]),
    ("x: input = 1\nL: loss = {x}", 2, 11, ["set", "not allowed"]),
    ("x: input = 1\nL: loss = sum([x for _ in [x]])", 2, 15, ["comprehension"]),
    ("x: input = 1\nx += 1", 2, 1, ["+=", "not allowed"]),
    ("def f(): pass", 1, 1, ["function definition", "not allowed"]),
    ("class A: pass", 1, 1, ["not allowed"]),
    ("del x", 1, 1, ["not allowed"]),
    ("global x", 1, 1, ["not allowed"]),
    ("x: input = 1; y: input = 2\nL: loss = x * y", 1, 1, ["one statement per line"]),
    ("x: input = 1\nL: loss = print('hi')", 2, 11, ["unknown function", "print"]),
    ("x: input = sigmoid(1)\nL: loss = x * x", 1, 12, ["not allowed"]),
    ("x: input = 1\ny: input = x\nL: loss = y * x", 2, 12, ["'x' is not a number"]),
    ("x.y = 1", 1, 1, ["plain name"]),
    ("x: input = 1\nL: loss = sigmoid * x", 2, 11, ["'sigmoid' is an op", "sigmoid(x)"]),
]


@pytest.mark.parametrize("text, line, col, words", REJECTED,
                         ids=[t.splitlines()[-1][:40] for t, *_ in REJECTED])
def test_outside_the_allowlist_is_rejected_with_position(text, line, col, words):
    t0 = time.perf_counter()
    check(error(text), line, col, *words)
    assert time.perf_counter() - t0 < FAST


@pytest.mark.parametrize("text, words", [
    ("x: input = 1\nkwargs: input = 2\nL: loss = sigmoid(x, **kwargs)", ["**kwargs"]),
    ("x: input = 1\ny: input = 2\nL: loss = (y := x)", ["walrus"]),
])
def test_kwargs_and_walrus_are_rejected_when_their_names_exist(text, words):
    check(error(text, ParseError), 3, (12, 22), *words)


def test_the_text_is_never_evaled(monkeypatch, tmp_path, capsys):
    def forbidden(*args, **kwargs):
        raise AssertionError("gradviz called eval/exec on graph text")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    for name in examples():  # every built-in example parses and evaluates without them
        evaluate(example(name))
    marker = tmp_path / "pwned"
    attacks = [
        f"x: input = 1\nL: loss = __import__('os').system('touch {marker}')",
        f"x: input = 1\nL: loss = x * open('{marker}', 'w').close()",
        f"x: input = __import__('pathlib').Path('{marker}').touch()\nL: loss = x * x",
        f"x: input = 1\nL: loss = [__import__('os').mkdir('{marker}'), x][1]",
        "x: input = 1\nL: loss = print('HACKED') + x",
        "x: input = 1\nL: loss = leaky_relu(x, slope=print('HACKED'))",
    ]
    for text in attacks:
        with pytest.raises(GradvizError):
            parse(text)
    assert not marker.exists()
    assert "HACKED" not in capsys.readouterr().out


# ========================================================= 10: 2**10**10 and friends
@pytest.mark.parametrize("text, line, col", [
    ("x: input = 2**10**10\nL: loss = x * x", 1, 12),
    ("x: input = 1\nL: loss = x * 2**10**10", 2, 15),
    ("x: input = 1\nL: loss = x * 10**400", 2, 15),
    ("x: input = 1\nL: loss = leaky_relu(x, slope=9**9**9)", 2, 31),
    ("x: input = (-8) ** 0.5\nL: loss = x * x", 1, 12),
])
def test_huge_powers_are_rejected_quickly(text, line, col):
    t0 = time.perf_counter()
    check(error(text, ParseError), line, col, "finite")
    assert time.perf_counter() - t0 < FAST


def test_power_of_a_name_with_a_huge_folded_exponent_is_a_float64():
    g = parse("x: input = 1\nL: loss = x ** 10**10")
    (const,) = [n for n in g.nx if g.kind(n) == "const"]
    v = g.nx.nodes[const]["value"]
    assert v.dtype == np.float64 and float(v) == 1e10
    assert float(evaluate(g).value("L")) == 1.0


# ========================================================= 11: positioned mistakes
def test_undefined_name_with_did_you_mean():
    e = error("weight: param = 2\nx: input = 1\nL: loss = wieght * x", GraphError)
    check(e, 3, 11, "undefined name 'wieght'", "did you mean 'weight'")


def test_undefined_name_without_a_close_match_has_no_hint():
    e = error("x: input = 1\nL: loss = x * qqq", GraphError)
    check(e, 2, 15, "undefined name 'qqq'")
    assert "did you mean" not in e.message


def test_undefined_name_on_a_later_line_after_forward_references():
    e = error("L: loss = a * 2\na = x + y\nx: input = 1", GraphError)
    check(e, 2, 9, "undefined name 'y'")


def test_duplicate_assignment_names_the_first_line():
    e = error("x: input = 1\ny: input = 2\nx = y * 2\nL: loss = x", GraphError)
    check(e, 3, 1, "'x'", "twice", "line 1")


def test_duplicate_leaf_names_the_first_line():
    e = error("\n# comment\nW: param = 1\nW: param = 2\nL: loss = W * 2", GraphError)
    check(e, 4, 1, "'W'", "line 3")


@pytest.mark.parametrize("text", ["", "\n\n   \n", "# just a comment\n# another",
                                  "#: title: only metadata\n#: asks: L\n"],
                         ids=["empty", "blank", "comments", "metadata"])
def test_empty_graph_is_a_positioned_error(text):
    check(error(text, ParseError), 1, 1, "empty graph")


def test_missing_equals_between_name_and_expression():
    e = error("W1: param = 1\nX: input = 1\nH1 W1 * X\nL: loss = W1 * X", ParseError)
    check(e, 3, (3, 4), "missing '='")


def test_bare_name_is_missing_equals():
    check(error("x: input = 1\nx", ParseError), 2, 1, "missing '='")


def test_bare_expression_is_missing_equals():
    check(error("x: input = 1\n  sigmoid(x)", ParseError), 2, 3, "missing '='")


def test_unknown_leaf_kind():
    e = error("x: foo = 1\nL: loss = x * x", ParseError)
    check(e, 1, 4, "input", "param", "target", "const", "loss")


def test_leaf_without_value():
    check(error("x: input\nL: loss = x * x", ParseError), 1, 1, "missing '= value'",
          "x: input")


def test_loss_without_value():
    check(error("x: input = 1\nL: loss", ParseError), 2, 1, "missing '= value'")


def test_chained_assignment():
    e = error("x: input = 1\na = b = x\nL: loss = a", ParseError)
    check(e, 2, 1, "one name per assignment")


@pytest.mark.parametrize("text, line, col, words", [
    ("x: input = [[1, 2], [3]]\nL: loss = sum(x)", 1, 12, ["rows of different lengths"]),
    ("x: input = []\nL: loss = sum(x)", 1, 12, ["empty list"]),
    ("z: input = 1\nL: loss = sigmoid()", 2, 11, ["sigmoid takes 1 operand"]),
    ("z: input = 1\nL: loss = leaky_relu(z, z)", 2, 25, ["slope", "must be a number"]),
    ("z: input = 1\nL: loss = leaky_relu(z, 0.1, slope=0.2)", 2, 36, ["given twice"]),
    ("x: input = 1\nL: loss = x +", 2, (12, 13, 14), ["syntax"]),
])
def test_other_positioned_mistakes(text, line, col, words):
    check(error(text), line, col, *words)


# =================================================== 12: bytes, line endings, Unicode
INTERESTING = example("interesting").text


def test_nul_byte_is_rejected_with_its_position():
    check(error("x: input = 1\nL: loss = x\0 * x", ParseError), 2, 12, "NUL")
    check(error("# a comment\0\nx: input = 1\nL: loss = x * x", ParseError), 1, 12, "NUL")


def _tabbed(text: str) -> str:
    out = []
    for line in text.splitlines():
        out.append(line if line.startswith("#") else "\t" + line.replace(" ", "\t"))
    return "\n".join(out)


@pytest.mark.parametrize("variant", [
    lambda t: t.replace("\n", "\r\n"),
    lambda t: "\ufeff" + t,
    lambda t: "\ufeff" + t.replace("\n", "\r\n"),
    _tabbed,
    lambda t: "\ufeff" + _tabbed(t).replace("\n", "\r\n"),
    lambda t: t.replace("\n", "   \n"),
], ids=["crlf", "bom", "bom+crlf", "tabs", "all", "trailing-spaces"])
def test_line_ending_bom_and_tab_variants_give_the_same_graph(variant):
    plain = parse(INTERESTING, name="interesting")
    g = parse(variant(INTERESTING), name="interesting")
    assert g.to_text() == plain.to_text()
    assert g.order == plain.order and g.asks == plain.asks and g.title == plain.title
    assert same_arrays(values(g), values(plain)) and same_arrays(grads(g), grads(plain))


def test_load_reads_bom_and_crlf_bytes(tmp_path):
    p = tmp_path / "interesting.grad"
    p.write_bytes(b"\xef\xbb\xbf" + INTERESTING.replace("\n", "\r\n").encode("utf-8"))
    g = load(p)
    assert g.name == "interesting"
    assert g.to_text() == example("interesting").to_text()


def test_positions_with_crlf_bom_and_tabs():
    e = error("\ufeffx: input = 1\r\n\tL: loss = y * x\r\n", GraphError)
    check(e, 2, 12, "undefined name 'y'")


@pytest.mark.parametrize("sep", ["\x0c", "\u2028", "\x85"], ids=["formfeed", "U+2028", "NEL"])
def test_unusual_line_separators_do_not_shift_line_numbers(sep):
    # Python's tokenizer and text editors do not break lines at these characters, so
    # the error for `y` must stay on line 3 (as the student's editor shows it)
    text = f"# page one{sep} continued\nx: input = 1\nL: loss = y * x\n"
    e = error(text, GraphError)
    check(e, 3, 11, "undefined name 'y'")


@pytest.mark.parametrize("text, line, col, a, b", [
    ("fi: input = 1\nL: loss = \ufb01 * 2", 2, 11, "\ufb01", "fi"),
    ("\ufb01: input = 1\nL: loss = fi * 2", 2, 11, "fi", "\ufb01"),
    ("\ufb01: input = 1\nfi: input = 2\nL: loss = fi * 2", 2, 1, "fi", "\ufb01"),
    ("x: input = 1\nL: loss = \uff58 * 2 + x", 2, 11, "\uff58", "x"),
    ("\U0001d431: input = 1\nL: loss = x * 2", 2, 11, "x", "\U0001d431"),
], ids=["ligature-ref", "ligature-def", "ligature-two-defs", "fullwidth", "math-bold"])
def test_nfkc_colliding_names_are_detected_naming_both_spellings(text, line, col, a, b):
    e = error(text, GraphError)
    check(e, line, col, "NFKC", repr(a), repr(b))
    assert "line" in e.message


def test_superscript_name_is_rejected_at_the_character():
    # `x²` is not an identifier at all (Python's tokenizer), so it cannot silently become x2
    e = error("x2: input = 1\nL: loss = x\u00b2 * 2", ParseError)
    check(e, 2, 12, "\u00b2")


def test_nfkc_spelling_used_consistently_is_fine_and_kept_as_label():
    g = parse("\ufb01: input = 2\nL: loss = \ufb01 * \ufb01")
    assert float(evaluate(g).grad("fi")) == 4.0
    assert g.nx.nodes["fi"]["label"] == "\ufb01"


def test_non_utf8_file_is_a_parse_error_with_the_file_name(tmp_path):
    p = tmp_path / "latin1.grad"
    p.write_bytes("x: input = 1\n# caf\u00e9\nL: loss = x * x\n".encode("latin-1"))
    with pytest.raises(ParseError) as info:
        load(p)
    assert str(p) in str(info.value) and "UTF-8" in info.value.message


# ================================================================ grammar features
def test_forward_references_in_any_order():
    text = "L: loss = (H - Y) ** 2\nH = W * X + B\nY: target = 1\nX: input = 2\n" \
           "W: param = 3\nB: param = -1"
    g = parse(text)
    assert g.loss == "L" and g.order.index("H") < g.order.index("L")
    t = evaluate(g)
    assert float(t.value("H")) == 5.0 and float(t.value("L")) == 16.0
    assert float(t.grad("W")) == 16.0  # 2 (H - Y) X


def test_vectors_matrices_and_matmul():
    g = parse("W: param = [[1, 2], [3, 4]]\nx: input = [1, -1]\nb: param = [0.5, 0.5]\n"
              "z = W @ x + b\nL: loss = sum(z)")
    t = evaluate(g)
    np.testing.assert_array_equal(t.value("z"), [-0.5, -0.5])
    np.testing.assert_array_equal(t.grad("W"), [[1.0, -1.0], [1.0, -1.0]])
    np.testing.assert_array_equal(t.grad("x"), [4.0, 6.0])
    np.testing.assert_array_equal(t.grad("b"), [1.0, 1.0])
    assert t.value("W").shape == (2, 2)


def test_stacking_scalars_into_a_vector():
    g = parse("a: input = 1\nb: input = 2\nv = [a, b * 3]\nw: param = [2, -1]\n"
              "L: loss = w @ v")
    t = evaluate(g)
    np.testing.assert_array_equal(t.value("v"), [1.0, 6.0])
    assert float(t.value("L")) == -4.0
    assert float(t.grad("a")) == 2.0 and float(t.grad("b")) == -3.0
    assert g.nx.nodes["v"]["op"] == "stack"


def test_op_parameters_by_keyword_or_position():
    base = "z: input = -2\n"
    pos = parse(base + "L: loss = leaky_relu(z, 0.1)")
    kw = parse(base + "L: loss = leaky_relu(z, slope=0.1)")
    default = parse(base + "L: loss = leaky_relu(z)")
    assert pos.nx.nodes["L"]["params"] == kw.nx.nodes["L"]["params"] == {"slope": 0.1}
    assert same_arrays(values(pos), values(kw)) and same_arrays(grads(pos), grads(kw))
    assert float(evaluate(kw).value("L")) == pytest.approx(-0.2)
    assert float(evaluate(kw).grad("z")) == pytest.approx(0.1)
    slope = dict(gradviz.OPS["leaky_relu"].params)["slope"]  # the op table's default
    assert float(evaluate(default).value("L")) == pytest.approx(-2 * slope)
    other = parse(base + "L: loss = leaky_relu(z, slope=0.01)")
    assert float(evaluate(other).value("L")) == pytest.approx(-0.02)


def test_wrong_parameter_name_is_an_error_listing_the_right_ones():
    e = error("z: input = 1\nL: loss = leaky_relu(z, slop=0.1)", ParseError)
    check(e, 2, (25, 30), "no parameter 'slop'", "slope")


def test_parameter_on_an_op_without_parameters():
    e = error("z: input = 1\nL: loss = sigmoid(z, slope=0.1)", ParseError)
    check(e, 2, (22, 28), "no parameter 'slope'", "none")


def test_too_many_arguments_is_an_error():
    e = error("z: input = 1\nL: loss = leaky_relu(z, 0.1, 3)", ParseError)
    check(e, 2, 30, "leaky_relu takes 1 operand", "slope")
    e = error("a: input = 1\nb: input = 2\nL: loss = sigmoid(a, b)", ParseError)
    check(e, 3, 22, "sigmoid takes 1 operand")


def test_unary_minus_and_plus():
    g = parse("x: input = 3\na = -x\nb = +x\nL: loss = a * b - -x")
    t = evaluate(g)
    assert float(t.value("a")) == -3.0 and float(t.value("b")) == 3.0
    assert float(t.value("L")) == -6.0
    assert float(t.grad("x")) == -5.0  # d(-x^2 + x)/dx


def test_negative_leaf_values_and_negative_constants():
    g = parse("x: input = -2.5\nW: param = [-1, -0.5]\nL: loss = x * -2 + sum(W)")
    t = evaluate(g)
    assert float(t.value("L")) == 3.5
    np.testing.assert_array_equal(t.value("W"), [-1.0, -0.5])


def test_constant_folding_in_float64():
    g = parse("c: const = 1/3\nr: const = 2**0.5\nx: input = 3\nL: loss = x * (1/3) + x * 2**0.5")
    assert float(g.nx.nodes["c"]["value"]) == 1 / 3
    assert float(g.nx.nodes["r"]["value"]) == 2 ** 0.5
    consts = sorted(float(d["value"]) for n, d in g.nx.nodes(data=True)
                    if d.get("generated") and d["kind"] == "const")
    assert consts == sorted([1 / 3, 2 ** 0.5])  # folded: no div/pow node for them
    assert {d.get("op") for _, d in g.nx.nodes(data=True)} == {None, "mul", "add"}
    assert float(evaluate(g).value("L")) == 3 * (1 / 3) + 3 * 2 ** 0.5


def test_metadata_title_source_and_asks():
    g = parse("#: title: A: graph\n#: source: PS 2, q 3\n#: asks: L Yhat ∇W grad(x) grad( b )\n"
              "x: input = 1\nW: param = 2\nb: param = 0\nYhat = sigmoid(W * x + b)\n"
              "L: loss = (Yhat - 1) ** 2")
    assert g.title == "A: graph" and g.source == "PS 2, q 3"
    assert g.asks == ("L", "Yhat", "∇W", "∇x", "∇b")


def test_asks_naming_a_missing_node_is_a_positioned_error():
    e = error("x: input = 1\n#: asks: L ∇q\nL: loss = x * x", GraphError)
    assert "'∇q'" in e.message
    assert e.line == 2, e  # every error names its line


def test_comments_at_line_end_and_on_their_own_lines():
    g = parse("# a graph\nx: input = 2   # the input\n\n   # indented comment\n"
              "L: loss = x * x  # squared")
    assert g.order == ["x", "L"] and float(evaluate(g).value("L")) == 4.0


def test_output_role_and_implicit_single_sink():
    g = parse("x: input = 2\ny: input = 3\nw: output = x * y")
    assert g.loss == "w" and g.nx.nodes["w"]["role"] == "output"
    g = parse("x: input = 2\ny = x * 3")
    assert g.loss == "y"


def test_two_losses_and_several_sinks_are_graph_errors():
    e = error("x: input = 1\nL: loss = x * 2\nM: loss = x * 3", GraphError)
    check(e, 3, 1, "second loss", "'L'")
    e = error("x: input = 1\na = x * 2\nb = x * 3", GraphError)
    assert "no loss" in e.message and "a, b" in e.message


def test_load_reads_a_file_and_names_the_graph(tmp_path):
    p = tmp_path / "square.grad"
    p.write_text("#: title: Square\nx: input = 3\nL: loss = x ** 2\n", encoding="utf-8")
    g = load(p)
    assert (g.name, g.title, g.file) == ("square", "Square", str(p))
    assert float(evaluate(g).grad("x")) == 6.0
    assert load(str(p)).to_text() == g.to_text()


@pytest.mark.parametrize("body, line, col", [
    ("x: input = 1\nL: loss = y * x\n", 2, 11),
    ("x: input = 1\nL: loss = x // 2\n", 2, 11),
    ("x: input = 1e400\nL: loss = x\n", 1, 12),
    ("a = b + 1\nb = a\nL: loss = a\n", 1, 1),
])
def test_load_errors_carry_the_file_name(tmp_path, body, line, col):
    p = tmp_path / "bad.grad"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(GradvizError) as info:
        load(p)
    e = info.value
    assert (e.source, e.line, e.col) == (str(p), line, col)
    assert str(e).startswith(f"{p}:{line}:{col}: ") and str(e).endswith(e.message)


def test_missing_file_is_a_gradviz_error(tmp_path):
    with pytest.raises(GradvizError) as info:
        load(tmp_path / "nope.grad")
    assert "nope.grad" in str(info.value)


def test_parse_names_the_source_in_errors():
    with pytest.raises(GraphError) as info:
        parse("L: loss = y", source="mine.grad")
    assert str(info.value) == "mine.grad:1:11: undefined name 'y'"


# ======================================================================= round trips
def _assert_round_trip(g: gradviz.Graph) -> None:
    text = g.to_text()
    g2 = parse(text, name=g.name)
    assert g2.to_text() == text  # a fixed point
    assert g2.loss == g.loss and g2.asks == g.asks and g2.title == g.title
    assert g2.named() == g.named()
    t1, t2 = evaluate(g), evaluate(g2)
    for n in g.named():
        np.testing.assert_array_equal(t2.value(n), t1.value(n), err_msg=n)
        if t1.grad(n) is None:
            assert t2.grad(n) is None
        else:
            np.testing.assert_array_equal(t2.grad(n), t1.grad(n), err_msg=n)


@pytest.mark.parametrize("name", examples())
def test_to_text_round_trips_every_example(name):
    _assert_round_trip(example(name))
    _assert_round_trip(gradviz.example(name))


@pytest.mark.parametrize("kw", [{}, {"granularity": "layer"},
                                {"activation": "tanh", "output": "sigmoid", "loss": "bce"}])
def test_to_text_round_trips_mlp(kw):
    _assert_round_trip(mlp([2, 3, 1], **kw))


def test_to_text_round_trips_folded_constants_and_parameters_exactly():
    g = parse("x: input = 2\nz: input = -1\n"
              "L: loss = x * (1/3) + x ** 2**0.5 + leaky_relu(z, 1/3) + x * 0.1")
    _assert_round_trip(g)


def _random_expr(rng: random.Random, depth: int) -> tuple[str, bool]:
    """A random expression over a, b, c; returns (text, is_constant_only)."""
    if depth == 0 or rng.random() < 0.25:
        tok = rng.choice(["a", "b", "c", "2", "0.5", "3"])
        return tok, not tok.isalpha()
    k = rng.random()
    if k < 0.55:
        op = rng.choice(["+", "-", "*", "/", "**"])
        (lhs, lc), (rhs, rc) = _random_expr(rng, depth - 1), _random_expr(rng, depth - 1)
        if op == "/" and lc and rc:  # 1/3 folding is checked exactly above
            op = "*"
        if op == "**":
            lhs, rhs, lc, rc = f"abs({lhs}) + 1", f"sigmoid({rhs})", False, False
        wrap = rng.random() < 0.7
        return (f"({lhs}) {op} ({rhs})" if wrap else f"{lhs} {op} {rhs}"), lc and rc
    if k < 0.7:
        inner, c = _random_expr(rng, depth - 1)
        return (f"-({inner})" if rng.random() < 0.5 else f"-{inner}"), c
    f = rng.choice(["sigmoid", "tanh", "leaky_relu", "max", "min", "relu"])
    (x, _), (y, _) = _random_expr(rng, depth - 1), _random_expr(rng, depth - 1)
    return (f"{f}({x}, {y})" if f in ("max", "min") else f"{f}({x})"), False


def test_to_text_round_trips_random_expressions():
    rng = random.Random(2024)
    checked = 0
    for _ in range(300):
        expr, _ = _random_expr(rng, 4)
        text = "a: input = 0.7\nb: input = -1.3\nc: input = 2.1\nL: loss = " + expr
        try:
            g = parse(text)
            evaluate(g)
        except GradvizError:
            continue  # e.g. a constant-only loss, or a non-finite value
        g2 = parse(g.to_text())
        assert float(evaluate(g2).value("L")) == float(evaluate(g).value("L")), \
            (expr, g.to_text())
        checked += 1
    assert checked > 200


# ======================================================================= parse_value
@pytest.mark.parametrize("text, value", [
    ("2", 2.0), ("-1.5", -1.5), (" 1/3 ", 1 / 3), ("2**0.5", 2 ** 0.5),
    ("[1, -1]", [1.0, -1.0]), ("[0.5,-1]", [0.5, -1.0]), ("[[1, 2], [3, 4]]", [[1, 2], [3, 4]]),
    ("[1, -1/2]", [1.0, -0.5]), ("1e-3", 0.001),
])
def test_parse_value_accepts_numbers_and_lists(text, value):
    assert parse_value(text) == value


@pytest.mark.parametrize("text", [
    "abc", "nan", "inf", "1e400", "2**10**10", "__import__('os')", "'1'", "[1, [2]]",
    "[[1, 2], [3]]", "[]", "1 +", "x[0]", "[" * 200 + "1" + "]" * 200, "1\0", "9" * 5000,
    "True", "sigmoid(1)", "1; 2",
])
def test_parse_value_rejects_everything_else(text):
    t0 = time.perf_counter()
    with pytest.raises(ParseError) as info:
        parse_value(text, what="--set X1")
    assert info.value.message.startswith("--set X1")
    assert time.perf_counter() - t0 < FAST


# ============================================================================ Builder
def test_builder_operators():
    b = Builder()
    x, y = b.input("x", 2.0), b.param("y", 3.0)
    v = b.input("v", [1.0, 2.0])
    W = b.param("W", [[1.0, 0.0], [0.0, -1.0]])
    exprs = {
        "add": (x + y, 5.0), "radd": (1 + x, 3.0), "sub": (x - y, -1.0), "rsub": (1 - x, -1.0),
        "mul": (x * y, 6.0), "rmul": (2 * x, 4.0), "div": (x / y, 2 / 3), "rdiv": (1 / x, 0.5),
        "pow": (x ** 2, 4.0), "rpow": (2 ** x, 4.0), "neg": (-x, -2.0), "pos": (+x, 2.0),
    }
    lets = {k: b.let(k, e) for k, (e, _) in exprs.items()}
    mv = b.let("mv", W @ v)
    b.loss("L", b.sum(mv) + sum(list(lets.values()), start=b.const(0.0)))
    t = evaluate(b.build())
    for k, (_, want) in exprs.items():
        assert float(t.value(k)) == pytest.approx(want), k
    np.testing.assert_array_equal(t.value("mv"), [1.0, -2.0])


def test_builder_op_and_named_op_methods():
    b = Builder()
    x = b.input("x", 0.0)
    z = b.input("z", -2.0)
    s = b.let("s", b.sigmoid(x))
    m = b.let("m", b.op("mul", x, 3.0))
    lr1 = b.let("lr1", b.leaky_relu(z, slope=0.2))
    lr2 = b.let("lr2", b.op("leaky_relu", z, slope=0.2))
    b.loss("L", s + m + lr1 + lr2)
    t = evaluate(b.build())
    assert float(t.value("s")) == 0.5
    assert float(t.value("lr1")) == float(t.value("lr2")) == pytest.approx(-0.4)
    assert float(t.grad("x")) == pytest.approx(0.25 + 3.0)
    assert float(t.grad("z")) == pytest.approx(0.4)
    with pytest.raises(AttributeError):
        b.no_such_op  # noqa: B018
    with pytest.raises(GraphError, match="unknown op"):
        b.op("no_such_op", x)
    with pytest.raises(GraphError, match="no parameter 'slop'"):
        b.leaky_relu(z, slop=0.1)
    with pytest.raises(GraphError, match="takes 1 operand"):
        b.op("sigmoid", x, z)


def test_builder_stack_from_a_list():
    b = Builder()
    x, y = b.input("x", 1.0), b.input("y", 2.0)
    w = b.param("w", [3.0, 4.0])
    b.loss("L", w @ [x, y])
    t = evaluate(b.build())
    assert float(t.value("L")) == 11.0 and float(t.grad("y")) == 4.0


def test_builder_let_loss_output_and_generated_names():
    b = Builder(title="t", asks=["L", "∇x"])
    x, y, z = b.input("x", 2), b.input("y", 3), b.input("z", -1)
    a = b.let("a", x * y + z)
    b.output("w", a * b.let("c", (x + x) * a))
    g = b.build()
    assert g.loss == "w" and g.title == "t" and g.asks == ("L", "∇x")
    assert "a.1" in g.nx and g.nx.nodes["a.1"]["generated"]
    assert g.named() == ["x", "y", "z", "a", "c", "w"]
    t = evaluate(g)
    assert float(t.value("w")) == 100.0 and float(t.grad("x")) == 170.0


def test_builder_let_of_a_leaf_or_number_is_its_own_node():
    b = Builder()
    x = b.input("x", 2.0)
    b.let("y", x)
    b.loss("L", b.let("k", 5) * x)
    g = b.build()
    assert g.nx.nodes["y"]["op"] == "identity" and g.inputs("y") == ["x"]
    assert float(evaluate(g).value("L")) == 10.0


@pytest.mark.parametrize("second", ["input", "let", "loss"])
def test_builder_rejects_duplicate_names(second):
    b = Builder()
    x = b.input("x", 1.0)
    b.let("h", x * 2)
    with pytest.raises(GraphError, match="'h' is defined twice"):
        {"input": lambda: b.input("h", 2.0), "let": lambda: b.let("h", x * 3),
         "loss": lambda: b.loss("h", x * 3)}[second]()


@pytest.mark.parametrize("first, second", [("fi", "\ufb01"), ("\ufb01", "fi"),
                                           ("x", "\uff58"), ("\uff58", "x")])
def test_builder_rejects_nfkc_colliding_names_in_either_order(first, second):
    b = Builder()
    b.input(first, 1.0)
    with pytest.raises(GraphError, match="NFKC"):
        b.input(second, 2.0)


@pytest.mark.parametrize("name", ["", "a\0b", 3])
def test_builder_rejects_invalid_names(name):
    with pytest.raises(GraphError, match="invalid name"):
        Builder().input(name, 1.0)


def test_builder_rejects_a_second_loss():
    b = Builder()
    x = b.input("x", 1.0)
    b.loss("L", x * 2)
    with pytest.raises(GraphError, match="second loss 'M'.*'L'"):
        b.loss("M", x * 3)
    with pytest.raises(GraphError, match="second output"):
        b.output("O", x * 4)


def test_builder_without_loss():
    b = Builder()
    x = b.input("x", 1.0)
    b.let("a", x * 2)
    b.let("c", x * 3)
    with pytest.raises(GraphError, match=r"no loss.*candidates: a, c"):
        b.build()
    b = Builder()
    x = b.input("x", 1.0)
    b.let("only", x * 2)
    assert b.build().loss == "only"  # a single sink is the loss
    b = Builder()
    b.input("x", 1.0)
    with pytest.raises(GraphError, match="no loss"):
        b.build()
    with pytest.raises(GraphError, match="empty"):
        Builder().build()


def test_builder_rejects_values_from_another_builder_and_bad_leaves():
    b1, b2 = Builder(), Builder()
    x = b1.input("x", 1.0)
    with pytest.raises(GraphError, match="another Builder"):
        b2.let("y", x * 2)
    for bad in (float("nan"), float("inf"), [[[1.0]]], "abc", [[1.0, 2.0], [3.0]]):
        with pytest.raises(GraphError):
            Builder().input("x", bad)
    with pytest.raises(GraphError, match="unknown leaf kind"):
        Builder().leaf("x", "weight", 1.0)


def test_builder_graph_round_trips_through_text():
    b = Builder(title="built")
    x, w = b.input("x", [1.0, -2.0]), b.param("w", [0.25, 0.5])
    h = b.let("h", b.tanh(w @ x) * 2 - 1 / 3)
    b.loss("L", (h - 1) ** 2)
    _assert_round_trip(b.build())


# ================================================================ nesting past numpy's 64
@pytest.mark.parametrize("depth", [3, 64, 66, 100])
def test_a_leaf_nested_past_numpy_dimensions_is_a_positioned_error(depth):
    text = "x: input = 1\nW: param = " + "[" * depth + "1" + "]" * depth + "\nL: loss = x * x"
    check(error(text, GraphError), 2, 1, f"{depth} dimensions", "scalars, vectors and matrices")


@pytest.mark.parametrize("depth", [3, 66, 100])
def test_parse_value_nested_past_two_dimensions_is_a_one_line_error(depth):
    with pytest.raises(ParseError) as info:
        parse_value("[" * depth + "1" + "]" * depth, what="--set W")
    assert str(info.value) == f"--set W: a value has at most 2 dimensions (this one has {depth})"


# ========================================================================== at scale
def chain(n: int) -> str:
    lines = ["h0: input = 0.5"]
    for i in range(1, n):
        lines += [f"w{i}: param = 0.{i % 89 + 10}", f"h{i} = tanh(h{i - 1} * w{i})"]
    return "\n".join(lines + [f"L: loss = h{n - 1} * h{n - 1}"]) + "\n"


def test_ten_thousand_statements_parse_into_the_same_graph_in_any_order():
    text = chain(5_000)
    g = parse(text)
    assert len(g) == 1 + 3 * 4_999 + 1 and g.loss == "L"
    assert g.inputs("h4999") == ["h4999.1"] and g.inputs("h4999.1") == ["h4998", "w4999"]
    backwards = "\n".join(reversed(text.splitlines())) + "\n"  # every name used before its line
    g2 = parse(backwards)
    assert sorted(g2.nx.nodes(data="label")) == sorted(g.nx.nodes(data="label"))
    assert sorted(g2.nx.edges(keys=True)) == sorted(g.nx.edges(keys=True))


@pytest.mark.parametrize("text, line, col, words", [
    # errors found while building come in the reference order (dependencies first, then
    # by name), not in the order eager reading meets them
    ("x: input = 1\nb = nope(x)\na = nada(x)\nL: loss = a + b", 3, 5, ["nada"]),
    ("x: input = 1\nM: loss = x * 3\nL: loss = x * 2", 2, 1, ["second loss 'M'", "'L'"]),
    # a pass-1 error on a later line wins over a build error on an earlier one
    ("x: input = 1\na = nope(x)\nL: loss = a +", 3, (12, 13, 14), ["syntax"]),
    ("a = b + 1\nb: input = 1\nc = d\nL: loss = a", 3, 5, ["undefined name 'd'"]),
])
def test_the_first_error_is_the_same_whatever_the_reading(text, line, col, words):
    check(error(text), line, col, *words)
