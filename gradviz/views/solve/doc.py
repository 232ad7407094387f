"""A solution laid out as a document, the same outline for Markdown, LaTeX and HTML:
title and source, the graph, what is given, the notation, the forward pass, the backward
pass block by block, the parameter updates, the answer table, the annotated graph."""

from __future__ import annotations

from dataclasses import dataclass, field

from gradviz.core.formula import Call, Cmp
from gradviz.views.solve.forward import shape_words
from gradviz.views.solve.lines import Eq, Text
from gradviz.views.solve.model import Solution

__all__ = ["Heading", "Para", "Items", "Equations", "Table", "Figure", "Block", "document"]


@dataclass(frozen=True)
class Heading:
    level: int
    text: Text


@dataclass(frozen=True)
class Para:
    text: Text
    quiet: bool = False  # a side remark (set in italics)


@dataclass(frozen=True)
class Items:
    items: list[Text]


@dataclass(frozen=True)
class Equations:
    """Equation chains, with sentences between them (``Text`` items)."""

    items: list[Eq | Text]


@dataclass(frozen=True)
class Table:
    header: list[Text]
    rows: list[list[Text]]


@dataclass(frozen=True)
class Figure:
    key: str  # "blank" or "all"
    caption: str


Block = Heading | Para | Items | Equations | Table | Figure


@dataclass
class Document:
    title: str
    source: str
    blocks: list[Block] = field(default_factory=list)


def _given(s: Solution) -> list[Block]:
    items: list[Text] = []
    for title, xs in s.given:  # numbers together, each vector or matrix on its own
        small = [x for x in xs if not _array(x)]
        if small:
            items.append((f"{title}: ", *_commas(small)))
        items += [(f"{title[:-1] if title.endswith('s') else title}: ", *x)
                  for x in xs if _array(x)]
    lr = s.num.literal(s.num.lr) if s.num.lr is not None else None
    if lr is not None:
        items.append(("Learning rate: ", Cmp("==", s.sym.eta(), lr)))
    return [Heading(2, ("Given",)), Items(items)]


def _array(t: Text) -> bool:
    e = t[0]
    return len(t) > 1 or isinstance(e, Cmp) and isinstance(e.b, Call) and \
        e.b.fn in ("vector", "matrix")


def _commas(xs: list[Text]) -> list:
    out: list = []
    for i, x in enumerate(xs):
        out += ([", "] if i else []) + list(x)
    return out


def _forward(s: Solution) -> list[Block]:
    items: list[Eq | Text] = []
    for line in s.forward:
        items += line.eqs
        items += line.notes
    return [Heading(2, ("Forward pass",)), Equations(items)]


def _backward(s: Solution) -> list[Block]:
    out: list[Block] = [Heading(2, ("Backward pass",)), Para((
        "From the loss back, layer by layer. Each node's gradient sums the chain rule over "
        "every node that uses it; each local derivative is written as a formula, then with "
        "numbers, then its value.",))]
    for line in s.backward:
        out.append(Heading(3, line.title))
        if line.intro:
            out.append(Para(line.intro))
        out.append(Equations([*line.eqs, *line.notes]))
    return out


def _answers(s: Solution) -> list[Block]:
    rows = []
    for _, label, value in s.answers:
        lit = s.num.literal(value)
        if lit is None:
            cell: Text = (shape_words(value),)
        else:
            cell = (lit,)
        rows.append([(label,), cell])
    return [Heading(2, ("Answer table",)), Table([("quantity",), ("value",)], rows)]


def document(s: Solution, figures: bool) -> Document:
    """The blocks of a solution's document."""
    g = s.trace.graph
    d = Document(g.title or g.name or "graph", g.source)
    if figures:
        d.blocks.append(Figure("blank", "The graph"))
    d.blocks += _given(s)
    d.blocks += [Heading(2, ("Notation",)), Items(s.notation)]
    d.blocks += _forward(s)
    d.blocks += _backward(s)
    if s.updates:
        d.blocks += [Heading(2, ("Gradient-descent update",)),
                     Equations([eq for line in s.updates for eq in line.eqs])]
    d.blocks += [Para(t, quiet=True) for t in s.omitted]
    d.blocks += _answers(s)
    if figures:
        d.blocks.append(Figure("all", "Values and gradients"))
    return d
