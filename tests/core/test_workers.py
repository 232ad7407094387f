"""Worker processes: results and errors per task, Ctrl-C left to the parent, and no worker
outliving its parent (kill -9 included) or an interrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from gradviz.core.workers import run_all
from tests.helpers import ROOT


def _div(a: float, b: float) -> float:
    return a / b


def _sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_each_task_gives_its_result_or_its_error():
    done = {args: (result, type(error).__name__ if error else None)
            for args, result, error in run_all(_div, [(1, 2), (1, 0), (3, 1)], jobs=2)}
    assert done == {(1, 2): (0.5, None), (1, 0): (None, "ZeroDivisionError"),
                    (3, 1): (3.0, None)}


def test_linux_asks_the_kernel():
    code = ("import os\nfrom gradviz.core.workers import die_with_parent\n"
            "print(die_with_parent(os.getppid()))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.strip() == ("prctl" if sys.platform.startswith("linux") else "watch")


def test_leaving_early_stops_the_running_workers():
    tasks = [(0.0,)] + [(30.0,)] * 2
    runs = run_all(_sleep, tasks, jobs=3)
    assert next(runs)[2] is None
    started = time.monotonic()
    runs.close()  # GeneratorExit inside: the 30 s sleepers must not be waited for
    assert time.monotonic() - started < 10


SCRIPT = """
import os, sys, time
from gradviz.core.workers import run_all
def work(i):
    time.sleep(60)
for _ in run_all(work, [(i,) for i in range(2)], jobs=2):
    pass
"""


def _children(pid: int) -> set[int]:
    out = set()
    for stat in os.listdir("/proc"):
        if stat.isdigit():
            try:
                with open(f"/proc/{stat}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.add(int(stat))
            except OSError:
                continue
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_workers_never_outlive_their_parent(how):
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(workers := _children(proc.pid)) < 2:
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    time.sleep(0.5)  # the workers have run their initializer
    os.killpg(proc.pid, how)  # SIGINT reaches the workers too, as from a terminal
    _, err = proc.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers)
    if how == signal.SIGINT:
        assert "KeyboardInterrupt" in err and err.count("KeyboardInterrupt") == 1, err
