"""gradviz: computational graphs that teach backpropagation.

Parse or build a graph, evaluate it forward and backward in float64, and read every
value, gradient and chain-rule product from the trace.

>>> import gradviz
>>> t = gradviz.evaluate(gradviz.example("interesting"))
>>> gradviz.fmt(t.value("Yhat")), gradviz.fmt(t.grad("H1"))
('0.3775', '-1.452')
"""

from gradviz.core.errors import (
    EvalError,
    GradvizError,
    GraphError,
    MissingDependencyError,
    ParseError,
    ShapeError,
)
from gradviz.core.evaluate import Edge, GradCheck, Trace, evaluate, gradcheck, sgd_step
from gradviz.core.format import canonical, fmt, fmt_value
from gradviz.core.graph import Builder, Graph, Var
from gradviz.core.library import example, examples, mlp, resolve
from gradviz.core.ops import ACTIVATIONS, LOSSES, OPS, Op
from gradviz.core.parse import load, parse
from gradviz.views.dot import to_dot
from gradviz.views.render import render
from gradviz.views.spec import to_json
from gradviz.views.story import story

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS",
    "Builder",
    "Edge",
    "EvalError",
    "GradCheck",
    "GradvizError",
    "Graph",
    "GraphError",
    "LOSSES",
    "MissingDependencyError",
    "OPS",
    "Op",
    "ParseError",
    "ShapeError",
    "Trace",
    "Var",
    "canonical",
    "evaluate",
    "example",
    "examples",
    "fmt",
    "fmt_value",
    "gradcheck",
    "load",
    "mlp",
    "parse",
    "render",
    "resolve",
    "sgd_step",
    "story",
    "to_dot",
    "to_json",
]
