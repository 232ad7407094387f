"""Output files: written atomically (the old file or the new, never half, no temporary left
behind), only when their content changes, and every failure is one GradvizError."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from gradviz.core import files
from gradviz.core.errors import GradvizError
from gradviz.core.files import atomic_path, make_folder, write_atomic, write_if_changed
from tests.helpers import ROOT


def test_unchanged_content_keeps_the_file(tmp_path):
    p = tmp_path / "sub" / "x.txt"
    assert write_if_changed(p, "hi")
    mtime = p.stat().st_mtime_ns
    assert not write_if_changed(p, "hi") and p.stat().st_mtime_ns == mtime
    assert write_if_changed(p, b"ho") and p.read_bytes() == b"ho"
    assert sorted(x.name for x in p.parent.iterdir()) == ["x.txt"]


def test_mode_follows_the_old_file_or_the_umask(tmp_path):
    p = tmp_path / "x.txt"
    write_atomic(p, "a")
    assert p.stat().st_mode & 0o777 == 0o666 & ~files._UMASK
    p.chmod(0o640)
    write_atomic(p, "b")
    assert p.stat().st_mode & 0o777 == 0o640 and p.read_text() == "b"


def test_a_symlink_keeps_pointing_at_the_new_file(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


@pytest.mark.parametrize("where, failure", [("mkstemp", errno.EROFS), ("replace", errno.EROFS),
                                            ("fsync", errno.ENOSPC), ("replace", errno.EACCES)])
def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, where,
                                                             failure):
    p = tmp_path / "x.svg"
    p.write_text("old")

    def fail(*a, **k):
        raise OSError(failure, os.strerror(failure))

    target = {"mkstemp": (tempfile, "mkstemp"), "replace": (os, "replace"),
              "fsync": (os, "fsync")}[where]
    monkeypatch.setattr(*target, fail)
    with pytest.raises(GradvizError) as info:
        write_if_changed(p, "new content")
    assert str(info.value) == f"cannot write {p}: {os.strerror(failure)}"
    assert p.read_text() == "old" and sorted(x.name for x in tmp_path.iterdir()) == ["x.svg"]


def test_a_full_disk_leaves_no_half_file(tmp_path):
    # a real failed write: the file-size limit stops it partway, as a full disk does
    p = tmp_path / "big.png"
    p.write_bytes(b"old")
    code = ("import resource, signal, sys\n"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
            "from gradviz.core.files import write_atomic\n"
            "from gradviz.core.errors import GradvizError\n"
            "try:\n"
            f"    write_atomic({str(p)!r}, b'x' * 100_000)\n"
            "except GradvizError as e:\n"
            "    print(e)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert done.stdout.startswith(f"cannot write {p}: File too large"), done.stdout + done.stderr
    assert p.read_bytes() == b"old" and sorted(x.name for x in tmp_path.iterdir()) == ["big.png"]


def test_special_files_are_written_in_place():
    with pytest.raises(GradvizError, match="No space left on device"):
        write_atomic("/dev/full", "x")
    write_atomic("/dev/null", "x")
    assert Path("/dev/null").exists() and not Path("/dev/null").is_file()  # still the device


@pytest.mark.parametrize("path, words", [("/proc/x.svg", "cannot write /proc/x.svg"),
                                         ("/sys/x.svg", "cannot write /sys/x.svg")])
def test_places_nothing_can_be_written(path, words):
    with pytest.raises(GradvizError, match=words):
        write_atomic(path, "x")


def test_a_folder_or_a_file_in_the_way(tmp_path):
    (tmp_path / "d.svg").mkdir()
    with pytest.raises(GradvizError, match="it is a folder"):
        write_atomic(tmp_path / "d.svg", "x")
    (tmp_path / "f").write_text("a file")
    with pytest.raises(GradvizError, match="a file is in the way"):
        write_atomic(tmp_path / "f" / "x.svg", "x")
    with pytest.raises(GradvizError, match="a file is in the way"):
        make_folder(tmp_path / "f")


def test_atomic_path_removes_the_temporary_when_the_tool_fails(tmp_path):
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "out.png") as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("the tool crashed")
    assert list(tmp_path.iterdir()) == []


def test_the_folder_lock_makes_a_second_holder_wait(tmp_path):
    from gradviz.core.files import folder_lock

    code = ("import sys, time\n"
            "from gradviz.core.files import folder_lock\n"
            f"with folder_lock({str(tmp_path)!r}, waiting=lambda: print('waiting', flush=True)):\n"
            "    print('got it', flush=True)\n")
    with folder_lock(tmp_path):
        other = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, text=True,
                                 stdout=subprocess.PIPE)
        assert other.stdout.readline() == "waiting\n"  # blocked while this process holds it
    assert other.communicate(timeout=30)[0] == "got it\n" and other.returncode == 0
