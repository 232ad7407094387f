"""What the checker tells a student about a cell, in words that are true.

Every sentence is built from the evaluated graphs (the true trace, the student's graph,
the matching mistake model) and the op records; nothing is claimed that was not computed.
Where the checker cannot know (which step of an unwritten chain went wrong), it says what
it does know: the step, its correct local derivatives, and the numbers it was given.

Examples
--------
>>> from gradviz import evaluate, example
>>> from gradviz.teaching.carry import Carry
>>> c = Carry(evaluate(example("interesting")), {}, {"H4": -0.6225})
>>> Explainer(c, {"∇H4": "-0.6225"}).inherited("∇H2", ["∇H4"])
'follows from your wrong ∇H₄ = -0.6225: with it this step gives 1.245, which is what you wrote'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from gradviz.core import formula as F
from gradviz.core.format import MINUS, fmt_value
from gradviz.core.names import plain
from gradviz.core.ops import FUNCS
from gradviz.core.typeset import to_plain
from gradviz.teaching.carry import Carry
from gradviz.teaching.diagnose import Model, complete, op_of
from gradviz.teaching.quantities import display
from gradviz.teaching.surgery import op_env, op_locals

__all__ = ["Explainer", "number"]


def number(x: Any, digits: int = 4) -> str:
    """A number (or vector) for a sentence: 4 significant digits, the minus sign U+2212."""
    return fmt_value(np.asarray(x, dtype=float), digits, minus=MINUS)


class Explainer:
    """Sentences about cells of one sheet: ``carry`` is the student's graph, ``written``
    the text of each quantity's cell as the student wrote it."""

    def __init__(self, carry: Carry, written: Mapping[str, str]) -> None:
        self.c, self.t, self.g = carry, carry.trace, carry.trace.graph
        self.written = written

    def name(self, n: str) -> str:
        return self.g.display_name(n)

    def yours(self, q: str) -> str:
        return f"{display(q)} = {self.written[q]}" if q in self.written else display(q)

    # ------------------------------------------------------------------ right cells
    def rounding(self, how: str, q: str, expected: Any, digits: int = 3,
                 allowance: Any = 0.0) -> str:
        """Why a right number differs from the value: which rounding explains it."""
        if how == "truncated":
            return f"truncated ({number(expected, 6)} cut, not rounded)"
        if how == "unit":
            return f"within one unit of the last digit ({number(expected, 6)})"
        mine = ", ".join(self.yours(s) for s in self.upstream(q))
        recomputed = number(self.c.read(q), 6)
        if how == "carried":
            return (f"rounding as you go: carrying the numbers it is computed from at {digits} "
                    f"significant digits moves it by up to {number(np.max(allowance), 2)} "
                    f"(exact: {number(expected, 6)}" +
                    (f"; from your {mine}: {recomputed})" if mine else ")"))
        return (f"follows from your own rounded {mine or 'earlier numbers'}: recomputed "
                f"from them it is {recomputed} (exact: {number(expected, 6)}){self.derived(q)}")

    def upstream(self, q: str) -> list[str]:
        """The student's cells this cell is recomputed from."""
        node = q.lstrip("∇")
        if q.startswith("∇"):
            return ["∇" + f for f in self.c.chain(node).frontier if "∇" + f in self.written]
        inner = set(self.g.expression(node))
        found, todo, seen = [], [u for w in inner for u in self.g.inputs(w)], set(inner)
        while todo:
            u = todo.pop()
            if u in seen or self.g.is_leaf(u):
                continue
            seen.add(u)
            if u in self.written:
                found.append(u)
            else:
                todo.extend(self.g.inputs(u))
        return sorted(found, key=lambda x: self.g.rank[x])

    # ------------------------------------------------------------------ wrong cells
    def inherited(self, q: str, sources: list[str]) -> str:
        mine = ", ".join(self.yours(s) for s in sources)
        them = "it" if len(sources) == 1 else "them"
        return (f"follows from your wrong {mine}: with {them} this step gives "
                f"{number(self.c.read(q))}, which is what you wrote{self.derived(q)}")

    def model(self, q: str, m: Model) -> str:
        return getattr(self, "_" + m.cause)(q, m)

    def _sign(self, q: str, m: Model) -> str:
        if m.node is None:
            return f"the sign is wrong: this step gives {number(self.c.read(q))}"
        a, b = m.detail["edge"]
        return (f"the sign of ∂{self.name(b)}/∂{self.name(a)}{self.local(b, a)} is wrong on "
                f"the way: with it flipped this gives {number(m.value)}")

    def _missing_path(self, q: str, m: Model) -> str:
        a, b = m.detail["edge"]
        if "use" in m.detail:
            j, n = m.detail["use"]
            return (f"{self.name(a)} is used {n} times in {self.node_text(b)}: one of those "
                    f"uses is missing from ∇{self.name(a)} (each use adds its own term); "
                    f"without it this gives {number(m.value)}{self.via(q, a)}")
        users = ", ".join(self.name(v) for v in self.g.named_consumers(a))
        return (f"the path through {self.name(b)} is missing: {self.name(a)} is used by "
                f"{users}, and ∇{self.name(a)} sums over all of them; without "
                f"{self.name(a)} → {self.name(b)} it is {number(m.value)}{self.via(q, a)}")

    def _wrong_branch(self, q: str, m: Model) -> str:
        k = m.node
        assert k is not None
        op = op_of(self.g, k)
        ins = self.g.inputs(k)
        env = op_env(self.g, self.c.env, k)
        roles = {op.args[op.role(i, len(ins))]: u for i, u in enumerate(ins)}
        other = op.pieces[m.detail["piece"]]
        at = m.detail["element"]
        if at is not None:  # the condition at that element only
            env = {r: np.asarray(v)[at] if np.ndim(v) == len(at) else v for r, v in env.items()}
        where = "" if at is None else f" (element {', '.join(str(i + 1) for i in at)})"
        held = self._held(op, env)
        cond = lambda w: to_plain(F.parse(w), name=lambda r: self.name(roles[r])
                                    if r in roles else plain(r))
        values = ", ".join(f"{self.name(roles[r])} = {number(env[r])}" for r in
                           sorted(F.free_symbols(F.parse(other.when)) & set(roles)))
        now = f"here {cond(held)} ({values})" if held else f"here ({values}) another holds"
        return (f"the wrong branch at {self.node_text(k)}{where}: {now}, but the gradient "
                f"went as if {cond(other.when)}; that gives {number(m.value)}")

    def _held(self, op: Any, env: dict) -> str | None:
        for p in op.pieces:
            try:
                with np.errstate(all="ignore"):
                    if bool(np.all(F.evaluate(F.parse(p.when), env, FUNCS))):
                        return p.when
            except (KeyError, ValueError):
                return None
        return None

    def _local_only(self, q: str, m: Model) -> str:
        a, b = m.detail["edge"]
        if b is None:
            return (f"the local derivatives alone: ∇{self.name(a)} was not multiplied by the "
                    f"upstream gradients (that gives {number(m.value)})")
        local = self.local(b, a)
        return (f"the local derivative ∂{self.name(b)}/∂{self.name(a)}{local} alone: it was "
                f"not multiplied by the upstream gradient ∇{self.name(b)} = "
                f"{number(self.c.grad(b))}")

    def _no_local(self, q: str, m: Model) -> str:
        a, b = m.detail["edge"]
        return (f"the upstream gradient ∇{self.name(b)} = {number(self.c.grad(b))} passed on "
                f"without the local derivative ∂{self.name(b)}/∂{self.name(a)}"
                f"{self.local(b, a)}; that gives {number(m.value)}{self.via(q, a)}")

    def _wrong_activation_derivative(self, q: str, m: Model) -> str:
        k = m.node
        assert k is not None
        op = op_of(self.g, k)
        x = self.g.inputs(k)[0]
        names = {"out": self.name(k), "x": _group(self.name(x))}
        show = lambda e: to_plain(e, name=lambda s: names.get(s, plain(s)))
        source, how = m.detail["activation"], m.detail["how"]
        if how == "pieces":
            got, whence = f"{number(m.detail['local'])}", f" ({source}′ there)"
        else:
            got = show(m.detail["expr"])
            whole = show(F.parse(m.detail["template"]))
            whence = {"": f" ({source}′)", "factor": f" (one factor of {source}′ = {whole})",
                      "input": f" ({source}′ = {whole} with {names['x']} for "
                               f"{names['out']})"}[how]
        right = op_locals(op, op_env(self.g, self.c.env, k), 1)
        right_text = show(F.parse(op.local[0])) + " = " if op.local else ""
        value = f" = {right_text}{number(right[0])}" if right is not None else ""
        return (f"the derivative of {op.name} at {self.node_text(k)} taken as {got}{whence}; "
                f"{op.name}′{value}")

    def _forward(self, q: str, m: Model) -> str:
        k = m.node
        assert k is not None
        return (f"the forward pass used {m.detail['activation']} instead of "
                f"{op_of(self.g, k).name} at {self.node_text(k)}: that gives "
                f"{number(m.value)}")

    def swap(self, q: str, other: str) -> str:
        return (f"{display(q)} and {display(other)} are swapped: this is {display(other)}'s "
                f"value ({number(self.c.true(other))})")

    def forward(self, q: str) -> str:
        if self.g.is_leaf(q):
            return f"{plain(q)} is given: {number(self.c.true(q))}"
        shown = self.g.expr(q, show=lambda n: number(self.c.value(n)), pretty=True)
        mine = ", ".join(self.yours(s) for s in self.upstream(q))
        return (f"the forward value is wrong: {plain(q)} = {shown} = {number(self.c.read(q))}"
                + (f" with your {mine}" if mine else ""))

    def arithmetic(self, q: str) -> str:
        """The step as it should be computed, with its correct local derivatives."""
        if not q.startswith("∇"):
            return self.forward(q)
        u = q[1:]
        users = [v for v in self.g.named_consumers(u) if self.t.requires_grad(v)]
        if not users:
            return f"no common mistake gives this number; {plain(u)} does not reach the loss"
        symbols = " + ".join(f"∇{self.name(v)} · ∂{self.name(v)}/∂{self.name(u)}"
                             for v in users)
        numbers = " + ".join(f"({number(self.c.grad(v))}) · ({self.local(v, u)[3:] or '…'})"
                             for v in users)
        given = [self.yours("∇" + v) for v in users if "∇" + v in self.written]
        derived = [f"∇{self.name(v)} is not asked ({self.origin(v)})" for v in users
                   if "∇" + v not in self.written and v != self.g.loss]
        notes = (["with your " + ", ".join(given)] if given else []) + derived
        tried = "no common mistake" if complete(self.c, q) else \
            "none of the common mistakes nearest this step"
        return (f"{tried} gives this number; the step is ∇{self.name(u)} = "
                f"{symbols} = {numbers} = {number(self.c.read(q))}"
                + (" (" + "; ".join(notes) + ")" if notes else ""))

    # ---------------------------------------------------------------------- pieces
    def derived(self, q: str) -> str:
        """Where the unasked nodes right after a gradient cell get their gradients."""
        if not q.startswith("∇"):
            return ""
        unasked = [v for v in self.g.named_consumers(q[1:])
                   if "∇" + v not in self.written and v != self.g.loss]
        return "".join(f" (∇{self.name(v)} is not asked: {self.origin(v)})" for v in unasked)

    def via(self, q: str, a: str) -> str:
        """For a step further down the chain: where the unasked ∇a comes from."""
        if a == q.lstrip("∇") or "∇" + a in self.written:
            return ""
        return f" (∇{self.name(a)} is not asked: {self.origin(a)})"

    def origin(self, n: str) -> str:
        """Where an unasked node's gradient comes from."""
        cells = [f for f in self.c.sources(n) if "∇" + f in self.written]
        if cells:
            return "derived from your " + ", ".join(display("∇" + f) for f in cells)
        return "the true value"

    def local(self, b: str, a: str) -> str:
        """`` = 1.333`` for a scalar local derivative ∂b/∂a, else ``""``."""
        jac = self.t.local_through(b, a, limit=1)
        return "" if jac is None else f" = {number(jac)}"

    def node_text(self, k: str) -> str:
        if self.g.is_generated(k):
            return self.name(k)
        return f"{self.name(k)} = {self.g.expr(k, show=plain, pretty=True)}"


def _group(text: str) -> str:
    return f"({text})" if " " in text else text
