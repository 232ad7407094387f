"""The precision policy: the rubric's cases, one by one, and its exporter window."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gradviz.teaching.precision import (
    POLICY,
    RIGHT,
    Policy,
    judge,
    judge_all,
    local_digits,
    number,
    rounding_error,
    window,
)

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("text, value, how", [
    ("0.6225", 0.62245933, "rounded"),        # the value rounded to the places written
    ("0.62", 0.62245933, "rounded"),          # 2 significant digits
    ("0.622459", 0.62245933, "rounded"),      # 6
    ("1.068", 1.0689, "truncated"),           # truncated: a TA accepts it
    ("-1.4", -1.452, "truncated"),
    ("0.6225", 0.62241, "unit"),              # one unit of the last digit off
    ("-1.5", -1.43, "unit"),
    ("0.61", 0.6225, None),                   # more than one unit
    ("12", 12.37, "rounded"),                 # a two-digit integer: rounded to units
    ("12", 12.6, None),                       # ... but not truncated
    ("3", 3.0, "exact"),
    ("0", 0.0, "exact"),
    ("-1.5", -1.5, "exact"),
    ("0.5", 0.49999999999, "exact"),          # float noise is not a difference
    ("-4/3", -4 / 3, "exact"),
])
def test_rubric(text, value, how):
    assert judge(number(text), value) == how


@pytest.mark.parametrize("text, value", [
    ("0", -0.415),    # the three: a whole number is not "rounded to units"
    ("1", 0.6225),
    ("-1", -0.934),
    ("0.7", 0.69),    # one significant digit: must be exact
    ("0.07", 0.069),
    ("7e-2", 0.069),
    ("0.00", 0.0007), # no significant digit at all
    ("-4/3", -1.333), # a fraction is exact
])
def test_numbers_read_as_exact_get_no_tolerance(text, value):
    assert judge(number(text), value) is None
    assert judge(number(text), value, allowance=1.0) is None  # nor carried rounding


def test_carried_rounding_needs_the_allowance_and_only_adds_it():
    # −0.6225·1.33 = −0.828 where the exact product is −0.82995: 1.95 units off
    assert judge(number("-0.828"), -0.82995) is None
    assert judge(number("-0.828"), -0.82995, allowance=0.00095) == "carried"
    assert judge(number("-0.828"), -0.82995, allowance=0.0009) is None


def test_verdicts_and_arrays():
    assert RIGHT["rounded"] == "correct" and RIGHT["unit"] == "rounding"
    numbers = [number("-0.138"), number("1.379")]
    assert judge_all(numbers, np.array([-0.1379949, 1.3799490])) == "truncated"  # the worst
    assert judge_all(numbers, np.array([-0.1379949, 1.3780001])) == "unit"
    assert judge_all(numbers[:1], np.array([-0.1379949, 1.3799490])) is None
    assert judge_all(numbers, np.array([-0.1379949, 1.3770])) is None
    assert judge_all(numbers, np.array([-0.1379949, 1.3770]),
                     allowance=np.array([0.0, 0.001])) == "carried"


def test_number_reads_the_precision_written():
    n = number("-0.06900")
    assert (n.value, n.digits, n.decimals, n.kind, n.unit) == (-0.069, 4, 5, "decimal", 1e-5)
    assert (number("170").digits, number("170").kind) == (3, "integer")
    assert (number("6.9e-2").digits, number("6.9e-2").decimals) == (2, 3)
    assert number("0.000").digits == 0
    with pytest.raises(ValueError):
        number("abc")


def test_local_digits_and_rounding_error():
    assert local_digits([number("-1.451")]) == 3       # one digit fewer than written...
    assert local_digits([number("0.62")]) == 3         # ...but at least carry_digits
    assert local_digits([number("0.62245933")]) == 7
    assert local_digits([number("1")], Policy(carry_digits=4)) == 4
    assert float(rounding_error(-4 / 3, 3)) == pytest.approx(1 / 300)
    assert float(rounding_error(1.5, 3)) == 0.0


def test_window_for_exporters():
    assert window(0.62245933, 4) == 1e-4
    assert window(-1.452, 3) == 0.01
    assert window(3.0, 1) == pytest.approx(3e-9)       # one digit: exact
    assert window(0.0, 3) == 0.01


def test_the_readme_states_the_policy_and_its_parameters():
    section = README.split("## Checking answers", 1)[1].split("\n## ", 1)[0]
    for phrase in ("rounded", "truncated", "unit of the last written digit", "carr",
                   "`0` is not"):
        assert phrase in section, phrase
    for name, value in POLICY.__dict__.items():
        assert f"`{name}`" in section and str(value) in section, name
