"""Beats: steps on one node merged, the focus on the step explained, reading time."""

from __future__ import annotations

from gradviz import evaluate, example, examples
from gradviz.views.story import story
from gradviz.views.video.beats import story_beats
from gradviz.views.video.options import VideoOptions


def test_consecutive_steps_on_one_node_are_one_beat():
    for name in examples():
        t = evaluate(example(name))
        beats = story_beats(t, VideoOptions())
        steps = [s for b in beats for s in b.steps]
        assert steps == list(story(t).steps)  # nothing lost, nothing reordered
        for a, b in zip(beats[1:], beats[2:]):  # never split between two beats
            assert a.steps[-1].node != b.steps[0].node or b.steps[0].kind == "forward"


def test_a_gradient_completed_by_one_contribution_is_said_once():
    t = evaluate(example("interesting"))
    beat = next(b for b in story_beats(t, VideoOptions()) if b.nodes[0] == "H5"
                and b.kind == "backward")
    assert [s.kind for s in beat.steps] == ["backward", "grad"] and len(beat.lines) == 1


def test_only_the_step_explained_is_lit():
    t = evaluate(example("interesting"))
    for b in story_beats(t, VideoOptions()):
        assert b.hot <= b.shown and len(b.hot) <= 12
        for s in b.steps:
            if s.kind in ("forward", "loss"):
                assert (s.node, "value") in b.hot
            elif s.kind != "backward":
                assert (s.node, "grad") in b.hot


def test_beats_last_as_long_as_their_caption_takes_to_read():
    v = VideoOptions()
    for b in story_beats(evaluate(example("sigmoid_regression")), v):
        assert b.seconds >= v.reading_seconds(" ".join(b.lines))


def test_focus_keeps_only_the_paths_to_the_node():
    t = evaluate(example("interesting"))
    nodes, edges = t.graph.paths_to_loss("H1")
    beats = story_beats(t, VideoOptions(focus="H1"))
    steps = [s for b in beats for s in b.steps]
    assert steps and all(s.node in nodes or s.edge in edges for s in steps)
    assert not [s for s in steps if s.kind in ("forward", "loss")]
    assert beats[0].shown >= {(n, "value") for n in t.graph.order}  # all values given
