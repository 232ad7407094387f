"""Answer tables: rows classified, headers paired with values, tables split or transposed."""

from __future__ import annotations

import pytest

from gradviz import example
from gradviz.core.errors import GradvizError
from gradviz.teaching.quantities import Quantities
from gradviz.teaching.tables import (
    delimited_rows,
    kind,
    pair_rows,
    pipe_rows,
    split_outside_brackets,
)

NAMES = Quantities(example("interesting"))


def is_name(text):
    return NAMES.match(text) is not None


def pairs(rows, names=is_name):
    return [(e.written, e.text) for e in pair_rows(list(enumerate(rows, 1)), names)]


def test_split_tables_pair_each_header_with_the_row_under_it():
    rows = [["Ŷ", "L"], ["---", "---"], ["0.3775", "0.9741"],
            ["∇H5", "∇H4"], ["---", "---"], ["0.6225", ""]]
    assert pairs(rows) == [("Ŷ", "0.3775"), ("L", "0.9741"), ("∇H5", "0.6225"), ("∇H4", "")]
    assert pairs(rows, None) == pairs(rows)


def test_transposed_tables_with_or_without_a_header():
    rows = [["quantity", "value"], ["---", "---"], ["Ŷ", "0.3775"], ["∇W1", "-1", "2"],
            ["∇H4", ""]]
    assert pairs(rows) == [("Ŷ", "0.3775"), ("∇W1", "-1, 2"), ("∇H4", "")]


def test_a_label_column_and_a_header_without_values():
    assert pairs([["", "Ŷ", "L"], ["answer", "0.37", "0.97"]]) == \
        [("Ŷ", "0.37"), ("L", "0.97")]
    assert pairs([["Ŷ", "L"]]) == [("Ŷ", ""), ("L", "")]       # handed in empty
    assert pairs([["0.37", "0.97"]]) == [(None, "0.37"), (None, "0.97")]


def test_row_kinds():
    assert kind(["---", ":---:"], is_name) == "sep"
    assert kind(["Ŷ", "L"], is_name) == "names"
    assert kind(["Ŷ", "0.5"], is_name) == "pair"
    assert kind(["0.5", "see above", "1"], is_name) == "values"


def test_pipe_and_delimited_rows():
    assert pipe_rows([(1, r"| a \| b | c |")]) == [(1, ["a | b", "c"])]
    assert split_outside_brackets("∇W1,[1, 2],3", ",") == ["∇W1", "[1, 2]", "3"]
    rows = delimited_rows([(1, '∇W1,"[1, 2]",x'), (2, "∇W2,(3, 4)")], ",", "s.csv")
    assert rows == [(1, ["∇W1", "[1, 2]", "x"]), (2, ["∇W2", "(3, 4)"])]
    assert delimited_rows([(1, '∇W1,"[1, 2]')], ",", "s.csv") == [(1, ["∇W1", "[1, 2]"])]


def test_a_csv_field_over_128_kb_is_one_line_of_error():
    with pytest.raises(GradvizError) as e:
        delimited_rows([(3, 'a,"' + "1" * 140_000 + '"')], ",", "s.csv")
    assert str(e.value).startswith("s.csv:3:")
