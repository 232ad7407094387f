"""New problem variants: fresh leaf values that keep the problem a good one.

Thousands of candidates are drawn at once (small integers and halves by default) and
screened in one batched evaluation: no kink or tie within a margin, no division by (or
log/sqrt of) values near zero, the same branch as the original at every min/max, every
value and gradient finite and of reasonable size. The survivors are taken in the order
drawn, so a seed always gives the same variants.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np

from gradviz.core.errors import GradvizError
from gradviz.core.evaluate import Trace, evaluate
from gradviz.core.files import write_if_changed
from gradviz.core.graph import Graph
from gradviz.core.parse import parse
from gradviz.views.answers import asked

__all__ = ["Rules", "variants", "quality", "write_variant"]


@dataclass(frozen=True)
class Rules:
    """What makes a variant good (see :func:`quality`)."""

    low: float = -3.0
    high: float = 3.0
    step: float = 0.5
    margin: float = 0.25  # distance from kinks, ties and zero divisors
    max_abs: float = 100.0  # largest value or gradient allowed
    candidates: int = 4096

    def grid(self) -> np.ndarray:
        if self.step <= 0 or self.high < self.low:
            raise GradvizError("the value range needs low <= high and a positive step")
        return np.round(np.arange(self.low, self.high + self.step / 2, self.step), 12)


def _free_leaves(graph: Graph) -> list[str]:
    return [n for n in graph.leaves("input", "param") if not graph.nx.nodes[n].get("generated")]


def quality(trace: Trace, original: Trace, rules: Rules) -> np.ndarray:
    """A boolean per variant of a batched trace: does it pass every rule?"""
    g = trace.graph
    b = trace.batch
    ok = np.ones(b, dtype=bool)

    def each(v):
        return np.asarray(v).reshape(b, -1)

    for n in g.order:
        ok &= np.all(np.isfinite(each(trace.value(n))), axis=1)
        ok &= np.all(np.abs(each(trace.value(n))) <= rules.max_abs, axis=1)
        grad = trace.grad(n)
        if grad is not None:
            ok &= np.all(np.isfinite(each(grad)), axis=1)
            ok &= np.all(np.abs(each(grad)) <= rules.max_abs, axis=1)
        op = g.op(n)
        if op is None:
            continue
        xs = [each(trace.value(u)) for u in g.inputs(n)]
        m = rules.margin
        if op.name == "div":
            ok &= np.all(np.abs(xs[1]) >= m, axis=1)
        elif op.name in ("log", "sqrt"):
            ok &= np.all(xs[0] >= m, axis=1)
        elif op.name in ("max", "min"):
            gap = xs[0] - xs[1]
            ok &= np.all(np.abs(gap) >= m, axis=1)
            same = np.sign(gap) == np.sign(np.asarray(original.value(g.inputs(n)[0])
                                                      - original.value(g.inputs(n)[1]))
                                           ).reshape(1, -1)
            ok &= np.all(same, axis=1)  # the original's branch is still the one taken
        elif op.name in ("relu", "leaky_relu", "abs", "elu"):
            ok &= np.all(np.abs(xs[0]) >= m, axis=1)
        elif op.name == "hinge":
            ok &= np.all(np.abs(1 - xs[0] * xs[1]) >= m, axis=1)
        elif op.name == "l1":
            ok &= np.all(np.abs(xs[0] - xs[1]) >= m, axis=1)
        elif op.name == "huber":
            delta = g.nx.nodes[n]["params"]["delta"]
            ok &= np.all(np.abs(np.abs(xs[0] - xs[1]) - delta) >= m, axis=1)
    return ok


def variants(graph: Graph, seed: int, count: int = 1, rules: Rules = Rules()) -> list[Graph]:
    """``count`` good variants of ``graph``, reproducible from ``seed``.

    Examples
    --------
    >>> from gradviz import example
    >>> v = variants(example("interesting"), seed=1, count=2)
    >>> [g.name for g in v], v[0].to_text() == variants(example("interesting"), 1, 2)[0].to_text()
    (['interesting_seed1_v1', 'interesting_seed1_v2'], True)
    """
    if count < 1:
        raise GradvizError("count must be at least 1")
    leaves = _free_leaves(graph)
    if not leaves:
        raise GradvizError("the graph has no inputs or params to vary")
    original = evaluate(graph)
    grid = rules.grid()
    rng = np.random.default_rng(seed)
    found: list[dict[str, np.ndarray]] = []
    for _round in range(8):
        draws = {n: grid[rng.integers(0, len(grid), (rules.candidates,)
                                      + np.shape(graph.nx.nodes[n]["value"]))]
                 for n in leaves}
        trace = evaluate(graph, draws, check_finite=False)
        ok = quality(trace, original, rules)
        same = np.ones(rules.candidates, dtype=bool)
        for n in leaves:
            same &= np.all((draws[n] == graph.nx.nodes[n]["value"]).reshape(rules.candidates,
                                                                             -1), axis=1)
        for i in np.flatnonzero(ok & ~same):
            found.append({n: draws[n][i] for n in leaves})
            if len(found) == count:
                break
        if len(found) == count:
            break
    if len(found) < count:
        raise GradvizError(f"only {len(found)} of {count} good variants found in "
                           f"{8 * rules.candidates} candidates; widen the range or the step")
    base = graph.name or "graph"
    return [_with_values(graph, vals, f"{base}_seed{seed}_v{k}", seed, k)
            for k, vals in enumerate(found, start=1)]


def _with_values(graph: Graph, values: dict[str, np.ndarray], name: str, seed: int,
                 k: int) -> Graph:
    h = nx.MultiDiGraph(graph.nx)
    for n, v in values.items():
        h.nodes[n]["value"] = np.asarray(v, dtype=np.float64) + 0.0
    g = Graph(nx=h, loss=graph.loss, title=f"{graph.title or graph.name} (variant {k}, "
              f"seed {seed})", source=graph.source, name=name, asks=graph.asks)
    return parse(g.to_text(), source=f"{name}.grad", name=name)


def write_variant(graph: Graph, folder: Path) -> list[Path]:
    """Write a variant's problem sheet and answer key (with figures and graph file)."""
    from gradviz.core.format import fmt_value
    from gradviz.core.names import plain
    from gradviz.views.render import render
    from gradviz.views.solve import solution, to_markdown

    folder.mkdir(parents=True, exist_ok=True)
    trace = evaluate(graph)
    write_if_changed(folder / "graph.grad", graph.to_text())
    render(graph, folder / "problem.svg", show="blank")
    render(trace, folder / "answer.svg", show="all")
    quantities = ", ".join(("∇" + plain(q[1:])) if q.startswith("∇") else plain(q)
                           for q, _ in asked(trace))
    given = "\n".join(f"| {plain(n)} | {graph.kind(n)} | {fmt_value(graph.nx.nodes[n]['value'])} |"
                      for n in graph.leaves() if not graph.nx.nodes[n].get("generated"))
    problem = (f"# {graph.title}\n\n![The computational graph](problem.svg)\n\n"
               f"| name | kind | value |\n|---|---|---|\n{given}\n\n"
               f"Compute, showing your work: {quantities}.\n")
    write_if_changed(folder / "problem.md", problem)
    key = to_markdown(solution(trace), {"all": "answer.svg"})
    write_if_changed(folder / "answer_key.md", key)
    return [folder / f for f in ("problem.md", "answer_key.md", "graph.grad", "problem.svg",
                                 "answer.svg")]
