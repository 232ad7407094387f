"""Writing output files atomically, and only when their content changed.

Every file gradviz writes goes through here. Data goes to a temporary file in the target's
folder, is flushed to disk, then renamed over the target: a reader (a browser, LaTeX, a
build watching the folder) sees the old file or the new one, never half of one, and a
read-only folder, a full disk or an interrupt leaves the old file as it was and no
temporary behind. Unchanged outputs are not rewritten, so they keep their modification
time (incremental builds, and tools that watch files, rely on it). A target that exists
and is not a regular file (``/dev/stdout``, a named pipe) is written in place: renaming
over it would replace the device, not write to it.

A failure is a :class:`~gradviz.GradvizError` naming the file (exit code 2 on the
command line).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from gradviz.core.errors import GradvizError

__all__ = ["write_if_changed", "write_atomic", "atomic_path", "make_folder", "cannot",
           "folder_lock"]


def cannot(verb: str, path: str | Path, e: OSError) -> GradvizError:
    """The one-line error for a failed file operation.

    Examples
    --------
    >>> str(cannot("write", "/ro/x.svg", PermissionError(13, "Permission denied")))
    'cannot write /ro/x.svg: Permission denied'
    """
    return GradvizError(f"cannot {verb} {path}: {e.strerror or e}")


def make_folder(folder: str | Path) -> Path:
    """Create ``folder`` (and its parents) if missing; a GradvizError if it cannot be one.

    Examples
    --------
    >>> with tempfile.TemporaryDirectory() as d:
    ...     made = make_folder(Path(d) / "out" / "figures")
    ...     print(made.is_dir(), make_folder(made) == made)  # a second call is harmless
    ...     (made / "f").touch()
    ...     try:
    ...         make_folder(made / "f")
    ...     except GradvizError as e:
    ...         print(str(e).endswith("a file is in the way"))
    True True
    True
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise GradvizError(f"cannot make the folder {folder}: a file is in the way") from None
    except OSError as e:
        raise cannot("make the folder", folder, e) from None
    return folder


def _special(path: Path) -> bool:
    """Whether ``path`` exists and is not a regular file (a device, a pipe, a socket)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` for a tool to write (``dot -o``, ffmpeg); renamed
    over ``path`` when the block ends without an exception, removed otherwise.

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_path(folder / "a.txt") as tmp:
    ...     _ = tmp.write_text("done")
    >>> (folder / "a.txt").read_text(), sorted(p.name for p in folder.iterdir())
    ('done', ['a.txt'])
    """
    target = Path(os.path.realpath(path))  # a symlink keeps pointing at the new file
    if target.is_dir():
        raise GradvizError(f"cannot write {path}: it is a folder")
    make_folder(target.parent)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".tmp{target.suffix}",
                                    dir=target.parent)  # the suffix: tools go by it
    except OSError as e:
        raise cannot("write", path, e) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _replace(tmp, target, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _replace(tmp: Path, target: Path, shown: str | Path) -> None:
    try:
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_UMASK
        os.chmod(tmp, mode)  # mkstemp makes 0600; keep the file's (or the usual) mode
        os.replace(tmp, target)
    except OSError as e:
        raise cannot("write", shown, e) from None


def _read_umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it (once, at import)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` all at once; returns the path.

    Examples
    --------
    >>> p = Path(tempfile.mkdtemp()) / "sub" / "x.txt"
    >>> write_atomic(p, "hi").read_text()
    'hi'
    """
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if _special(path):
        try:
            with path.open("wb") as f:
                f.write(raw)
        except OSError as e:
            raise cannot("write", path, e) from None
        return path
    with atomic_path(path) as tmp:
        try:
            with tmp.open("wb") as f:
                f.write(raw)
                f.flush()
                os.fsync(f.fileno())
        except OSError as e:
            raise cannot("write", path, e) from None
    return path


def write_if_changed(path: Path, data: str | bytes) -> bool:
    """Write ``data`` (text as UTF-8) to ``path`` atomically unless it already holds it.

    Returns whether the file was written.

    Examples
    --------
    >>> p = Path(tempfile.mkdtemp()) / "a" / "x.txt"
    >>> write_if_changed(p, "hi"), write_if_changed(p, "hi"), write_if_changed(p, b"ho")
    (True, False, True)
    """
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        same = path.is_file() and path.stat().st_size == len(raw) and path.read_bytes() == raw
    except OSError:
        same = False
    if same:
        return False
    write_atomic(path, raw)
    return True


@contextlib.contextmanager
def folder_lock(folder: str | Path, waiting: Callable[[], None] | None = None
                ) -> Iterator[None]:
    """Hold ``folder/.lock`` for the block: builds into one folder take turns (``waiting``
    is called if another holds it). The kernel releases it when its process ends, however.

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> with folder_lock(folder):
    ...     (folder / ".lock").exists()
    True
    """
    try:
        import fcntl
    except ImportError:  # not a POSIX system: no lock to take
        yield
        return
    lock = make_folder(folder) / ".lock"
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as e:
        raise cannot("lock", lock, e) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
