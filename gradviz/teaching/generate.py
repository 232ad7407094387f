"""New problem variants: fresh leaf values that keep the problem a good hand problem.

Candidates are drawn uniformly in batches (nonzero halves from -3 to 3, or tenths from -2
to 2 when the original's leaves have tenths) and screened in one batched evaluation
against every rule of :mod:`gradviz.teaching.screen`: the original's branch at every kink,
min and max and the original's sign at every node that feeds one; no zero leaf, no path
whose gradient vanishes, nothing under 0.01 and no op passing an operand on unchanged
unless the original does; values a student computes exactly up to the first
transcendental op; σ and tanh unsaturated; a loss of ordinary size. Every survivor is kept
in the order drawn, so across many variants each node's signs and sizes spread as widely
as the rules allow, and a seed always gives the same variants (the first ``k`` of
``count`` are the ``k`` a smaller ``count`` gives).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from gradviz.core.errors import GradvizError
from gradviz.core.evaluate import Trace, evaluate
from gradviz.core.files import write_if_changed
from gradviz.core.graph import Graph
from gradviz.core.parse import parse
from gradviz.teaching.screen import Rules, quality, rule_text
from gradviz.views.answers import asked

__all__ = ["Rules", "variants", "draw", "batches", "free_leaves", "quality", "rule_text",
           "values_key", "with_values", "write_variant", "searched", "DEFAULT",
           "MAX_CANDIDATES", "NUMBERS"]

DEFAULT = Rules()
FIRST_BATCH, BATCH = 4096, 65536  # candidates per batch: the first, the largest
MAX_CANDIDATES = 1 << 22  # candidates screened before giving up
NUMBERS = 1 << 23, 1 << 29  # values a batch holds, and all batches together, at most
ENUMERATE = 1 << 16  # grids with at most this many points are screened point by point


def free_leaves(graph: Graph) -> list[str]:
    """The leaves a variant draws anew: named inputs and params (targets stay)."""
    return [n for n in graph.leaves("input", "param") if not graph.is_generated(n)]


def draw(graph: Graph, seed: int, rules: Rules = DEFAULT) -> Iterator[dict[str, np.ndarray]]:
    """The good variants of ``graph`` seeded by ``seed``, as leaf values, in the order
    drawn: each distinct and different from the original. Stops (without an error) after
    :data:`MAX_CANDIDATES` candidates, fewer for a big graph (see :func:`batches`).

    Examples
    --------
    >>> from gradviz import example
    >>> first = next(draw(example("xyz"), seed=3))
    >>> sorted(first), all(v != 0 for v in first.values())
    (['x', 'y', 'z'], True)
    """
    leaves = free_leaves(graph)
    if not leaves:
        raise GradvizError("the graph has no inputs or params to vary")
    original = evaluate(graph)
    cost = _cost(original)
    grid = rules.for_graph(graph).grid()
    shapes = {n: np.shape(graph.default(n)) for n in leaves}
    seen = {values_key({n: graph.default(n) for n in leaves})}
    for digits in _candidates(np.random.default_rng(seed), len(grid),
                              sum(int(np.prod(s, dtype=int)) for s in shapes.values()),
                              batches(cost)):
        picks, col = {}, 0
        for n, shape in shapes.items():
            k = int(np.prod(shape, dtype=int))
            picks[n] = grid[digits[:, col:col + k]].reshape((len(digits),) + shape)
            col += k
        ok = quality(evaluate(graph, picks, check_finite=False), original, rules)
        for i in np.flatnonzero(ok):
            values = {n: picks[n][i] for n in leaves}
            key = values_key(values)
            if key not in seen:
                seen.add(key)
                yield values


def _candidates(rng: np.random.Generator, base: int, elements: int,
                sizes: list[int]) -> Iterator[np.ndarray]:
    """Batches of grid positions, ``(candidates, elements)``: every combination once in a
    random order when there are at most :data:`ENUMERATE` of them, else drawn at random."""
    if base ** elements > ENUMERATE:
        for size in sizes:
            yield rng.integers(0, base, (size, elements), dtype=np.int16)
        return
    order, start = rng.permutation(base ** elements), 0
    for size in sizes:
        chunk = order[start:start + size]
        if not len(chunk):
            return
        start += size
        yield (chunk[:, None] // base ** np.arange(elements)) % base


def batches(cost: int = 1) -> list[int]:
    """The candidates screened per batch for a graph of ``cost`` values per candidate:
    small first (one variant is quick to find), then doubling up to :data:`BATCH`; at most
    :data:`MAX_CANDIDATES` in all, and within :data:`NUMBERS` (memory and time stay
    bounded for big graphs). The sizes never depend on what is asked, so a seed gives the
    same variants in the same order.

    Examples
    --------
    >>> batches()[:6], len(batches()), sum(batches(10_000))
    ([4096, 8192, 16384, 32768, 65536, 65536], 67, 53632)
    """
    largest = max(64, min(BATCH, NUMBERS[0] // max(cost, 1)))
    total = min(MAX_CANDIDATES, NUMBERS[1] // max(cost, 1))
    size, out = min(FIRST_BATCH, largest), list[int]()
    while sum(out) + size <= total:
        out.append(size)
        size = min(2 * size, largest)
    return out or [min(size, max(total, 1))]


def values_key(values: dict[str, np.ndarray]) -> bytes:
    """The identity of a variant's leaf values (equal keys, equal variants)."""
    return b"".join(np.ascontiguousarray(v, dtype=np.float64).tobytes()
                    for _, v in sorted(values.items()))


