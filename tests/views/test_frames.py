"""Static figures: DOT/JSON snapshots, real Graphviz renders, escaping and determinism."""

from __future__ import annotations

from gradviz import evaluate, example
from gradviz.views.frames import frame_dots, write_frames
from gradviz.views.render import run_dot
from tests.helpers import svg_texts


def test_frames_tell_the_story(tmp_path):
    trace = evaluate(example("xyz"))
    paths = write_frames(trace, tmp_path)
    from gradviz.views.story import story

    assert len(paths) == len(story(trace)) + 1
    page = (tmp_path / "index.html").read_text()
    assert page.count("<svg") == len(paths) and "ArrowRight" in page
    assert "∂w/∂x = 120 + 25 + 25 = 170" in page
    assert "http" not in page.replace("http://www.w3.org", "")  # self-contained
    last = svg_texts(paths[-1].read_bytes())
    assert "100" in last  # the loss value is in every frame, drawn invisibly until its step


def test_frames_keep_one_layout():
    """Hidden labels are drawn in the background colour, so nodes never jump."""
    frames = frame_dots(evaluate(example("interesting")))
    strip = [("".join(c for c in d if not c.isspace())).count("->") for _, d in frames]
    assert len(set(strip)) == 1
    first = run_dot(frames[0][1], "svg").decode()
    last = run_dot(frames[-1][1], "svg").decode()
    assert first.split("<svg")[1].split(">")[0] == last.split("<svg")[1].split(">")[0]


