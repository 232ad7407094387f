"""The one number formatter: significant digits, fixed decimals, the minus sign."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradviz.core.format import MINUS, canonical, fmt, fmt_compact, fmt_operand, fmt_value


@pytest.mark.parametrize(("x", "kw", "text"), [
    (0.6899744811, {}, "0.69"), (0.6899744811, {"zeros": True}, "0.6900"),
    (-1.4521, {"minus": MINUS}, "−1.452"), (-0.0, {}, "0"), (-0.0004, {"decimals": 2}, "0.00"),
    (2.5, {"decimals": 2, "minus": MINUS}, "2.50"), (-2.5, {"decimals": 0}, "-2"),
    (1e-7, {}, "1e-07"), (float("-inf"), {"minus": MINUS}, "−inf"), (170.0, {}, "170"),
])
def test_fmt(x, kw, text):
    assert fmt(x, **kw) == text


@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_shortest_text_reads_back(x):
    assert float(fmt(x, None)) == x + 0.0


def test_values_and_operands():
    assert fmt_value(np.array([1.0, -0.5]), minus=MINUS) == "[1, −0.5]"
    assert fmt_operand(-1.0, minus=MINUS) == "(−1)" and fmt_operand(2.0) == "2"
    assert fmt_compact(np.arange(20.0)) == "[0, 1, 2, …, 19] (20)"
    assert canonical(np.array([-0.0, np.nan])) == [0.0, "nan"]
