"""The whole op table: records complete, every VJP against central differences,
exact derivatives, conventions at kinks, numerics at extremes, the non-finite policy.

Arrays an op sees have a leading batch axis: a scalar is (B,), a vector (B, n), a
matrix (B, m, n). Every op is checked twice: inside a small graph with
:func:`gradviz.gradcheck` (the whole pipeline, including padding and un-broadcasting),
and by calling the record's ``forward``/``vjp`` directly on batch-leading arrays.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

import gradviz
from gradviz import ACTIVATIONS, LOSSES, OPS
from gradviz.core import formula as F
from gradviz.core.ops import FUNCS

EPS = 1e-6
RTOL = 1e-6
from gradviz.core.ops import KINDS  # noqa: E402

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


def _off_clips(r, shape, lo, hi):
    """Values inside (lo, hi) or outside it, at least 0.1 from both clip points."""
    inside = r.uniform(lo + 0.1, hi - 0.1, shape)
    outside = np.where(r.random(shape) < 0.5, r.uniform(lo - 2.0, lo - 0.1, shape),
                       r.uniform(hi + 0.1, hi + 2.0, shape))
    return np.where(r.random(shape) < 0.5, inside, outside)


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
    "hardtanh": unary("default", lambda r, s: _off_clips(r, s, -1.0, 1.0))
    + [case("relu6", lambda r: [P(_off_clips(r, (5,), 0.0, 6.0))], min_val=0.0, max_val=6.0)],
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
    """Every field a record needs is there and every template parses."""
    o = OPS[name]
    assert isinstance(o, gradviz.Op)
    assert o.name == name
    assert isinstance(o.symbol, str) and o.symbol.strip()
    roles = len(o.args)
    if o.arity is not None:
        assert roles == o.arity
    else:
        assert {o.role(i, n) for n in (1, 3, 5, 7) for i in range(n)} == set(range(roles))
    assert o.local or o.pieces or o.chain, "a record says how its operands' gradients arise"
    for templates in (o.local, o.chain, *(p.local for p in o.pieces)):
        assert len(templates) in (0, roles)
    for text in templates_of(o):
        F.parse(text)
    assert o.kind in KINDS
    assert callable(o.forward) and callable(o.vjp)
    if o.kind == "activation":
        assert o.arity == 1
    for pname, default in o.params:
        assert isinstance(pname, str) and isinstance(default, float)
    assert o.param_defaults() == dict(o.params)
    assert (o.infix is None and o.pretty is None) == (o.precedence is None)


def templates_of(o):
    return [o.formula, *([o.definition] if o.definition else []), *o.local, *o.chain,
            *o.domain, *(p.when for p in o.pieces), *(x for p in o.pieces for x in p.local),
            *(text for _, text in o.through)]


def test_template_functions_are_known():
    """Every function a template calls evaluates (FUNCS) or renders as vector notation."""
    vector = {"T", "diag", "outer", "dot", "matmul", "index", "onehot", "stack", "sum", "mean"}
    for o in OPS.values():
        for text in templates_of(o):
            unknown = F.calls(F.parse(text)) - set(FUNCS) - set(OPS) - vector
            assert not unknown, (o.name, text, unknown)


# ops whose gradient differs from the derivative of their value by design, each with an
# exact test of its own below
BY_DESIGN = {"stop_gradient"}


@pytest.mark.parametrize("name", list(OPS))
def test_every_op_has_vjp_cases(name):
    """A new op without a finite-difference case fails here."""
    assert CASES.get(name) or name in BY_DESIGN, f"no VJP test case for op {name!r}"




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


@pytest.mark.parametrize(("name", "gen", "params"),
                         [c for c in ALL_CASES if OPS[c.values[0]].forward_out])
@pytest.mark.parametrize("B", [1, 3])
def test_a_forward_with_out_writes_there_bit_for_bit(name, gen, params, B):
    op, rng = OPS[name], np.random.default_rng(zlib.crc32(name.encode()) + B)
    _, xs = batch_of(gen, rng, B)
    xp = pad(xs, op)
    want = np.asarray(op.forward(*xp, **params))
    given = np.full(want.shape, np.nan)
    assert op.forward(*xp, out=given, **params) is given
    assert given.tobytes() == want.tobytes()  # bit for bit: −0.0 and nan included


# ------------------------------------------- the record's formulas against its VJP
def scalar_env(o, rng):
    """Random scalar values for an op's roles, away from kinks and poles."""
    lo, hi = (0.2, 3.0) if o.domain or o.name in ("pow", "bce", "cross_entropy") else (-2, 2)
    env = {role: float(rng.uniform(lo, hi)) for role in o.args}
    if o.name in ("bce", "cross_entropy"):
        env[o.args[0]] = float(rng.uniform(0.05, 0.95))
        env["y"] = float(rng.uniform(0, 1))
    if o.name == "hinge":
        env["y"] = float(rng.choice([-1.0, 1.0]))
    for role in o.args:
        while o.pieces and abs(env[role]) < 0.1:
            env[role] = float(rng.uniform(lo, hi))
    return env


ELEMENTWISE = [n for n, o in OPS.items() if o.arity is not None and
               (o.broadcast or o.kind == "loss") and n not in ("cross_entropy",
                                                               "cross_entropy_with_logits",
                                                               "cosine_similarity")]
TEMPLATE_PARAMS = {"leaky_relu": {"slope": 0.1}, "softplus": {"beta": 2.0}, "elu": {"alpha": 1.5},
                   "huber": {"delta": 0.7}, "hardtanh": {"min_val": -0.5, "max_val": 1.5}}


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_local_templates_match_the_vjp(name):
    """On scalars, the record's local derivative (or the piece that applies) is exactly
    what its VJP computes: the formulas the solutions print are the evaluator's."""
    o = OPS[name]
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    params = {**o.param_defaults(), **TEMPLATE_PARAMS.get(name, {})}
    for _ in range(20):
        env = scalar_env(o, rng)
        xs = [np.array([env[r]]) for r in o.args]
        out = np.asarray(o.forward(*xs, **params))
        grads = o.vjp(np.ones_like(out), out, *xs, **params)
        full = {**params, **env, "out": float(out[0]), "n": 1.0, "pi": np.pi}
        templates = o.local
        if o.pieces:
            templates = next(p.local for p in o.pieces
                             if bool(F.evaluate(F.parse(p.when), full, FUNCS)))
        for role, text, grad in zip(o.args, templates, grads):
            want = float(np.asarray(grad).ravel()[0])
            got = float(F.evaluate(F.parse(text), full, FUNCS))
            assert got == pytest.approx(want, rel=1e-9, abs=1e-12), (role, text)


@pytest.mark.parametrize("name", [n for n, o in OPS.items() if o.definition and
                                  n in ELEMENTWISE + list(ACTIVATIONS)])
def test_definitions_match_the_forward(name):
    o = OPS[name]
    rng = np.random.default_rng(5)
    params = {**o.param_defaults(), **TEMPLATE_PARAMS.get(name, {})}
    for _ in range(20):
        env = scalar_env(o, rng)
        out = float(np.asarray(o.forward(*[np.array([env[r]]) for r in o.args], **params))[0])
        full = {**params, **env, "n": 1.0, "pi": np.pi}
        got = float(np.sum(F.evaluate(F.parse(o.definition), full, FUNCS)))
        assert got == pytest.approx(out, rel=1e-9, abs=1e-12)




# --------------------------------------------------------------------- kinks, exact














# -------------------------------------------------------- numerics, no warnings
















# ------------------------------------------------------------- non-finite policy






