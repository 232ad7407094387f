"""The story: the ordered steps a teacher narrates, read from an evaluated trace.

Forward, one step per computed node in topological order (the last is the loss); then
the seed ∂L/∂L = 1; then backward in reverse topological order: at each node first its
gradient, now complete (with the sum of its contributions where paths meet), then one
step per incoming edge sending ``upstream · local = contribution`` to the operand.
Static frames, the animation and the written solution all follow this one list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gradviz.core.evaluate import Edge, Trace
from gradviz.core.format import MINUS, fmt_operand, fmt_value
from gradviz.core.names import plain

__all__ = ["Step", "Story", "story", "State"]

MAX_SUBSTITUTION = 120  # longer substitutions (big matrices) are left out of the sentence


@dataclass(frozen=True)
class Step:
    """One narrated step.

    Attributes
    ----------
    kind : str
        ``"forward"``, ``"loss"``, ``"seed"``, ``"grad"`` (a gradient is complete) or
        ``"backward"`` (a contribution travels along an edge).
    node : str
        The node whose value or gradient the step is about (for ``backward``: the
        operand receiving the contribution).
    edge : tuple or None
        ``(src, dst, arg)`` for ``backward`` steps.
    text : str
        The sentence, with numbers from the trace (e.g.
        ``∂L/∂H₄ += ∂L/∂H₅ · ∂H₅/∂H₄ = 0.6225 · 1 = 0.6225``).
    terms : tuple of Edge
        For ``grad`` steps: the edges whose contributions sum to the gradient.
    """

    kind: str
    node: str
    edge: tuple[str, str, int] | None
    text: str
    terms: tuple[Edge, ...] = field(default=(), compare=False, repr=False)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "node": self.node,
                "edge": list(self.edge) if self.edge else None, "text": self.text}


@dataclass(frozen=True)
class State:
    """What a figure shows after some steps: revealed values, gradients and edges."""

    values: frozenset[str]
    grads: frozenset[str]
    edges: frozenset[tuple[str, str, int]]
    active_node: str | None = None
    active_edge: tuple[str, str, int] | None = None


@dataclass(frozen=True)
class Story:
    trace: Trace
    steps: tuple[Step, ...]

    def __len__(self) -> int:
        return len(self.steps)

    def state(self, i: int) -> State:
        """The figure state after step ``i`` (``-1``: only the given leaf values)."""
        g = self.trace.graph
        values = set(g.leaves())
        grads: set[str] = set()
        edges: set[tuple[str, str, int]] = set()
        for s in self.steps[: i + 1]:
            if s.kind in ("forward", "loss"):
                values.add(s.node)
            elif s.kind in ("seed", "grad"):
                grads.add(s.node)
            elif s.edge:
                edges.add(s.edge)
        cur = self.steps[i] if 0 <= i < len(self.steps) else None
        return State(frozenset(values), frozenset(grads), frozenset(edges),
                     cur.node if cur else None, cur.edge if cur else None)

    def as_json(self) -> list[dict]:
        return [s.as_dict() for s in self.steps]


def _name(trace: Trace, n: str) -> str:
    """How a node is called in a sentence: its typeset name, or its expression."""
    g = trace.graph
    return f"({g.display_name(n)})" if g.is_generated(n) else g.display_name(n)


def _d(trace: Trace, top: str, bottom: str) -> str:
    return f"∂{_name(trace, top)}/∂{_name(trace, bottom)}"


def story(trace: Trace) -> Story:
    """The steps of forward and backward propagation for a single (unbatched) trace.

    Examples
    --------
    >>> from gradviz import evaluate, example
    >>> s = story(evaluate(example("xyz")))
    >>> s.steps[0].text
    'x · y = 2 · 3 = 6'
    >>> [st.text for st in s.steps if st.kind == "grad" and st.node == "x"]
    ['∂w/∂x = 120 + 25 + 25 = 170']
    """
    if trace.batch is not None:
        raise ValueError("a story is told for one variant; evaluate without a batch")
    g, loss = trace.graph, trace.loss
    steps: list[Step] = []
    for n in g.order:
        if g.kind(n) != "op":
            continue
        name = _name(trace, n)
        sym = g.expr(n, pretty=True, show=plain)
        sub = g.expr(n, pretty=True, show=lambda u: fmt_value(trace.value(u), minus=MINUS))
        value = fmt_value(trace.value(n), minus=MINUS)
        head = sym if g.is_generated(n) else f"{name} = {sym}"
        shown = sub != sym and len(sub) <= MAX_SUBSTITUTION
        text = head + (f" = {sub}" if shown else "") + f" = {value}"
        steps.append(Step("loss" if n == loss else "forward", n, None, text))
    steps.append(Step("seed", loss, None, f"{_d(trace, loss, loss)} = 1"))
    for n in reversed(g.order):
        if not trace.requires_grad(n):
            continue
        if n != loss:
            terms = tuple(e for e in trace.edges_from(n) if e.contribution is not None)
            total = fmt_value(trace.grad(n), minus=MINUS)
            if len(terms) > 1:
                text = f"{_d(trace, loss, n)} = " + " + ".join(
                    fmt_operand(e.contribution, minus=MINUS) for e in terms) + f" = {total}"
            else:
                text = f"{_d(trace, loss, n)} = {total}"
            steps.append(Step("grad", n, None, text, terms))
        if g.kind(n) != "op":
            continue
        for e in trace.edges_into(n):
            if e.contribution is None:
                continue
            local = e.local
            if local is not None and local.ndim == 0:
                up, lo = fmt_operand(e.upstream, minus=MINUS), fmt_operand(local, minus=MINUS)
                rhs = f"{up} · {lo} = {fmt_value(e.contribution, minus=MINUS)}"
            else:
                rhs = fmt_value(e.contribution, minus=MINUS)
            text = (f"{_d(trace, loss, e.src)} += {_d(trace, loss, n)} · {_d(trace, n, e.src)}"
                    f" = {rhs}")
            steps.append(Step("backward", e.src, (e.src, n, e.arg), text))
    return Story(trace, tuple(steps))
