"""Figures straight from a Graph: evaluate it when the figure needs numbers, then draw.

The views only read traces; these conveniences (``gradviz.to_dot``, ``gradviz.to_json``,
``gradviz.render``) accept a Graph too and evaluate it first unless it is drawn blank.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gradviz.core.evaluate import Trace, evaluate
from gradviz.core.graph import Graph
from gradviz.views import dot, spec
from gradviz.views import render as _render
from gradviz.views.figure import Options

__all__ = ["to_dot", "to_json", "render"]


def _traced(obj: Graph | Trace, options: Options | None, kw: dict[str, Any]
            ) -> tuple[Graph | Trace, Options]:
    opts = options or Options(**kw)
    if isinstance(obj, Graph) and opts.show != "blank":
        return evaluate(obj), opts
    return obj, opts


def to_dot(obj: Graph | Trace, options: Options | None = None, **kw: Any) -> str:
    """DOT text of a figure of a Graph (evaluated unless ``show="blank"``) or a Trace.

    Keyword arguments are :class:`~gradviz.views.figure.Options` fields (``show``,
    ``style``, ``theme``, ``highlight``, ...).

    Examples
    --------
    >>> import gradviz
    >>> gradviz.to_dot(gradviz.example("xyz"), show="values").splitlines()[0]
    'digraph gradviz {'
    """
    return dot.to_dot(*_traced(obj, options, kw))


def to_json(obj: Graph | Trace, options: Options | None = None, **kw: Any) -> str:
    """The canonical JSON spec of a figure (see :func:`to_dot`).

    Examples
    --------
    >>> import gradviz
    >>> gradviz.to_json(gradviz.example("xyz"))[:20]
    '{\\n "gradviz_spec": 2'
    """
    return spec.to_json(*_traced(obj, options, kw))


def render(obj: Graph | Trace, path: str | Path, options: Options | None = None, *,
           dpi: float | None = None, **kw: Any) -> Path:
    """Write a figure to ``path``; the format follows its extension (see
    :func:`gradviz.views.render.render`).

    Examples
    --------
    >>> import gradviz, pathlib, tempfile
    >>> out = gradviz.render(gradviz.example("xyz"), pathlib.Path(tempfile.mkdtemp()) / "x.dot")
    >>> out.read_text().startswith("digraph")
    True
    """
    target, opts = _traced(obj, options, kw)
    return _render.render(target, path, opts, dpi=dpi)
