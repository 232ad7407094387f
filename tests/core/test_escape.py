"""Escaping per output language, tested with hostile strings."""

from __future__ import annotations

import re

import pytest

from gradviz import GradvizError
from gradviz.core import escape

HOSTILE = ["<img src=x onerror=alert(1)>", "[click](javascript:alert(1))", "![t](http://x/t.png)",
           "<script>alert(1)</script>", "\\input{/etc/passwd}", "k}\\input{^^2fetc^^2fhostname}",
           "\x1b]0;pwned\x07\x1b[2J", "x١", "%&#_^$~{}", "a\u202eb", "\\write18{ls}"]


@pytest.mark.parametrize("text", ["\x1b[2J", "\x1b]0;title\x07", "a\u202eb", "\x00", "\x9b31m"])
def test_terminal_text_has_no_control_characters(text):
    out = escape.terminal(f"ok {text} done\n")
    assert all(c in "\n" or c.isprintable() for c in out) and out.endswith("\n")



@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_has_no_html_links_or_images(text):
    out = escape.markdown(text)
    assert "<" not in out and not re.search(r"(?<!\\)\]\(", out) and "\x1b" not in out


@pytest.mark.parametrize("text", HOSTILE)
def test_tex_text_has_no_commands_of_the_user(text):
    out = escape.tex(text)
    for bad in ("\\input", "\\write", "^^", "\x1b"):
        assert bad not in out
    assert all(c.isascii() for c in out)


@pytest.mark.parametrize("text", HOSTILE)
def test_html_has_no_markup(text):
    out = escape.html(text)
    assert "<" not in out and ">" not in out and '"' not in out


@pytest.mark.parametrize("path", ["a/../b.pdf", "/etc/passwd", "k}\\input{x}.pdf", "x y.pdf"])
def test_tex_paths_are_refused_unless_plain(path):
    with pytest.raises(GradvizError):
        escape.tex_path(path)
