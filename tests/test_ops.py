"""The whole op table: records complete, every VJP against central differences,
exact derivatives, conventions at kinks, numerics at extremes, the non-finite policy.

Arrays an op sees have a leading batch axis: a scalar is (B,), a vector (B, n), a
matrix (B, m, n). Every op is checked twice: inside a small graph with
:func:`gradviz.gradcheck` (the whole pipeline, including padding and un-broadcasting),
and by calling the record's ``forward``/``vjp`` directly on batch-leading arrays.
"""

from __future__ import annotations

import math
import re
import zlib

import numpy as np
import pytest

import gradviz
from gradviz import ACTIVATIONS, LOSSES, OPS

EPS = 1e-6
RTOL = 1e-6
KINDS = {"arith", "elementwise", "activation", "reduce", "linalg", "structure", "softmax",
         "loss"}
REQUIRED_OPS = ("add sub mul div neg pow exp log sqrt abs min max sum mean dot matmul stack "
                "sigmoid tanh relu leaky_relu softplus gelu gelu_tanh elu silu softmax "
                "log_softmax").split()
REQUIRED_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "softplus", "gelu",
                        "gelu_tanh", "elu", "silu")
REQUIRED_LOSSES = ("bce", "bce_with_logits", "mse", "mse_mean", "cross_entropy", "hinge",
                   "l1", "huber", "cosine_similarity")


# ----------------------------------------------------------------- value generators
def uni(rng, shape=(), lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, shape)


def away(rng, shape=(), lo=0.1, hi=2.0):
    """Magnitude in [lo, hi] with a random sign: away from 0 (kinks, poles)."""
    return rng.uniform(lo, hi, shape) * rng.choice([-1.0, 1.0], shape)


def pos(rng, shape=(), lo=0.2, hi=3.0):
    return rng.uniform(lo, hi, shape)


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def onehot(rng, shape):
    k = shape[-1]
    return np.eye(k)[rng.integers(0, k, shape[:-1])]


def P(v):
    """An operand that takes a gradient (a param leaf)."""
    return ("param", np.asarray(v, dtype=np.float64))


def T(v):
    """An operand that takes no gradient (a target leaf): class indices, ±1 labels."""
    return ("target", np.asarray(v, dtype=np.float64))


def case(label, gen, **params):
    """One operand configuration: ``gen(rng)`` returns the operands (core shapes)."""
    return pytest.param(gen, params, id=label)


def unary(name_kw, domain=uni, shapes=((), (3,), (2, 3))):
    return [case(f"{name_kw}-{'x'.join(map(str, s)) or 'scalar'}",
                 (lambda s: lambda r: [P(domain(r, s))])(s)) for s in shapes]


def binary_broadcast(a=uni, b=uni):
    """Same shapes, and scalar-vector / vector-matrix broadcasting both ways."""
    pairs = [((), ()), ((3,), (3,)), ((2, 3), (2, 3)), ((), (3,)), ((3,), ()),
             ((), (2, 3)), ((3,), (2, 3)), ((2, 3), (3,))]
    out = []
    for sa, sb in pairs:
        label = f"{'x'.join(map(str, sa)) or 's'}-{'x'.join(map(str, sb)) or 's'}"
        out.append(case(label, (lambda sa, sb: lambda r: [P(a(r, sa)), P(b(r, sb))])(sa, sb)))
    return out


def _hinge(r, ss, ys):
    """Scores s (shape ss, at least ys) and labels y = ±1 with y·s away from the margin."""
    y = r.choice([-1.0, 1.0], ys)
    d = away(r, ss, 0.1, 1.5)  # y·s = 1 + d, away from the margin
    return [P(np.broadcast_to(y, d.shape) * (1.0 + d)), T(y)]


def _huber(r, shape, delta):
    y = uni(r, shape)
    mag = np.where(r.random(shape) < 0.5, r.uniform(0.05, delta - 0.1, shape),
                   r.uniform(delta + 0.1, 2.5, shape))
    return [P(y + mag * r.choice([-1.0, 1.0], shape)), P(y)]


