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

import numpy as np

from gradviz.core.errors import GradvizError
from gradviz.core.evaluate import Trace, evaluate
from gradviz.core.files import write_if_changed
from gradviz.core.graph import Graph
from gradviz.core.limits import LIMITS
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
        most = LIMITS["max_elements"]
        if not (self.high - self.low) / self.step < most.value:  # inf and nan too
            most.check(most.value + 1, "the value grid (--range / --step)", at_least=True)
        return np.round(np.arange(self.low, self.high + self.step / 2, self.step), 12)


def _free_leaves(graph: Graph) -> list[str]:
    return [n for n in graph.leaves("input", "param") if not graph.is_generated(n)]


def _environment(trace: Trace, n: str, each) -> dict:
    """The values an op's templates speak of (roles, params, ``out``), per variant."""
    g = trace.graph
    op = g.op_of(n)
    ins = g.inputs(n)
    env = {k: np.full((1, 1), v) for k, v in g.params(n).items()}
    env.update({op.args[op.role(i, len(ins))]: each(trace.value(u)) for i, u in enumerate(ins)})
    env["out"] = each(trace.value(n))
    return env


def _branch(op, env) -> np.ndarray:
    """Which piece of ``op`` applies, elementwise (the first whose condition holds)."""
    from gradviz.core import formula as F
    from gradviz.core.ops import FUNCS

    which = None
    for i, p in enumerate(op.pieces):
        holds = F.evaluate(F.parse(p.when), env, FUNCS)
        which = np.where(holds, i, -1) if which is None else np.where((which < 0) & holds,
                                                                       i, which)
    return which


def _margins(op, env, rules: Rules) -> np.ndarray:
    """Whether every kink and domain boundary of ``op`` is at least the margin away."""
    from gradviz.core import formula as F
    from gradviz.core.ops import FUNCS

    ok = None
    for cond in [p.when for p in op.pieces] + list(op.domain):
        c = F.parse(cond)
        far = np.all(F.margin(c, env, FUNCS) >= rules.margin, axis=1)
        if cond in op.domain:
            far &= np.all(F.evaluate(c, env, FUNCS), axis=1)
        ok = far if ok is None else ok & far
    return ok


def quality(trace: Trace, original: Trace, rules: Rules) -> np.ndarray:
    """A boolean per variant of a batched trace: does it pass every rule?

    Every value and gradient finite and at most ``max_abs``; every kink, tie and domain
    boundary of the op table (each op's pieces and domain) at least ``margin`` away; the
    same branch as the original at every piecewise op.
    """
    g = trace.graph
    b = trace.batch

    def each(v):
        return np.asarray(v).reshape(b, -1)

    ok = np.ones(b, dtype=bool)
    for n in g.order:
        for v in (trace.value(n), trace.grad(n)):
            if v is not None:
                ok &= np.all(np.isfinite(each(v)), axis=1)
                ok &= np.all(np.abs(each(v)) <= rules.max_abs, axis=1)
        op = g.op_of(n)
        if op is None or not (op.pieces or op.domain) or op.arity is None:
            continue
        env = _environment(trace, n, each)
        ok &= _margins(op, env, rules)
        if op.pieces:
            before = _branch(op, _environment(original, n, lambda v: np.reshape(v, (1, -1))))
            ok &= np.all(_branch(op, env) == before, axis=1)
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
                                      + np.shape(graph.default(n)))]
                 for n in leaves}
        trace = evaluate(graph, draws, check_finite=False)
        ok = quality(trace, original, rules)
        same = np.ones(rules.candidates, dtype=bool)
        for n in leaves:
            same &= np.all((draws[n] == graph.default(n)).reshape(rules.candidates, -1),
                           axis=1)
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
    g = graph.with_values(values, title=f"{graph.title or graph.name} (variant {k}, "
                          f"seed {seed})", name=name)
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
    given = "\n".join(f"| {plain(n)} | {graph.kind(n)} | {fmt_value(graph.default(n))} |"
                      for n in graph.leaves() if not graph.is_generated(n))
    problem = (f"# {graph.title}\n\n![The computational graph](problem.svg)\n\n"
               f"| name | kind | value |\n|---|---|---|\n{given}\n\n"
               f"Compute, showing your work: {quantities}.\n")
    write_if_changed(folder / "problem.md", problem)
    key = to_markdown(solution(trace), {"all": "answer.svg"})
    write_if_changed(folder / "answer_key.md", key)
    return [folder / f for f in ("problem.md", "answer_key.md", "graph.grad", "problem.svg",
                                 "answer.svg")]
