"""Backprop scenes, one per built-in example, for the `manim` command itself.

    manim -ql scenes/backprop.py InterestingBackprop
    manim -qh scenes/backprop.py MlpBackprop

Each class animates its graph with gradviz's story: forward pass node by node, the loss,
backward edge by edge with the chain rule, the sums where paths meet, the answer table.
`gradviz animate NAME -o out.mp4` renders the same scenes with more options.
"""

from gradviz import examples
from gradviz.views.video import BackpropScene


def _class_name(example: str) -> str:
    return "".join(part.capitalize() for part in example.split("_")) + "Backprop"


for _name in examples():
    globals()[_class_name(_name)] = type(_class_name(_name), (BackpropScene,),
                                         {"graph": _name, "__module__": __name__})
