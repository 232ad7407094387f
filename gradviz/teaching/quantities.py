"""The quantity a sheet's header names, written the way students and courses write it.

A quantity is a node's value (``Yhat``) or its gradient (``∇W1``). Headers come as
``∇H_5``, ``∇H₅``, ``$\\nabla \\mathbf{W}_1$``, ``\\nabla_{W_1} L``, ``dL/dW1``, ``∂L/∂W₁``,
``\\frac{\\partial L}{\\partial W_1}``, ``∂MSE/∂w21``, ``grad(H1)``, ``dW1``; values as
``Ŷ``, ``\\hat{Y}``, ``Y_hat``, ``W^{[1]}``, ``loss``. A name matches its node exactly
first, then ignoring case when that is unambiguous.

Examples
--------
>>> from gradviz import example
>>> q = Quantities(example("mlp"))
>>> [q.match(w) for w in [r"$\\nabla \\mathbf{W}_3$", "dL/dB1", "Ŷ", "∂L/∂X₂", "grad(H1)",
...                       r"\\nabla_{W_1} L", "dW2", "loss", "nope"]]
['∇W3', '∇B1', 'Yhat', '∇X2', '∇H1', '∇W1', '∇W2', 'L', None]
"""

from __future__ import annotations

import re
import unicodedata

from gradviz.core.graph import Graph
from gradviz.core.names import GREEK, plain
from gradviz.views.answers import quantity_label

__all__ = ["Quantities", "match_quantity", "display", "split_update"]

MAX_NAME = 200  # characters: a longer header is not a quantity name
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₕₖₗₘₙₚₛₜ", "0123456789aeoxhklmnpst")
_GREEK_NAMES = {v: k for k, v in GREEK.items()}
_ACCENTS = {"\u0302": "hat", "\u0304": "bar", "\u0303": "tilde", "\u0307": "dot"}
_STYLE = re.compile(r"\\(?:mathbf|mathrm|boldsymbol|bm|mathit|mathcal|text|textbf|vec|"
                    r"operatorname|displaystyle|left|right)\b\s*")
_ACCENT_TEX = re.compile(r"\\(?:wide)?(hat|bar|tilde|dot)\s*(?:\{\s*([^{}]*?)\s*\}|([A-Za-z]))")
_LAYER = re.compile(r"\^\s*\{?\s*[\[(]\s*(\w+)\s*[\])]\s*\}?")
_LOSS_WORDS = ("l", "loss", "j", "e", "c", "cost")
_FRACTION = re.compile(r"\\[dt]?frac\s*\{\s*(?:\\partial|∂|d)\s*(.*?)\}\s*\{\s*(?:\\partial|∂|d)"
                       r"\s*(.*)\}$")
_RATIO = re.compile(r"(?:\\partial|∂|d)\s*(\S+?)\s*/\s*(?:\\partial|∂|d)\s*(.+)$")
_NABLA = re.compile(r"(?:\\nabla|∇)\s*(?:_\s*(?:\{(.+)\}|(\S+))\s*(\S*)|(.*))$")
_GRAD = re.compile(r"(?:grad(?:ient)?(?:\s+of)?)\s*(?:\(\s*(.+)\s*\)|_?\{?\s*(.+?)\s*\}?)$",
                   re.I)


_UPDATE_SUFFIX = re.compile(r"\s*(?:\^\s*\{\s*\+\s*\}|\^\s*\+|⁺|\+|_\{?new\}?|\s+new)(\$*)$", re.I)
_UPDATE_PREFIX = re.compile(r"^(\$*)\s*(?:new|updated)\s+", re.I)


def split_update(written: str) -> tuple[str, bool]:
    """``(name without the mark of a gradient-descent update, whether it had one)``.

    Examples
    --------
    >>> split_update("$w_{21}^{+}$"), split_update("w₂₁⁺"), split_update("W1")
    (('$w_{21}$', True), ('w₂₁', True), ('W1', False))
    """
    s = written.strip()
    m = _UPDATE_SUFFIX.search(s)
    if m and m.start() > 0:
        return s[:m.start()] + m.group(1), True
    m = _UPDATE_PREFIX.match(s)
    if m and m.end() < len(s):
        return m.group(1) + s[m.end():], True
    return s, False


