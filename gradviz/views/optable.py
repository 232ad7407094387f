"""The op table as text, generated from the records themselves, so the docs cannot drift."""

from __future__ import annotations

from gradviz.core import formula as F
from gradviz.core.format import fmt
from gradviz.core.names import plain
from gradviz.core.ops import OPS, Op
from gradviz.core.typeset import to_plain

__all__ = ["op_table", "derivatives", "forward_text", "role_derivative"]


def _show(op: Op, template: str) -> str:
    """A template in plain Unicode; ``out`` reads as the op's own formula (σ(x))."""
    own = to_plain(F.parse(op.formula), name=plain)
    return to_plain(F.parse(template), name=lambda s: own if s == "out" else plain(s))


def _params(op: Op) -> str:
    return ", ".join(f"{k}={fmt(v, 6)}" for k, v in op.params)


def forward_text(op: Op) -> str:
    """The op's formula and what it stands for (``ReLU(x) = max(0, x)``)."""
    text = _show(op, op.formula)
    return f"{text} = {_show(op, op.definition)}" if op.definition else text


def derivatives(op: Op) -> str:
    """The local derivative per operand, piecewise where the op has branches.

    Examples
    --------
    >>> derivatives(OPS["div"]), derivatives(OPS["relu"])
    ('∂/∂a: 1/b; ∂/∂b: −a/b²', '∂/∂x: 1 if x > 0, 0 if x ≤ 0')
    """
    parts = []
    for i, role in enumerate(op.args):
        prefix = f"∇{plain(role)} = " if not (op.pieces or op.local) else f"∂/∂{plain(role)}: "
        parts.append(prefix + role_derivative(op, i))
    return "; ".join(parts)


def role_derivative(op: Op, i: int) -> str:
    """The local derivative for role ``i`` (piecewise, or the chain rule's vector form)."""
    if op.pieces:
        return ", ".join(f"{_show(op, p.local[i])} if {_show(op, p.when)}" for p in op.pieces)
    if op.local:
        return _show(op, op.local[i])
    return _show(op, op.chain[i]) if op.chain else ""


def op_table(markdown: bool = False) -> str:
    """The op table as plain text or a Markdown table.

    Examples
    --------
    >>> "| `relu` | ReLU | ReLU(x) = max(0, x) |" in op_table(markdown=True)
    True
    """
    if markdown:
        rows = ["| op | symbol | forward | local derivatives | parameters | at kinks |",
                "|---|---|---|---|---|---|"]
        for op in OPS.values():
            cells = [f"`{op.name}`", op.symbol, forward_text(op), derivatives(op), _params(op),
                     op.kink]
            rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        return "\n".join(rows)
    out = []
    for op in OPS.values():
        params = f"  [{_params(op)}]" if op.params else ""
        out.append(f"{op.name:26} {op.symbol:10} {forward_text(op)}{params}")
        out.append(f"{'':26} {'':10} {derivatives(op)}")
        if op.kink:
            out.append(f"{'':26} {'':10} kink: {op.kink}")
    return "\n".join(out)
