"""Slide frames: one layout for every frame, the story told step by step, and no answer
anywhere in a frame before its step (hidden numbers keep their space and are not written)."""

from __future__ import annotations

import json
import re

import pytest

import gradviz
from gradviz import evaluate, example, examples
from gradviz.views.answers import asked
from gradviz.views.figure import number
from gradviz.views.frames import frame_dots, frame_models, write_frames
from gradviz.views.graphviz import run_dot
from gradviz.views.model import Options
from tests.helpers import svg_texts
from tests.svg import measure

NUMBER = re.compile(r"^[−-]?\d+(?:\.\d+)?$")


def numbers(svg: str) -> list[str]:
    """The numbers a frame shows (name subscripts aside)."""
    return [t.text for t in measure(svg).texts if not t.sub and NUMBER.match(t.text.strip())]


def cells(v, decimals: int) -> set[str]:
    return {c for row in number(v, decimals).rows for c in row}


def test_frames_tell_the_story(tmp_path):
    trace = evaluate(example("xyz"))
    paths = write_frames(trace, tmp_path)
    from gradviz.views.story import story

    assert len(paths) == len(story(trace)) + 1
    page = (tmp_path / "index.html").read_text()
    assert page.count("<svg") == len(paths) and "ArrowRight" in page
    assert "∂w/∂x = 120 + 25 + 25 = 170" in page
    assert "http" not in page.replace("http://www.w3.org", "")  # self-contained
    assert "170" in svg_texts(paths[-1].read_bytes())  # the last frame shows every answer


def positions(dot: str) -> dict[str, str]:
    data = json.loads(run_dot(dot, "json"))
    return {o["name"]: o["pos"] for o in data.get("objects", []) if "pos" in o}


@pytest.mark.parametrize("opts", [Options(), Options(fit="slide"), Options(rankdir="TB")])
def test_every_frame_has_one_layout(opts):
    frames = frame_dots(evaluate(example("interesting")), opts)
    first = positions(frames[0][1])
    for _, dot in frames[1::7] + frames[-1:]:
        assert positions(dot) == first


@pytest.mark.parametrize("name", examples())
def test_the_problem_frame_holds_no_answer(name):
    trace = evaluate(example(name))
    _, frames = frame_models(trace)
    model = frames[0][1]
    d = model.decimals
    given = set().union(*(cells(trace.value(n), d) for n in trace.graph.leaves()))
    svg = run_dot(frame_dots(trace)[0][1], "svg").decode()
    shown = set(numbers(svg))
    assert shown <= given, shown - given
    for q, v in asked(trace):
        if v is None:
            continue
        for text in cells(v, d) | {gradviz.fmt_value(v)}:
            if text not in given and len(text) > 2:
                assert f">{text}<" not in svg, (q, text)


def test_a_middle_frame_shows_only_what_is_known():
    trace = evaluate(example("interesting"))
    st, frames = frame_models(trace)
    k = len(st.steps) // 2
    caption, model = frames[k + 1]
    svg = run_dot(frame_dots(trace)[k + 1][1], "svg").decode()
    state = st.state(k)
    d = model.decimals
    known = set().union(*(cells(trace.value(n), d) for n in state.values))
    known |= set().union(*(cells(trace.grad(n), d) for n in state.grads))
    known |= {e.contribution_text for e in model.edges if not e.ghost}
    for t in numbers(svg):
        assert t in known, (caption, t)


def test_frames_into_an_existing_file_is_a_clear_error(tmp_path):
    target = tmp_path / "slides"
    target.write_text("not a folder")
    with pytest.raises(gradviz.GradvizError, match="is a file"):
        write_frames(evaluate(example("xyz")), target)
