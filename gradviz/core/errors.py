"""The one exception family of gradviz: every error a user can cause, with its position."""

from __future__ import annotations

__all__ = [
    "GradvizError",
    "ParseError",
    "GraphError",
    "ShapeError",
    "EvalError",
    "MissingDependencyError",
    "LimitError",
]


class GradvizError(Exception):
    """Base class of every error gradviz raises for bad input.

    Parameters
    ----------
    message : str
        What went wrong, in words a student can act on.
    line, col : int, optional
        1-based position in the graph text, when the error has one.
    source : str, optional
        The file name (or ``<string>``) the text came from.

    Examples
    --------
    >>> str(GradvizError("undefined name 'x'", line=3, col=5, source="g.gv"))
    "g.gv:3:5: undefined name 'x'"
    """

    def __init__(
        self,
        message: str,
        line: int | None = None,
        col: int | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.source = source

    def __str__(self) -> str:
        where = [str(p) for p in (self.source, self.line, self.col) if p is not None]
        return ":".join(where + [" " + self.message]) if where else self.message

    def at(self, source: str | None) -> GradvizError:
        """Return this error with its file name set (used by the CLI and loaders)."""
        if self.source is None:
            self.source = source
        return self


class ParseError(GradvizError):
    """The graph text breaks the grammar or the allowlist."""


class GraphError(GradvizError):
    """The statements parse but do not form a valid graph (cycle, undefined name, ...)."""


class ShapeError(GradvizError):
    """Operand shapes do not fit the op (e.g. a 3-vector dotted with a 2-vector)."""


class EvalError(GradvizError):
    """Evaluation produced a non-finite value or gradient, or an override is invalid."""


class MissingDependencyError(GradvizError):
    """An optional tool (Graphviz ``dot``, manim, LaTeX) is not installed."""


class LimitError(GradvizError):
    """The input needs more than a resource limit allows (:mod:`gradviz.core.limits`)."""