def _key(text: str) -> str:
    """A spelling-insensitive key: ``\\hat{Y}``, ``Ŷ``, ``Y_hat`` → ``Yhat``; ``W_{1}``,
    ``\\mathbf{W}_1``, ``W₁``, ``W^{[1]}`` → ``W1``."""
    s = text.translate(_SUBSCRIPTS)
    s = _STYLE.sub("", s)
    s = _ACCENT_TEX.sub(lambda m: (m.group(2) or m.group(3) or "") + m.group(1), s)
    s = _LAYER.sub(r"\1", s)
    s = re.sub(r"\\([A-Za-z]+)", lambda m: m.group(1) if m.group(1) in GREEK else m.group(0), s)
    out = []
    for ch in unicodedata.normalize("NFKD", s):
        if ch in _ACCENTS:
            out.append(_ACCENTS[ch])
        elif ch in _GREEK_NAMES:
            out.append(_GREEK_NAMES[ch])
        else:
            out.append(ch)
    s = "".join(out)
    s = re.sub(r"[_\-\s]?(hat|bar|tilde)\b", r"\1", s)
    s = re.sub(r"\^$", "hat", s)  # Y^
    return re.sub(r"[\s$\\{}_*`'\"]", "", s)


def _strip(written: str) -> str:
    s = written.strip()
    s = re.sub(r"^\\\(|\\\)$|^\$+|\$+$|^\*\*|\*\*$|^`|`$", "", s).strip()
    s = re.sub(r"\s*[:=]$", "", s).strip()
    return s


class Quantities:
    """The quantities of one graph, by every spelling :meth:`match` understands."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.names = {n: n for n in graph.named()} | {plain(n): n for n in graph.named()}
        exact: dict[str, set[str]] = {}
        folded: dict[str, set[str]] = {}
        for spelling, n in self.names.items():
            exact.setdefault(_key(spelling), set()).add(n)
            folded.setdefault(_key(spelling).lower(), set()).add(n)
        # a spelling that two nodes share (w2_1_11, w21_11) names neither
        self.exact = {k: next(iter(v)) for k, v in exact.items() if len(v) == 1}
        self.folded = {k: next(iter(v)) for k, v in folded.items() if len(v) == 1}
        self._memo: dict[str, str | None] = {}

    def node(self, text: str) -> str | None:
        """The node a name (without any ∇) stands for: its own name or its typeset name
        first, then a spelling only one node has."""
        text = text.strip().strip("()").strip()
        if text in self.names:
            return self.names[text]
        key = _key(text)
        if key in self.exact:
            return self.exact[key]
        if key.lower() in self.folded:
            return self.folded[key.lower()]
        if key.lower() in _LOSS_WORDS and key.lower() not in self.folded:
            return self.graph.loss
        return None

    def _loss_word(self, text: str) -> bool:
        k = _key(text).lower()
        return k in _LOSS_WORDS or self.node(text) == self.graph.loss

    def _gradient(self, s: str) -> str | None:
        """The node of a gradient header, or ``None`` if ``s`` is not one."""
        m = _NABLA.fullmatch(s)
        if m:
            if m.group(4) is not None:
                return self.node(m.group(4))
            sub, tail = m.group(1) or m.group(2), m.group(3)
            return self.node(sub) if not tail or self._loss_word(tail) else None
        for pattern in (_FRACTION, _RATIO):
            m = pattern.fullmatch(s)
            if m and self._loss_word(m.group(1)):
                return self.node(m.group(2))
        m = _GRAD.fullmatch(s)
        if m:
            return self.node(m.group(1) or m.group(2))
        return None

    def is_name(self, written: str) -> bool:
        """Whether a header names a quantity (what the sheet reader asks to tell headers
        from other text)."""
        return self.match(written) is not None

    def match(self, written: str) -> str | None:
        """``∇NODE`` for a gradient, ``NODE`` for a value, or ``None``."""
        if written in self._memo:
            return self._memo[written]
        found = self._match(written) if len(written) <= MAX_NAME else None
        self._memo[written] = found
        return found

    def _match(self, written: str) -> str | None:
        s = _strip(written)
        if not s:
            return None
        base, update = split_update(s)
        if update:  # w21+: the parameter after a gradient-descent step
            node = self.node(base) if self.node(s) is None else None
            return None if node is None or self._gradient(base) else node + "+"
        node = self._gradient(s)
        if node is not None:
            return "∇" + node
        node = self.node(s)
        if node is not None:
            return node
        if s[:1] in "dδ" and len(s) > 1:  # dW1: a gradient, when "dW1" names no node
            node = self.node(s[1:])
            if node is not None:
                return "∇" + node
        return None


def match_quantity(written: str, graph: Graph) -> str | None:
    """The quantity a header names in ``graph`` (see :class:`Quantities`).

    Examples
    --------
    >>> from gradviz import example
    >>> match_quantity(r"$\\nabla H_5$", example("interesting"))
    '∇H5'
    """
    return Quantities(graph).match(written)


def display(quantity: str) -> str:
    """How the report names a quantity: ``∇W1`` → ``∇W₁``, ``Yhat`` → ``Ŷ``, ``w21+`` →
    ``w₂₁⁺``.

    Examples
    --------
    >>> display("∇W1"), display("Yhat"), display("w21+")
    ('∇W₁', 'Ŷ', 'w₂₁⁺')
    """
    return quantity_label(quantity)
