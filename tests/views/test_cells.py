"""Number cells: widths that always hold their text in the font that draws it, aligned
columns, brackets, subscripts in proportion, and hidden numbers that leave nothing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gradviz.core.format import fmt_cells
from gradviz.views.cells import SUB, Cells, Style, name_markup, number_table, stack, text_width
from gradviz.views.model import Number
from tests.svg import text_advance

STYLE = Style.of(14.0, 60, "#1565c0", "#c62828", "#222222")


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(0, 6))
def test_a_cell_is_never_narrower_than_its_number(x, decimals):
    text = fmt_cells(x, decimals)[0][0][0]
    assert text_width(text, 14) >= text_advance(text, 14)


def test_subscripts_are_set_at_two_thirds_to_three_quarters():
    assert 0.65 <= SUB <= 0.75
    for size in (10, 12, 14, 18, 24):
        markup = name_markup("W<SUB>1</SUB>", size)
        sub = int(markup.split('POINT-SIZE="')[1].split('"')[0])
        assert 0.65 <= sub / size <= 0.75, size


def test_matrix_has_brackets_and_fixed_columns():
    rows, _ = fmt_cells([[1.0, -2.0], [3.5, 4.0]], 2)
    table = number_table(Number(rows, "", 2), STYLE, "#1565c0", widths=[40, 44])
    assert 'SIDES="LTB"' in table and 'SIDES="RTB"' in table and 'ROWSPAN="2"' in table
    assert table.count('WIDTH="40"') == 2 and table.count('WIDTH="44"') == 2
    assert "−2.00" in table and 'ALIGN="RIGHT"' in table


def test_a_hidden_number_keeps_its_cell_and_writes_nothing():
    rows, _ = fmt_cells(-1.452, 3)
    shown = number_table(Number(rows, "−1.452"), STYLE, "#c62828", mark="∇")
    hidden = number_table(Number(rows, "−1.452"), STYLE, "#c62828", hidden=True, mark="∇")
    assert "1.452" in shown and "1.452" not in hidden and "∇" not in hidden
    strip = [t.split(">")[0] for t in hidden.split("<TD")]
    assert strip == [t.split(">")[0] for t in shown.split("<TD")]  # same cells, same sizes


def test_cells_of_a_figure_are_made_once_and_the_same_as_made_afresh():
    cells = Cells(STYLE, across=False)
    num = Number((("−1.452",),), "−1.452")
    first = cells.number(num, "#c62828", False)
    assert first == number_table(num, STYLE, "#c62828")
    assert cells.number(Number((("−1.452",),), "−1.452"), "#c62828", False) is first
    assert cells.number(num, "#c62828", True) != first  # hidden: a cell of its own
    vector = Number(((("1.00", "−2.00")),), "[1.00, −2.00]", 1)
    column = cells.number(vector, "#1565c0", False)
    assert column.count("<TR>") == 2 and "−2.00" in column  # left to right: a column
    assert Cells(STYLE, across=True).number(vector, "#1565c0", False).count("<TR>") == 1
    wire = cells.wired(["", first], "#555555")
    assert wire == stack(["", first], "#555555|1") and cells.wired(["", first], "#555555") is wire
