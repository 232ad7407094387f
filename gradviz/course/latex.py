"""pdflatex, run privately and reproducibly: the same source gives a byte-identical PDF.

The document is compiled in the folder the caller prepared (a temporary one), with
``SOURCE_DATE_EPOCH=0`` and ``FORCE_SOURCE_DATE=1`` (fixed dates and document id), no
``PTEX`` information about included files, no shell escape, TeX allowed to read and write
only inside that folder (``openin_any=p``, ``openout_any=p``), and a timeout. Graphviz's own
PDF figures carry their creation date: :func:`fixed_dates` sets it to the epoch.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from gradviz.core.errors import GradvizError, MissingDependencyError

__all__ = ["available", "pdflatex", "fixed_dates", "overfull", "TIMEOUT"]

TIMEOUT = 120.0
INSTALL = ("pdflatex is not installed: `sudo apt-get install texlive-latex-base "
           "texlive-latex-recommended` (macOS: MacTeX); HTML sheets are written without it")
_DATE = re.compile(rb"/(CreationDate|ModDate) ?\(D:[0-9]{14}[^)]{0,8}\)")


def available() -> bool:
    """Whether pdflatex is installed."""
    return shutil.which("pdflatex") is not None


def fixed_dates(pdf: bytes) -> bytes:
    """A PDF's creation and modification dates set to the epoch (same length, so the
    cross-reference offsets stay right).

    Examples
    --------
    >>> fixed_dates(b"<< /CreationDate (D:20261123040156Z) >>")
    b'<< /CreationDate (D:19700101000000Z) >>'
    """
    def epoch(m: re.Match) -> bytes:
        text = m.group(0)
        start = text.index(b"(D:") + 3
        return text[:start] + b"19700101000000" + text[start + 14:]
    return _DATE.sub(epoch, pdf)


def pdflatex(folder: Path, stem: str, timeout: float = TIMEOUT) -> tuple[bytes, str]:
    """Compile ``folder/stem.tex``; returns the PDF's bytes and the log."""
    exe = shutil.which("pdflatex")
    if exe is None:
        raise MissingDependencyError(INSTALL)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1",
           "openin_any": "p", "openout_any": "p", "shell_escape": "f"}
    cmd = [exe, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
           f"-jobname={stem}", rf"\pdfsuppressptexinfo=-1\pdftrailerid{{}}\input{{{stem}.tex}}"]
    try:
        done = subprocess.run(cmd, cwd=folder, env=env, capture_output=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired:
        raise GradvizError(f"pdflatex took longer than {timeout:g} s on {stem}.tex") from None
    log_path = folder / f"{stem}.log"
    log = log_path.read_text("utf-8", "replace") if log_path.exists() else ""
    pdf = folder / f"{stem}.pdf"
    if done.returncode != 0 or not pdf.exists():
        errors = [line for line in log.splitlines() if line.startswith("!")]
        raise GradvizError(f"pdflatex failed on {stem}.tex: "
                           f"{errors[0] if errors else done.returncode}")
    return pdf.read_bytes(), log


def overfull(log: str) -> list[str]:
    """The overfull-box warnings of a pdflatex log (text that sticks out of the page).

    Examples
    --------
    >>> overfull("Overfull \\\\hbox (12.0pt too wide) in paragraph at lines 3--4\\nok")
    ['Overfull \\\\hbox (12.0pt too wide) in paragraph at lines 3--4']
    """
    return [line for line in log.splitlines() if line.startswith("Overfull")]
