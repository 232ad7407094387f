"""The solution as Markdown with LaTeX math, in the forms GitHub and GitLab render without
Markdown touching the TeX: ``$`…`$`` inline (a plain ``$…$`` loses underscores and
backslashes to Markdown's emphasis and escapes) and fenced ``math`` blocks for chains over
several rows (``aligned``; in a ``$$`` block GitHub turns a row break into a backslash).
User text is escaped (:func:`gradviz.core.escape.markdown`): no raw HTML, no links."""

from __future__ import annotations

from urllib.parse import quote

from gradviz.core import escape
from gradviz.core.formula import Expr
from gradviz.core.typeset import to_tex
from gradviz.views.solve.lines import Eq
from gradviz.views.solve.writer import Writer

__all__ = ["MarkdownWriter"]


class MarkdownWriter(Writer):
    """Markdown with ``$`` math."""

    limit = 100

    def name(self, key: str) -> str:
        return "{}" if self.hole(key) else self.sym.tex(key)

    def math(self, e: Expr, numbers: bool = False) -> str:
        return to_tex(e, name=self.name, number=self.num.text, explicit=numbers)

    def words(self, text: str) -> str:
        return escape.markdown(text)

    def inline(self, markup: str) -> str:
        return f"$`{markup}`$"

    def rel(self, rel: str) -> str:
        return r"\approx" if rel == "≈" else rel

    def begin(self) -> str:
        out = f"# Solution: {escape.markdown(self.doc.title)}\n\n"
        if self.doc.source:
            out += f"*{escape.markdown(self.doc.source)}*\n\n"
        return out

    def end(self) -> str:
        return ""

    def heading(self, level: int, text: str) -> str:
        return f"{'#' * level} {text}\n\n"

    def para(self, text: str, quiet: bool) -> str:
        return f"*{text}*\n\n" if quiet else f"{text}\n\n"

    def items(self, items: list[str]) -> str:
        return "".join(f"- {t}\n" for t in items) + "\n"

    def table(self, header: list[str], rows: list[list[str]]) -> str:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines) + "\n\n"

    def figure(self, path: str, caption: str, scale: float | None = 1.0) -> str:
        return f"![{escape.markdown(caption)}]({quote(path)})\n\n"

    def eq_block(self, eqs: list[Eq]) -> str:
        out = []
        for eq in eqs:
            rows = self.eq_rows(eq)
            note = self.text(eq.note) if eq.note else ""
            if len(rows) == 1:
                lhs, body, _ = rows[0]
                out.append(f"- {self.inline(f'{lhs} {body}')}" + (f" {note}" if note else ""))
                continue
            quad = r"\quad "
            body = " \\\\\n".join(f"{lhs} &{quad if more else ''}{text}"
                                  for lhs, text, more in rows)
            out.append(f"\n```math\n\\begin{{aligned}}\n{body}\n\\end{{aligned}}\n```\n" +
                       (f"\n{note}" if note else ""))
        return "\n".join(out) + "\n\n"
