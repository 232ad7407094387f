"""Running Graphviz: output on success; on failure one line that says what happened
(a crash by signal, an error, no output, a timeout, no dot at all), never a bare code."""

from __future__ import annotations

import os
import stat

import pytest

import gradviz
from gradviz.views.graphviz import DOT_MEMORY, bounding_box, run_dot


def fake_dot(tmp_path, monkeypatch, script: str) -> None:
    """Put a ``dot`` that runs ``script`` first on PATH."""
    exe = tmp_path / "dot"
    exe.write_text("#!/bin/sh\n" + script + "\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")


def one_line(e: BaseException) -> str:
    text = str(e)
    assert "\n" not in text and text
    return text


def test_svg_and_bounding_box():
    assert run_dot("digraph { a -> b }").lstrip().startswith(b"<?xml")
    w, h = bounding_box("digraph { a -> b }")
    assert w > 0 and h > w


def test_a_syntax_error_is_told_as_graphviz_says_it():
    with pytest.raises(gradviz.GradvizError) as info:
        run_dot("digraph { a -> }")
    assert one_line(info.value) == "Graphviz's dot failed: syntax error in line 1 near '}'"


def test_a_crash_names_the_signal(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch, "kill -SEGV $$")
    with pytest.raises(gradviz.GradvizError) as info:
        run_dot("digraph { a }")
    text = one_line(info.value)
    assert "crashed (SIGSEGV)" in text and "-11" not in text and "--fold always" in text


def test_no_output_is_said(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch, "exit 0")
    with pytest.raises(gradviz.GradvizError) as info:
        run_dot("digraph { a }")
    assert one_line(info.value) == "Graphviz's dot wrote no output"


def test_a_timeout_is_said(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch, "sleep 5")
    with pytest.raises(gradviz.GradvizError) as info:
        run_dot("digraph { a }", timeout=0.3)
    assert "took longer than 0.3 s" in one_line(info.value)


def test_dot_runs_with_bounded_memory(tmp_path, monkeypatch):
    fake_dot(tmp_path, monkeypatch, "ulimit -v >&2; exit 1")
    with pytest.raises(gradviz.GradvizError) as info:
        run_dot("digraph { a }")
    assert one_line(info.value).endswith(str(DOT_MEMORY // 1024))


def test_missing_dot_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(gradviz.MissingDependencyError, match="apt-get install graphviz"):
        run_dot("digraph { a }")
