"""Jupyter display of graphs and traces, registered from the view layer.

The core classes know nothing of figures; importing this module (``import gradviz`` does
it on first use) gives :class:`~gradviz.Graph` its blank figure and
:class:`~gradviz.Trace` its figure with values and gradients as ``_repr_svg_``.
"""

from __future__ import annotations

from gradviz.core.errors import GradvizError
from gradviz.core.evaluate import Trace
from gradviz.core.graph import Graph

__all__ = ["svg"]


def svg(obj: Graph | Trace) -> str | None:
    """The SVG a notebook shows for a Graph (blank) or a Trace (values and gradients).

    Examples
    --------
    >>> import gradviz
    >>> gradviz.example("xyz")._repr_svg_().lstrip().startswith("<?xml")
    True
    """
    from gradviz.views.dot import to_dot
    from gradviz.views.render import run_dot

    if isinstance(obj, Trace) and obj.batch is not None:
        return None
    try:
        text = to_dot(obj, show="blank") if isinstance(obj, Graph) else to_dot(obj)
        return run_dot(text, "svg").decode("utf-8")
    except GradvizError:
        return None


Graph._repr_svg_ = svg  # type: ignore[attr-defined]
Trace._repr_svg_ = svg  # type: ignore[attr-defined]
