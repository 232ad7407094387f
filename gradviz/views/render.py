"""Write figures to files, one writer per format (:data:`WRITERS`, by extension):
``.dot`` and ``.json`` directly, ``.svg/.png/.pdf`` through Graphviz's ``dot`` (see
``graphviz.py``). A new format (TikZ, say) is one writer added to the table. Files are
written through :func:`gradviz.core.files.write_if_changed`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gradviz.core.errors import GradvizError
from gradviz.core.evaluate import Trace
from gradviz.core.files import write_if_changed
from gradviz.core.graph import Graph
from gradviz.views.dot import figure_model, model_to_dot
from gradviz.views.graphviz import DOT_TIMEOUT, run_dot
from gradviz.views.model import Model, Options
from gradviz.views.spec import model_to_spec
from gradviz.views.story import State

__all__ = ["render", "write", "format_of", "run_dot", "WRITERS", "FORMATS", "DOT_TIMEOUT"]


def _dot_text(model: Model, dpi: float | None) -> bytes:
    return model_to_dot(model).encode("utf-8")


def _spec_text(model: Model, dpi: float | None) -> bytes:
    return (json.dumps(model_to_spec(model), ensure_ascii=False, indent=1) + "\n").encode()


def _graphviz(fmt: str) -> Callable[[Model, float | None], bytes]:
    def draw(model: Model, dpi: float | None) -> bytes:
        if fmt != "png":
            dpi = None
        elif dpi is None and model.canvas is not None:
            dpi = model.canvas.dpi  # a fitted figure: exactly the target's pixels
        return run_dot(model_to_dot(model), fmt, dpi)
    return draw


# how each output format is written, by file extension
WRITERS: dict[str, Callable[[Model, float | None], bytes]] = {
    "dot": _dot_text, "json": _spec_text,
    **{fmt: _graphviz(fmt) for fmt in ("svg", "png", "pdf")},
}
FORMATS = tuple(WRITERS)


def render(obj: Graph | Trace, path: str | Path, options: Options | None = None, *,
           dpi: float | None = None, state: State | None = None, **kw: Any) -> Path:
    """Render a Trace (or a Graph, blank) to ``path``; the format follows the extension.

    Parameters
    ----------
    obj : Trace or Graph
        What to draw; a Graph can only be drawn blank (``gradviz.render`` evaluates it).
    path : str or Path
        ``.dot``, ``.json``, ``.svg``, ``.png`` or ``.pdf`` (see :data:`WRITERS`).
    dpi : float, optional
        Resolution of ``.png`` output (Graphviz's default is 96; a figure fitted to a
        slide or a page gets exactly the target's pixels, 1920×1080 for a slide).
    **kw
        :class:`~gradviz.views.figure.Options` fields: ``show``, ``style``, ``theme``,
        ``rankdir``, ``highlight``, ``edge_labels``, ``digits``, ``fold``, ``fit``, ...

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from gradviz import evaluate, example
    >>> out = render(evaluate(example("xyz")), pathlib.Path(tempfile.mkdtemp()) / "xyz.dot")
    >>> out.read_text().startswith("digraph")
    True
    """
    path = Path(path)
    opts = options or Options(**kw)
    format_of(path)
    return write(figure_model(obj, opts, state), path, dpi)


def format_of(path: Path) -> str:
    """The output format a file name asks for (its extension), or a clear error."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in WRITERS:
        raise GradvizError(f"cannot tell the format of {path.name!r}: use one of "
                           + ", ".join("." + f for f in FORMATS))
    return fmt


def write(model: Model, path: str | Path, dpi: float | None = None) -> Path:
    """Write a figure model to ``path`` in the format its extension names."""
    path = Path(path)
    write_if_changed(path, WRITERS[format_of(path)](model, dpi))
    return path