def _away_diff(r, shape, lo=0.1):
    y = uni(r, shape)
    return [P(y + away(r, shape, lo, 2.0)), P(y)]


def _no_ties(r, shape):
    a = uni(r, shape)
    return [P(a), P(a + away(r, shape, 0.1, 2.0))]


def _spread(r):
    """A 4-vector on both sides of 0.05, for max/min of a scalar with a vector."""
    return np.array([-1.0, 1.3, 0.4, -0.7]) + uni(r, (4,), -0.02, 0.02)


CASES: dict[str, list] = {
    "add": binary_broadcast(),
    "sub": binary_broadcast(),
    "mul": binary_broadcast(),
    "div": binary_broadcast(uni, lambda r, s: away(r, s, 0.5, 2.0)),
    "neg": unary("neg"),
    "pow": binary_broadcast(lambda r, s: pos(r, s, 0.3, 2.0), lambda r, s: uni(r, s, -2, 2)),
    "exp": unary("exp"),
    "log": unary("log", pos),
    "sqrt": unary("sqrt", pos),
    "abs": unary("abs", away),
    "max": [case("s-s", lambda r: _no_ties(r, ())), case("v-v", lambda r: _no_ties(r, (4,))),
            case("m-m", lambda r: _no_ties(r, (2, 3))),
            case("s-v", lambda r: [P(0.05), P(_spread(r))])],
    "min": [case("s-s", lambda r: _no_ties(r, ())), case("v-v", lambda r: _no_ties(r, (4,))),
            case("m-m", lambda r: _no_ties(r, (2, 3))),
            case("v-s", lambda r: [P(_spread(r)), P(0.05)])],
    "sum": unary("sum"),
    "mean": unary("mean"),
    "matmul": [case("v@v", lambda r: [P(uni(r, (3,))), P(uni(r, (3,)))]),
               case("m@v", lambda r: [P(uni(r, (2, 3))), P(uni(r, (3,)))]),
               case("v@m", lambda r: [P(uni(r, (3,))), P(uni(r, (3, 2)))]),
               case("m@m", lambda r: [P(uni(r, (2, 3))), P(uni(r, (3, 4)))])],
    "dot": [case("v.v", lambda r: [P(uni(r, (4,))), P(uni(r, (4,)))])],
    "transpose": [case("2x3", lambda r: [P(uni(r, (2, 3)))]),
                  case("3x3", lambda r: [P(uni(r, (3, 3)))])],
    "stack": [case("3 scalars", lambda r: [P(uni(r)), P(uni(r)), P(uni(r))]),
              case("2 vectors", lambda r: [P(uni(r, (3,))), P(uni(r, (3,)))]),
              case("1 scalar", lambda r: [P(uni(r))])],
    "index": [case("i=0", lambda r: [P(uni(r, (4,)))], i=0),
              case("i=2", lambda r: [P(uni(r, (4,)))], i=2)],
    "affine": [case("2 pairs", lambda r: [P(uni(r)) for _ in range(5)]),
               case("1 pair", lambda r: [P(uni(r)) for _ in range(3)]),
               case("bias only", lambda r: [P(uni(r))]),
               case("vector x", lambda r: [P(uni(r, (3,))), P(uni(r)), P(uni(r))])],
    "sigmoid": unary("sigmoid", lambda r, s: uni(r, s, -5, 5)),
    "tanh": unary("tanh"),
    "relu": unary("relu", away),
    "leaky_relu": unary("default", away)
    + [case("slope=0.1", lambda r: [P(away(r, (5,)))], slope=0.1),
       case("slope=0.3", lambda r: [P(away(r, (2, 3)))], slope=0.3)],
    "softplus": unary("default", lambda r, s: uni(r, s, -4, 4))
    + [case("beta=2", lambda r: [P(uni(r, (4,)))], beta=2.0),
       case("beta=0.5", lambda r: [P(uni(r))], beta=0.5)],
    "gelu": unary("gelu", lambda r, s: uni(r, s, -4, 4)),
    "gelu_tanh": unary("gelu_tanh", lambda r, s: uni(r, s, -4, 4)),
    "elu": unary("default", away) + [case("alpha=1.5", lambda r: [P(away(r, (5,)))], alpha=1.5)],
    "silu": unary("silu", lambda r, s: uni(r, s, -5, 5)),
    "identity": unary("identity"),
    "softmax": [case("v", lambda r: [P(uni(r, (4,)))]), case("m", lambda r: [P(uni(r, (2, 3)))])],
    "log_softmax": [case("v", lambda r: [P(uni(r, (4,)))]),
                    case("m", lambda r: [P(uni(r, (2, 3)))])],
    "bce": [case("s-s", lambda r: [P(uni(r, (), 0.05, 0.95)), P(uni(r, (), 0, 1))]),
            case("v-v", lambda r: [P(uni(r, (4,), 0.05, 0.95)), P(uni(r, (4,), 0, 1))]),
            case("v-s", lambda r: [P(uni(r, (4,), 0.05, 0.95)), P(uni(r, (), 0, 1))]),
            case("s-v", lambda r: [P(uni(r, (), 0.05, 0.95)), P(uni(r, (3,), 0, 1))]),
            case("m-m", lambda r: [P(uni(r, (2, 3), 0.05, 0.95)), P(uni(r, (2, 3), 0, 1))]),
            case("hard labels", lambda r: [P(uni(r, (4,), 0.05, 0.95)), T(r.integers(0, 2, 4))])],
    "bce_with_logits": [
        case("s-s", lambda r: [P(uni(r, (), -4, 4)), P(uni(r, (), 0, 1))]),
        case("v-v", lambda r: [P(uni(r, (4,), -4, 4)), P(uni(r, (4,), 0, 1))]),
        case("v-s", lambda r: [P(uni(r, (4,), -4, 4)), P(uni(r, (), 0, 1))]),
        case("s-v", lambda r: [P(uni(r, (), -4, 4)), P(uni(r, (3,), 0, 1))])],
    "mse": binary_broadcast(),
    "mse_mean": binary_broadcast(),
    "l1": [case("s-s", lambda r: _away_diff(r, ())), case("v-v", lambda r: _away_diff(r, (4,))),
           case("m-m", lambda r: _away_diff(r, (2, 3))),
           case("v-s", lambda r: [P(np.array([1.0, -1.5, 0.6])), P(uni(r, (), -0.3, 0.3))])],
    "huber": [case("s-s", lambda r: _huber(r, (), 1.0)),
              case("v-v", lambda r: _huber(r, (6,), 1.0)),
              case("delta=0.5", lambda r: _huber(r, (2, 3), 0.5), delta=0.5)],
    "hinge": [case("s-s", lambda r: _hinge(r, (), ())),
              case("v-v", lambda r: _hinge(r, (5,), (5,))),
              case("v-s", lambda r: _hinge(r, (4,), ())),
              case("y takes a gradient", lambda r: [P(a) for _, a in _hinge(r, (4,), (4,))])],
    "cross_entropy": [
        case("one-hot", lambda r: [P(softmax(uni(r, (4,)))), P(onehot(r, (4,)))]),
        case("soft labels", lambda r: [P(softmax(uni(r, (3,)))), P(softmax(uni(r, (3,))))]),
        case("class index", lambda r: [P(softmax(uni(r, (4,)))), T(r.integers(0, 4))]),
        case("matrix, indices", lambda r: [P(softmax(uni(r, (2, 3)))), T(r.integers(0, 3, 2))])],
    "cross_entropy_with_logits": [
        case("one-hot", lambda r: [P(uni(r, (4,))), P(onehot(r, (4,)))]),
        case("class index", lambda r: [P(uni(r, (4,))), T(r.integers(0, 4))]),
        case("matrix, indices", lambda r: [P(uni(r, (2, 3))), T(r.integers(0, 3, 2))])],
    "cosine_similarity": [case("v-v", lambda r: [P(uni(r, (4,))), P(uni(r, (4,)))]),
                          case("m-m", lambda r: [P(uni(r, (2, 3))), P(uni(r, (2, 3)))])],
}

