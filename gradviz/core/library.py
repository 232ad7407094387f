"""Built-in examples (graph files inside the package) and the MLP generator."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from gradviz.core.errors import GradvizError
from gradviz.core.format import fmt
from gradviz.core.graph import Graph
from gradviz.core.limits import LIMITS
from gradviz.core.ops import ACTIVATIONS, LOSSES
from gradviz.core.parse import load, parse

__all__ = ["examples", "example", "resolve", "mlp"]

Array = np.ndarray


def _folder():
    return resources.files("gradviz") / "graphs"


def examples() -> list[str]:
    """Names of the built-in examples, sorted.

    Examples
    --------
    >>> "interesting" in examples()
    True
    """
    return sorted(p.name[:-5] for p in _folder().iterdir() if p.name.endswith(".grad"))


def example_text(name: str) -> str:
    """The graph file of a built-in example, as text.

    Examples
    --------
    >>> example_text("xyz").splitlines()[-4:]
    ['z: input = -1', 'a = x * y + z', 'b = (x + x) * a', 'w: output = a * b']
    """
    path = _folder() / f"{name}.grad"
    if not path.is_file():
        raise GradvizError(f"no built-in example {name!r}; `gradviz list` shows "
                           f"{', '.join(examples())}")
    return path.read_text(encoding="utf-8")


def example(name: str) -> Graph:
    """A built-in example graph with its default values.

    Examples
    --------
    >>> example("xyz").loss
    'w'
    """
    return parse(example_text(name), source=f"{name}.grad", name=name)


def resolve(name_or_path: str) -> Graph:
    """A built-in example by name, or a graph file by path (what the CLI accepts).

    Examples
    --------
    >>> resolve("xyz").loss
    'w'
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "mine.grad"
    ...     _ = path.write_text("x: input = 3\\ny: output = x * x\\n")
    ...     resolve(str(path)).loss
    'y'
    """
    if name_or_path in examples():
        return example(name_or_path)
    p = Path(name_or_path)
    if name_or_path.strip() and p.is_file():
        return load(p)
    raise GradvizError(f"{name_or_path!r} is neither a built-in example nor a file; "
                       f"examples: {', '.join(examples())}")


def mlp(sizes: list[int] | tuple[int, ...], activation: str = "relu",
        output: str = "identity", loss: str = "mse", granularity: str = "neuron",
        seed: int = 0, digits: int = 2) -> Graph:
    """Generate a seeded MLP as a graph (via graph-file text, so it can be saved).

    Parameters
    ----------
    sizes : sequence of int
        Layer widths, inputs first: ``[3, 16, 16, 1]``.
    activation, output : str
        Hidden and output activations (names from the op table).
    loss : str
        A two-operand loss from the op table (``mse``, ``bce``, ...).
    granularity : {"neuron", "layer"}
        ``neuron``: one scalar node per weighted sum (``affine``), as students draw
        them; ``layer``: one vector node per layer (``W @ h + b``).
    seed : int
        Seed of the uniform(-1, 1) weights and inputs.
    digits : int
        Decimals the generated values are rounded to (readable figures).

    Examples
    --------
    >>> g = mlp([2, 2, 1], activation="tanh", granularity="neuron")
    >>> g.op_of("z1_1").name, g.loss
    ('affine', 'L')
    """
    _check_mlp(sizes, activation, output, loss, granularity)
    sizes = [int(s) for s in sizes]
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, sizes[0])
    t = rng.uniform(-1, 1, sizes[-1])
    if loss in ("bce", "cross_entropy"):
        t = (t > 0).astype(np.float64)
    elif loss == "hinge":
        t = np.where(t > 0, 1.0, -1.0)
    weights = [rng.uniform(-1, 1, (m, n)) for n, m in zip(sizes, sizes[1:])]
    biases = [rng.uniform(-1, 1, m) for m in sizes[1:]]
    acts = [activation] * (len(weights) - 1) + [output]
    num = _numbers(digits)
    lines = [f"#: title: MLP {'-'.join(map(str, sizes))}, {activation}, {loss} "
             f"({granularity} level)", f"#: source: gradviz.mlp(seed={seed})"]
    write = _layer_lines if granularity == "layer" else _neuron_lines
    lines += write(x, t, weights, biases, acts, loss, num)
    name = f"mlp_{'_'.join(map(str, sizes))}"
    return parse("\n".join(lines) + "\n", source=f"<{name}>", name=name)


def _check_mlp(sizes: Sequence[int], activation: str, output: str, loss: str,
               granularity: str) -> None:
    if len(sizes) < 2 or any(int(s) < 1 for s in sizes):
        raise GradvizError("an MLP needs at least two layer sizes, each >= 1, e.g. 3 4 1")
    if activation not in ACTIVATIONS or output not in ACTIVATIONS:
        raise GradvizError(f"activations are {', '.join(ACTIVATIONS)}")
    if loss not in LOSSES or loss.startswith("cosine"):
        raise GradvizError(f"losses are {', '.join(n for n in LOSSES if n != 'cosine_similarity')}")
    if granularity not in ("neuron", "layer"):
        raise GradvizError("granularity is 'neuron' or 'layer'")
    _check_size([int(s) for s in sizes], granularity)


def _check_size(sizes: list[int], granularity: str) -> None:
    """Refuse, before generating anything, an MLP over the node or element limits."""
    pairs = list(zip(sizes, sizes[1:]))
    what = f"an MLP {'-'.join(map(str, sizes))} ({granularity} level)"
    if granularity == "layer":
        LIMITS["max_elements"].check(max(n * m for n, m in pairs), f"{what}: a weight matrix")
        nodes = 3 + 5 * len(pairs)
    else:  # inputs, targets, per neuron its weights, bias, sum and activation, the loss
        nodes = sizes[0] + sizes[-1] + sum(n * m + 3 * m for n, m in pairs) + 1
    LIMITS["max_nodes"].check(nodes, what)


def _numbers(digits: int) -> Callable[[float], str]:
    def num(v: float) -> str:
        return fmt(round(float(v), digits), 12)
    return num


def _layer_lines(x: Array, t: Array, weights: list[Array], biases: list[Array],
                 acts: list[str], loss: str, num: Callable[[float], str]) -> list[str]:
    """One vector node per layer: ``z1 = W1 @ x + b1``, ``h1 = act(z1)``."""
    def vec(a: Array) -> str:
        return "[" + ", ".join(num(v) for v in a) + "]"

    lines = [f"x: input = {vec(x)}", f"t: target = {vec(t)}"]
    prev = "x"
    for k, (W, b, act) in enumerate(zip(weights, biases, acts), start=1):
        lines.append(f"W{k}: param = [" + ", ".join(vec(r) for r in W) + "]")
        lines += [f"b{k}: param = {vec(b)}", f"z{k} = W{k} @ {prev} + b{k}",
                  f"h{k} = {act}(z{k})"]
        prev = f"h{k}"
    return lines + [f"L: loss = {loss}({prev}, t)"]


def _neuron_lines(x: Array, t: Array, weights: list[Array], biases: list[Array],
                  acts: list[str], loss: str, num: Callable[[float], str]) -> list[str]:
    """One scalar node per neuron: ``z1_1 = affine(x1, w1_1_1, ..., b1_1)``."""
    lines = [f"x{i}: input = {num(v)}" for i, v in enumerate(x, 1)]
    lines += [f"t{i}: target = {num(v)}" for i, v in enumerate(t, 1)]
    prev = [f"x{i}" for i in range(1, len(x) + 1)]
    for k, (W, b, act) in enumerate(zip(weights, biases, acts), start=1):
        cur = []
        for j in range(W.shape[0]):
            terms = []
            for i, p in enumerate(prev):
                lines.append(f"w{k}_{i + 1}_{j + 1}: param = {num(W[j, i])}")
                terms += [p, f"w{k}_{i + 1}_{j + 1}"]
            lines += [f"b{k}_{j + 1}: param = {num(b[j])}",
                      f"z{k}_{j + 1} = affine({', '.join(terms)}, b{k}_{j + 1})",
                      f"h{k}_{j + 1} = {act}(z{k}_{j + 1})"]
            cur.append(f"h{k}_{j + 1}")
        prev = cur
    outs = prev[0] if len(prev) == 1 else "[" + ", ".join(prev) + "]"
    tnames = [f"t{i}" for i in range(1, len(prev) + 1)]
    tgts = tnames[0] if len(prev) == 1 else "[" + ", ".join(tnames) + "]"
    return lines + [f"L: loss = {loss}({outs}, {tgts})"]
