"""The symbols a worked solution writes, and how each is typeset in each output language.

A solution's formulas are :mod:`gradviz.core.formula` trees whose ``Sym`` names are keys of
a :class:`Symbols` table: a node (``H₁``), a temporary name for an unnamed intermediate
(``z₁``), a partial derivative (``∂L/∂H₁``, ``∂H₄/∂H₁``), an error signal (``δ₁ = ∂L/∂z₁``),
a gradient for the answer table (``∇W₁``), an updated parameter (``w₂₁⁺``), the learning
rate (``η``), or an entry of a vector (``W₃,₁``). The table typesets each key as plain
Unicode, LaTeX or MathML; user names reach LaTeX and Markdown only as letters and digits
(anything else shows as ``?``) and MathML only escaped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from gradviz.core.formula import Sym
from gradviz.core.names import ACCENTS, GREEK, safe_text, split

__all__ = ["Symbols", "Symbol"]

_TEX_ACCENT = {"hat": r"\hat", "bar": r"\bar", "tilde": r"\tilde", "dot": r"\dot"}
_MML_ACCENT = {"hat": "^", "bar": "¯", "tilde": "~", "dot": "˙"}
_SUB = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉,")


@dataclass(frozen=True)
class Symbol:
    """One symbol: ``kind`` is ``node``, ``d`` (∂top/∂bottom), ``delta``, ``nabla``,
    ``plus``, ``eta`` or ``entry``; ``parts`` are the node names (and an index)."""

    kind: str
    parts: tuple


@dataclass(frozen=True)
class _Name:
    """A node name broken into base, accent and subscript, or ``raw`` if it has no form."""

    base: str = ""
    accent: str = ""
    sub: str = ""
    raw: str | None = None


def _parse(name: str) -> _Name:
    parts = split(name) if name.isascii() else None
    if parts is None or (parts[2] and not re.fullmatch(r"[0-9,]+|[A-Za-z0-9]+", parts[2])):
        return _Name(raw=name)
    return _Name(*parts)


def _strict(text: str) -> str:
    """User text reduced to letters, digits and ``?`` (what may reach TeX or Markdown math)."""
    out = re.sub(r"[^A-Za-z0-9]+", "?", unicodedata.normalize("NFKC", text)[:64])
    return out or "?"


class Symbols:
    """The symbol table of one solution.

    Parameters
    ----------
    display : dict
        Node name → the name to show (temporary names of unnamed intermediates: ``z1``).
    deltas : dict
        Node name → the subscript of its error signal δ (``"1"``, or ``""`` for δ).
    loss : str
        The loss node (``∂L/∂·``).

    Examples
    --------
    >>> s = Symbols({}, {"z": ""}, "L")
    >>> [s.plain(x.name) for x in (s.d("L", "H1"), s.d("H4", "H1"), s.grad("z"))]
    ['∂L/∂H₁', '∂H₄/∂H₁', 'δ']
    >>> s.tex(s.entry("W3", 0).name), s.plain(s.plus("w21").name)
    ('W_{3,1}', 'w₂₁⁺')
    """

    def __init__(self, display: dict[str, str], deltas: dict[str, str], loss: str) -> None:
        self.display, self.deltas, self.loss = display, deltas, loss
        self._keys: dict[Symbol, str] = {}
        self._symbols: dict[str, Symbol] = {}

    # ------------------------------------------------------------------ making
    def _sym(self, s: Symbol, short: bool) -> Sym:
        if s not in self._keys:
            key = f"{'v' if short else 'sym_'}{len(self._keys)}"
            self._keys[s], self._symbols[key] = key, s
        return Sym(self._keys[s])

    def _short(self, node: str) -> bool:
        n = _parse(self.display.get(node, node))
        digits = n.sub == "" or n.sub.replace(",", "").isdigit()
        return n.raw is None and (len(n.base) == 1 or n.base in GREEK) and digits

    def node(self, n: str) -> Sym:
        """A node by its (display) name."""
        s = Symbol("node", (n,))
        key = self._keys.get(s)
        return Sym(key) if key is not None else self._sym(s, self._short(n))

    def d(self, top: str, bottom: str) -> Sym:
        """∂top/∂bottom; ∂L/∂z is written δ where z has an error signal."""
        if top == self.loss and bottom in self.deltas:
            return self.grad(bottom)
        return self._sym(Symbol("d", (top, bottom)), False)

    def grad(self, n: str) -> Sym:
        """∂L/∂n, or δ for a node with an error signal."""
        if n in self.deltas:
            return self._sym(Symbol("delta", (n,)), True)
        return self._sym(Symbol("d", (self.loss, n)), False)

    def partial(self, n: str) -> Sym:
        """∂L/∂n written out, even where n has a δ (to define it)."""
        return self._sym(Symbol("d", (self.loss, n)), False)

    def var(self, n: str) -> Sym:
        """A variable of a definition (``x`` in σ(x) = 1/(1 + e^{−x}))."""
        return self._sym(Symbol("var", (n,)), True)

    def mark(self, text: str) -> Sym:
        """A relation sign in a sentence (``≈``)."""
        return self._sym(Symbol("mark", (text,)), False)

    def nabla(self, n: str) -> Sym:
        return self._sym(Symbol("nabla", (n,)), False)

    def plus(self, n: str) -> Sym:
        return self._sym(Symbol("plus", (n,)), False)

    def eta(self) -> Sym:
        return self._sym(Symbol("eta", ()), True)

    def entry(self, n: str, i: int) -> Sym:
        """Entry ``i`` (0-based) of the vector node ``n``: ``W₃,₁``."""
        return self._sym(Symbol("entry", (n, i)), self._short(n))

    def grad_entry(self, n: str, i: int) -> Sym:
        """Entry ``i`` of ∂L/∂n: ``(∂L/∂X)₁``."""
        return self._sym(Symbol("gentry", (n, i)), False)

    def symbol(self, key: str) -> Symbol | None:
        return self._symbols.get(key)

    # -------------------------------------------------------------- typesetting
    def plain(self, key: str) -> str:
        """Unicode text of a symbol (``∂L/∂H₁``)."""
        s = self._symbols.get(key)
        if s is None:
            return safe_text(key)
        return str(_PLAIN[s.kind](self, *s.parts))

    def tex(self, key: str) -> str:
        """LaTeX math of a symbol (``\\frac{\\partial L}{\\partial H_{1}}``)."""
        s = self._symbols.get(key)
        if s is None:
            return rf"\text{{{_strict(key)}}}"
        return str(_TEX[s.kind](self, *s.parts))

    def mathml(self, key: str) -> str:
        """MathML markup of a symbol."""
        s = self._symbols.get(key)
        if s is None:
            return f"<mi>{escape(safe_text(key))}</mi>"
        return str(_MML[s.kind](self, *s.parts))

    def name_plain(self, n: str, extra: str = "") -> str:
        """A node's name as Unicode, with an extra subscript (``W₃,₁``)."""
        p = _parse(self.display.get(n, n))
        if p.raw is not None:
            return safe_text(p.raw) + (f"[{extra}]" if extra else "")
        text = unicodedata.normalize("NFC", GREEK.get(p.base, p.base) + ACCENTS.get(p.accent, ""))
        sub = ",".join(x for x in (p.sub, extra) if x)
        if sub.replace(",", "").isdigit():
            return text + sub.translate(_SUB)
        return text + (f"_{sub}" if sub else "")

    def name_tex(self, n: str, extra: str = "") -> str:
        p = _parse(self.display.get(n, n))
        if p.raw is not None:
            return rf"\text{{{_strict(p.raw)}}}" + (f"_{{{extra}}}" if extra else "")
        body = "\\" + p.base if p.base in GREEK else \
            p.base if len(p.base) == 1 else rf"\mathrm{{{p.base}}}"
        if p.accent:
            body = f"{_TEX_ACCENT[p.accent]}{{{body}}}"
        sub = ",".join(x for x in (p.sub, extra) if x)
        if sub and not sub.replace(",", "").isdigit():
            sub = rf"\mathrm{{{sub}}}"
        return body + (f"_{{{sub}}}" if sub else "")

    def name_mathml(self, n: str, extra: str = "") -> str:
        p = _parse(self.display.get(n, n))
        if p.raw is not None:
            base = f"<mi>{escape(safe_text(p.raw))}</mi>"
            return f"<msub>{base}<mn>{extra}</mn></msub>" if extra else base
        letters = GREEK.get(p.base, p.base)
        mi = f"<mi>{letters}</mi>" if len(letters) == 1 else \
            f'<mi mathvariant="normal">{letters}</mi>'
        if p.accent:
            mi = f"<mover accent=\"true\">{mi}<mo>{_MML_ACCENT[p.accent]}</mo></mover>"
        sub = ",".join(x for x in (p.sub, extra) if x)
        if not sub:
            return mi
        tag = "mn" if sub.replace(",", "").isdigit() else "mi"
        return f"<msub>{mi}<{tag}>{escape(sub)}</{tag}></msub>"


