"""Write figures to files, one writer per format (:data:`WRITERS`, by extension):
``.dot`` and ``.json`` directly, ``.svg/.png/.pdf`` through Graphviz's ``dot``, run as a
subprocess with a timeout. A new format (TikZ, say) is one writer added to the table."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gradviz.core.errors import GradvizError, MissingDependencyError
from gradviz.core.evaluate import Trace
from gradviz.core.files import write_if_changed
from gradviz.core.graph import Graph
from gradviz.views.dot import model_to_dot
from gradviz.views.figure import Model, Options, layout_model
from gradviz.views.spec import model_to_spec
from gradviz.views.story import State

__all__ = ["render", "run_dot", "WRITERS", "FORMATS", "DOT_TIMEOUT"]

DOT_TIMEOUT = 60.0
INSTALL_DOT = "Graphviz's `dot` is not installed: `sudo apt-get install graphviz` " \
              "(macOS: `brew install graphviz`); .dot and .json output work without it"


def run_dot(text: str, fmt: str = "svg", dpi: float | None = None,
            timeout: float = DOT_TIMEOUT) -> bytes:
    """Lay out and render DOT text with Graphviz, returning the file's bytes."""
    exe = shutil.which("dot")
    if exe is None:
        raise MissingDependencyError(INSTALL_DOT)
    args = [exe, f"-T{fmt}"] + ([f"-Gdpi={dpi:g}"] if dpi else [])
    try:
        done = subprocess.run(args, input=text.encode("utf-8"), capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise GradvizError(f"Graphviz took longer than {timeout:g} s; fold the graph "
                           "(--fold always) or draw a smaller one") from None
    if done.returncode != 0 or not done.stdout:
        err = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GradvizError(f"Graphviz failed: {err[-1] if err else done.returncode}")
    return done.stdout


def _dot_text(model: Model, dpi: float | None) -> bytes:
    return model_to_dot(model).encode("utf-8")


def _spec_text(model: Model, dpi: float | None) -> bytes:
    return (json.dumps(model_to_spec(model), ensure_ascii=False, indent=1) + "\n").encode()


def _graphviz(fmt: str) -> Callable[[Model, float | None], bytes]:
    def write(model: Model, dpi: float | None) -> bytes:
        return run_dot(model_to_dot(model), fmt, dpi if fmt == "png" else None)
    return write


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
        Resolution of ``.png`` output (Graphviz's default is 96).
    **kw
        :class:`~gradviz.views.figure.Options` fields: ``show``, ``style``, ``theme``,
        ``rankdir``, ``highlight``, ``edge_labels``, ``digits``, ``fold``, ...

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from gradviz import evaluate, example
    >>> out = render(evaluate(example("xyz")), pathlib.Path(tempfile.mkdtemp()) / "xyz.dot")
    >>> out.read_text().startswith("digraph")
    True
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in WRITERS:
        raise GradvizError(f"cannot tell the format of {path.name!r}: use one of "
                           + ", ".join("." + f for f in FORMATS))
    model = layout_model(obj, options or Options(**kw), state)
    write_if_changed(path, WRITERS[fmt](model, dpi))
    return path