def variants(graph: Graph, seed: int, count: int = 1, rules: Rules = DEFAULT) -> list[Graph]:
    """``count`` distinct good variants of ``graph``, reproducible from ``seed``.

    Examples
    --------
    >>> from gradviz import example
    >>> v = variants(example("interesting"), seed=1, count=2)
    >>> [g.name for g in v], v[1].to_text() == variants(example("interesting"), 1, 2)[1].to_text()
    (['interesting_seed1_v1', 'interesting_seed1_v2'], True)
    """
    if count < 1:
        raise GradvizError("count must be at least 1")
    found = []
    for values in draw(graph, seed, rules):
        found.append(values)
        if len(found) == count:
            break
    if len(found) < count:
        raise GradvizError(f"only {len(found)} of {count} good variants found among "
                           f"{searched(graph, rules)}; widen the range or use a finer step")
    base = graph.name or "graph"
    return [with_values(graph, vals, f"{base}_seed{seed}_v{k}",
                        f"variant {k}, seed {seed}")
            for k, vals in enumerate(found, start=1)]


def searched(graph: Graph, rules: Rules = DEFAULT) -> str:
    """What :func:`draw` screens for ``graph``, in words (for a message).

    Examples
    --------
    >>> from gradviz import example
    >>> searched(example("xyz")), searched(example("interesting"))
    ('all 1728 points of the leaf grid', '4190208 random candidates')
    """
    leaves = free_leaves(graph)
    points = len(rules.for_graph(graph).grid()) ** sum(int(np.size(graph.default(n)))
                                                        for n in leaves)
    if points <= ENUMERATE:
        return f"all {points} points of the leaf grid"
    return f"{sum(batches(_cost(evaluate(graph))))} random candidates"


def _cost(original: Trace) -> int:
    """Values one candidate holds (every node's), which sizes the batches."""
    return sum(int(np.size(original.value(n))) for n in original.order)


def with_values(graph: Graph, values: dict[str, np.ndarray], name: str, note: str) -> Graph:
    """``graph`` with other leaf values, renamed, its title noting ``note``, re-parsed
    from its graph-file text (what is written is exactly what is graded)."""
    g = graph.with_values(values, title=f"{graph.title or graph.name} ({note})", name=name)
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
