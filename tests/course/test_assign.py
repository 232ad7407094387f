"""``assign`` end to end: a roster of 30 with dotted and hostile ids, every file, the manifest,
distinct and reproducible variants, and re-runs that change no file."""

from __future__ import annotations

import csv
import html
import io
import json

import numpy as np
import pytest

from gradviz import evaluate, example
from gradviz.core.errors import GradvizError
from gradviz.core.format import MINUS, fmt, fmt_value
from gradviz.course.assign import Options, assign, pick_variants
from gradviz.course.roster import parse_roster, student_seed
from gradviz.teaching.generate import Rules, draw, values_key
from gradviz.views.answers import asked

IDS = [f"s{k:03d}" for k in range(20)] + [
    "ann.lee", "Ann.Lee", "j.r.r.tolkien", "..", "../../etc/passwd", "<script>x</script>",
    "O'Brien, Ann", "\\input{/etc/passwd}", "CON", "dup\ndup"]


def roster_text(ids: list[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["email", "student", "section"])
    for k, sid in enumerate(ids):
        w.writerow([f"p{k}@uni.edu", sid, f"A{k % 3}"])
    return buf.getvalue()


def snapshot(folder) -> dict:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def assigned(tmp_path_factory):
    out = tmp_path_factory.mktemp("hw")
    roster = parse_roster(roster_text(IDS))
    manifest = assign(example("interesting"), "interesting", roster, 2024, out,
                      Options(pdf=False))
    return out, roster, manifest


def test_thirty_students_get_their_files_and_the_manifest_lists_them(assigned):
    out, roster, manifest = assigned
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert data == json.loads(manifest.to_json())
    assert list(data) == ["graph", "seed", "students"] and data["graph"] == "interesting"
    assert data["seed"] == 2024 and list(data["students"]) == IDS
    for s in roster.students:
        entry = data["students"][s.id]
        assert set(entry) == {"graph_file", "problem", "key"}
        assert entry["graph_file"] == f"{s.folder}/graph.grad"
        for rel in (entry["graph_file"], entry["problem"], entry["key"]):
            assert (out / rel).is_file() and (out / rel).resolve().is_relative_to(out)
        assert (out / s.folder / "key_figures" / "all.svg").is_file()
    folders = [p.name for p in out.iterdir() if p.is_dir()]
    assert len(folders) == 30 and not any(f.startswith(".") for f in folders)


def test_each_sheet_and_key_belong_to_the_student_s_own_variant(assigned):
    out, roster, manifest = assigned
    for s in roster.students:
        graph = manifest.graph_of(out, s.id)
        trace = evaluate(graph)
        problem = (out / manifest.students[s.id].problem).read_text(encoding="utf-8")
        key = (out / manifest.students[s.id].key).read_text(encoding="utf-8")
        assert f"Student: <strong>{html.escape(s.id, quote=True)}</strong>" in problem
        for n in ("X1", "X2", "W2"):
            assert f"<td>{fmt_value(graph.default(n), None, minus=MINUS)}</td>" in problem
        table = key[key.index("Answer table"):]
        for _, v in asked(trace):  # the key's answer table is this variant's
            for x in np.ravel(v):
                assert f"<mn>{fmt(abs(float(x)), zeros=True)}</mn>" in table
        assert "<script>" not in problem and "<script>" not in key


def test_variants_are_distinct_and_reproducible_from_seed_and_id(assigned):
    out, roster, manifest = assigned
    texts = {sid: (out / e.graph_file).read_text() for sid, e in manifest.students.items()}
    bodies = {t.split("\n", 1)[1] for t in texts.values()}  # without the title line
    assert len(bodies) == 30
    subset = IDS[::-1][:7]  # another roster, another order: the same ids, the same variants
    again = pick_variants(example("interesting"), subset, 2024)
    for sid in subset:
        graph = manifest.graph_of(out, sid)
        assert all(np.array_equal(again[sid][n], graph.default(n)) for n in again[sid])
    other = pick_variants(example("interesting"), IDS[:5], 2025)
    assert sum(values_key(other[s]) == values_key(
        {n: manifest.graph_of(out, s).default(n) for n in other[s]}) for s in IDS[:5]) == 0


def test_rerun_changes_no_file_and_keeps_the_roster_columns(assigned):
    out, roster, _ = assigned
    before = snapshot(out)
    assign(example("interesting"), "interesting", roster, 2024, out, Options(pdf=False))
    assert snapshot(out) == before
    rows = list(csv.reader(io.StringIO((out / "students.csv").read_text(encoding="utf-8"))))
    assert rows[0] == ["student", "email", "section", "folder", "graph_file", "problem", "key"]
    assert [r[0] for r in rows[1:]] == IDS and rows[1][1:3] == ["p0@uni.edu", "A0"]


def test_same_inputs_give_the_same_bytes_in_a_fresh_folder(assigned, tmp_path):
    out, roster, _ = assigned
    assign(example("interesting"), "interesting", roster, 2024, tmp_path, Options(pdf=False))
    first = {k: v[0] for k, v in snapshot(out).items()}
    assert {k: v[0] for k, v in snapshot(tmp_path).items()} == first


def test_pdf_sheets_and_keys_are_byte_identical_on_every_run(tmp_path):
    roster = parse_roster(roster_text(["a.b", "<x> & y"]))
    assign(example("mlp"), "mlp", roster, 9, tmp_path / "one", Options(pdf=True))
    first = snapshot(tmp_path / "one")
    assert {k for k in first if k.endswith(".pdf")} == {
        f"{s.folder}/{f}.pdf" for s in roster.students for f in ("problem", "key")}
    assign(example("mlp"), "mlp", roster, 9, tmp_path / "one", Options(pdf=True))
    assert snapshot(tmp_path / "one") == first
    assign(example("mlp"), "mlp", roster, 9, tmp_path / "two", Options(pdf=True))
    assert {k: v[0] for k, v in snapshot(tmp_path / "two").items()} == \
        {k: v[0] for k, v in first.items()}


def test_collisions_take_the_next_variant_and_too_few_variants_is_an_error():
    small = Rules(low=-1.5, high=1.5, step=0.5)  # xyz on this grid: 30 good variants
    g = example("xyz")
    assert len(list(draw(g, 0, small))) == 30
    ids = [f"s{k}" for k in range(30)]
    picks = pick_variants(g, ids, 0, small)
    assert len({values_key(v) for v in picks.values()}) == 30
    firsts = [values_key(next(draw(g, student_seed(0, sid), small))) for sid in ids]
    moved = [sid for sid, first in zip(ids, firsts) if values_key(picks[sid]) != first]
    assert moved and sorted(ids)[0] not in moved  # later ids gave way, in sorted order
    with pytest.raises(GradvizError, match="only 30 distinct good variants"):
        pick_variants(g, ids + ["one more"], 0, small)
