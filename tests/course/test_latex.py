"""pdflatex, privately and reproducibly."""

from __future__ import annotations

import shutil

import pytest

from gradviz.core.errors import GradvizError
from gradviz.course.latex import available, fixed_dates, overfull, pdflatex

DOC = r"""\documentclass{article}
\begin{document}
Hello %s
\end{document}
"""


def compile_in(folder, body: str) -> tuple[bytes, str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "doc.tex").write_text(DOC % body, encoding="utf-8")
    return pdflatex(folder, "doc")


def test_same_source_same_bytes_wherever_and_whenever(tmp_path):
    assert available() and shutil.which("pdflatex")
    a, log = compile_in(tmp_path / "one", "world")
    b, _ = compile_in(tmp_path / "a longer" / "path", "world")
    assert a.startswith(b"%PDF") and a == b
    assert b"/CreationDate (D:19700101" in a and b"PTEX" not in a
    assert not overfull(log)


def test_overfull_boxes_are_found(tmp_path):
    _, log = compile_in(tmp_path, r"\hbox to 2\textwidth{wide}")
    assert overfull(log) and overfull(log)[0].startswith("Overfull \\hbox")


def test_errors_and_reads_outside_the_folder_are_refused(tmp_path):
    with pytest.raises(GradvizError, match="Undefined control sequence"):
        compile_in(tmp_path / "err", r"\nosuchcommand")
    with pytest.raises(GradvizError, match="/etc/hostname.tex' not found"):
        compile_in(tmp_path / "read", r"\input{/etc/hostname}")  # plain pdflatex reads it


def test_fixed_dates_keep_the_length():
    pdf = b"/CreationDate (D:20261123040156+01'00') /ModDate(D:20261123040156Z)"
    out = fixed_dates(pdf)
    assert len(out) == len(pdf) and out.count(b"D:19700101000000") == 2