def _d_plain(s: Symbols, top: str, bottom: str) -> str:
    return f"∂{s.name_plain(top)}/∂{s.name_plain(bottom)}"


def _d_tex(s: Symbols, top: str, bottom: str) -> str:
    return rf"\frac{{\partial {s.name_tex(top)}}}{{\partial {s.name_tex(bottom)}}}"


def _d_mml(s: Symbols, top: str, bottom: str) -> str:
    return (f"<mfrac><mrow><mo>∂</mo>{s.name_mathml(top)}</mrow>"
            f"<mrow><mo>∂</mo>{s.name_mathml(bottom)}</mrow></mfrac>")


def _delta_plain(s: Symbols, n: str) -> str:
    return "δ" + s.deltas[n].translate(_SUB)


def _delta_tex(s: Symbols, n: str) -> str:
    sub = s.deltas[n]
    return r"\delta" + (f"_{{{sub}}}" if sub else "")


def _delta_mml(s: Symbols, n: str) -> str:
    sub = s.deltas[n]
    return f"<msub><mi>δ</mi><mn>{sub}</mn></msub>" if sub else "<mi>δ</mi>"


_MARKS = {"≈": (r"\approx", "<mo>≈</mo>")}
_Typeset = dict[str, Callable[..., Any]]
_PLAIN: _Typeset = {
    "mark": lambda s, m: m, "var": lambda s, n: s.name_plain(n),
    "node": lambda s, n: s.name_plain(n), "d": _d_plain, "delta": _delta_plain,
    "nabla": lambda s, n: "∇" + s.name_plain(n), "plus": lambda s, n: s.name_plain(n) + "⁺",
    "eta": lambda s: "η", "entry": lambda s, n, i: s.name_plain(n, str(i + 1)),
    "gentry": lambda s, n, i: f"({s.plain(s.grad(n).name)}){str(i + 1).translate(_SUB)}"}
