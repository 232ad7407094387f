"""Escaping, one function per output language: every piece of user text (names, titles,
sources, asks, file names, students' answers) goes through the one for its output.

=============  ==================================================================
``terminal``   control characters and escape sequences shown as ``\\uXXXX``
``markdown``   no raw HTML, no links or images, Markdown syntax shown literally
``html``       text content and attribute values (``&<>"'``)
``tex``        text mode: every special character as a command, no file is ever read
``tex_path``   a file name for ``\\includegraphics``: a safe relative path, or refused
``dot_html``   Graphviz HTML-like labels (see :func:`gradviz.core.names.escape`)
=============  ==================================================================

Examples
--------
>>> markdown("<img src=x onerror=alert(1)> [click](javascript:x)")
'&lt;img src=x onerror=alert(1)&gt; \\\\[click\\\\](javascript:x)'
>>> tex(r"k}\\input{/etc/hostname}")
'k\\\\}\\\\textbackslash{}input\\\\{/etc/hostname\\\\}'
"""

from __future__ import annotations

import html as _html
import re
import unicodedata

from gradviz.core.errors import GradvizError
from gradviz.core.names import escape as dot_html

__all__ = ["terminal", "markdown", "html", "tex", "tex_path", "dot_html"]

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#+!|~>-])")
_TEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
                "#": r"\#", "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%",
                "~": r"\textasciitilde{}"}
_TEX_UNICODE = {"−": "-", "·": r"$\cdot$", "∂": r"$\partial$", "∇": r"$\nabla$",
                "≥": r"$\ge$", "≤": r"$\le$", "×": r"$\times$", "…": r"\dots{}",
                "½": r"$\frac12$", "σ": r"$\sigma$", "α": r"$\alpha$", "δ": r"$\delta$",
                "η": r"$\eta$", "Σ": r"$\Sigma$", "ŷ": r"$\hat{y}$", "Ŷ": r"$\hat{Y}$",
                "′": "'", "→": r"$\to$", "⊙": r"$\odot$", "ᵀ": r"$^{\top}$"}
_SUBS = "₀₁₂₃₄₅₆₇₈₉"
_SAFE_PATH = re.compile(r"[A-Za-z0-9._/-]+")


_INVISIBLE = ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")


def terminal(text: str) -> str:
    """Text safe to print to a terminal: escape sequences, other control characters and
    bidi overrides shown as ``\\uXXXX`` (newlines and tabs are kept).

    Examples
    --------
    >>> terminal("ok\\x1b[2J\\n") == "ok\\\\u001B[2J\\n"
    True
    """
    if text.isprintable():
        return text
    return "".join(c if c in "\n\t" or unicodedata.category(c) not in _INVISIBLE
                   else f"\\u{ord(c):04X}" for c in text)


def _visible(text: str) -> str:
    return "".join(c if unicodedata.category(c) not in _INVISIBLE or c in "\n\t"
                   else f"\\u{ord(c):04X}" for c in text)


def markdown(text: str) -> str:
    """User text inside Markdown: shown literally, never as HTML, a link or an image.

    Examples
    --------
    >>> markdown("a_b *c* <b>")
    'a\\\\_b \\\\*c\\\\* &lt;b&gt;'
    """
    text = _visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def html(text: str) -> str:
    """User text inside HTML content or a quoted attribute.

    Examples
    --------
    >>> html('<script>"x"</script>')
    '&lt;script&gt;&quot;x&quot;&lt;/script&gt;'
    """
    return _html.escape(_visible(text), quote=True)


def tex(text: str) -> str:
    """User text inside LaTeX text mode: specials as commands, known symbols as math,
    any other non-ASCII character (digits of other scripts included) replaced by ``?``.

    Examples
    --------
    >>> tex("50% of x_1 & y"), tex("x١ ∂L")
    ('50\\\\% of x\\\\_1 \\\\& y', 'x? $\\\\partial$L')
    """
    out = []
    for ch in _visible(text):
        if ch in _TEX_SPECIAL:
            out.append(_TEX_SPECIAL[ch])
        elif ch in _TEX_UNICODE:
            out.append(_TEX_UNICODE[ch])
        elif ch in _SUBS:
            out.append(f"$_{_SUBS.index(ch)}$")
        elif ch == "\n":
            out.append(" ")
        elif ch.isascii() and ch.isprintable():
            out.append(ch)
        else:
            out.append("?")
    return "".join(out)


def tex_path(path: str) -> str:
    """A relative file name that may appear in ``\\includegraphics{}``: letters, digits,
    ``. _ - /`` only, no ``..``; anything else is refused (rename the output).

    Examples
    --------
    >>> tex_path("key_figures/all.pdf")
    'key_figures/all.pdf'
    """
    if not _SAFE_PATH.fullmatch(path) or ".." in path.split("/") or path.startswith("/"):
        raise GradvizError(f"the figure path {terminal(path)!r} cannot be written into LaTeX "
                           "safely: use letters, digits, '.', '_', '-' in output file names")
    return path
