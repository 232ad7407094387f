"""gradviz: computational graphs that teach backpropagation.

Parse or build a graph, evaluate it forward and backward in float64, and read every
value, gradient and chain-rule product from the trace.

>>> import gradviz
>>> t = gradviz.evaluate(gradviz.example("interesting"))
>>> gradviz.fmt(t.value("Yhat")), gradviz.fmt(t.grad("H1"))
('0.3775', '-1.452')
"""

from ._errors import (
    EvalError,
    GradvizError,
    GraphError,
    MissingDependencyError,
    ParseError,
    ShapeError,
)
from ._format import canonical, fmt, fmt_value
from .dot import to_dot
from .evaluate import Edge, GradCheck, Trace, evaluate, gradcheck, sgd_step
from .graph import Builder, Graph, Var
from .library import example, examples, mlp, resolve
from .ops import ACTIVATIONS, LOSSES, OPS, Op
from .parse import load, parse
from .render import render
from .spec import to_json
from .story import story

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
