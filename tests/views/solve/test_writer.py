"""The writers' shared walk over the document."""

from __future__ import annotations

import pytest

from gradviz import evaluate, example
from gradviz.views.solve.doc import document
from gradviz.views.solve.model import solution
from gradviz.views.solve.writer import Writer


class Plain(Writer):
    """A tiny writer: enough to see the walk."""

    def name(self, key):
        return self.sym.plain(key)

    def math(self, e, numbers=False):
        from gradviz.core.typeset import to_plain
        return to_plain(e, name=self.name, number=self.num.text, explicit=numbers)

    def words(self, text):
        return text

    def inline(self, markup):
        return f"[{markup}]"

    def rel(self, rel):
        return rel

    def begin(self):
        return "BEGIN\n"

    def end(self):
        return "END\n"

    def heading(self, level, text):
        return f"{'#' * level} {text}\n"

    def para(self, text, quiet):
        return text + "\n"

    def items(self, items):
        return "".join(f"* {t}\n" for t in items)

    def table(self, header, rows):
        return f"table {len(rows)}\n"

    def figure(self, path, caption, scale=1.0):
        return f"figure {path}\n"

    def eq_block(self, eqs):
        return "".join(f"{lhs} {text}\n" for eq in eqs for lhs, text, _ in self.eq_rows(eq))


def test_walk_and_sentences():
    s = solution(evaluate(example("xyz")))
    out = Plain(s, document(s, True), {"all": "all.svg"}).render()
    assert out.startswith("BEGIN\n") and out.endswith("figure all.svg\nEND\n")
    assert "a = xy + z = 2 × 3 + (−1) = 6 + (−1) = 5" in out
    assert "[a] is used by [b] and [w]." in out


def test_the_base_writer_is_abstract():
    s = solution(evaluate(example("xyz")))
    with pytest.raises(NotImplementedError):
        Writer(s, document(s, False), None).render()
