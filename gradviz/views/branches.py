"""Which branch a kinked op took, in words ("H5 = max(H4, H1) takes H4 since 2 > 1.5").

Read from the trace's values (comparisons only); the gradient conventions at the kinks
themselves are the op table's (ties ½/½, relu'(0) = 0, leaky_relu'(0) = 1).
"""

from __future__ import annotations

import numpy as np

from gradviz.core.evaluate import Trace
from gradviz.core.format import fmt

__all__ = ["branch_sentence"]


def _name(trace: Trace, n: str) -> str:
    return trace.graph.display_name(n)


def branch_sentence(trace: Trace, node: str) -> str | None:
    """The branch taken at ``node`` and the local derivatives it implies, or ``None``.

    Examples
    --------
    >>> from gradviz import evaluate, example
    >>> t = evaluate(example("interesting"))
    >>> branch_sentence(t, "H5")
    'H₅ = max(H₄, H₁) takes H₄ since 2 > 1.5, so ∂H₅/∂H₄ = 1 and ∂H₅/∂H₁ = 0.'
    >>> branch_sentence(t, "H3")
    'H₃ = min(X₁, H₁) takes H₁ since 1.5 < 2, so ∂H₃/∂H₁ = 1 and ∂H₃/∂X₁ = 0.'
    """
    g = trace.graph
    op = g.op_of(node)
    if op is None or not op.pieces or trace.batch is not None:
        return None
    ins = g.inputs(node)
    vals = [np.asarray(trace.value(u)) for u in ins]
    if any(v.ndim for v in vals):
        return None  # elementwise over vectors: one sentence would not do
    me = _name(trace, node)
    names = [_name(trace, u) for u in ins]
    x = [float(v) for v in vals]
    params = g.params(node)
    if op.name in ("max", "min"):
        a, b = x
        if a == b:
            return (f"{me} = {op.name}({names[0]}, {names[1]}) is a tie ({fmt(a)} = {fmt(b)}), "
                    f"so the gradient splits ½/½: ∂{me}/∂{names[0]} = ∂{me}/∂{names[1]} = 0.5.")
        first = (a > b) == (op.name == "max")
        take, other = (0, 1) if first else (1, 0)
        rel = ">" if op.name == "max" else "<"
        return (f"{me} = {op.name}({names[0]}, {names[1]}) takes {names[take]} since "
                f"{fmt(x[take])} {rel} {fmt(x[other])}, so ∂{me}/∂{names[take]} = 1 and "
                f"∂{me}/∂{names[other]} = 0.")
    z, zn = x[0], names[0]
    if op.name == "relu":
        return (f"{me} = ReLU({zn}) with {zn} = {fmt(z)} "
                + ("> 0, so the slope is 1." if z > 0 else
                   "= 0: by convention ReLU′(0) = 0." if z == 0 else "< 0, so the slope is 0."))
    if op.name == "leaky_relu":
        slope = fmt(params.get("slope", 0.01))
        return (f"{me} = LeakyReLU({zn}) with {zn} = {fmt(z)} "
                + ("≥ 0, so the slope is 1." if z >= 0 else f"< 0, so the slope is {slope}."))
    if op.name == "abs":
        return (f"{me} = |{zn}| with {zn} = {fmt(z)}, so the slope is "
                + ("1." if z > 0 else "−1." if z < 0 else "0 (sign(0) = 0 by convention)."))
    if op.name == "elu":
        return (f"{me} = ELU({zn}) with {zn} = {fmt(z)} "
                + ("> 0, so the slope is 1." if z > 0 else "≤ 0, so the slope is α·e^x."))
    # the losses' branch shows in the local derivative the trace already holds
    local = float(trace.edge(node, 0).local) if trace.requires_grad(ins[0]) else None
    if op.name == "hinge" and local is not None:
        return (f"{me} = hinge({names[0]}, {names[1]}): "
                + ("the margin y·s is below 1, so the loss is active."
                   if local != 0 else "the margin y·s is at least 1, so loss and gradient are 0."))
    if op.name == "l1":
        rel = ">" if x[0] > x[1] else "<" if x[0] < x[1] else "="
        slope = "1" if rel == ">" else "−1" if rel == "<" else "0 (sign(0) = 0)"
        return (f"{me} = |{names[0]} − {names[1]}| with {fmt(x[0])} {rel} {fmt(x[1])}, so the "
                f"slope is {slope}.")
    return None
