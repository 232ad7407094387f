"""gradviz: computational graphs that teach backpropagation.

Parse or build a graph, evaluate it forward and backward in float64, and read every
value, gradient and chain-rule product from the trace; draw it, animate it, write its
worked solution, check a student's answers.

The package is layered, and imports flow one way: ``gradviz.core`` (the op table, graphs,
the parser, the evaluator) → ``gradviz.views`` (story, figures, frames, videos, solutions)
→ ``gradviz.teaching`` and ``gradviz.course`` (checker, variants, assignments, grading)
→ ``gradviz.cli`` and ``gradviz.gallery``. Public names are loaded on first use, so
``import gradviz`` (and ``gradviz --help``) stays fast.

>>> import gradviz
>>> t = gradviz.evaluate(gradviz.example("interesting"))
>>> gradviz.fmt(t.value("Yhat")), gradviz.fmt(t.grad("H1"))
('0.3775', '-1.452')
"""

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

__version__ = "0.2.0"

# public name -> the module that defines it
_PUBLIC = {
    "ACTIVATIONS": "gradviz.core.ops", "LOSSES": "gradviz.core.ops", "OPS": "gradviz.core.ops",
    "Op": "gradviz.core.ops",
    "Builder": "gradviz.core.builder", "Var": "gradviz.core.builder",
    "Graph": "gradviz.core.graph",
    "EvalError": "gradviz.core.errors", "GradvizError": "gradviz.core.errors",
    "GraphError": "gradviz.core.errors", "MissingDependencyError": "gradviz.core.errors",
    "ParseError": "gradviz.core.errors", "ShapeError": "gradviz.core.errors",
    "canonical": "gradviz.core.format", "fmt": "gradviz.core.format",
    "fmt_value": "gradviz.core.format",
    "Edge": "gradviz.core.evaluate", "Trace": "gradviz.core.evaluate",
    "evaluate": "gradviz.core.evaluate",
    "GradCheck": "gradviz.core.gradcheck", "gradcheck": "gradviz.core.gradcheck",
    "sgd_step": "gradviz.core.sgd",
    "example": "gradviz.core.library", "examples": "gradviz.core.library",
    "mlp": "gradviz.core.library", "resolve": "gradviz.core.library",
    "load": "gradviz.core.parse", "parse": "gradviz.core.parse",
    "story": "gradviz.views.story", "step": "gradviz.views.step",
    "render": "gradviz.api", "to_dot": "gradviz.api", "to_json": "gradviz.api",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> _Any:
    """Load a public name from its module on first use (and register Jupyter display)."""
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'gradviz' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    if module.startswith("gradviz.core"):
        _importlib.import_module("gradviz.display")
    return value


def __dir__() -> list[str]:
    return [*__all__, "__version__"]


if _TYPE_CHECKING:  # for type checkers and IDEs: the same names, imported eagerly
    from gradviz.api import render, to_dot, to_json
    from gradviz.core.builder import Builder, Var
    from gradviz.core.errors import (
        EvalError,
        GradvizError,
        GraphError,
        MissingDependencyError,
        ParseError,
        ShapeError,
    )
    from gradviz.core.evaluate import Edge, Trace, evaluate
    from gradviz.core.format import canonical, fmt, fmt_value
    from gradviz.core.gradcheck import GradCheck, gradcheck
    from gradviz.core.graph import Graph
    from gradviz.core.library import example, examples, mlp, resolve
    from gradviz.core.ops import ACTIVATIONS, LOSSES, OPS, Op
    from gradviz.core.parse import load, parse
    from gradviz.core.sgd import sgd_step
    from gradviz.views.step import step
    from gradviz.views.story import story
