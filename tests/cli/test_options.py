"""Shared option types: out-of-range numbers are usage errors."""

from __future__ import annotations

import argparse

import pytest

from gradviz.cli._options import at_least, finite, overrides, positive
from gradviz.core.errors import GradvizError


@pytest.mark.parametrize(("parse", "text"), [(finite, "nan"), (finite, "inf"), (positive, "0"),
                                             (positive, "-1"), (at_least(1), "-1"),
                                             (at_least(1, 17), "18"), (at_least(0), "x"),
                                             (positive, "nan"), (positive, "-inf"),
                                             (finite, "1e999"), (at_least(0), "1.5"),
                                             (at_least(1, 256), "1e3")])
def test_bad_values(parse, text):
    with pytest.raises(argparse.ArgumentTypeError):
        parse(text)


def test_overrides():
    assert overrides(["x=2", "W=[1, -1]"]) == {"x": 2.0, "W": [1.0, -1.0]}
    with pytest.raises(GradvizError):
        overrides(["x"])


def test_good_values():
    assert finite("-1e300") == -1e300 and positive("1e-300") == 1e-300
    assert at_least(1, 17)("17") == 17 and at_least(0)(" 3 ") == 3


def test_overrides_reject_values_past_two_dimensions():
    with pytest.raises(GradvizError, match="at most 2 dimensions"):
        overrides(["W=" + "[" * 66 + "1" + "]" * 66])
