"""Running Graphviz's ``dot``: bounded in time and memory, failures told in one line.

``dot`` runs as a subprocess with a timeout and an address-space limit, so that no figure
can hang a command or take the machine's memory; when it fails, the message says what
happened (a crash by signal, an error of its own, no output) and what to do.
"""

from __future__ import annotations

import json
import resource
import shutil
import signal
import subprocess

from gradviz.core.errors import GradvizError, MissingDependencyError

__all__ = ["run_dot", "bounding_box", "DOT_TIMEOUT", "DOT_MEMORY", "INSTALL_DOT"]

DOT_TIMEOUT = 60.0  # seconds
DOT_MEMORY = 4 << 30  # bytes of address space dot may use
INSTALL_DOT = "Graphviz's `dot` is not installed: `sudo apt-get install graphviz` " \
              "(macOS: `brew install graphviz`); .dot and .json output work without it"
HINT = "fold the graph (--fold always) or draw a smaller one"


def _limit_memory() -> None:  # runs in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (DOT_MEMORY, DOT_MEMORY))


def _failure(returncode: int, stderr: bytes) -> str:
    """One line saying why ``dot`` gave no figure."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.lower().startswith("error")] or lines
    said = errors[-1].removeprefix("Error:").removeprefix("error:").strip() if errors else ""
    said = said.removeprefix("<stdin>:").strip()[:200]
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return (f"Graphviz's dot crashed ({name}), perhaps out of the "
                f"{DOT_MEMORY >> 30} GB it may use; {HINT}")
    if returncode > 0:
        return f"Graphviz's dot failed: {said or f'exit status {returncode}'}"
    return "Graphviz's dot wrote no output" + (f": {said}" if said else "")


def run_dot(text: str, fmt: str = "svg", dpi: float | None = None,
            timeout: float = DOT_TIMEOUT) -> bytes:
    """Lay out and render DOT text with Graphviz, returning the file's bytes.

    Examples
    --------
    >>> run_dot("digraph { a -> b }", "json")[:1]
    b'{'
    >>> try:
    ...     run_dot("digraph { a -> }")
    ... except GradvizError as e:
    ...     print(e)
    Graphviz's dot failed: syntax error in line 1 near '}'
    """
    exe = shutil.which("dot")
    if exe is None:
        raise MissingDependencyError(INSTALL_DOT)
    args = [exe, f"-T{fmt}"] + ([f"-Gdpi={dpi:g}"] if dpi else [])
    try:
        done = subprocess.run(args, input=text.encode("utf-8"), capture_output=True,
                              timeout=timeout, check=False, preexec_fn=_limit_memory)
    except subprocess.TimeoutExpired:
        raise GradvizError(f"Graphviz's dot took longer than {timeout:g} s; {HINT}") from None
    except OSError as e:
        raise GradvizError(f"cannot run Graphviz's dot: {e.strerror or e}") from None
    if done.returncode != 0 or not done.stdout:
        raise GradvizError(_failure(done.returncode, done.stderr))
    return done.stdout


def bounding_box(text: str) -> tuple[float, float]:
    """Width and height in points of the drawing Graphviz makes of DOT ``text``."""
    data = json.loads(run_dot(text, "json"))
    x0, y0, x1, y1 = (float(v) for v in data["bb"].split(","))
    return x1 - x0, y1 - y0
