"""Numbers as students write them in a cell."""

from __future__ import annotations

import numpy as np
import pytest

from gradviz.core.errors import GradvizError
from gradviz.teaching.numbers import Unusable, leading_value, read_value


@pytest.mark.parametrize("text, value", [
    ("-0.6225", -0.6225),
    ("−0.6225", -0.6225),                       # U+2212
    ("–0.6225", -0.6225),                       # an en dash from a word processor
    ("6.9e-2", 0.069),
    ("6.9 × 10⁻²", 0.069),
    (r"$6.9 \times 10^{-2}$", 0.069),
    ("0.6224…", 0.6224),
    ("0.6224...", 0.6224),
    (r"0.6224\ldots", 0.6224),
    ("≈ 0.62", 0.62),
    ("**0.3775**", 0.3775),
    ("`0.3775`", 0.3775),
    ("-4/3", -4 / 3),
    (r"\frac{-4}{3}", -4 / 3),
    ("[-0.138, 1.38]", [-0.138, 1.38]),
    ("(-0.138, 1.38)", [-0.138, 1.38]),
    ("-0.138, 1.38", [-0.138, 1.38]),
    ("-0.138 1.38", [-0.138, 1.38]),
    ("[[1, 2], [3, 4]]", [[1, 2], [3, 4]]),
    (r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}", [[1, 2], [3, 4]]),
    (r"$\left[ -0.138, 1.38 \right]$", [-0.138, 1.38]),
    (r"\begin{pmatrix} 0.1 \\ 0.2 \end{pmatrix}", [[0.1], [0.2]]),
])
def test_values(text, value):
    np.testing.assert_allclose(read_value(text).array, value)


def test_precision_is_kept_per_number():
    v = read_value("[−0.06900, 1.4, 0.6224…]")
    assert [(n.digits, n.decimals, n.truncated) for n in v.numbers] == \
        [(4, 5, False), (2, 1, False), (4, 4, True)]


@pytest.mark.parametrize("text, blank", [
    ("", True), ("   ", True), ("-", True), ("?", True), ("N/A", True), ("[]", True),
    ("see my work", False), ("[1, 2", False), ("1e400", False), ("[[1, 2], [3]]", False),
    ("1/0", False), ("[[[1]]]", False),
])
def test_no_usable_number(text, blank):
    with pytest.raises(Unusable) as e:
        read_value(text)
    assert e.value.blank == blank


@pytest.mark.parametrize("text", ["[" * 66 + "1" + "]" * 66, "1" * 5000, "1," * 15_000])
def test_absurd_cells_are_not_answers(text):
    with pytest.raises(GradvizError):
        read_value(text)


@pytest.mark.parametrize("text, used", [
    ("0.6225 (see page 2)", "0.6225"), (r"0.6225 \quad \text{(chain rule)}", "0.6225"),
    ("[1, 2] because W is a row", "[1, 2]"), ("-1.452, rounded", "-1.452"),
    ("0.69 -- f'(z) = 1", "0.69"), ("see page 2", None), ("0.5", None),
])
def test_a_number_followed_by_words(text, used):
    found = leading_value(text)
    assert (found and found[1]) == used
