"""The gallery: built into a temporary folder, opened in headless Chromium, rebuilt warm."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
import pytest

from gradviz import examples
from gradviz.gallery import build_gallery
from tests.browser import chromium
from tests.helpers import ROOT



@pytest.fixture(scope="module")
def gallery(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gallery")
    assert build_gallery(out, video=False, quiet=True) == 0
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("chromium-profile"), size=(1280, 900)) as driver:
        yield driver


def local_target(page: Path, url: str) -> Path | None:
    parsed = urlparse(url)
    if parsed.scheme not in ("", "file") or url.startswith("#"):
        return None
    return Path(unquote(parsed.path)) if parsed.scheme == "file" else \
        (page.parent / unquote(parsed.path)).resolve()


def check_page(driver, page: Path) -> None:
    driver.get(page.as_uri())
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, f"{page}: console errors {errors}"
    images = driver.execute_script(
        "return Array.from(document.images).map(i => [i.src, i.complete && i.naturalWidth > 0,"
        " i.alt])")
    for src, loaded, alt in images:
        assert loaded, f"{page}: broken image {src}"
        assert alt, f"{page}: image without alt text {src}"
    links = driver.execute_script("return Array.from(document.links).map(a => a.href)")
    for href in links:
        target = local_target(page, href)
        if target is not None:
            assert target.exists(), f"{page}: broken link {href}"
    media = driver.execute_script(
        "return Array.from(document.querySelectorAll('video source, video, track'))"
        ".map(m => m.src || m.currentSrc).filter(Boolean)")
    for src in media:
        target = local_target(page, src)
        assert target is not None and target.exists(), f"{page}: broken media {src}"


def test_index_and_every_page_open_cleanly(gallery, browser, tmp_path):
    index = gallery / "index.html"
    check_page(browser, index)
    shot = tmp_path / "index.png"
    browser.save_screenshot(str(shot))
    from PIL import Image

    pixels = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert pixels.std() > 10, "the index screenshot is blank"
    cards = browser.execute_script("return document.querySelectorAll('.card').length")
    assert cards >= len(examples())
    for name in examples():
        check_page(browser, gallery / name / "index.html")
        check_page(browser, gallery / name / "frames" / "index.html")


def test_frames_pager_pages_with_the_keyboard(gallery, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get((gallery / "xyz" / "frames" / "index.html").as_uri())
    pos = browser.find_element(By.ID, "pos")
    assert pos.text.startswith("step 0 /")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_RIGHT)
    body.send_keys(Keys.ARROW_RIGHT)
    assert pos.text.startswith("step 2 /")
    body.send_keys(Keys.END)
    last = int(pos.text.split("/")[1])
    assert pos.text == f"step {last} / {last}"
    visible = browser.execute_script(
        "return Array.from(document.querySelectorAll('.frame')).filter(f => !f.hidden).length")
    assert visible == 1


def test_example_page_shows_the_solution_and_graph(gallery):
    page = (gallery / "interesting" / "index.html").read_text()
    assert "Worked solution" in page and '<math display="block">' in page
    assert "<mo>∂</mo><msub><mi>H</mi><mn>1</mn></msub>" in page  # ∂L/∂H₁ in MathML
    assert 'alt="The problem: the graph and its given values' in page
    assert "paths.svg" in page and "frames/index.html" in page
    assert (gallery / "interesting" / "graph.grad").read_text().startswith("#: title:")
    assert (gallery / "variant" / "answer_key.md").exists()


def test_second_build_rebuilds_nothing(gallery, capsys):
    mtimes = {p: p.stat().st_mtime_ns for p in gallery.rglob("*") if p.is_file()}
    t0 = time.perf_counter()
    assert build_gallery(gallery, video=False) == 0
    assert time.perf_counter() - t0 < 20
    assert "0 built" in capsys.readouterr().err
    changed = [p for p in gallery.rglob("*") if p.is_file() and p in mtimes
               and p.stat().st_mtime_ns != mtimes[p]]
    assert not changed, changed[:5]


def test_only_and_unknown_example(tmp_path):
    from gradviz import GradvizError

    assert build_gallery(tmp_path, only=["xyz"], video=False, quiet=True) == 0
    assert (tmp_path / "xyz" / "index.html").exists() and not (tmp_path / "mlp").exists()
    with pytest.raises(GradvizError, match="no built-in example"):
        build_gallery(tmp_path, only=["nope"], video=False, quiet=True)


def test_one_video_with_poster_and_captions(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # a fresh render cache
    assert build_gallery(tmp_path / "g", only=["xyz"], quality="low", quiet=True) == 0
    folder = tmp_path / "g" / "xyz"
    assert (folder / "backprop.mp4").stat().st_size > 10_000
    assert (folder / "poster.png").read_bytes()[:4] == b"\x89PNG"
    vtt = (folder / "backprop.vtt").read_text()
    assert vtt.startswith("WEBVTT") and "∂w/∂x = 120 + 25 + 25 = 170" in vtt
    page = (folder / "index.html").read_text()
    assert '<track kind="captions" src="backprop.vtt"' in page and 'poster="poster.png"' in page


# ------------------------------------------------------------------------- robustness
def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.add(int(stat.parent.name))
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start_build(out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "gradviz", "gallery", "-o", str(out),
                             "--no-video", "--jobs", "2", *extra], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own group, as a terminal's job


def wait_for_workers(proc: subprocess.Popen, timeout: float = 60) -> set[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = children(proc.pid)
        if len(workers) >= 2:
            return workers
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("no workers started")


@pytest.mark.parametrize("stamp", ["", '{"key": "3f2a', "[]", '{"key": 1, "files": 7}',
                                   "\x00\x00\x00"])
def test_an_unreadable_stamp_counts_as_never_built(tmp_path, capsys, stamp):
    assert build_gallery(tmp_path, only=["xyz"], video=False) == 0
    (tmp_path / ".stamps" / "figures-xyz.json").write_text(stamp)
    capsys.readouterr()
    assert build_gallery(tmp_path, only=["xyz"], video=False) == 0
    assert "1 built, 1 up to date, 0 failed" in capsys.readouterr().err
    assert json.loads((tmp_path / ".stamps" / "figures-xyz.json").read_text())["files"]


def test_ctrl_c_ends_a_real_build_with_a_one_line_summary(tmp_path):
    proc = start_build(tmp_path)
    workers = wait_for_workers(proc)
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal does: every process of the job
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    last = err.strip().splitlines()[-1]
    assert re.fullmatch(r"gallery: interrupted: \d+ built, 0 up to date, 0 failed, \d+ not "
                        rf"built \(run it again to finish\) -> {re.escape(str(tmp_path))}",
                        last), err
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(w) for w in workers)


def test_workers_die_when_the_build_is_killed(tmp_path):
    proc = start_build(tmp_path)
    workers = wait_for_workers(proc)
    proc.kill()  # SIGKILL: no handler runs in the parent
    proc.communicate(timeout=60)  # returns once no worker holds its stderr open
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(w) for w in workers), "workers outlived the build"
    # and the next build finishes what the killed one left
    assert build_gallery(tmp_path, only=["xyz"], video=False, quiet=True) == 0


def test_concurrent_builds_into_one_folder_take_turns(tmp_path):
    first = start_build(tmp_path, "--only", "xyz")
    wait_for_workers(first)
    second = start_build(tmp_path, "--only", "xyz")
    _, err1 = first.communicate(timeout=120)
    _, err2 = second.communicate(timeout=120)
    assert first.returncode == second.returncode == 0, (err1, err2)
    assert "waiting for another build" in err2
    assert "0 built, 2 up to date" in err2  # it found the first build's work, whole
    for stamp in (tmp_path / ".stamps").iterdir():
        assert json.loads(stamp.read_text())["files"]
    assert not [p for p in tmp_path.rglob("*.tmp")]
