"""Write figures to files: ``.dot`` and ``.json`` directly, ``.svg/.png/.pdf`` through
Graphviz's ``dot``, run as a subprocess with a timeout."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from gradviz.core.errors import GradvizError, MissingDependencyError
from gradviz.core.files import write_if_changed
from gradviz.views.dot import model_to_dot
from gradviz.views.figure import Options, layout_model
from gradviz.views.spec import model_to_spec

__all__ = ["render", "run_dot", "FORMATS", "DOT_TIMEOUT"]

FORMATS = ("dot", "json", "svg", "png", "pdf")
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


def render(obj, path: str | Path, options: Options | None = None, *, dpi: float | None = None,
           state=None, **kw) -> Path:
    """Render a Graph or Trace to ``path``; the format follows the extension.

    Parameters
    ----------
    obj : Graph or Trace
        What to draw (a Graph is evaluated unless ``show="blank"``).
    path : str or Path
        ``.dot``, ``.json``, ``.svg``, ``.png`` or ``.pdf``.
    dpi : float, optional
        Resolution of ``.png`` output (Graphviz's default is 96).
    **kw
        :class:`~gradviz.figure.Options` fields: ``show``, ``style``, ``theme``,
        ``rankdir``, ``highlight``, ``edge_labels``, ``digits``, ``fold``, ...

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from gradviz import example
    >>> out = render(example("xyz"), pathlib.Path(tempfile.mkdtemp()) / "xyz.dot")
    >>> out.read_text().startswith("digraph")
    True
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise GradvizError(f"cannot tell the format of {path.name!r}: use one of "
                           + ", ".join("." + f for f in FORMATS))
    model = layout_model(obj, options or Options(**kw), state)
    if fmt == "json":
        import json

        data = (json.dumps(model_to_spec(model), ensure_ascii=False, indent=1) + "\n").encode()
    elif fmt == "dot":
        data = model_to_dot(model).encode("utf-8")
    else:
        data = run_dot(model_to_dot(model), fmt, dpi if fmt == "png" else None)
    write_if_changed(path, data)
    return path
