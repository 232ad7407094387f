"""The graph file format: one statement per line, read with ``ast`` behind an allowlist.

::

    #: title: A More Interesting Graph
    X1: input = 2              # leaves: input, param, target, const
    W1: param = [1, -1]        # scalars, vectors, matrices [[1, 2], [3, 4]]
    H1 = W1 * (X1 + X2)        # + - * / ** @, unary minus, numbers
    H3 = min(X1, H1)           # calls to op-table names, params by keyword or position
    Z = leaky_relu(H3, slope=0.1)
    L: loss = bce(sigmoid(Z), Y)   # `loss` (or `output`) marks where backward starts

Statements may come in any order (forward references are fine); the text is never
``eval``-ed. Lines starting with ``#:`` carry metadata (``title``, ``source``, ``asks``).
Every error is a :class:`~gradviz.ParseError` or :class:`~gradviz.GraphError` with the
line and column.
"""

from __future__ import annotations

import ast
import gc
import warnings
from pathlib import Path

from gradviz.core.allowlist import MAX_LINE, MAX_NDIM, MAX_NESTING, check_depth
from gradviz.core.builder import Builder
from gradviz.core.convert import Converter
from gradviz.core.errors import GradvizError, ParseError
from gradviz.core.graph import Graph
from gradviz.core.limits import LIMITS
from gradviz.core.reader import Reader, Retry

__all__ = ["parse", "load", "parse_value"]


def parse(text: str, source: str = "<string>", name: str = "") -> Graph:
    """Parse graph-file text into a :class:`~gradviz.Graph`.

    Parameters
    ----------
    text : str
        The graph file's contents.
    source : str
        File name used in error messages.
    name : str
        The graph's name (e.g. the example name).

    Raises
    ------
    ParseError, GraphError
        With ``line`` and ``col`` set, for anything outside the grammar.

    Examples
    --------
    >>> g = parse("x: input = 3\\nL: loss = x * x\\n")
    >>> g.order, g.loss
    (['x', 'L'], 'L')
    >>> parse("import os")
    Traceback (most recent call last):
    ...
    gradviz.core.errors.ParseError: <string>:1:1: import statements are not allowed
    """
    collecting = gc.isenabled()
    gc.disable()  # the parser makes no reference cycles; collections would cost O(n) each
    try:
        try:
            return Reader(text, source).run(name)
        except Retry:  # an error, or a name used before its line: the exact two passes
            return Reader(text, source, eager=False).run(name)
    except GradvizError as e:
        raise e.at(source) from None
    finally:
        if collecting:
            gc.enable()


def load(path: str | Path) -> Graph:
    """Read and parse a graph file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "sq.grad"
    >>> _ = p.write_text("x: input = 3\\nL: loss = x ** 2\\n")
    >>> load(p).name
    'sq'
    """
    path = Path(path)
    most = LIMITS["max_file_bytes"].value
    try:
        with path.open("rb") as f:
            raw = f.read(most + 1)  # a special file may say it is empty and never end
    except OSError as e:
        raise GradvizError(f"cannot read {path}: {e.strerror}") from None
    LIMITS["max_file_bytes"].check(len(raw), f"the graph file {path}", at_least=True)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ParseError(f"not UTF-8 text (byte {e.start})", source=str(path)) from None
    return parse(text, source=str(path), name=path.stem)


def parse_value(text: str, what: str = "value") -> float | list:
    """Parse a leaf value such as ``2``, ``-1.5``, ``[1, -1]`` or ``[[1, 2], [3, 4]]``.

    Uses the same allowlisted constant grammar as graph files (``1/3`` and ``2**0.5``
    fold in float64); anything else raises :class:`~gradviz.ParseError`.

    Examples
    --------
    >>> parse_value("[1, -1/2]")
    [1.0, -0.5]
    >>> parse_value("[[[1]]]", what="--set W")
    Traceback (most recent call last):
    ...
    gradviz.core.errors.ParseError: --set W: a value has at most 2 dimensions (this one has 3)
    """
    text = text.strip()
    if len(text) > MAX_LINE or "\0" in text:
        raise ParseError(f"{what}: value too long or not text")
    depth = deepest = 0
    for ch in text:
        if ch in "[]":
            depth += 1 if ch == "[" else -1
            deepest = max(deepest, depth)
    if deepest > MAX_NESTING:
        raise ParseError(f"{what}: too deeply nested")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise ParseError(f"{what}: {text!r} is not a number or a list of numbers") from None
    try:
        check_depth(tree, 1, 0, text)
        value, shape = Converter(Builder(), {}, 1, 0, text).array(tree)
    except ParseError as e:
        raise ParseError(f"{what}: {e.message}") from None
    if len(shape) > MAX_NDIM:
        raise ParseError(f"{what}: a value has at most {MAX_NDIM} dimensions (this one has "
                         f"{len(shape)})")
    return value
