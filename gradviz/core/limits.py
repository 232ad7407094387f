"""Resource limits, checked before work starts, each with its name and how to raise it.

==================  ========================  ===========  =================================
limit               environment variable      default      what it bounds
==================  ========================  ===========  =================================
``max_elements``    GRADVIZ_MAX_ELEMENTS      10,000,000   numbers in one value (an array)
``max_nodes``       GRADVIZ_MAX_NODES         2,000,000    nodes in one graph
``max_file_bytes``  GRADVIZ_MAX_FILE_BYTES    200,000,000  bytes of one graph file
``max_sheet_bytes`` GRADVIZ_MAX_SHEET_BYTES   5,000,000    bytes of one answer sheet
``max_output``      GRADVIZ_MAX_OUTPUT_BYTES  50,000,000   bytes of one written text output
==================  ========================  ===========  =================================

The command line's global option ``gradviz --max-elements N`` sets ``max_elements``; the
variables set each limit for every command (a value that is not a positive integer is
ignored). Exceeding a limit is a :class:`~gradviz.core.errors.LimitError` (a
:class:`~gradviz.GradvizError`, exit code 2) that names the limit and how to raise it.

Examples
--------
>>> LIMITS["max_elements"].check(10, "a 2×5 matrix")
>>> try:
...     LIMITS["max_nodes"].check(10**9, "the graph")
... except LimitError as e:
...     print(e)
the graph needs 1000000000 nodes, over the limit of 2000000 (raise it with GRADVIZ_MAX_NODES)
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from gradviz.core.errors import LimitError

__all__ = ["Limit", "LIMITS", "limit"]


@dataclass(frozen=True)
class Limit:
    """One resource limit: its default, the variable that overrides it, and its unit."""

    name: str
    default: int
    env: str
    unit: str
    option: str = ""

    @property
    def value(self) -> int:
        """The limit in force: the environment variable if set (and valid), else the default."""
        raw = os.environ.get(self.env, "")
        try:
            n = int(raw)
        except ValueError:
            return self.default
        return n if n > 0 else self.default

    def check(self, amount: int, what: str, at_least: bool = False) -> None:
        """Raise a LimitError naming the limit if ``amount`` exceeds it (``at_least``: the
        amount is a lower bound, counted until the limit was passed)."""
        limit = self.value
        if amount > limit:
            how = f"{self.option} or {self.env}" if self.option else self.env
            if at_least:
                raise LimitError(f"{what} needs more than the limit of {limit} {self.unit} "
                                 f"(raise it with {how})")
            raise LimitError(f"{what} needs {amount} {self.unit}, over the limit of "
                             f"{limit} (raise it with {how})")


LIMITS = {
    "max_elements": Limit("max_elements", 10_000_000, "GRADVIZ_MAX_ELEMENTS", "numbers",
                          "--max-elements"),
    "max_nodes": Limit("max_nodes", 2_000_000, "GRADVIZ_MAX_NODES", "nodes"),
    "max_file_bytes": Limit("max_file_bytes", 200_000_000, "GRADVIZ_MAX_FILE_BYTES", "bytes"),
    "max_sheet_bytes": Limit("max_sheet_bytes", 5_000_000, "GRADVIZ_MAX_SHEET_BYTES", "bytes"),
    "max_output": Limit("max_output", 50_000_000, "GRADVIZ_MAX_OUTPUT_BYTES", "bytes"),
}


def limit(name: str) -> int:
    """The value in force of one limit.

    Examples
    --------
    >>> limit("max_sheet_bytes") > 0
    True
    """
    return LIMITS[name].value
