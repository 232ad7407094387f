"""What makes a problem variant a good hand problem: one check per rule, batched.

A batch of candidate variants is evaluated once (:func:`gradviz.evaluate` with a leading
batch axis) and every rule below gives one boolean per candidate. Every rule reads the op
records (pieces, domain, definition), never op names, and compares with the original
problem, so a variant keeps what made the original a good exercise.

===============  ===================================================================
``finite``       every value and gradient finite, at most ``max_abs`` (or the original's
                 largest) in magnitude
``branch``       the original's branch at every piecewise op (each record's pieces: kinks,
                 min, max), at least ``margin`` from every kink, tie and domain boundary
``sign``         the original's sign at every operand of a piecewise op
``visible``      no gradient or chain-rule term (edge contribution) zero unless it is zero
                 in the original: every path the problem exercises stays visible
``small``        no value or gradient under ``small`` in magnitude unless the original's is
``trivial``      no op passing an operand on unchanged (×1, ÷1, +0) unless the original
                 does there
``hand``         every value before the first transcendental op a terminating decimal with
                 at most ``decimals`` decimals (wherever the original's is)
``unsaturated``  every operand of a transcendental op (σ, tanh, exp, softmax, ...) within
                 ±``saturation`` (or the original's largest)
``loss``         the loss at most ``loss_max`` (or the original's)
===============  ===================================================================

Leaves are drawn from :meth:`Rules.grid`: nonzero, at most one decimal (halves by default).
The rules run cheapest and most selective first; :func:`quality` screens each rule only on
the candidates that passed the ones before.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from gradviz.core import formula as F
from gradviz.core.errors import GradvizError
from gradviz.core.evaluate import Trace
from gradviz.core.graph import Graph
from gradviz.core.limits import LIMITS
from gradviz.core.ops import FUNCS, OPS, Op

__all__ = ["Rules", "RULES", "screen", "quality", "transcendental", "exact_nodes",
           "rule_text"]

# functions of the template language whose value at a terminating decimal is not one
TRANSCENDENTAL_CALLS = frozenset({"exp", "log", "sqrt", "Phi", "phi", "norm"})


@dataclass(frozen=True)
class Rules:
    """The numbers behind the rules (see the module docstring and :func:`rule_text`).

    ``low``, ``high`` and ``step`` left ``None`` follow the original (:meth:`for_graph`):
    halves from -3 to 3, or tenths from -2 to 2 when the original's leaves have tenths.

    Examples
    --------
    >>> Rules(low=-3, high=3, step=0.5).grid().tolist()
    [-3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
    """

    low: float | None = None
    high: float | None = None
    step: float | None = None  # leaf values: nonzero multiples of step (one decimal at most)
    margin: float = 0.25  # distance from kinks, ties and domain boundaries
    small: float = 0.01  # smallest value or gradient magnitude (unless the original's is)
    decimals: int = 3  # decimals of a value a student computes by hand
    saturation: float = 3.0  # largest operand of σ, tanh, exp, ...
    max_abs: float = 100.0  # largest value or gradient (unless the original's is larger)
    loss_max: float = 10.0  # largest loss (unless the original's is larger)

    def for_graph(self, graph: Graph) -> Rules:
        """These rules with the leaf grid filled in from ``graph``'s original values.

        Examples
        --------
        >>> from gradviz import example
        >>> r = Rules().for_graph(example("softmax_classifier"))
        >>> r.low, r.high, r.step
        (-2.0, 2.0, 0.1)
        """
        halves = all(np.all(np.abs(graph.default(n) * 2 - np.round(graph.default(n) * 2))
                            < 1e-9) for n in graph.leaves("input", "param"))
        step = self.step if self.step is not None else 0.5 if halves else 0.1
        reach = 3.0 if step >= 0.5 else 2.0
        return replace(self, step=float(step),
                       low=float(self.low if self.low is not None else -reach),
                       high=float(self.high if self.high is not None else reach))

    def grid(self) -> np.ndarray:
        """The values a leaf may take: nonzero multiples of ``step`` in [low, high]."""
        if self.low is None or self.high is None or self.step is None:
            raise GradvizError("the grid follows a graph: call Rules.for_graph first")
        tenths = self.step * 10
        if not (self.step > 0 and abs(tenths - round(tenths)) < 1e-9):
            raise GradvizError("the step must be a positive multiple of 0.1 (leaf values "
                               "have at most one decimal)")
        most = LIMITS["max_elements"]
        if not (self.high - self.low) / self.step < most.value:  # inf and nan too
            most.check(most.value + 1, "the value grid (--range / --step)", at_least=True)
        k = np.arange(math.ceil(self.low / self.step - 1e-9),
                      math.floor(self.high / self.step + 1e-9) + 1)
        values = np.round(k * round(tenths) / 10, 1)
        values = values[values != 0]
        if len(values) < 2:
            raise GradvizError(f"the range {self.low:g} to {self.high:g} holds fewer than two "
                               f"nonzero multiples of {self.step:g}; widen it")
        return values + 0.0


# ------------------------------------------------------------------ op records
def transcendental(op: Op, _seen: frozenset[str] = frozenset()) -> bool:
    """Whether an op's value is transcendental, read from its record: its definition
    (else its formula, then its pieces' derivatives) calls exp, log, sqrt, Φ, φ or a
    norm, directly or through another op's record.

    Examples
    --------
    >>> [transcendental(OPS[n]) for n in ("sigmoid", "silu", "elu", "relu", "div", "mse")]
    [True, True, True, False, False, False]
    """
    texts = [op.definition] if op.definition else \
        [op.formula, *(t for p in op.pieces for t in p.local)]
    found: set[str] = set()
    for t in texts:
        found |= F.calls(F.parse(t))
    if found & TRANSCENDENTAL_CALLS:
        return True
    seen = _seen | {op.name}
    return any(transcendental(OPS[c], seen) for c in found if c in OPS and c not in seen)


def exact_nodes(graph: Graph) -> list[str]:
    """The computed nodes before the first transcendental op: neither one nor computed
    from one (a student works them out exactly).

    Examples
    --------
    >>> from gradviz import example
    >>> exact_nodes(example("interesting"))[-3:]
    ['H4', 'H5', 'Yhat.1']
    """
    after: set[str] = set()
    out = []
    for n in graph.order:
        op = graph.op_of(n)
        if op is None:
            continue
        if transcendental(op) or any(u in after for u in graph.inputs(n)):
            after.add(n)
        else:
            out.append(n)
    return out


# ---------------------------------------------------------------------- checks
class _Pair:
    """A batch of candidates beside the original: values as ``(batch, elements)``."""

    def __init__(self, trace: Trace, original: Trace, rules: Rules) -> None:
        self.t, self.o, self.rules, self.g = trace, original, rules, trace.graph
        self.b = int(trace.batch or 1)
        self.rows = np.arange(self.b)  # the candidates still in question

    def each(self, v: Any) -> np.ndarray:
        a = np.asarray(v, dtype=float).reshape(self.b, -1)
        return a if len(self.rows) == self.b else a[self.rows]

    @staticmethod
    def one(v: Any) -> np.ndarray:
        return np.asarray(v, dtype=float).reshape(1, -1)

    def numbers(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(candidates, original) for every value and gradient."""
        for n in self.g.order:
            yield self.each(self.t.value(n)), self.one(self.o.value(n))
            if self.t.grad(n) is not None:
                yield self.each(self.t.grad(n)), self.one(self.o.grad(n))

    def ok(self) -> np.ndarray:
        return np.ones(len(self.rows), dtype=bool)


def _finite(p: _Pair) -> np.ndarray:
    originals = [*p.o.values.values(), *(d for d in p.o.grads.values() if d is not None)]
    bound = max(p.rules.max_abs, *(float(np.max(np.abs(o))) for o in originals))
    ok = p.ok()
    for v, _ in p.numbers():
        ok &= np.all(np.isfinite(v) & (np.abs(v) <= bound), axis=1)
    return ok


def _environment(trace: Trace, n: str, each: Callable) -> dict:
    """The values an op's templates speak of (roles, params, ``out``), per variant."""
    g = trace.graph
    op = g.op_of(n)
    assert op is not None
    ins = g.inputs(n)
    env = {k: np.full((1, 1), v) for k, v in g.params(n).items()}
    env.update({op.args[op.role(i, len(ins))]: each(trace.value(u)) for i, u in enumerate(ins)})
    env["out"] = each(trace.value(n))
    return env


def _which(op: Op, env: dict) -> np.ndarray:
    """Which piece of ``op`` applies, elementwise (the first whose condition holds)."""
    which = None
    for i, piece in enumerate(op.pieces):
        holds = F.evaluate(F.parse(piece.when), env, FUNCS)
        which = np.where(holds, i, -1) if which is None else \
            np.where((which < 0) & holds, i, which)
    return np.asarray(which)


def _branch(p: _Pair) -> np.ndarray:
    ok = p.ok()
    for n in p.g.order:
        op = p.g.op_of(n)
        if op is None or op.arity is None or not (op.pieces or op.domain):
            continue
        env = _environment(p.t, n, p.each)
        for cond in [piece.when for piece in op.pieces] + list(op.domain):
            c = F.parse(cond)
            assert isinstance(c, F.Cmp), cond
            ok &= np.all(F.margin(c, env, FUNCS) >= p.rules.margin, axis=1)
            if cond in op.domain:
                ok &= np.all(F.evaluate(c, env, FUNCS), axis=1)
        if op.pieces:
            before = _which(op, _environment(p.o, n, p.one))
            ok &= np.all(_which(op, env) == before, axis=1)
    return ok


def _sign(p: _Pair) -> np.ndarray:
    ok = p.ok()
    for n in p.g.order:
        op = p.g.op_of(n)
        if op is not None and op.pieces:
            for u in set(p.g.inputs(n)):
                ok &= np.all(np.sign(p.each(p.t.value(u))) ==
                             np.sign(p.one(p.o.value(u))), axis=1)
    return ok


def _trivial(p: _Pair) -> np.ndarray:
    ok = p.ok()
    for n in p.g.order:
        op = p.g.op_of(n)
        if op is None or op.pieces:  # (a kink, min or max passes an operand on by design)
            continue
        out, out_o = p.each(p.t.value(n)), p.one(p.o.value(n))
        for u in set(p.g.inputs(n)):
            v, v_o = p.each(p.t.value(u)), p.one(p.o.value(u))
            if v.shape == out.shape:
                ok &= np.all((out != v) | (out_o == v_o), axis=1)
    return ok


def _visible(p: _Pair) -> np.ndarray:
    ok = p.ok()
    pairs = [(p.each(e.contribution), p.one(eo.contribution))
             for e, eo in zip(p.t.edges, p.o.edges) if e.contribution is not None]
    pairs += [(p.each(p.t.grad(n)), p.one(p.o.grad(n)))
              for n in p.g.order if p.t.grad(n) is not None]
    for v, o in pairs:
        ok &= np.all((v != 0) | (o == 0), axis=1)
    return ok


def _small(p: _Pair) -> np.ndarray:
    ok = p.ok()
    s = p.rules.small
    for v, o in p.numbers():
        ok &= np.all((np.abs(v) >= s) | (np.abs(o) < s), axis=1)
    return ok


def _hand(p: _Pair) -> np.ndarray:
    ok = p.ok()
    scale = 10.0 ** p.rules.decimals
    for n in exact_nodes(p.g):
        if _terminating(p.one(p.o.value(n)), scale).all():
            ok &= _terminating(p.each(p.t.value(n)), scale).all(axis=1)
    return ok


def _terminating(v: np.ndarray, scale: float) -> np.ndarray:
    v = v * scale
    return np.abs(v - np.round(v)) <= 1e-6 * np.maximum(1.0, np.abs(v))


def _unsaturated(p: _Pair) -> np.ndarray:
    ok = p.ok()
    for n in p.g.order:
        op = p.g.op_of(n)
        if op is None or op.kind == "loss" or not transcendental(op):
            continue
        for u in set(p.g.inputs(n)):
            bound = max(p.rules.saturation, float(np.max(np.abs(p.one(p.o.value(u))))))
            ok &= np.all(np.abs(p.each(p.t.value(u))) <= bound, axis=1)
    return ok


def _loss(p: _Pair) -> np.ndarray:
    if p.g.role(p.g.loss) != "loss":
        return p.ok()
    bound = max(p.rules.loss_max, float(np.max(np.abs(p.one(p.o.value(p.g.loss))))))
    return np.all(np.abs(p.each(p.t.value(p.g.loss))) <= bound, axis=1)


# cheap and selective first: quality() screens each rule on the survivors of the ones before
RULES: dict[str, Callable[[_Pair], np.ndarray]] = {
    "branch": _branch, "sign": _sign, "finite": _finite, "unsaturated": _unsaturated,
    "loss": _loss, "hand": _hand, "small": _small, "trivial": _trivial, "visible": _visible,
}


def rule_text(rules: Rules = Rules()) -> dict[str, str]:
    """Each rule in words, with its numbers (what ``gradviz generate --help`` prints).

    Examples
    --------
    >>> rule_text()["sign"]
    'the original sign at every node that feeds a kink, min or max'
    >>> rule_text(Rules(low=-2, high=2, step=0.5))["leaves"][:60]
    'leaf values (inputs and params) are nonzero multiples of 0.5'
    """
    r = rules
    if r.step is None or r.low is None or r.high is None:
        grid = ("nonzero halves from -3 to 3, or tenths from -2 to 2 when the original's "
                "leaves have tenths")
    else:
        grid = f"nonzero multiples of {r.step:g} from {r.low:g} to {r.high:g}"
    return {
        "leaves": f"leaf values (inputs and params) are {grid}; targets and constants stay",
        "branch": "the original's branch at every kink, min and max (each op's pieces), at "
                  f"least {r.margin:g} from every kink, tie and domain boundary",
        "sign": "the original sign at every node that feeds a kink, min or max",
        "finite": f"every value and gradient is finite and at most {r.max_abs:g} in "
                  "magnitude (or the original's largest)",
        "unsaturated": "every input of a transcendental op is within ±"
                       f"{r.saturation:g} (or the original's largest): σ and tanh are "
                       "not saturated",
        "loss": f"the loss is at most {r.loss_max:g} (or the original's)",
        "hand": "every value before the first transcendental op (σ, tanh, exp, log, ...) is "
                f"a terminating decimal with at most {r.decimals} decimals wherever the "
                "original's is",
        "small": f"no value or gradient is under {r.small:g} in magnitude unless the "
                 "original's is (so no trivial output: σ(0), tanh(0))",
        "trivial": "no op passes an operand on unchanged (×1, ÷1, +0, ...) unless the "
                   "original does there",
        "visible": "no gradient or chain-rule term is zero unless it is zero in the "
                   "original: every path the problem exercises stays visible",
    }


def screen(trace: Trace, original: Trace, rules: Rules) -> dict[str, np.ndarray]:
    """One boolean per candidate of a batched trace for each rule of :data:`RULES`.

    Examples
    --------
    >>> from gradviz import evaluate, example
    >>> g = example("xyz")  # a = x·y + z, b = 2x·a, w = a·b; the original has x=2, y=3
    >>> t = evaluate(g, {"x": [2.0, 0.5, 0.1], "y": [3.0, 2.0, 0.3]})  # a: 5, 0, -0.97
    >>> masks = {k: v.tolist() for k, v in screen(t, evaluate(g), Rules()).items()}
    >>> {k: v for k, v in masks.items() if not all(v)}  # doctest: +NORMALIZE_WHITESPACE
    {'hand': [True, True, False], 'small': [True, False, True],
     'trivial': [True, False, True], 'visible': [True, False, True]}
    """
    pair = _Pair(trace, original, rules)
    with np.errstate(all="ignore"):
        return {name: check(pair) for name, check in RULES.items()}


def quality(trace: Trace, original: Trace, rules: Rules) -> np.ndarray:
    """A boolean per candidate of a batched trace: does it pass every rule? (Each rule
    looks only at the candidates that passed the ones before.)"""
    pair = _Pair(trace, original, rules)
    with np.errstate(all="ignore"):
        for check in RULES.values():
            pair.rows = pair.rows[check(pair)]
            if not len(pair.rows):
                break
    out = np.zeros(pair.b, dtype=bool)
    out[pair.rows] = True
    return out
