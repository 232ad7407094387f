"""Check a student's answer table against the trace, and explain each wrong cell.

Answers come as CSV/TSV, JSON, simple YAML (``name: value`` lines) or a Markdown table,
with the quantity names students write (``∇H_5``, ``\\nabla \\mathbf{W}_1``, ``dL/dW1``,
``Ŷ``). Numbers are compared rounding-aware: ``0.6225`` for 0.62246 is right.

A wrong gradient is explained by testing the classic mistakes, each as a variant of the
graph evaluated by the same evaluator (never by hand-written arithmetic):

* inherited: the chain-rule step is right but uses the student's own wrong upstream
  gradient(s) (named);
* a sign error;
* a path left out of a sum (which one): the edge into that consumer is cut with
  ``stop_gradient``;
* the wrong branch at a kink or at min/max (which node): that node is rewired to keep its
  value but pass the other branch's gradient.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gradviz.core.edit import GraphEdit
from gradviz.core.errors import GradvizError
from gradviz.core.evaluate import Trace, evaluate
from gradviz.core.format import canonical, fmt_value
from gradviz.core.graph import Graph
from gradviz.core.names import plain
from gradviz.core.parse import parse_value
from gradviz.views.answers import asked

__all__ = ["read_answers", "match_quantity", "check", "Report", "Cell", "agrees"]


# --------------------------------------------------------------------- reading
def read_answers(text: str, source: str = "answers") -> list[tuple[str, str]]:
    """``(quantity as written, value text)`` pairs from CSV/TSV, JSON, YAML or Markdown.

    Examples
    --------
    >>> read_answers("| $\\\\hat{Y}$ | $L$ |\\n|---|---|\\n| 0.69 | 1.17 |")
    [('$\\\\hat{Y}$', '0.69'), ('$L$', '1.17')]
    >>> read_answers("Yhat: 0.69\\ndL/dW1: [-0.069, 0.069]")
    [('Yhat', '0.69'), ('dL/dW1', '[-0.069, 0.069]')]
    """
    text = text.lstrip("\ufeff").strip()
    if not text:
        raise GradvizError(f"{source}: no answers found")
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise GradvizError(f"{source}: not valid JSON ({e.msg}, line {e.lineno})") from None
        return [(str(k), json.dumps(v) if not isinstance(v, str) else v) for k, v in data.items()]
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if all(ln.strip().startswith("|") for ln in lines):
        rows = [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in lines]
        rows = [r for r in rows if not all(re.fullmatch(r":?-{2,}:?", c) for c in r if c)]
        return _table(rows, source)
    if all(re.match(r"^[^,\t|]+:\s*\S", ln) and ln.count(":") >= 1 for ln in lines) and \
            not any("\t" in ln for ln in lines):
        return [(ln.split(":", 1)[0].strip(), ln.split(":", 1)[1].strip()) for ln in lines]
    delim = "\t" if "\t" in lines[0] else ","
    rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO("\n".join(lines)),
                                                       delimiter=delim, skipinitialspace=True)]
    return _table(rows, source)


def _table(rows: list[list[str]], source: str) -> list[tuple[str, str]]:
    if len(rows) >= 2 and all(len(r) == 2 for r in rows) and len(rows) != 2:
        start = 1 if rows[0][0].lower() in ("quantity", "name", "cell") else 0
        return [(r[0], r[1]) for r in rows[start:]]
    if len(rows) == 2 and len(rows[0]) == len(rows[1]):
        return list(zip(rows[0], rows[1]))
    if len(rows) >= 2 and all(len(r) == 2 for r in rows):
        return [(r[0], r[1]) for r in rows]
    raise GradvizError(f"{source}: expected a header row of quantity names and a row of "
                       "values, or rows of `quantity, value`")


# -------------------------------------------------------------------- matching
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.translate(_SUBSCRIPTS))
    s = s.replace("\u0302", "hat").replace("\u0304", "bar").replace("\u0303", "tilde")
    s = re.sub(r"\\(hat|bar|tilde)\s*\{?\s*([A-Za-z])\s*\}?", r"\2\1", s)
    s = re.sub(r"\\(mathbf|boldsymbol|mathrm|bm|mathit|text)\s*", "", s)
    return re.sub(r"[\s$\\{}_*`]", "", s).lower()


def match_quantity(written: str, graph: Graph) -> str | None:
    """The quantity a header names: a node for its value, ``∇node`` for its gradient.

    Examples
    --------
    >>> from gradviz import example
    >>> g = example("mlp")
    >>> [match_quantity(q, g) for q in ["$\\\\nabla \\\\mathbf{W}_3$", "dL/dB1", "Ŷ", "∂L/∂X₂",
    ...                                 "grad(H1)", "nope"]]
    ['∇W3', '∇B1', 'Yhat', '∇X2', '∇H1', None]
    """
    names = {}
    for n in graph.named():
        names.setdefault(_norm(n), n)
    s = written.strip()
    update = re.search(r"(\^\{?\s*\+\s*\}?|⁺|\+)\$?$", s)  # w21+, w₂₁⁺, w_{21}^{+}
    if update:
        s = s[:update.start()] + ("$" if s.endswith("$") else "")
    grad = False
    m = re.match(r"^\$?\s*(\\nabla|∇|grad\b|gradient\b)\s*(.*)$", s, re.I)
    if m:
        grad, s = True, m.group(2)
    else:
        m = re.match(r"^\$?\s*(?:\\frac\{\s*\\partial\s*\w+\s*\}\{\s*\\partial|(?:d|∂)\s*"
                     rf"{re.escape(graph.loss)}\s*/\s*(?:d|∂))\s*(.*?)\}}?\$?$", s, re.I)
        if m:
            grad, s = True, m.group(1)
    s = s.strip().strip("()").strip()
    key = _norm(s)
    if update:
        return names[key] + "+" if key in names and not grad else None
    if key in names:
        return ("∇" if grad else "") + names[key]
    if not grad and key.startswith("d") and key[1:] in names and key not in names:
        return "∇" + names[key[1:]]
    return None


# ------------------------------------------------------------------ comparing
def _decimals(token: str) -> int | None:
    """Decimal places a student wrote (``0.6225`` → 4; ``1.2e-3`` → 4)."""
    m = re.fullmatch(r"[-+−]?(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?", token.strip())
    if not m:
        return None
    places = len(m.group(2) or "")
    return places - int(m.group(3) or 0)


def _significant(token: str) -> int:
    digits = re.sub(r"[eE].*$", "", token).replace(".", "").lstrip("+-−").lstrip("0")
    return len(digits)


def agrees(written: str, given: np.ndarray, expected: np.ndarray, rtol: float = 1e-6,
           atol: float = 1e-9) -> bool:
    """Whether written numbers are the expected ones, allowing the student's rounding.

    Each number is right if within ``atol + rtol·|expected|``, or if it is the expected
    value rounded to the places written, with at least two significant digits.

    Examples
    --------
    >>> agrees("0.6225", np.array(0.6225), np.array(0.62246))
    True
    >>> agrees("0.62", np.array(0.62), np.array(0.62246))
    True
    >>> agrees("0.6", np.array(0.6), np.array(0.66))
    False
    """
    given, expected = np.asarray(given, float), np.asarray(expected, float)
    if given.shape != expected.shape:
        return False
    tokens = re.findall(r"[-+−]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", written)
    if len(tokens) != given.size:
        tokens = [None] * given.size
    for tok, s, e in zip(tokens, given.ravel(), expected.ravel()):
        if abs(s - e) <= atol + rtol * abs(e):
            continue
        places = _decimals(tok) if tok else None
        if places is None or _significant(tok) < 2 and abs(e) >= 10.0 ** (-places):
            return False
        if abs(s - e) > 0.5 * 10.0 ** (-places) * (1 + 1e-9):
            return False
    return True


# ---------------------------------------------------------------------- checking
@dataclass
class Cell:
    written: str
    quantity: str | None
    text: str
    status: str  # correct | wrong | missing | unknown | unreadable
    expected: np.ndarray | None = None
    given: np.ndarray | None = None
    explanation: str = ""
    cause: str = ""  # inherited | sign | missing_path | branch | "" (none found)
    detail: dict = field(default_factory=dict)


@dataclass
class Report:
    trace: Trace
    cells: list[Cell]

    @property
    def ok(self) -> bool:
        return all(c.status == "correct" for c in self.cells)

    def text(self) -> str:
        width = max((len(c.written) for c in self.cells), default=8)
        out = []
        for c in self.cells:
            mark = {"correct": "✓", "wrong": "✗", "missing": "·", "unknown": "?",
                    "unreadable": "?"}[c.status]
            line = f"{mark} {c.written.ljust(width)}  {c.status:10}"
            if c.status == "wrong":
                line += f"  you wrote {c.text}, expected {fmt_value(c.expected)}"
            elif c.status == "missing":
                line += f"  expected {fmt_value(c.expected)}"
            out.append(line)
            if c.explanation:
                out.append(f"  {' ' * width}  → {c.explanation}")
        right = sum(c.status == "correct" for c in self.cells)
        out.append(f"{right} of {len(self.cells)} correct")
        return "\n".join(out)

    def as_json(self) -> str:
        return json.dumps({"ok": self.ok, "cells": [
            {"written": c.written, "quantity": c.quantity, "status": c.status,
             "given": c.text if c.status != "missing" else None,
             "expected": None if c.expected is None else canonical(c.expected),
             "cause": c.cause or None, "explanation": c.explanation or None, **c.detail}
            for c in self.cells]}, ensure_ascii=False, indent=1)


def _expected(trace: Trace, q: str) -> np.ndarray | None:
    if q.endswith("+"):  # an update: what the problem's asks computes
        return dict(asked(trace)).get(q)
    return trace.grad(q[1:]) if q.startswith("∇") else trace.value(q)


def check(trace: Trace, answers: list[tuple[str, str]], rtol: float = 1e-6,
          atol: float = 1e-9) -> Report:
    """Compare answers with the trace; every asked quantity not answered is ``missing``."""
    g = trace.graph
    cells: list[Cell] = []
    seen = set()
    for written, text in answers:
        q = match_quantity(written, g)
        if q is None:
            cells.append(Cell(written, None, text, "unknown",
                              explanation="no node of the graph has this name"))
            continue
        seen.add(q)
        expected = _expected(trace, q)
        try:
            given = np.asarray(parse_value(text.replace("−", "-").replace("$", "")
                                           .replace("(", "[").replace(")", "]")), float)
        except GradvizError:
            cells.append(Cell(written, q, text, "unreadable", expected,
                              explanation="not a number or a [vector]"))
            continue
        ok = expected is not None and agrees(text, given, expected, rtol, atol)
        cells.append(Cell(written, q, text, "correct" if ok else "wrong", expected, given))
    for q, v in asked(trace):
        if q not in seen:
            cells.append(Cell(plain(q[1:]) if q.startswith("∇") else plain(q), q, "",
                              "missing", v))
    _diagnose(trace, cells, rtol, atol)
    return Report(trace, cells)


# -------------------------------------------------------------------- diagnosis
def _diagnose(trace: Trace, cells: list[Cell], rtol: float, atol: float) -> None:
    g = trace.graph
    student = {c.quantity: c for c in cells if c.given is not None and c.quantity}
    rank = {n: i for i, n in enumerate(g.order)}
    wrong = sorted((c for c in cells if c.status == "wrong"),
                   key=lambda c: -rank[c.quantity.lstrip("∇").rstrip("+")])
    for c in wrong:
        if c.expected is not None and agrees(c.text, c.given, -np.asarray(c.expected), rtol,
                                             atol) and np.any(np.asarray(c.expected) != 0):
            if not c.quantity.startswith("∇") or not _inherited(trace, c, student, rtol, atol):
                c.cause, c.explanation = "sign", "sign error: the magnitude is right"
            continue
        if c.quantity.endswith("+"):
            c.explanation = "the update is wrong: w⁺ = w − lr · ∂L/∂w"
            continue
        if not c.quantity.startswith("∇"):
            c.explanation = "the forward value is wrong"
            continue
        if _inherited(trace, c, student, rtol, atol):
            continue
        u = c.quantity[1:]
        for v, variant in _missing_paths(g, u):
            if agrees(c.text, c.given, evaluate(variant, check_finite=False).grad(u), rtol, atol):
                c.cause, c.detail = "missing_path", {"path_through": v}
                c.explanation = (f"a path is missing from the sum: the one through "
                                 f"{plain(v)} (∂L/∂{plain(u)} sums over every node that "
                                 f"uses {plain(u)})")
                break
        if c.cause:
            continue
        for k, variant in _flipped_branches(trace, u):
            if agrees(c.text, c.given, evaluate(variant, check_finite=False).grad(u), rtol, atol):
                c.cause, c.detail = "branch", {"kink": k}
                c.explanation = (f"the wrong branch at {_show(g, k)}: the gradient was sent "
                                 "down the branch that was not taken")
                break
        if not c.cause:
            c.explanation = "no classic mistake explains it: recheck this step's arithmetic"


def _show(g: Graph, n: str) -> str:
    if g.is_generated(n):
        return g.display_name(n)
    return f"{plain(n)} = {g.expr(n, show=plain, pretty=True)}"


def _inherited(trace: Trace, c: Cell, student: dict, rtol: float, atol: float) -> bool:
    """The student's own upstream gradients, pushed through the true local derivatives."""
    g = trace.graph
    u = c.quantity[1:]
    users = g.named_consumers(u)
    wrong_up = [v for v in users if f"∇{v}" in student and student[f"∇{v}"].status == "wrong"]
    if not wrong_up:
        return False
    weights = {v: (student[f"∇{v}"].given if f"∇{v}" in student else trace.grad(v))
               for v in users}
    if any(np.shape(w) != np.shape(trace.value(v)) for v, w in weights.items()):
        return False
    edit = GraphEdit(g)
    probe = edit.build(loss=edit.weighted_sum(weights))
    if not agrees(c.text, c.given, evaluate(probe, check_finite=False).grad(u), rtol, atol):
        return False
    names = ", ".join("∇" + plain(v) for v in wrong_up)
    c.cause, c.detail = "inherited", {"from": [f"∇{v}" for v in wrong_up]}
    c.explanation = (f"inherited from the wrong {names}: with that value the chain rule "
                     "here is right")
    return True


