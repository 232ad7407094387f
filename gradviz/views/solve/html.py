"""The solution as one self-contained HTML page: math in MathML (which Chromium and Firefox
draw natively, no script and no external asset), figures embedded as data URIs, user text
escaped (:func:`gradviz.core.escape.html`)."""

from __future__ import annotations

from gradviz.core import escape
from gradviz.core.formula import Expr
from gradviz.core.typeset import to_mathml
from gradviz.views.solve.lines import Eq
from gradviz.views.solve.writer import Writer

__all__ = ["HtmlWriter", "CSS"]

CSS = ("body{font-family:system-ui,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;"
       "line-height:1.45}math{font-size:1.1em;font-family:'STIX Two Math','Cambria Math',"
       "'Latin Modern Math','Noto Sans Math',math}.eq{overflow-x:auto;overflow-y:hidden;"
       "margin:.4rem 0}mtd{text-align:left;padding:.1rem 0;math-style:normal}"
       "mtd:first-child{text-align:right}"
       "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .6rem;"
       "text-align:left}img{max-width:100%}figure{margin:1rem 0}"
       ".quiet{color:#555;font-style:italic}h3{margin-bottom:.2rem}")


class HtmlWriter(Writer):
    """A self-contained HTML page."""

    limit = 110

    def name(self, key: str) -> str:
        return "<mrow></mrow>" if self.hole(key) else self.sym.mathml(key)

    def math(self, e: Expr, numbers: bool = False) -> str:
        return to_mathml(e, name=self.name, number=self.num.text, explicit=numbers)

    def words(self, text: str) -> str:
        return escape.html(text)

    def inline(self, markup: str) -> str:
        return f"<math>{markup}</math>"

    def rel(self, rel: str) -> str:
        return f"<mo>{escape.html(rel)}</mo>"

    def begin(self) -> str:
        title = escape.html(self.doc.title)
        out = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               f"<title>Solution: {title}</title><style>{CSS}</style></head><body>\n"
               f"<h1>Solution: {title}</h1>\n")
        if self.doc.source:
            out += f"<p><em>{escape.html(self.doc.source)}</em></p>\n"
        return out

    def end(self) -> str:
        return "</body></html>\n"

    def heading(self, level: int, text: str) -> str:
        return f"<h{level}>{text}</h{level}>\n"

    def para(self, text: str, quiet: bool) -> str:
        return f"<p class=\"quiet\">{text}</p>\n" if quiet else f"<p>{text}</p>\n"

    def items(self, items: list[str]) -> str:
        return "<ul>" + "".join(f"<li>{t}</li>" for t in items) + "</ul>\n"

    def table(self, header: list[str], rows: list[list[str]]) -> str:
        head = "".join(f"<th>{h}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>\n"

    def figure(self, path: str, caption: str, scale: float | None = 1.0) -> str:
        cap = escape.html(caption)
        return (f"<figure><img src=\"{escape.html(path)}\" alt=\"{cap}\">"
                f"<figcaption>{cap}</figcaption></figure>\n")

    def eq_block(self, eqs: list[Eq]) -> str:
        out = []
        space = '<mspace width="1em"/>'
        for eq in eqs:
            rows = "".join(f"<mtr><mtd>{lhs}</mtd><mtd><mrow>{space if more else ''}"
                           f"{text}</mrow></mtd></mtr>" for lhs, text, more in self.eq_rows(eq))
            out.append(f"<div class=\"eq\"><math display=\"block\"><mtable>{rows}</mtable>"
                       "</math></div>\n")
            if eq.note:
                out.append(self.para(self.text(eq.note), True))
        return "".join(out)
