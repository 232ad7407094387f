"""``gradviz gallery``: pages per example, nothing rewritten when nothing changed, and its
options checked."""

from __future__ import annotations

import os

from gradviz import example, examples
from gradviz.cli import main
from gradviz.core.escape import markdown
from tests.helpers import (
    _snapshot,
    run,
)


def test_gallery_writes_a_page_per_example_and_an_index(gallery_dir):
    for name in examples():
        page = (gallery_dir / name / "values.md").read_text(encoding="utf-8")
        assert page.startswith(f"# {markdown(example(name).title)}")
        assert "| node | computed as | value | gradient |" in page
        assert (gallery_dir / name / "all.svg").is_file()
        assert (gallery_dir / name / "index.html").is_file()
    index = (gallery_dir / "README.md").read_text(encoding="utf-8")
    for name in examples():
        assert f"[{name}]({name}/index.html)" in index


def test_gallery_second_run_leaves_every_file_unchanged(tmp_path, capsys):
    out = tmp_path / "g"
    argv = ["gallery", "-o", str(out), "--only", "interesting", "--only", "xyz", "--no-video"]
    assert main(argv) == 0
    old = 1_000_000_000  # pretend the first run was long ago, so any rewrite shows
    for p in out.rglob("*"):
        if p.is_file():
            os.utime(p, ns=(old, old))
    before = _snapshot(out)
    assert main(argv) == 0
    after = _snapshot(out)
    assert after.keys() == before.keys()
    assert {k: v[0] for k, v in after.items()} == {k: v[0] for k, v in before.items()}
    rewritten = sorted(k for k in after if after[k][1] != before[k][1])
    assert rewritten == [], f"rewritten although unchanged: {rewritten}"


def test_gallery_unknown_example_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "gallery", "-o", str(tmp_path / "g"), "--only", "nosuch")
    assert code == 2 and "nosuch" in err and "Traceback" not in err




def test_gallery_jobs_out_of_range_is_a_usage_error(capsys, tmp_path):
    for jobs in ("-1", "0", "257", "many"):
        try:
            code = main(["gallery", "-o", str(tmp_path / "g"), "--jobs", jobs])
        except SystemExit as e:
            code = e.code
        err = capsys.readouterr().err
        assert code == 2 and "--jobs" in err and "Traceback" not in err
    assert not (tmp_path / "g").exists()
