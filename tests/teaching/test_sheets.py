"""Reading sheets: every layout, every encoding, and what is not a sheet (one line, bounded)."""

from __future__ import annotations

import json
import os

import pytest

from gradviz import example
from gradviz.core.errors import GradvizError
from gradviz.teaching.quantities import Quantities
from gradviz.teaching.sheets import decode, load_sheet, read_sheet
from tests.teaching.test_quantities import SEED_3B

NAMES = Quantities(example("interesting"))
VALUES = ["0.3775", "0.9741", "0.6225", "0.6225", "−0.6225", "−1.245", "−1.452", "−0.4150",
          "−1.452", "−1.245", "2.490", "−4.668", "−0.9337"]


def is_name(text):
    return NAMES.match(text) is not None


def read(text, names=is_name):
    return [(e.written, e.text) for e in read_sheet(text, "s", names)]


def course_layout(headers: list[str], values: list[str], split: int = 7, blank: str = "\n"):
    """The course's answer table as Markdown: two tables, one under the other."""
    def table(h, v):
        return "| " + " | ".join(h) + " |\n|" + "---|" * len(h) + "\n| " + " | ".join(v) + " |\n"
    return table(headers[:split], values[:split]) + blank + table(headers[split:], values[split:])


@pytest.mark.parametrize("blank", ["\n", "", "\nSome words between the tables.\n\n"])
def test_the_course_layout_from_the_seed(blank):
    headers = SEED_3B.split("\t")
    text = course_layout(headers, VALUES, blank=blank)
    got = read(text)
    assert got == list(zip(headers, VALUES))
    assert [NAMES.match(w) for w, _ in got] == list(example("interesting").asks)
    assert read(text, None) == got


def test_the_seed_tab_separated_table():
    text = SEED_3B + "\n" + "\t".join(VALUES) + "\n"
    assert read(text) == list(zip(SEED_3B.split("\t"), VALUES))


LAYOUTS = {
    "csv": "Yhat,L,∇W1\n0.3775,0.9741,\"[1, 2]\"\n",
    "csv rows": "quantity,value\nYhat,0.3775\nL,0.9741\n∇W1,[1, 2]\n",
    "tsv": "Yhat\tL\t∇W1\n0.3775\t0.9741\t[1, 2]\n",
    "semicolons": "Yhat;L;∇W1\n0.3775;0.9741;[1, 2]\n",
    "json": '{"Yhat": 0.3775, "L": 0.9741, "∇W1": [1, 2]}',
    "json records": '[{"quantity": "Yhat", "value": 0.3775}, {"name": "L", "answer": "0.9741"},'
                    ' {"quantity": "∇W1", "value": [1, 2]}]',
    "json pairs": '[["Yhat", 0.3775], ["L", 0.9741], ["∇W1", [1, 2]]]',
    "json answers": '{"student": "x", "answers": {"Yhat": 0.3775, "L": 0.9741, "∇W1": [1, 2]}}',
    "colons": "# my answers\nYhat: 0.3775\nL: 0.9741\n∇W1: [1, 2]\n",
    "equals with work": "Yhat = σ(−0.5) = 0.3775\nL = −ln(Ŷ) = 0.9741\n∇W1 = [1, 2]\n",
    "bullets": "- Yhat = 0.3775\n* L = 0.9741\n1. ∇W1 = [1, 2]\n",
    "spaces": "Yhat 0.3775\nL 0.9741\n∇W1 [1, 2]\n",
    "markdown rows": "| Yhat | 0.3775 |\n| L | 0.9741 |\n| ∇W1 | [1, 2] |\n",
    "gfm without bars": "Yhat | L | ∇W1\n--- | --- | ---\n0.3775 | 0.9741 | [1, 2]\n",
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_layouts(layout):
    got = read(LAYOUTS[layout])
    assert [w for w, _ in got] == ["Yhat", "L", "∇W1"]
    assert got[0][1] == "0.3775" and got[1][1] == "0.9741"
    assert got[2][1].replace(" ", "") == "[1,2]"


def test_json_keeps_the_digits_written_and_blank_cells():
    got = read('{"Yhat": 0.37750, "L": null, "∇H1": 1.0e-1, "∇H2": true}')
    assert got == [("Yhat", "0.37750"), ("L", ""), ("∇H1", "1.0e-1"), ("∇H2", "true")]


def test_values_without_names_keep_their_order():
    assert read("0.3775\n0.9741\n") == [(None, "0.3775"), (None, "0.9741")]
    assert read("[0.3775, 0.9741]") == [(None, "0.3775"), (None, "0.9741")]


def test_a_table_and_lines_in_one_sheet():
    text = "| Ŷ | L |\n|---|---|\n| 0.3775 | 0.9741 |\n\nExtra: ∇H5 = 0.6225\n"
    assert read(text) == [("Ŷ", "0.3775"), ("L", "0.9741"), ("∇H5", "0.6225")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le",
                                      "utf-16-be", "utf-32", "cp1252", "latin-1"])
