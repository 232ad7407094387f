"""Cells that hold a parameter after one gradient-descent step: ``w21+`` = w − η·∂L/∂w.

A problem asks for them with ``#: asks: … w21+`` and ``#: lr:``. Students write them as
``w21+``, ``w₂₁⁺``, ``$w_{21}^{+}$``, ``w21_new`` or ``new w21``. The step is graded as a
careful marker grades it: right (within rounding of the gradient it uses), right from the
student's own wrong ∇w (error carried forward), or wrong with the reason when one is
certain: the gradient added instead of subtracted, or the learning rate left out.

Examples
--------
>>> from gradviz import evaluate, example
>>> from gradviz.teaching.check import check
>>> r = check(evaluate(example("two_layer_relu")), [("w21+", "0.35")])
>>> [(c.cause, c.explanation) for c in r.cells if c.quantity == "w21+"]  # doctest: +ELLIPSIS
[('sign', 'the step goes up the gradient...')]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gradviz.core.format import MINUS
from gradviz.core.sgd import descend
from gradviz.teaching.explain import number
from gradviz.teaching.precision import RIGHT, Policy, judge_all
from gradviz.teaching.quantities import display
from gradviz.teaching.report import Cell

__all__ = ["grade_update"]

def grade_update(c: Cell, w: Any, grad: Any, lr: float, student_grad: Any,
                 grad_allowance: Any, policy: Policy, yours: Callable[[str], str],
                 loss: str = "L") -> None:
    """Grade one update cell in place. ``w`` is the parameter's value and ``grad`` its true
    gradient (both read from the trace), ``student_grad`` the student's own ∇w (``None``
    when not on the sheet), ``grad_allowance`` how far rounding may move ∇w, ``yours``
    names a cell as the student wrote it, ``loss`` is the loss's name."""
    assert c.quantity is not None and c.expected is not None
    node, nums = c.quantity[:-1], list(c.numbers)
    allowance = lr * np.asarray(grad_allowance, dtype=float)
    how = judge_all(nums, c.expected, 0.0, policy) or \
        judge_all(nums, c.expected, allowance, policy)
    rule = f"{display(c.quantity)} = {display(node)} {MINUS} η·∂{display(loss)}/∂{display(node)}"
    if how is not None:
        c.status = RIGHT[how]
        if c.status != "correct":
            c.explanation = f"rounding: {rule} = {number(c.expected)}"
        return
    c.status = "wrong"
    if student_grad is not None and not np.allclose(student_grad, grad, rtol=1e-9, atol=0):
        mine = descend(w, student_grad, lr)
        if judge_all(nums, mine, allowance, policy):
            c.cause, c.inherited_from = "inherited", [f"∇{node}"]
            c.explanation = (f"follows from your wrong {yours('∇' + node)}: {rule} gives "
                             f"{number(mine)}, which is what you wrote")
            return
    for cause, value, why in (
            ("sign", descend(w, -np.asarray(grad), lr), "the step goes up the gradient: "
             "subtract η times it"),
            ("arithmetic", descend(w, grad, 1.0), "the learning rate is left out"),
    ):
        if judge_all(nums, value, allowance, policy):
            c.cause, c.node = cause, node
            c.explanation = f"{why}: {rule} = {number(c.expected)} (η = {number(lr)})"
            return
    c.cause, c.node = "arithmetic", node
    c.explanation = f"the update is wrong: {rule} = {number(c.expected)} (η = {number(lr)})"
