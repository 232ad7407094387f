"""Resource limits: defaults, environment overrides, and messages that say how to raise them."""

from __future__ import annotations

import pytest

from gradviz import GradvizError
from gradviz.core.limits import LIMITS, limit


def test_environment_overrides_and_bad_values_fall_back(monkeypatch):
    monkeypatch.setenv("GRADVIZ_MAX_ELEMENTS", "100")
    assert limit("max_elements") == 100
    with pytest.raises(GradvizError, match="--max-elements or GRADVIZ_MAX_ELEMENTS"):
        LIMITS["max_elements"].check(101, "x")
    monkeypatch.setenv("GRADVIZ_MAX_ELEMENTS", "nan")
    assert limit("max_elements") == LIMITS["max_elements"].default