_TEX: _Typeset = {
    "mark": lambda s, m: _MARKS[m][0], "var": lambda s, n: s.name_tex(n),
    "node": lambda s, n: s.name_tex(n), "d": _d_tex, "delta": _delta_tex,
    "nabla": lambda s, n: r"\nabla " + s.name_tex(n),
    "plus": lambda s, n: f"{{{s.name_tex(n)}}}^{{+}}", "eta": lambda s: r"\eta",
    "entry": lambda s, n, i: s.name_tex(n, str(i + 1)),
    "gentry": lambda s, n, i: rf"\left({s.tex(s.grad(n).name)}\right)_{{{i + 1}}}"}
_MML: _Typeset = {
    "mark": lambda s, m: _MARKS[m][1], "var": lambda s, n: s.name_mathml(n),
    "node": lambda s, n: s.name_mathml(n), "d": _d_mml, "delta": _delta_mml,
    "nabla": lambda s, n: f"<mrow><mo>∇</mo>{s.name_mathml(n)}</mrow>",
    "plus": lambda s, n: f"<msup>{s.name_mathml(n)}<mo>+</mo></msup>",
    "eta": lambda s: "<mi>η</mi>", "entry": lambda s, n, i: s.name_mathml(n, str(i + 1)),
    "gentry": lambda s, n, i: (f"<msub><mrow><mo>(</mo>{s.mathml(s.grad(n).name)}<mo>)</mo>"
                               f"</mrow><mn>{i + 1}</mn></msub>")}
