"""The caption of each story step: its chain-rule line, read from the step and the trace.

The same arithmetic as the story's sentences, set for a screen: minus signs instead of
hyphens, and a vector or matrix too long for a line shown by its shape (the node's own
label shows its numbers). One function per step kind, in a table. Lines too wide for the
frame are wrapped at ``=`` and ``+`` signs, then at spaces.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from gradviz.core.evaluate import Trace
from gradviz.core.format import MINUS, fmt_value
from gradviz.core.names import plain
from gradviz.views.story import Step
from gradviz.views.video.text import advance

__all__ = ["caption", "wrap", "CAPTIONS", "typeset", "short"]

MAX_NUMBER = 36  # characters: a longer vector or matrix is written by its shape
_HYPHEN_MINUS = re.compile(r"(?<![\w.])-(?=[\d.])")


def typeset(text: str) -> str:
    """Minus signs for negative numbers (names and operators are left alone).

    >>> typeset("2 + (-1) = 1, x-1, e-05")
    '2 + (−1) = 1, x-1, e-05'
    """
    return _HYPHEN_MINUS.sub(MINUS, text)


def _num(v: object) -> str:
    a = np.asarray(v)
    text = fmt_value(a, minus=MINUS)
    if a.ndim and len(text) > MAX_NUMBER:
        return "(" + "×".join(map(str, a.shape)) + ")"
    return text


def _operand(v: object) -> str:
    text = _num(v)
    return f"({text})" if text.startswith(MINUS) else text


def short(expression: str, keep: int = 4) -> str:
    """A long expression with its middle elided, so that a caption stays one line (the
    node itself is lit on screen).

    >>> short("x₁ · w₁₂ + x₂ · w₂₂ + x₃ · w₃₂"), short("a + b")
    ('x₁ · w₁₂ + … + x₃ · w₃₂', 'a + b')
    """
    tokens = expression.split(" ")
    if len(tokens) <= 2 * keep + 1:
        return expression
    return " ".join(tokens[:keep] + ["…"] + tokens[-keep:])


def _name(trace: Trace, n: str) -> str:
    g = trace.graph
    return f"({short(g.display_name(n))})" if g.is_generated(n) else g.display_name(n)


def _d(trace: Trace, top: str, bottom: str) -> str:
    return f"∂{_name(trace, top)}/∂{_name(trace, bottom)}"


def _forward(trace: Trace, step: Step) -> str:
    g, n = trace.graph, step.node
    sym = g.expr(n, pretty=True, show=plain)
    sub = g.expr(n, pretty=True, show=lambda u: _num(trace.value(u)))
    head = sym if g.is_generated(n) else f"{g.display_name(n)} = {sym}"
    shown = sub != sym and len(sub) <= 2 * MAX_NUMBER
    return typeset(head + (f" = {sub}" if shown else "") + f" = {_num(trace.value(n))}")


def _seed(trace: Trace, step: Step) -> str:
    return f"{_d(trace, trace.loss, trace.loss)} = 1"


def _grad(trace: Trace, step: Step) -> str:
    total = _num(trace.grad(step.node))
    if len(step.terms) > 1:
        parts = " + ".join(_operand(e.contribution) for e in step.terms)
        return f"{_d(trace, trace.loss, step.node)} = {parts} = {total}"
    return f"{_d(trace, trace.loss, step.node)} = {total}"


def _backward(trace: Trace, step: Step) -> str:
    src, dst, arg = step.edge  # type: ignore[misc]
    e = trace.edge(dst, arg)
    loss = trace.loss
    rule = f"{_d(trace, loss, src)} += {_d(trace, loss, dst)} · {_d(trace, dst, src)}"
    if e.local is not None and np.ndim(e.local) == 0:
        return (f"{rule} = {_operand(e.upstream)} · {_operand(e.local)} = "
                f"{_num(e.contribution)}")
    return f"{rule} = {_num(e.contribution)}"


CAPTIONS: dict[str, Callable[[Trace, Step], str]] = {
    "forward": _forward, "loss": _forward, "seed": _seed, "grad": _grad,
    "backward": _backward}


def caption(trace: Trace, step: Step) -> str:
    """The chain-rule line of one step.

    Examples
    --------
    >>> from gradviz import evaluate, example
    >>> from gradviz.views.story import story
    >>> t = evaluate(example("interesting"))
    >>> [caption(t, s) for s in story(t).steps if s.edge == ("H1", "H4", 1)]
    ['∂L/∂H₁ += ∂L/∂H₄ · ∂H₄/∂H₁ = 0.6225 · (−1.333) = −0.8299']
    """
    return CAPTIONS[step.kind](trace, step)


def _pieces(text: str) -> list[str]:
    """Break points: before every `` = `` and `` += `` (then ``+``, then any space)."""
    for pattern in (r"(?= \+?= )", r"(?= \+ )", r"(?= )"):
        parts = [p for p in re.split(pattern, text) if p]
        if len(parts) > 1:
            return parts
    return [text]


def wrap(text: str, em: float, room: float) -> list[str]:
    """Lines of ``text`` no wider than ``room`` px at ``em`` px, broken at ``=`` signs
    first; continuation lines are indented.

    >>> wrap("a = b = c", 100, 10_000)
    ['a = b = c']
    >>> wrap("∂L/∂x += ∂L/∂y · ∂y/∂x = 3 · 4 = 12", 40, 500)
    ['∂L/∂x += ∂L/∂y · ∂y/∂x', '   = 3 · 4 = 12']
    """
    if advance(text, em) <= room:
        return [text]
    lines: list[str] = []
    cur = ""
    for piece in _pieces(text):
        trial = cur + piece
        if cur and advance(trial, em) > room:
            lines.append(cur.rstrip())
            cur = "   " + piece.lstrip()
        else:
            cur = trial
    lines.append(cur.rstrip())
    out: list[str] = []
    for line in lines:  # a piece still too wide: break it at spaces
        out += [line] if advance(line, em) <= room or " " not in line.strip() else \
            wrap_words(line, em, room)
    return out


def _top_level_spaces(text: str) -> list[str]:
    """Words split at spaces outside brackets (then, if that leaves one word, at all)."""
    words, depth, cur = [], 0, ""
    for ch in text:
        depth += (ch in "([") - (ch in ")]")
        if ch == " " and depth == 0 and cur.strip():
            words.append(cur)
            cur = ""
        else:
            cur += ch
    words.append(cur)
    return words if len(words) > 1 else text.split(" ")


def wrap_words(text: str, em: float, room: float) -> list[str]:
    lines, cur = [], ""
    for w in _top_level_spaces(text):
        trial = f"{cur} {w}" if cur else w
        if cur.strip() and advance(trial, em) > room:
            lines.append(cur)
            cur = "   " + w.lstrip()
        else:
            cur = trial
    return lines + [cur]
