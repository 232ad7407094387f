"""Backprop scenes, one per built-in example, for the `manim` command itself.

    manim -ql scenes/backprop.py InterestingBackprop
    manim -qh scenes/backprop.py MlpBackprop

Each class evaluates its example (scenes never evaluate: they are handed the trace) and
animates gradviz's story: the forward pass node by node, the loss, the backward pass edge
by edge with the chain rule, the sums where paths meet, the answer table.
`gradviz animate NAME -o out.mp4` renders the same scenes with more options.
"""

from gradviz import evaluate, example, examples
from gradviz.views.video.scenes import BackpropScene


def _class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_")) + "Backprop"


def _scene(name: str) -> type:
    def __init__(self, **kw):
        BackpropScene.__init__(self, trace=evaluate(example(name)), **kw)

    return type(_class_name(name), (BackpropScene,), {"__init__": __init__, "example": name,
                                                      "__module__": __name__})


for _name in examples():
    globals()[_class_name(_name)] = _scene(_name)
