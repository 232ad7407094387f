"""Markdown keys: $…$ inline math, display blocks for long chains, user text escaped."""

from __future__ import annotations

import re

from gradviz import Builder, evaluate, example
from gradviz.views.solve import to_markdown
from gradviz.views.solve.model import solution


def test_math_is_protected_from_markdown():
    md = to_markdown(solution(evaluate(example("interesting"))))
    outside = re.sub(r"\$`[^`]*`\$", "", md)  # inline math: $`...`$
    blocks = re.findall(r"\n```math\n(.*?)\n```\n", md, re.S)
    outside = re.sub(r"\n```math\n.*?\n```\n", "", outside, flags=re.S)
    assert "$" not in outside and "\\frac" not in outside and "_{" not in outside
    assert blocks and all(b.startswith(r"\begin{aligned}") for b in blocks)


def test_figures_are_linked_by_path():
    s = solution(evaluate(example("xyz")))
    md = to_markdown(s, {"blank": "k y_figures/blank.svg"})
    assert "![The graph](k%20y_figures/blank.svg)" in md


def test_user_text_cannot_make_html_or_links():
    b = Builder(title="<img src=x onerror=alert(1)> [a](javascript:x)", source="*b* | c")
    x = b.input("x", 1.0)
    b.loss("L", x * x)
    md = to_markdown(solution(evaluate(b.build())))
    first = md.splitlines()[0]
    assert first == ("# Solution: &lt;img src=x onerror=alert(1)&gt; \\[a\\](javascript:x)")
    assert "*\\*b\\* \\| c*" in md
