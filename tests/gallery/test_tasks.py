"""What a gallery build plans, and what a task's output depends on."""

from __future__ import annotations

from dataclasses import replace

from gradviz import example, examples
from gradviz.core.ops import ACTIVATIONS
from gradviz.gallery.tasks import COMPARE, Task, fan_out_node, plan, task_key


def test_a_full_plan_has_every_example_and_activation():
    tasks = plan(None, video=True, quality="low")
    ids = {t.id for t in tasks}
    assert len(ids) == len(tasks)
    for name in examples():
        assert {f"figures-{name}", f"solution-{name}", f"video-{name}"} <= ids
    assert {f"activation-{a}" for a in ACTIVATIONS} <= ids
    assert f"compare-{'-'.join(COMPARE)}" in ids


def test_only_one_example_without_video():
    assert [t.id for t in plan(["xyz"], video=False)] == ["figures-xyz", "solution-xyz"]


def test_the_fan_out_node_is_the_most_used_computed_node():
    g = example("interesting")
    node = fan_out_node(g)
    assert node is not None and not g.is_leaf(node)
    assert len(g.consumers(node)) == max(len(g.consumers(n)) for n in g.order
                                         if not g.is_leaf(n) and not g.is_generated(n))
    assert fan_out_node(example("xyz")) is None or len(g.consumers(node)) > 1


def test_a_task_key_changes_with_the_quality_and_not_otherwise():
    t = Task("video", "xyz", "low")
    assert task_key(t) == task_key(Task("video", "xyz", "low"))
    assert task_key(t) != task_key(replace(t, quality="medium"))
    assert task_key(t) != task_key(replace(t, name="mlp"))
