"""Output files are written only when their content changes."""

from __future__ import annotations

from gradviz.core.files import write_if_changed


def test_unchanged_content_keeps_the_file(tmp_path):
    p = tmp_path / "sub" / "x.txt"
    assert write_if_changed(p, "hi")
    mtime = p.stat().st_mtime_ns
    assert not write_if_changed(p, "hi") and p.stat().st_mtime_ns == mtime
    assert write_if_changed(p, b"ho") and p.read_bytes() == b"ho"
