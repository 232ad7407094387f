"""Names typeset as people write them (W1 → W₁, Yhat → Ŷ), and safe label text.

Every renderer takes user text through here: :func:`html` for Graphviz HTML-like labels,
:func:`plain` for Unicode text (terminal, Manim ``Text``), :func:`tex` for LaTeX, where a
name reaches TeX only if it fits an allowlisted grammar (letters, digits, accents).
"""

from __future__ import annotations

import html as _html
import re
import unicodedata

__all__ = ["split", "html", "plain", "label", "tex", "safe_text", "MAX_LABEL"]

MAX_LABEL = 64  # characters of user text shown in a label; the rest becomes "…"

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "iota": "ι", "kappa": "κ", "mu": "μ", "nu": "ν", "xi": "ξ",
    "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "chi": "χ", "psi": "ψ",
    "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Sigma": "Σ", "Phi": "Φ",
    "Omega": "Ω",
}
ACCENTS = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303", "dot": "\u0307"}
_TEX_ACCENTS = {"hat": r"\hat", "bar": r"\bar", "tilde": r"\tilde", "dot": r"\dot"}
_SUB_DIGITS = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉,")
_NAME = re.compile(r"([A-Za-z]+?)(hat|bar|tilde|dot)?(?:_?(\d+(?:_\d+)*)|_([A-Za-z0-9]+))?")


def split(name: str) -> tuple[str, str, str] | None:
    """``(base, accent, subscript)`` of a conventional name, or ``None``.

    Examples
    --------
    >>> split("W1"), split("Yhat"), split("w11_2"), split("b_out"), split("H2.1")
    (('W', '', '1'), ('Y', 'hat', ''), ('w', '', '11,2'), ('b', '', 'out'), None)
    """
    m = _NAME.fullmatch(name)
    if not m:
        return None
    base, acc, num, word = m.groups()
    if acc and len(base) > 2 and base not in GREEK:
        return None  # "what" is a word, not w-hat
    return base, acc or "", (num or "").replace("_", ",") or word or ""


def safe_text(text: str, limit: int = MAX_LABEL) -> str:
    """User text made visible and bounded: control and bidi characters shown as ``\\uXXXX``.

    Examples
    --------
    >>> safe_text("a\\u202eb"), len(safe_text("x" * 20000))
    ('a\\\\u202Eb', 64)
    """
    if text.isprintable():  # no control, format or separator characters: nothing to show
        return text if len(text) <= limit else text[:limit - 1] + "…"
    out = "".join(f"\\u{ord(c):04X}" if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp",
                                                                      "Cs", "Co", "Cn")
                  else c for c in text)
    return out if len(out) <= limit else out[:limit - 1] + "…"


def _typeset(name: str) -> tuple[str, str] | None:
    """A conventional name's letter (a Greek name as its letter, the accent combined) and
    its subscript, or ``None``."""
    parts = split(name)
    if parts is None:
        return None
    base, acc, sub = parts
    letter = GREEK.get(base, base)  # ASCII or one Greek letter: already NFC without accent
    return (unicodedata.normalize("NFC", letter + ACCENTS[acc]) if acc else letter), sub


def _plain_of(name: str, typeset: tuple[str, str] | None) -> str:
    if typeset is None:
        return safe_text(name)
    letter, sub = typeset
    if sub and sub.replace(",", "").isdigit():
        return letter + sub.translate(_SUB_DIGITS)
    return letter + (f"_{sub}" if sub else "")


def _html_of(name: str, typeset: tuple[str, str] | None) -> str:
    if typeset is None:
        return escape(name)
    letter, sub = typeset  # letters, digits and commas: nothing to escape, only to bound
    return safe_text(letter) + (f"<SUB>{safe_text(sub)}</SUB>" if sub else "")


def plain(name: str) -> str:
    """Unicode form: ``W1`` → ``W₁``, ``Yhat`` → ``Ŷ``, ``alpha`` → ``α``.

    Examples
    --------
    >>> plain("W1"), plain("Yhat"), plain("w11_2"), plain("b_out"), plain("x<y>")
    ('W₁', 'Ŷ', 'w₁₁,₂', 'b_out', 'x<y>')
    """
    return _plain_of(name, _typeset(name))


def html(name: str) -> str:
    """Graphviz HTML-like label markup, with the subscript in ``<SUB>``; always escaped.

    Examples
    --------
    >>> html("W1"), html("Yhat"), html("<b>x</b>")
    ('W<SUB>1</SUB>', 'Ŷ', '&lt;b&gt;x&lt;/b&gt;')
    """
    return _html_of(name, _typeset(name))


def label(name: str) -> tuple[str, str]:
    """:func:`plain` and :func:`html` of a name at once (a figure titles every node with
    both), the name read once.

    Examples
    --------
    >>> label("W1"), label("x<y>")
    (('W₁', 'W<SUB>1</SUB>'), ('x<y>', 'x&lt;y&gt;'))
    """
    typeset = _typeset(name)
    return _plain_of(name, typeset), _html_of(name, typeset)


def escape(text: str) -> str:
    """Escape user text for an HTML-like label (after :func:`safe_text`).

    Backslashes are doubled: Graphviz expands ``\\N`` and friends even in HTML labels,
    and reads two backslashes as one.

    Examples
    --------
    >>> print(escape('<a href="x">' + chr(92) + 'N</a>'))
    &lt;a href=&quot;x&quot;&gt;\\\\N&lt;/a&gt;
    """
    return _html.escape(safe_text(text), quote=True).replace("\\", "\\\\")


def tex(name: str) -> str:
    """LaTeX for names that fit the grammar; anything else as ``\\text{}`` of safe letters.

    Only ``[A-Za-z0-9]`` ever reaches TeX from a user name: other characters are dropped
    from the ``\\text{}`` fallback, so ``\\input{/etc/passwd}`` cannot run.

    Examples
    --------
    >>> tex("W1"), tex("Yhat"), tex("alpha_2"), tex("\\\\input{/etc/passwd}")
    ('W_{1}', '\\\\hat{Y}', '\\\\alpha_{2}', '\\\\text{inputetcpasswd}')
    """
    parts = split(name)
    if parts is None:
        return r"\text{" + (re.sub(r"[^A-Za-z0-9]", "", name)[:MAX_LABEL] or "?") + "}"
    base, acc, sub = parts
    body = "\\" + base if base in GREEK else (base if len(base) == 1 else r"\mathrm{" + base + "}")
    if acc:
        body = f"{_TEX_ACCENTS[acc]}{{{body}}}"
    return body + (f"_{{{sub}}}" if sub else "")