ALL_CASES = [pytest.param(name, *c.values, id=f"{name}[{c.id}]")
             for name, cases in CASES.items() for c in cases]
WITH_DERIV = [n for n, o in OPS.items() if o.deriv is not None]


# ----------------------------------------------------------------------- helpers
def pad(xs, op):
    """What the evaluator does for broadcasting ops: singleton core axes after the batch."""
    if not op.broadcast:
        return list(xs)
    r = max(x.ndim for x in xs) - 1
    return [x.reshape(x.shape[:1] + (1,) * (r - x.ndim + 1) + x.shape[1:]) for x in xs]


def unbroadcast(g, padded_shape, shape):
    """Sum a VJP result over the axes its (padded) operand was broadcast along."""
    g = np.asarray(g, dtype=np.float64)
    assert g.ndim == len(padded_shape), (g.shape, padded_shape)
    axes = tuple(i for i, n in enumerate(padded_shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return np.broadcast_to(g, padded_shape).reshape(shape)


def close(analytic, numeric, rtol=RTOL):
    """gradcheck's criterion: |a − n| <= rtol · max(1, |n|), elementwise."""
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    assert analytic.shape == numeric.shape, (analytic.shape, numeric.shape)
    err = np.abs(analytic - numeric) / np.maximum(1.0, np.abs(numeric))
    return float(err.max(initial=0.0))


def graph_of(name, operands, params, rng):
    """sum(op(leaves...) * fixed random weights) as a graph, and its op node's name."""
    b = gradviz.Builder(name=f"test_{name}")
    leaves = [b.leaf(f"a{i}", kind, v) for i, (kind, v) in enumerate(operands)]
    out = b.op(name, *leaves, name="out", **params)
    xs = pad([v[None] for _, v in operands], OPS[name])
    shape = np.asarray(OPS[name].forward(*xs, **params)).shape[1:]
    w = rng.normal(size=shape)
    b.loss("L", b.op("sum", b.op("mul", out, b.const(w, name="w"))))
    return b.build()


def batch_of(gen, rng, B=3):
    """B independent draws of a case, stacked along a leading batch axis."""
    draws = [gen(rng) for _ in range(B)]
    kinds = [k for k, _ in draws[0]]
    arrays = [np.stack([d[i][1] for d in draws]) for i in range(len(kinds))]
    return kinds, arrays


# ------------------------------------------------------------------ record checks
def test_required_ops_exist():
    missing = [n for n in REQUIRED_OPS if n not in OPS]
    assert not missing


def test_activation_and_loss_lists():
    assert set(REQUIRED_ACTIVATIONS) <= set(ACTIVATIONS)
    assert set(REQUIRED_LOSSES) <= set(LOSSES)
    assert all(OPS[n].kind == "activation" for n in ACTIVATIONS)
    assert all(OPS[n].kind == "loss" for n in LOSSES)


@pytest.mark.parametrize("name", list(OPS))
def test_record_complete(name):
    o = OPS[name]
    assert isinstance(o, gradviz.Op)
    assert o.name == name
    for field in ("symbol", "formula", "formula_tex"):
        value = getattr(o, field)
        assert isinstance(value, str) and value.strip(), field
    assert len(o.dplain) == len(o.dlatex)
    assert all(isinstance(s, str) and s.strip() for s in o.dplain + o.dlatex)
    if o.arity is not None:
        assert len(o.dplain) == o.arity
        assert len(o.args) == o.arity
    else:
        roles = {o.role(i, n) for n in (1, 3, 5, 7) for i in range(n)}
        assert len(o.dplain) == len(roles) == len(o.args)
    assert o.kind in KINDS
    assert callable(o.forward) and callable(o.vjp)
    if o.kind == "activation":
        assert o.arity == 1 and callable(o.deriv)
    for pname, default in o.params:
        assert isinstance(pname, str) and isinstance(default, float)
    assert o.param_defaults() == dict(o.params)


# ops whose gradient differs from the derivative of their value by design, each with an
# exact test of its own below
BY_DESIGN = {"stop_gradient"}


@pytest.mark.parametrize("name", list(OPS))
def test_every_op_has_vjp_cases(name):
    """A new op without a finite-difference case fails here."""
    assert CASES.get(name) or name in BY_DESIGN, f"no VJP test case for op {name!r}"


def test_stop_gradient_keeps_the_value_and_blocks_the_gradient():
    g = gradviz.parse("x: input = 3\nL: loss = x * stop_gradient(x)")
    t = gradviz.evaluate(g)
    assert float(t.value("L")) == 9.0 and float(t.grad("x")) == 3.0  # only the first path
    x = np.array([[1.0, -2.0]])
    assert OPS["stop_gradient"].forward(x).tolist() == x.tolist()
    assert not np.any(OPS["stop_gradient"].vjp(np.ones_like(x), x, x)[0])


# ----------------------------------------------------- VJP vs central differences
@pytest.mark.parametrize(("name", "gen", "params"), ALL_CASES)
def test_vjp_gradcheck_in_graph(name, gen, params):
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    for _ in range(3):
        g = graph_of(name, gen(rng), params, rng)
        gc = gradviz.gradcheck(g, eps=EPS, tol=RTOL)
        assert gc.ok, (gc.max_error, gc.analytic, gc.numeric)


@pytest.mark.parametrize(("name", "gen", "params"), ALL_CASES)
def test_vjp_direct_central_differences(name, gen, params):
    op = OPS[name]
    rng = np.random.default_rng(7)
    kinds, xs = batch_of(gen, rng)
    xp = pad(xs, op)
    out = np.asarray(op.forward(*xp, **params))
    assert out.shape[0] == 3
    assert np.all(np.isfinite(out))
    g = rng.normal(size=out.shape)
    grads = op.vjp(g, out, *xp, **params)
    assert len(grads) == len(xs)

    def f(args):
        return float((np.asarray(op.forward(*pad(args, op), **params)) * g).sum())

    for i, (kind, x) in enumerate(zip(kinds, xs)):
        if kind != "param":
            continue
        analytic = unbroadcast(grads[i], xp[i].shape, x.shape)
        numeric = np.zeros_like(x)
        for j in np.ndindex(x.shape):
            hi, lo = x.copy(), x.copy()
            hi[j] += EPS
            lo[j] -= EPS
            numeric[j] = (f([*xs[:i], hi, *xs[i + 1:]]) - f([*xs[:i], lo, *xs[i + 1:]])) \
                / (2 * EPS)
        assert close(analytic, numeric) <= RTOL, (i, analytic, numeric)


# ------------------------------------------------------------- exact derivatives
DERIV_PARAMS = {"leaky_relu": [{}, {"slope": 0.1}], "softplus": [{}, {"beta": 2.0}],
                "elu": [{}, {"alpha": 1.5}]}


@pytest.mark.parametrize("name", WITH_DERIV)
def test_deriv_matches_forward_and_vjp(name):
    op = OPS[name]
    rng = np.random.default_rng(3)
    if name in ("log", "sqrt"):
        x = rng.uniform(0.2, 5.0, (4, 25))
    elif name in ("exp",):
        x = rng.uniform(-4.0, 4.0, (4, 25))
    else:
        x = away(rng, (4, 25), 1e-3, 6.0)
    for params in DERIV_PARAMS.get(name, [{}]):
        d = op.deriv(x, **params)
        assert d.shape == x.shape
        numeric = (op.forward(x + EPS, **params) - op.forward(x - EPS, **params)) / (2 * EPS)
        assert close(d, numeric) <= RTOL
        out = op.forward(x, **params)
        (v,) = op.vjp(np.ones_like(out), out, x, **params)
        np.testing.assert_allclose(v, d, rtol=1e-12, atol=1e-15)


def test_deriv_exists_for_every_activation():
    assert set(ACTIVATIONS) <= set(WITH_DERIV)


# --------------------------------------------------------------------- kinks, exact
def run(text, **values):
    """Parse graph text and evaluate it: the whole pipeline."""
    return gradviz.evaluate(gradviz.parse(text), **values)


@pytest.mark.parametrize(("expr", "x", "expected"), [
    ("relu(x)", 0.0, 0.0),
    ("relu(x)", 1e-300, 1.0),
    ("relu(x)", -1e-300, 0.0),
    ("leaky_relu(x, slope=0.1)", 0.0, 1.0),
    ("leaky_relu(x, slope=0.1)", -1e-12, 0.1),
    ("leaky_relu(x, slope=0.1)", -1e-300, 0.1),
    ("leaky_relu(x)", 0.0, 1.0),
    ("leaky_relu(x)", -1e-12, 0.01),
    ("abs(x)", 0.0, 0.0),
    ("abs(x)", -1e-300, -1.0),
    ("elu(x)", 0.0, 1.0),
    ("elu(x, alpha=1.5)", 0.0, 1.5),
    ("elu(x, alpha=1.5)", 1e-300, 1.0),
])
def test_kinks_exact(expr, x, expected):
    t = run(f"x: input = {x!r}\nL: loss = {expr}")
    assert float(t.grad("x")) == expected


@pytest.mark.parametrize(("name", "xs", "expected"), [
    ("relu", [-1.0, 0.0, 2.0], [0.0, 0.0, 1.0]),
    ("leaky_relu", [-1.0, 0.0, 2.0], [0.1, 1.0, 1.0]),
    ("abs", [-1.0, 0.0, 2.0], [-1.0, 0.0, 1.0]),
    ("elu", [0.0], [1.5]),
])
def test_kinks_of_deriv_functions(name, xs, expected):
    params = {"leaky_relu": {"slope": 0.1}, "elu": {"alpha": 1.5}}.get(name, {})
    assert OPS[name].deriv(np.array(xs), **params).tolist() == expected


@pytest.mark.parametrize("fn", ["max", "min"])
def test_tie_splits_half_half(fn):
    t = run(f"a: input = 2\nb: input = 2\nL: loss = {fn}(a, b)")
    assert float(t.grad("a")) == 0.5
    assert float(t.grad("b")) == 0.5
    # the same node twice: two edges, ½ each, summing to 1
    t = run(f"a: input = -1.25\nL: loss = {fn}(a, a)")
    assert [float(e.contribution) for e in t.edges_into("L")] == [0.5, 0.5]
    assert float(t.grad("a")) == 1.0
    # a tie inside a vector splits per element
    t = run(f"a: input = [1, 2, 3]\nb: input = [1, 5, 0]\nL: loss = sum({fn}(a, b))")
    big, small = ([0.5, 0.0, 1.0], [0.5, 1.0, 0.0]) if fn == "max" else \
        ([0.5, 1.0, 0.0], [0.5, 0.0, 1.0])
    assert t.grad("a").tolist() == big
    assert t.grad("b").tolist() == small


def test_l1_at_zero_difference_is_zero():
    t = run("p: input = 0.3\ny: input = 0.3\nL: loss = l1(p, y)")
    assert float(t.value("L")) == 0.0
    assert float(t.grad("p")) == 0.0
    assert float(t.grad("y")) == 0.0
    t = run("p: input = [0.3, 1.0]\ny: target = [0.3, 0.0]\nL: loss = l1(p, y)")
    assert t.grad("p").tolist() == [0.0, 0.5]


@pytest.mark.parametrize(("s", "y"), [(1.0, 1.0), (-1.0, -1.0)])
def test_hinge_at_margin_is_zero(s, y):
    t = run(f"s: input = {s}\ny: input = {y}\nL: loss = hinge(s, y)")
    assert float(t.value("L")) == 0.0
    assert float(t.grad("s")) == 0.0
    assert float(t.grad("y")) == 0.0
    # just inside the margin the gradient is −y
    t = run(f"s: input = {s * 0.5}\ny: target = {y}\nL: loss = hinge(s, y)")
    assert float(t.grad("s")) == -y


def test_huber_at_delta_is_continuous():
    t = run("p: input = 1.5\ny: target = 1\nL: loss = huber(p, y, delta=0.5)")
    assert float(t.grad("p")) == 0.5
    assert float(t.value("L")) == 0.125


# -------------------------------------------------------- numerics, no warnings
def test_sigmoid_extremes():
    sig = OPS["sigmoid"]
    x = np.array([1000.0, -1000.0])
    out = sig.forward(x)
    assert out.tolist() == [1.0, 0.0]
    (g,) = sig.vjp(np.ones(2), out, x)
    assert np.all(np.isfinite(g)) and np.all(np.isfinite(sig.deriv(x)))
    for v, expected in ((1000, 1.0), (-1000, 0.0)):
        t = run(f"x: input = {v}\nL: loss = sigmoid(x)")
        assert float(t.value("L")) == expected
        assert np.isfinite(t.grad("x"))


def test_softmax_extremes():
    z = np.array([[1000.0, 1000.0, -1000.0]])
    s = OPS["softmax"].forward(z)
    assert np.all(np.isfinite(s))
    np.testing.assert_allclose(s, [[0.5, 0.5, 0.0]], atol=1e-300)
    (g,) = OPS["softmax"].vjp(np.array([[1.0, -2.0, 3.0]]), s, z)
    assert np.all(np.isfinite(g))
    ls = OPS["log_softmax"].forward(z)
    np.testing.assert_allclose(ls, [[-math.log(2), -math.log(2), -2000 - math.log(2)]],
                               rtol=1e-15)
    (g,) = OPS["log_softmax"].vjp(np.array([[1.0, -2.0, 3.0]]), ls, z)
    assert np.all(np.isfinite(g))
    text = "z: input = [1000, 1000, -1000]\nw: const = [1, -2, 3]\nL: loss = sum({}(z) * w)"
    t = run(text.format("softmax"))
    np.testing.assert_allclose(t.value("L"), -0.5, rtol=1e-15)
    assert np.all(np.isfinite(t.grad("z")))
    t = run(text.format("log_softmax"))
    assert np.all(np.isfinite(t.value("L"))) and np.all(np.isfinite(t.grad("z")))
    np.testing.assert_allclose(t.grad("z"), [1 - 1, -2 - 1, 3], atol=1e-12)


@pytest.mark.parametrize(("p", "y", "loss"), [(0, 1, 100.0), (1, 0, 100.0), (0, 0, 0.0),
                                              (1, 1, 0.0)])
def test_bce_clamped_at_0_and_1(p, y, loss):
    o = OPS["bce"]
    pa, ya = np.array([float(p)]), np.array([float(y)])
    out = o.forward(pa, ya)
    assert out.tolist() == [loss]
    assert all(np.all(np.isfinite(g)) for g in o.vjp(np.ones(1), out, pa, ya))
    t = run(f"p: input = {p}\ny: input = {y}\nL: loss = bce(p, y)")
    assert float(t.value("L")) == loss
    assert np.isfinite(t.grad("p")) and np.isfinite(t.grad("y"))
    # a saturated sigmoid feeding bce
    t = run(f"z: input = {2000 * p - 1000}\ny: target = {y}\nL: loss = bce(sigmoid(z), y)")
    assert float(t.value("L")) == loss
    assert np.isfinite(t.grad("z"))


@pytest.mark.parametrize("z", [800.0, -800.0])
@pytest.mark.parametrize("y", [0.0, 1.0])
def test_bce_with_logits_extremes(z, y):
    o = OPS["bce_with_logits"]
    za, ya = np.array([z]), np.array([y])
    out = o.forward(za, ya)
    expected = max(z, 0.0) - z * y  # log1p(e^-800) = 0 in float64
    assert out.tolist() == [expected]
    assert all(np.all(np.isfinite(g)) for g in o.vjp(np.ones(1), out, za, ya))
    t = run(f"z: input = {z}\ny: input = {y}\nL: loss = bce_with_logits(z, y)")
    assert float(t.value("L")) == expected
    assert float(t.grad("z")) == (1.0 if z > 0 else 0.0) - y


def test_cross_entropy_with_zero_probability():
    o = OPS["cross_entropy"]
    p = np.array([[0.0, 0.5, 0.5]])
    for y in (np.array([[1.0, 0.0, 0.0]]), np.array([[0.0, 1.0, 0.0]]), np.array([0.0]),
              np.array([2.0])):
        out = o.forward(p, y)
        assert np.all(np.isfinite(out))
        assert all(np.all(np.isfinite(g)) for g in o.vjp(np.ones(1), out, p, y))
    t = run("p: input = [0, 0.5, 0.5]\ny: input = [1, 0, 0]\nL: loss = cross_entropy(p, y)")
    assert float(t.value("L")) == 100.0
    assert np.all(np.isfinite(t.grad("p"))) and np.all(np.isfinite(t.grad("y")))
    t = run("p: input = [0, 0.5, 0.5]\ny: target = 1\nL: loss = cross_entropy(p, y)")
    assert float(t.value("L")) == pytest.approx(math.log(2), rel=1e-15)
    assert np.all(np.isfinite(t.grad("p")))


def test_cross_entropy_class_index_must_be_integer():
    g = gradviz.parse("p: input = [0.2, 0.3, 0.5]\ny: target = 1\nL: loss = cross_entropy(p, y)")
    with pytest.raises(gradviz.GradvizError):
        gradviz.evaluate(g, y=0.5)
    with pytest.raises(gradviz.GradvizError):
        gradviz.evaluate(g, y=3)


@pytest.mark.parametrize("name", [n for n in ACTIVATIONS])
@pytest.mark.parametrize("x", [1000.0, -1000.0])
def test_activations_finite_at_extremes(name, x):
    o = OPS[name]
    xs = np.array([x])
    out = o.forward(xs)
    assert np.all(np.isfinite(out))
    assert np.all(np.isfinite(o.deriv(xs)))
    assert np.all(np.isfinite(o.vjp(np.ones(1), out, xs)[0]))
    t = run(f"x: input = {x}\nL: loss = {name}(x)")
    assert np.isfinite(t.value("L")) and np.isfinite(t.grad("x"))


def test_softplus_extremes():
    t = run("x: input = 1000\nL: loss = softplus(x)")
    assert float(t.value("L")) == 1000.0 and float(t.grad("x")) == 1.0
    t = run("x: input = -1000\nL: loss = softplus(x)")
    assert float(t.value("L")) == 0.0 and float(t.grad("x")) == 0.0


# ------------------------------------------------------------- non-finite policy
NONFINITE = [
    ("x/0", "x: input = 1\ny: input = 0\nratio = x / y\nL: loss = ratio * 2", "ratio", 3,
     ("value", "ratio", np.inf)),
    ("log(0)", "x: input = 0\nlg = log(x)\nL: loss = lg + 1", "lg", 2, ("value", "lg", -np.inf)),
    ("log(-1)", "x: input = -1\nlg = log(x)\nL: loss = lg + 1", "lg", 2, ("value", "lg", np.nan)),
    ("sqrt'(0)", "x: input = 0\nroot = sqrt(x)\nL: loss = root * 2", "root", 2,
     ("grad", "x", np.inf)),
]


@pytest.mark.parametrize(("text", "node", "line"), [pytest.param(*c[1:4], id=c[0])
                                                     for c in NONFINITE])
def test_nonfinite_raises_naming_the_node(text, node, line):
    g = gradviz.parse(text)
    with pytest.raises(gradviz.EvalError) as info:
        gradviz.evaluate(g)
    e = info.value
    assert re.search(rf"\b{node}\b", str(e)), str(e)
    assert e.line == line


@pytest.mark.parametrize(("text", "raw"), [pytest.param(c[1], c[4], id=c[0]) for c in NONFINITE])
def test_nonfinite_raw_without_check(text, raw):
    t = gradviz.evaluate(gradviz.parse(text), check_finite=False)
    what, node, expected = raw
    got = float(t.value(node) if what == "value" else t.grad(node))
    if np.isnan(expected):
        assert np.isnan(got)
    else:
        assert got == expected


def test_nonfinite_from_builder_names_node_without_line():
    b = gradviz.Builder()
    x, y = b.input("x", 1.0), b.input("y", 0.0)
    b.loss("L", b.op("div", x, y, name="ratio") * 2)
    with pytest.raises(gradviz.EvalError) as info:
        gradviz.evaluate(b.build())
    assert "ratio" in str(info.value)
    assert info.value.line is None