# ---------------------------------------------------------------- graph variants
def _missing_paths(g: Graph, u: str):
    """For each named consumer v of u: the graph with u's edges into v's expression cut."""
    users = g.named_consumers(u)
    if len(users) < 2:
        return
    for v in users:
        tree = set(g.expression(v))
        edit = GraphEdit(g)
        for w, k in g.consumers(u):
            if w in tree:
                edit.replace_operand(w, k, edit.op("stop_gradient", u))
        yield v, edit.build()


def _flipped_branches(trace: Trace, u: str):
    """For each branching node downstream of u and each branch not taken there: the graph
    that keeps the node's value but sends its gradient as that branch would."""
    from gradviz.core import formula as F
    from gradviz.core.ops import FUNCS

    g = trace.graph
    for k in g.descendants(u):
        op = g.op_of(k)
        if op is None or not op.pieces or op.kind == "loss":
            continue
        ins = g.inputs(k)
        env = {**g.params(k), "out": trace.value(k), "n": 1.0,
               **{op.args[op.role(i, len(ins))]: trace.value(a) for i, a in enumerate(ins)}}
        if any(np.ndim(v) for v in env.values()):
            continue
        taken = next(p for p in op.pieces if bool(F.evaluate(F.parse(p.when), env, FUNCS)))
        for p in op.pieces:
            if p is taken or p.local == taken.local or "==" in p.when:
                continue
            edit = GraphEdit(g)
            terms = [edit.op("mul", edit.const(F.evaluate(F.parse(p.local[op.role(i, len(ins))]),
                                                          env, FUNCS)), a)
                     for i, a in enumerate(ins)]
            lin = terms[0]
            for t in terms[1:]:
                lin = edit.op("add", lin, t)
            orig = edit.op(op.name, *ins, **g.params(k))
            edit.keep_value_send_gradient(k, orig, lin)
            yield k, edit.build()


def load_answers(path: str | Path) -> list[tuple[str, str]]:
    p = Path(path)
    try:
        return read_answers(p.read_text(encoding="utf-8"), source=str(p))
    except OSError as e:
        raise GradvizError(f"cannot read {p}: {e.strerror}") from None
