"""The solution as a LaTeX document (article, amsmath, graphicx, longtable) that pdflatex
compiles without overfull lines: equation chains in ``align*`` broken into rows that fit
the text width, figures scaled so their labels stay legible. User text reaches TeX only
through :func:`gradviz.core.escape.tex` (words) and the symbol table (names: letters and
digits); figure paths only through :func:`gradviz.core.escape.tex_path`."""

from __future__ import annotations

from gradviz.core import escape
from gradviz.core.formula import Expr
from gradviz.core.typeset import to_tex
from gradviz.views.solve.figures import MIN_LABEL_PT
from gradviz.views.solve.lines import Eq
from gradviz.views.solve.writer import Writer

__all__ = ["LatexWriter"]

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage{amsmath,amssymb,graphicx,longtable}
\usepackage[a4paper,margin=2cm]{geometry}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6\baselineskip}
\allowdisplaybreaks
\setlength{\emergencystretch}{3em}
\makeatletter
\g@addto@macro\normalsize{\setlength\abovedisplayskip{4pt}\setlength\belowdisplayskip{4pt}%
\setlength\abovedisplayshortskip{2pt}\setlength\belowdisplayshortskip{2pt}}
\makeatother
\begin{document}
"""
SHORT_NOTE = 28  # characters of a note that still fit at the end of its row


def _breakable(text: str) -> str:
    """Long identifiers (``cross_entropy_with_logits``) may break after an underscore."""
    return text.replace(r"\_", r"\_\allowbreak{}")


class LatexWriter(Writer):
    """A standalone LaTeX document."""

    limit = 74

    def name(self, key: str) -> str:
        return "{}" if self.hole(key) else self.sym.tex(key)

    def math(self, e: Expr, numbers: bool = False) -> str:
        return to_tex(e, name=self.name, number=self.num.text, explicit=numbers)

    def words(self, text: str) -> str:
        return _breakable(escape.tex(text))

    def inline(self, markup: str) -> str:
        return f"${markup}$"

    def rel(self, rel: str) -> str:
        return r"\approx" if rel == "≈" else rel

    def begin(self) -> str:
        out = PREAMBLE + rf"\section*{{Solution: {self.words(self.doc.title)}}}" + "\n"
        if self.doc.source:
            out += rf"\emph{{{self.words(self.doc.source)}}}" + "\n\n"
        return out

    def end(self) -> str:
        return "\\end{document}\n"

    def heading(self, level: int, text: str) -> str:
        cmd = {2: "subsection*", 3: "subsubsection*"}.get(level, "paragraph*")
        return f"\\{cmd}{{{text}}}\n"

    def para(self, text: str, quiet: bool) -> str:
        return (f"\\emph{{{text}}}" if quiet else text) + "\n\n"

    def items(self, items: list[str]) -> str:
        body = "".join(f"\\item {t}\n" for t in items)
        return f"\\begin{{itemize}}\n{body}\\end{{itemize}}\n"

    def table(self, header: list[str], rows: list[list[str]]) -> str:
        head = " & ".join(header) + r" \\ \hline"
        body = "".join(" & ".join(r) + " \\\\\n" for r in rows)
        return (f"\\begin{{longtable}}{{ll}}\n\\hline {head}\n\\endhead\n{body}"
                "\\hline\n\\end{longtable}\n")

    def figure(self, path: str, caption: str, scale: float | None = 1.0) -> str:
        if scale is None:
            name = path.rsplit("/", 1)[-1]
            return (f"\\emph{{{escape.tex(caption)}: this figure cannot be printed on the page "
                    f"with labels of {MIN_LABEL_PT:g} pt or more; it is the file "
                    f"{escape.tex(name)} in the figures folder beside this document.}}\n\n")
        return (f"\\begin{{figure}}[tbp]\n\\centering\n\\includegraphics[scale={scale:g}]{{{path}}}"
                f"\\par\\small {escape.tex(caption)}\n\\end{{figure}}\n")

    def eq_block(self, eqs: list[Eq]) -> str:
        out, rows = [], []
        quad = r"\quad "
        for eq in eqs:
            for lhs, text, more in self.eq_rows(eq):
                rows.append(f"{lhs} &{quad if more else ''}{text}")
            note = self.text(eq.note) if eq.note else ""
            if note and len(self.sym_plain(eq.note)) <= SHORT_NOTE:
                rows[-1] += rf" \qquad \text{{{note}}}"
            elif note:
                out.append(self._align(rows))
                out.append(note + "\n\n")
                rows = []
        if rows:
            out.append(self._align(rows))
        return "".join(out)

    @staticmethod
    def _align(rows: list[str]) -> str:
        return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}\n"

    def sym_plain(self, t: tuple) -> str:
        """A note as plain text (to measure it)."""
        from gradviz.core.typeset import to_plain

        return "".join(x if isinstance(x, str) else
                       to_plain(x, name=self.sym.plain, number=self.num.text) for x in t)
