"""Writing output files: only when their content changed, so unchanged outputs keep
their modification time (incremental builds, and tools that watch files, rely on it)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_if_changed"]


def write_if_changed(path: Path, data: str | bytes) -> bool:
    """Write ``data`` (text as UTF-8) to ``path`` unless it already holds it.

    Returns whether the file was written.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a" / "x.txt"
    >>> write_if_changed(p, "hi"), write_if_changed(p, "hi"), write_if_changed(p, b"ho")
    (True, False, True)
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if path.exists() and path.read_bytes() == raw:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    return True
