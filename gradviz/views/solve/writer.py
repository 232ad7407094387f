"""What the Markdown, LaTeX and HTML writers share: walking the document's blocks and
typesetting sentences with inline math. A writer says how its language writes a formula,
a word, a heading, a list, a table, a figure and a block of equations."""

from __future__ import annotations

from gradviz.core.formula import Expr
from gradviz.views.solve.doc import (
    Block,
    Document,
    Equations,
    Figure,
    Heading,
    Items,
    Para,
    Table,
)
from gradviz.views.solve.layout import HOLE, Piece, rows
from gradviz.views.solve.lines import Eq, Text
from gradviz.views.solve.model import Solution

__all__ = ["Writer"]


class Writer:
    """Base of the writers: subclasses implement the ``*_`` hooks."""

    limit = 100  # characters of plain text per row of an equation

    def __init__(self, sol: Solution, doc: Document, figures: dict | None) -> None:
        self.sol, self.doc, self.figures = sol, doc, figures or {}
        self.sym, self.num = sol.sym, sol.num

    # ----------------------------------------------------------------- language
    def name(self, key: str) -> str:
        raise NotImplementedError

    def math(self, e: Expr, numbers: bool = False) -> str:
        raise NotImplementedError

    def words(self, text: str) -> str:
        raise NotImplementedError

    def inline(self, markup: str) -> str:
        raise NotImplementedError

    def rel(self, rel: str) -> str:
        raise NotImplementedError

    def text(self, t: Text) -> str:
        """Words and inline math."""
        return "".join(self.words(x) if isinstance(x, str) else self.inline(self.math(x))
                       for x in t)

    def piece(self, p: Piece) -> str:
        """``= expr`` or a continued sum ``+ term``."""
        body = self.math(p.expr, p.numbers)
        return f"{self.rel(p.rel)} {body}" if p.rel else body

    def eq_rows(self, eq: Eq) -> list[tuple[str, str, bool]]:
        """``(lhs markup or "", the row's pieces, whether it continues a sum)`` per row."""
        out = []
        for i, row in enumerate(rows(self.sym, self.num, eq, self.limit)):
            lhs = self.math(eq.lhs) if i == 0 and eq.lhs is not None else ""
            out.append((lhs, " ".join(self.piece(p) for p in row), not row[0].rel))
        return out

    # ------------------------------------------------------------------- blocks
    def render(self) -> str:
        parts = [self.begin()]
        for b in self.doc.blocks:
            parts.append(self.block(b))
        parts.append(self.end())
        return "".join(p for p in parts if p)

    def block(self, b: Block) -> str:
        if isinstance(b, Heading):
            return self.heading(b.level, self.text(b.text))
        if isinstance(b, Para):
            return self.para(self.text(b.text), b.quiet)
        if isinstance(b, Items):
            return self.items([self.text(t) for t in b.items])
        if isinstance(b, Table):
            return self.table([self.text(t) for t in b.header],
                              [[self.text(t) for t in r] for r in b.rows])
        if isinstance(b, Figure):
            f = self.figures.get(b.key)
            if f is None:
                return ""
            return self.figure(f, b.caption) if isinstance(f, str) else \
                self.figure(f.path, b.caption, f.scale)
        return self.equations(b)

    def equations(self, b: Equations) -> str:
        out, group = [], []
        for item in b.items:
            if isinstance(item, Eq):
                group.append(item)
                continue
            if group:
                out.append(self.eq_block(group))
                group = []
            out.append(self.para(self.text(item), False))
        if group:
            out.append(self.eq_block(group))
        return "".join(out)

    def hole(self, key: str) -> bool:
        return key == HOLE

    def begin(self) -> str:
        raise NotImplementedError

    def end(self) -> str:
        raise NotImplementedError

    def heading(self, level: int, text: str) -> str:
        raise NotImplementedError

    def para(self, text: str, quiet: bool) -> str:
        raise NotImplementedError

    def items(self, items: list[str]) -> str:
        raise NotImplementedError

    def table(self, header: list[str], rows: list[list[str]]) -> str:
        raise NotImplementedError

    def figure(self, path: str, caption: str, scale: float | None = 1.0) -> str:
        raise NotImplementedError

    def eq_block(self, eqs: list[Eq]) -> str:
        raise NotImplementedError
