"""The lecture-hall targets, measured on the storyboard at 1080p (no render needed), for
every built-in example: the graph fills the stage, text is large enough to read from the
back row, nothing overlaps and no edge crosses text, only the numbers being explained are
bright, every caption stays up long enough to read, no internal name shows."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import ImageFont

from gradviz import evaluate, example, examples
from gradviz.views.answers import asked
from gradviz.views.video.layout import bezier_points
from gradviz.views.video.options import VideoOptions
from gradviz.views.video.plan import plan
from gradviz.views.video.storyboard import KINDS, storyboard, write_storyboard

HD = (1920, 1080)
FONT = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 400)


def ink_height(text: str) -> int:
    mask, _ = FONT.getmask2(text, mode="L", anchor="ls")
    box = mask.getbbox()
    return box[3] - box[1]


def cap_height(label: dict) -> float:
    """The label's cap height in px: its box height scaled by how much of the text's ink
    height a capital H is (measured here with Pillow, independently of gradviz)."""
    b = label["box"]
    return (b[3] - b[1]) * ink_height("H") / ink_height(label["text"])


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def is_number(label: dict) -> bool:
    return label["kind"] in ("value", "grad", "table") and bool(re.search(r"\d", label["text"]))


@pytest.fixture(scope="module", params=examples())
def planned(request):
    p = plan(evaluate(example(request.param)), VideoOptions(), HD, 60)
    return request.param, p, storyboard(p)


def test_shape_is_the_documented_one(planned):
    _, _, sb = planned
    assert list(sb) == ["width", "height", "fps", "steps"]
    assert (sb["width"], sb["height"], sb["fps"]) == (1920, 1080, 60)
    for s in sb["steps"]:
        assert list(s) == ["start", "end", "caption", "graph_box", "stage_box", "labels"]
        for lab in s["labels"]:
            assert list(lab) == ["text", "kind", "box", "opacity"] and lab["kind"] in KINDS
            x0, y0, x1, y1 = lab["box"]
            assert 0 <= x0 < x1 <= 1920 and 0 <= y0 < y1 <= 1080 and 0 < lab["opacity"] <= 1
    times = [t for s in sb["steps"] for t in (s["start"], s["end"])]
    assert times == sorted(times) and times[0] == 0


def test_the_graph_fills_the_stage(planned):
    _, _, sb = planned
    for s in sb["steps"]:
        if s["graph_box"] is None:  # the answer table
            continue
        g, st = s["graph_box"], s["stage_box"]
        assert (g[2] - g[0]) * (g[3] - g[1]) >= 0.6 * (st[2] - st[0]) * (st[3] - st[1])


def test_text_is_large_enough_at_1080p(planned):
    name, p, sb = planned
    labels = [lab for s in sb["steps"] for lab in s["labels"]]
    names = [cap_height(lab) for lab in labels if lab["kind"] == "name"]
    numbers = [cap_height(lab) for lab in labels if lab["kind"] in ("value", "grad", "table")]
    assert min(names) >= 36 and min(numbers) >= 28, (name, min(names), min(numbers))
    for key, item in p.geom.items.items():  # op glyphs: >= 40% of the circle's diameter
        if item.kind == "op":
            shape = p.geom.nodes[key.rsplit(":", 2)[0]].shape_box
            side = max(item.box[2] - item.box[0], item.box[3] - item.box[1])
            assert side >= 0.4 * (shape[2] - shape[0]), (key, item.text)


def test_no_text_overlaps_and_no_edge_crosses_text(planned):
    _, p, sb = planned
    for i, s in enumerate(sb["steps"]):
        boxes = [lab["box"] for lab in s["labels"]]
        assert not [(a, b) for j, a in enumerate(boxes) for b in boxes[j + 1:] if overlap(a, b)]
        if s["graph_box"] is None:
            continue
        cam, k, st = p.cameras[i], p.scale, s["stage_box"]
        points = [((x - cam[0]) * k, (y - cam[1]) * k) for e in p.geom.edges
                  for x, y in bezier_points(e.points, 32)]
        points = [q for q in points if st[1] <= q[1] <= st[3]]  # the bands hide the rest
        for lab in s["labels"]:
            x0, y0, x1, y1 = lab["box"]
            hit = [q for q in points if x0 - 2 < q[0] < x1 + 2 and y0 - 2 < q[1] < y1 + 2]
            assert not hit, (lab["text"], hit[:2])


def test_only_the_step_explained_is_bright(planned):
    _, _, sb = planned
    for s in sb["steps"]:
        numbers = [lab for lab in s["labels"] if is_number(lab)]
        assert sum(lab["opacity"] > 0.4 for lab in numbers) <= 20
        assert all(lab["opacity"] == 1 or lab["opacity"] <= 0.4 for lab in numbers)
    finished = [lab for lab in sb["steps"][-3]["labels"] if lab["kind"] in ("value", "grad")]
    assert any(lab["opacity"] <= 0.4 for lab in finished)  # dimmed, still on screen


def test_captions_stay_long_enough_to_read(planned):
    _, _, sb = planned
    for s in sb["steps"]:
        assert s["end"] - s["start"] >= max(2.5, len(s["caption"]) / 15) - 1e-3, s["caption"]
        lines = [lab["text"] for lab in s["labels"] if lab["kind"] == "caption"]
        assert "".join(lines).replace(" ", "") == s["caption"].replace(" ", "").replace("\n",
                                                                                       "")


def test_no_internal_names_on_screen(planned):
    name, p, sb = planned
    generated = {n for n in p.geom.nodes if p.geom.items.get(f"{n}:name:0") is None}
    texts = {lab["text"] for s in sb["steps"] for lab in s["labels"]}
    internal = re.compile(r"\b[A-Za-z_]\w*\.\d+\b")  # H1.1, f.1: the parser's names
    assert not [t for t in texts if internal.search(t)], name
    assert generated  # every example has unnamed nodes: they show no name


def test_the_answer_table_is_decimal_aligned_and_filled_in_order(planned):
    name, p, sb = planned
    table_steps = [s for s in sb["steps"] if s["graph_box"] is None]
    if not p.table:
        return
    assert len(table_steps) == len(p.table)  # one column per step
    shown: list[str] = []
    for s in table_steps:
        now = [lab["text"] for lab in s["labels"] if lab["kind"] == "table"]
        assert now[: len(shown)] == shown  # earlier columns stay, a new one is added
        shown = now
    from gradviz.views.answers import quantity_label
    from gradviz.views.video.text import cap_em

    want = [quantity_label(q) for q, _ in asked(evaluate(example(name)))]
    assert [it.text for col in p.table for it in col if it.key.endswith(":name")] == want
    for col in p.table:  # the decimal point (or the units' end) at one x per column
        points = {round(_point_x(it, cap_em(30)), 1) for it in col
                  if not it.key.endswith(":name") and not it.text.startswith("[")}
        assert len(points) <= 1, points


def _point_x(item, em: float) -> float:
    """Where the decimal point of a table number is (its origin plus the advance of the
    digits before it)."""
    from gradviz.views.video.text import advance, ink

    origin = item.box[0] - ink(item.text, em)[0]
    return origin + advance(item.text.split(".")[0].split("e")[0], em)


def test_the_still_is_the_fully_annotated_graph():
    t = evaluate(example("interesting"))
    sb = storyboard(plan(t, size=HD, still=True))
    (step,) = sb["steps"]
    kinds = [lab["kind"] for lab in step["labels"]]
    assert "table" not in kinds and all(lab["opacity"] == 1 for lab in step["labels"])
    grads = sum(t.grad(n) is not None for n in t.graph.order)
    assert kinds.count("grad") == grads and kinds.count("value") >= len(t.graph) - 1


def test_storyboard_is_deterministic(tmp_path):
    code = ("import sys; from gradviz import evaluate, example; "
            "from gradviz.views.video.plan import plan; "
            "from gradviz.views.video.storyboard import write_storyboard; "
            "write_storyboard(plan(evaluate(example('interesting')), size=(854, 480), fps=15),"
            " sys.argv[1])")
    root = Path(__file__).parents[3]
    outs = []
    for seed in ("0", "1234"):
        out = tmp_path / f"sb{seed}.json"
        subprocess.run([sys.executable, "-c", code, str(out)], check=True, cwd=root,
                       env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin",
                            "PYTHONPATH": str(root), "LC_ALL": "C"})
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    again = write_storyboard(plan(evaluate(example("interesting")), size=(854, 480), fps=15),
                             tmp_path / "here.json")
    assert again.read_bytes() == outs[0]
    assert json.loads(outs[0])["width"] == 854


def test_xyz_storyboard_snapshot(snapshot):
    sb = storyboard(plan(evaluate(example("xyz")), size=(854, 480), fps=15))
    assert json.dumps(sb, ensure_ascii=False, indent=1) == snapshot
