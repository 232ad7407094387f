"""The checker on a corpus of realistic sheets, on every example, and at scale."""

from __future__ import annotations

import pytest

from gradviz import evaluate, example, examples, fmt_value
from gradviz.core.errors import GradvizError
from gradviz.teaching import check as checker
from gradviz.teaching.check import check
from gradviz.teaching.quantities import Quantities
from gradviz.teaching.sheets import load_sheet
from gradviz.teaching.tables import Entry
from gradviz.views.answers import asked
from tests.teaching.corpus import SHEETS, compare, expected

CORPUS = expected()


def grade_file(name: str):
    spec = CORPUS[name]
    t = evaluate(example(spec["graph"]))
    names = Quantities(t.graph)
    return check(t, load_sheet(SHEETS / name, lambda s: names.match(s) is not None))


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_sheet_every_cell(name):
    report = grade_file(name)
    wrong = [(key, want, got and {k: got[k] for k in ("status", "cause", "node", "also",
                                                        "inherited_from")})
             for key, want, got, right in compare(name, [c.as_dict() for c in report.cells])
             if not right]
    assert not wrong, wrong


def test_the_corpus_covers_every_layout_cause_and_graph_the_issue_names():
    specs = " ".join(" ".join(s["cells"].values()) for s in CORPUS.values())
    for cause in ("sign", "missing_path", "wrong_branch", "local_only", "no_local", "swap",
                  "wrong_activation_derivative", "forward", "inherited", "arithmetic",
                  "rounding", "missing", "unreadable", "not_answered"):
        assert cause in specs, cause
    graphs = {s["graph"] for s in CORPUS.values()}
    assert {"interesting", "mlp", "two_layer_relu", "softmax_classifier", "interesting_tanh",
            "mlp_tanh"} <= graphs
    suffixes = {name.rsplit(".", 1)[1] for name in CORPUS}
    assert {"md", "csv", "tsv", "json", "txt", "yaml", "tex"} <= suffixes


@pytest.mark.parametrize("name", examples())
def test_exact_answers_of_every_example_are_right(name):
    t = evaluate(example(name))
    rows = [(q, fmt_value(v, None)) for q, v in asked(t)]
    r = check(t, rows)
    assert r.ok and {c.status for c in r.cells} == {"correct"}


@pytest.mark.parametrize("digits", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("name", examples())
def test_answers_rounded_to_2_to_6_digits_are_right(name, digits):
    t = evaluate(example(name))
    rows = [(q, fmt_value(v, digits, zeros=True)) for q, v in asked(t)]
    r = check(t, rows)
    assert r.ok, [(c.quantity, c.text, c.status, c.explanation) for c in r.cells
                  if c.status not in ("correct", "rounding")]


def test_values_without_names_in_the_problems_order():
    t = evaluate(example("xyz"))
    rows = [(None, fmt_value(v)) for _, v in asked(t)]
    assert check(t, [Entry(None, text, i) for i, (_, text) in enumerate(rows)]).ok
    assert check(t, rows).ok  # plain pairs with no name are read by position too
    with pytest.raises(GradvizError, match="values without names"):
        check(t, [Entry(None, "1", 1)])


def test_duplicate_rows_are_graded_once(monkeypatch):
    t = evaluate(example("interesting"))
    calls = []
    original = checker.models
    monkeypatch.setattr(checker, "models", lambda c, q: calls.append(q) or original(c, q))
    one = check(t, [("∇H1", "-0.8299"), ("∇X1", "-3")])
    once = len(calls)
    calls.clear()
    many = check(t, [("∇H1", "-0.8299")] * 10_000 + [("∇X1", "-3")] * 10_000)
    assert len(calls) == once and len(many.cells) == 20_000 + len(one.cells) - 2
    assert {c.cause for c in many.cells if c.quantity == "∇H1"} == {"missing_path"}


def test_a_cell_with_the_wrong_shape_is_wrong_not_fatal():
    t = evaluate(example("mlp"))
    r = check(t, [("∇W3", "0.69"), ("∇B3", "[0.69, 1]"), ("Yhat", "0.6900")])
    cells = {c.quantity: c for c in r.cells}
    assert cells["∇W3"].status == "wrong" and "1 number, but ∇W₃ has 2" in \
        cells["∇W3"].explanation
    assert cells["∇B3"].status == "wrong" and cells["Yhat"].status == "correct"


def test_a_sheet_for_another_problem_is_not_an_answer_sheet():
    t = evaluate(example("xyz"))
    with pytest.raises(GradvizError, match="not an answer sheet for xyz: none of its 2"):
        check(t, [("∇W3", "[1, 2]"), ("Name", "Jane")])


def test_a_gradient_of_a_target_is_unreadable():
    t = evaluate(example("interesting"))
    c = check(t, [("∇Y", "0.5")]).cells[0]
    assert c.status == "unreadable" and "takes no gradient" in c.explanation


def test_relu_graphs_never_crash_on_unexplained_cells():
    t = evaluate(example("two_layer_relu"))  # the old checker read a leaky slope here
    r = check(t, [("∇w11", "17.5"), ("∇b2", "3.25"), ("o1", "9")])
    assert [c.cause for c in r.cells[:3]] == ["arithmetic", "arithmetic", "forward"]
