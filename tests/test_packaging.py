"""The package a user installs: the sdist and the wheel built as a frontend builds them (the
wheel from the sdist, in pip's isolated build environment), without a setuptools
deprecation warning, then the wheel installed into a fresh virtual environment without
extras and its ``gradviz`` command run from outside the source tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import gradviz
from tests.helpers import ROOT

DIST = "gradviz-teach"  # `gradviz` on the package index is another project
SKIP = shutil.ignore_patterns(".venv", ".git", "gallery", "__pycache__", "*.egg-info", "build",
                              "dist", ".hypothesis", "media", ".pytest_cache", ".ruff_cache",
                              ".mypy_cache")


def sh(*argv: str | Path, cwd: Path, env: dict | None = None, timeout: int = 600
       ) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    return done


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """The sdist, the wheel, and everything the builds printed."""
    work = tmp_path_factory.mktemp("packaging")
    tree = work / "tree"
    shutil.copytree(ROOT, tree, ignore=SKIP)
    out = work / "dist"
    out.mkdir()
    sdist = sh(sys.executable, "-W", "always", "-c",
               "from setuptools import build_meta as b; "
               f"print(b.build_sdist({str(out)!r}))", cwd=tree)
    assert sdist.returncode == 0, sdist.stderr[-3000:]
    (sdist_file,) = out.glob("*.tar.gz")
    wheel = sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", out, sdist_file,
               cwd=work)
    assert wheel.returncode == 0, wheel.stdout[-3000:] + wheel.stderr[-3000:]
    (wheel_file,) = out.glob("*.whl")
    return {"sdist": sdist_file, "wheel": wheel_file, "work": work,
            "log": sdist.stdout + sdist.stderr + wheel.stdout + wheel.stderr}


@pytest.fixture(scope="module")
def venv(built) -> Path:
    """A fresh virtual environment with the wheel installed, no extras."""
    env_dir = built["work"] / "venv"
    done = sh(sys.executable, "-m", "venv", env_dir, cwd=built["work"])
    assert done.returncode == 0, done.stderr
    done = sh(env_dir / "bin" / "python", "-m", "pip", "install", built["wheel"],
              cwd=built["work"], timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return env_dir


def gradviz_cmd(venv: Path, *argv: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return sh(venv / "bin" / "gradviz", *argv, cwd=cwd, env=env, timeout=120)


def test_the_builds_print_no_deprecation_warning(built):
    log = built["log"]
    assert "SetuptoolsDeprecationWarning" not in log and "deprecated" not in log.lower(), \
        [line for line in log.splitlines() if "eprecat" in line][:5]


def test_the_distribution_name_and_its_files(built):
    assert built["wheel"].name.startswith("gradviz_teach-" + gradviz.__version__)
    names = zipfile.ZipFile(built["wheel"]).namelist()
    for example in gradviz.examples():
        assert f"gradviz/graphs/{example}.grad" in names
    assert "gradviz/scenes/backprop.py" in names and "gradviz/scenes/activations.py" in names
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(built["wheel"]).read(meta).decode()
    assert f"Name: {DIST}\n" in text and "License-Expression: MIT" in text
    assert any(n.endswith("licenses/LICENSE") for n in names)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "gradviz = gradviz.cli:main" in zipfile.ZipFile(built["wheel"]).read(entry).decode()
    with tarfile.open(built["sdist"]) as sdist:
        members = sdist.getnames()
    assert any(m.endswith("/LICENSE") for m in members)
    assert any(m.endswith("/gradviz/graphs/mlp.grad") for m in members)


def test_the_installed_command_lists_renders_and_explains_what_is_missing(venv, tmp_path):
    done = gradviz_cmd(venv, "list", cwd=tmp_path)
    assert done.returncode == 0 and all(n in done.stdout for n in gradviz.examples())
    done = gradviz_cmd(venv, "--version", cwd=tmp_path)
    assert done.stdout.strip() == f"gradviz {gradviz.__version__}"
    for ext in ("dot", "svg"):
        done = gradviz_cmd(venv, "render", "xyz", "-o", f"xyz.{ext}", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "xyz.dot").read_text().startswith("digraph")
    assert b"<svg" in (tmp_path / "xyz.svg").read_bytes()
    done = gradviz_cmd(venv, "animate", "xyz", "-o", "xyz.mp4", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert f"pip install '{DIST}[video]'" in done.stderr
    done = gradviz_cmd(venv, "scenes", "--copy", "scenes", cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "scenes" / "backprop.py").exists()


def test_the_installed_package_imports_as_gradviz(venv, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = sh(venv / "bin" / "python", "-c",
              "import gradviz; print(gradviz.__file__); print(gradviz.example('mlp'))",
              cwd=tmp_path, env=env)
    where, summary = done.stdout.splitlines()
    assert str(venv) in where and not where.startswith(str(ROOT))
    assert summary.startswith("<Graph mlp: Standard Neural Network;")
