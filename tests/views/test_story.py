"""The story: forward node by node, the seed, backward with sums where paths meet."""

from __future__ import annotations

import pytest

from gradviz import evaluate, example, examples, story


def test_xyz_story_reads_like_a_lecture():
    s = story(evaluate(example("xyz")))
    assert s.steps[0].text == "x · y = 2 · 3 = 6"
    assert [st.text for st in s.steps if st.kind == "grad" and st.node == "x"] == \
        ["∂w/∂x = 120 + 25 + 25 = 170"]
    kinds = [st.kind for st in s.steps]
    assert kinds.index("seed") == kinds.index("loss") + 1


def test_states_grow_step_by_step():
    s = story(evaluate(example("interesting")))
    first, last = s.state(-1), s.state(len(s) - 1)
    assert first.values == frozenset(example("interesting").leaves()) and not first.grads
    assert last.grads >= {"H1", "X1"} and len(last.edges) > 0


def test_batched_trace_has_no_story():
    with pytest.raises(ValueError):
        story(evaluate(example("xyz"), x=[1.0, 2.0]))


@pytest.mark.parametrize("name", examples())
def test_negative_numbers_use_the_minus_sign(name):
    import re

    for st in story(evaluate(example(name))).steps:
        assert not re.search(r"(?<![\w)\]])-(?=[\d.])", st.text), st.text
