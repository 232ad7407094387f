"""What a gallery build makes: one task per example's figures, solution and video, per
activation plot, the derivative comparison and a generated variant."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from gradviz.core.graph import Graph
from gradviz.core.library import example_text, examples

__all__ = ["Task", "plan", "fan_out_node", "task_key", "FIGURES", "VARIANT", "COMPARE",
           "VIDEO_QUALITY"]

FIGURES = (("blank", "The problem: the graph and its given values"),
           ("values", "Forward pass: every value"),
           ("grads", "Backward pass: every gradient (∇) and each wire's contribution"),
           ("all", "Values and gradients together"))
VARIANT = ("interesting", 1)  # the example and seed of the generated variant shown
COMPARE = ("sigmoid", "tanh", "relu", "gelu")
VIDEO_QUALITY = "medium"  # 720p: a hall reads it (gradviz gallery --quality high: 1080p)


@dataclass(frozen=True)
class Task:
    kind: str  # figures | solution | video | activation | compare | variant
    name: str
    quality: str = "low"

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.name}"


def fan_out_node(graph: Graph) -> str | None:
    """The computed node with the most consumers: where "sum over all paths" shows best."""
    best = [(len(graph.consumers(n)), -i, n) for i, n in enumerate(graph.order)
            if not graph.is_leaf(n) and not graph.is_generated(n)]
    best = [b for b in best if b[0] > 1]
    return max(best)[2] if best else None


def plan(only: list[str] | None, video: bool, quality: str = VIDEO_QUALITY) -> list[Task]:
    """Every task of a gallery build."""
    from gradviz.core.ops import ACTIVATIONS

    names = [n for n in examples() if not only or n in only]
    tasks = [Task(k, n) for n in names for k in ("figures", "solution")]
    if video:
        tasks += [Task("video", n, quality) for n in names]
    if not only:
        tasks += [Task("activation", a, quality if video else "") for a in ACTIVATIONS]
        tasks += [Task("compare", "-".join(COMPARE), quality if video else ""),
                  Task("variant", f"{VARIANT[0]}_seed{VARIANT[1]}")]
    return tasks


def task_key(task: Task) -> str:
    """What a task's output depends on: gradviz's version, the task and its graph file."""
    from gradviz import __version__

    graph = example_text(task.name) if task.name in examples() else ""
    return hashlib.sha256(json.dumps([__version__, task.kind, task.name, task.quality,
                                      graph]).encode()).hexdigest()
