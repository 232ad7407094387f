"""Shared option types: out-of-range numbers are usage errors."""

from __future__ import annotations

import argparse

import pytest

from gradviz.cli._options import at_least, finite, overrides, positive
from gradviz.core.errors import GradvizError


@pytest.mark.parametrize(("parse", "text"), [(finite, "nan"), (finite, "inf"), (positive, "0"),
                                             (positive, "-1"), (at_least(1), "-1"),
                                             (at_least(1, 17), "18"), (at_least(0), "x")])
def test_bad_values(parse, text):
    with pytest.raises(argparse.ArgumentTypeError):
        parse(text)


def test_overrides():
    assert overrides(["x=2", "W=[1, -1]"]) == {"x": 2.0, "W": [1.0, -1.0]}
    with pytest.raises(GradvizError):
        overrides(["x"])