def test_encodings(encoding):
    text = "# Réponses\nYhat: 0.3775\nL: 0.9741\n"
    assert decode(text.encode(encoding)) == text


@pytest.mark.parametrize("data", [bytes(range(256)) * 40, b"\x89PNG\r\n\x1a\n" + b"\0" * 99,
                                  b"\x00\x01\x02" * 1000])
def test_binary_is_refused_in_one_line(data):
    with pytest.raises(GradvizError) as e:
        decode(data, "photo.png")
    assert "\n" not in str(e.value) and "not a text file" in str(e.value)


@pytest.mark.parametrize("text, words", [
    ("", "empty"), ("   \n\n", "empty"), ("# only a comment\n", "empty"),
    ("Dear TA, I could not do this one.\nSorry!", "not an answer sheet"),
    ('{"Yhat": 0.3775,', "not valid JSON"),
    ("[" * 1000 + "]" * 1000, "nested"),
    ('{"Yhat": ' + "[" * 1000 + "1" + "]" * 1000 + "}", "nested"),
    ('{"Yhat": ' + "1" * 5000 + "}", "5000 characters"),
    ("Yhat: " + "[" * 66 + "1" + "]" * 66, "brackets deep"),
    ("a,b\n" + '"' + "1" * 140_000 + '",2\n', "CSV"),
    ("a,b\n" + "1" * 140_000 + ",2\n", "characters"),
    ("Yhat: 0.5\x00", "not text"),
])
def test_not_an_answer_sheet_is_one_line(text, words):
    with pytest.raises(GradvizError) as e:
        read_sheet(text, "s.txt", is_name)
    message = str(e.value)
    assert "\n" not in message and words in message and message.startswith("s.txt")


def test_files_are_read_within_the_size_limit(tmp_path, monkeypatch):
    big = tmp_path / "big.csv"
    big.write_bytes(b"Yhat,L\n" + b"0.5,0.5\n" * 700_000)  # 5.6 MB, over the default limit
    with pytest.raises(GradvizError, match="over the limit of 5000000 bytes.*"
                                           "GRADVIZ_MAX_SHEET_BYTES"):
        load_sheet(big)
    with pytest.raises(GradvizError, match="over the limit"):
        load_sheet("/dev/zero")
    monkeypatch.setenv("GRADVIZ_MAX_SHEET_BYTES", "10")
    small = tmp_path / "s.txt"
    small.write_text("Yhat: 0.3775\n")
    with pytest.raises(GradvizError, match="over the limit of 10 bytes"):
        load_sheet(small)
    monkeypatch.delenv("GRADVIZ_MAX_SHEET_BYTES")
    assert [e.written for e in load_sheet(small)] == ["Yhat"]
    with pytest.raises(GradvizError, match="cannot read"):
        load_sheet(tmp_path / "nope.csv")
    with pytest.raises(GradvizError, match="cannot read"):
        load_sheet(tmp_path)


def test_a_big_sheet_of_duplicate_rows_reads_in_one_pass(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("quantity,value\n" + "∇H1,-0.8299\n" * 10_000)
    entries = load_sheet(path, is_name)
    assert len(entries) == 10_000 and entries[-1].line == 10_001


def test_line_numbers_follow_the_file():
    entries = read_sheet("# header\n\nYhat: 0.3775\nL: 0.9741\n", "s", is_name)
    assert [e.line for e in entries] == [3, 4]
    assert json.loads(json.dumps([list(e) for e in entries]))  # plain data
    assert os.sep  # (the reader never touches the file system for text)
