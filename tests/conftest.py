"""Fixtures shared by the test modules."""

from __future__ import annotations

import pytest

from gradviz.cli import main


@pytest.fixture(scope="module")
def gallery_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("gallery")
    assert main(["gallery", "-o", str(out), "--no-video"]) == 0
    return out


