"""Reference text generated from the op table itself, so the docs cannot drift from it."""

from __future__ import annotations

from gradviz.core.format import fmt
from gradviz.core.ops import OPS, Op

__all__ = ["op_table"]


def _params(op: Op) -> str:
    return ", ".join(f"{k}={fmt(v, 6)}" for k, v in op.params)


def _derivs(op: Op) -> str:
    return "; ".join(f"∂/∂{a}: {d}" for a, d in zip(op.args, op.dplain))


def op_table(markdown: bool = False) -> str:
    """The op table as plain text or a Markdown table.

    Examples
    --------
    >>> "| `relu` | ReLU |" in op_table(markdown=True)
    True
    """
    if markdown:
        rows = ["| op | symbol | forward | local derivatives | parameters | at kinks |",
                "|---|---|---|---|---|---|"]
        for op in OPS.values():
            cells = [f"`{op.name}`", op.symbol, op.formula, _derivs(op), _params(op),
                     op.kink]
            rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        return "\n".join(rows)
    out = []
    for op in OPS.values():
        params = f"  [{_params(op)}]" if op.params else ""
        out.append(f"{op.name:26} {op.symbol:10} {op.formula}{params}")
        out.append(f"{'':26} {'':10} {_derivs(op)}")
        if op.kink:
            out.append(f"{'':26} {'':10} kink: {op.kink}")
    return "\n".join(out)
