"""The package's own hygiene, checked as part of the suite: mypy reports no error and ruff
no finding (the configuration is in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import ROOT


def test_mypy_reports_no_error():
    done = subprocess.run([sys.executable, "-m", "mypy", "gradviz"], capture_output=True,
                          text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_ruff_reports_nothing():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "gradviz", "tests",
                           "benchmarks"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
