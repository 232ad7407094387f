"""Run tasks in worker processes that never outlive the process that started them.

Workers ignore Ctrl-C (the terminal sends it to the whole process group; the parent
decides), and on Linux ask the kernel to kill them when their parent dies
(``prctl(PR_SET_PDEATHSIG)``), elsewhere watch their parent from a thread: a build killed
with SIGKILL leaves no worker behind holding its terminal. When the parent is interrupted,
:func:`run_all` stops the workers at once (their outputs are written atomically, so an
unfinished task leaves nothing half-written) and re-raises the interrupt.

Examples
--------
>>> sorted(r for _, r, _ in run_all(abs, [(-1,), (2,), (-3,)], jobs=2))
[1, 2, 3]
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Any

__all__ = ["run_all", "die_with_parent"]

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent: int) -> str:
    """Make this process end when ``parent`` does; returns how (``prctl`` or ``watch``).

    Every worker of :func:`run_all` calls it on start. Not to be called in the process
    that runs the tests: it would tie that process to its own parent. Here a worker calls
    it again, with the pid of this process, its parent:

    Examples
    --------
    >>> [how in ("prctl", "watch") for _, how, _ in run_all(die_with_parent, [(os.getpid(),)], 1)]
    [True]
    """
    how = "watch"
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                how = "prctl"
        except (OSError, AttributeError):
            pass
    if how == "watch":
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    return how


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _init_worker(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    die_with_parent(parent)


def run_all(fn: Callable[..., Any], tasks: Sequence[tuple], jobs: int
            ) -> Iterator[tuple[tuple, Any, BaseException | None]]:
    """Run ``fn(*args)`` for every ``args`` in ``tasks`` on ``jobs`` worker processes.

    Yields ``(args, result, None)`` or ``(args, None, exception)`` as each task ends, in
    the order they end. Ctrl-C (KeyboardInterrupt) in the parent stops the workers and
    propagates; so does closing the generator early.

    Examples
    --------
    >>> done = sorted(run_all(divmod, [(7, 2), (1, 0)], jobs=2), key=lambda r: r[0])
    >>> [(args, result, type(error).__name__) for args, result, error in done]
    [((1, 0), None, 'ZeroDivisionError'), ((7, 2), (3, 1), 'NoneType')]
    """
    pool = ProcessPoolExecutor(max_workers=max(1, jobs), initializer=_init_worker,
                               initargs=(os.getpid(),))
    futures: dict[Future, tuple] = {}
    try:
        futures = {pool.submit(fn, *args): args for args in tasks}
        for fut in as_completed(futures):
            error = fut.exception()
            yield futures[fut], None if error else fut.result(), error
    except BaseException:  # KeyboardInterrupt, GeneratorExit: stop now, not after the tasks
        _stop(pool)
        raise
    pool.shutdown(wait=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the running workers (the executor has no
    public way to: its ``_processes`` are read before shutdown forgets them)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        p.kill()
    for p in processes:
        p.join(timeout=5)
