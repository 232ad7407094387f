"""Activation scenes: f beside its exact derivative f′, one class per activation.

    manim -ql scenes/activations.py ReluActivation
    manim -ql scenes/activations.py CompareDerivatives

The derivative is gradviz's own (the op table's VJP, evaluated in one batched pass), never
a numerical one; kinks are drawn as jumps with open and closed end points.
"""

from gradviz import ACTIVATIONS
from gradviz.views.video.plots import ActivationScene, CompareDerivativesScene

for _name in ACTIVATIONS:
    _cls = "".join(p.capitalize() for p in _name.split("_")) + "Activation"
    globals()[_cls] = type(_cls, (ActivationScene,), {"activation": _name,
                                                      "__module__": __name__})

LeakyRelu01Activation = type("LeakyRelu01Activation", (ActivationScene,),
                             {"activation": "leaky_relu", "params": {"slope": 0.1},
                              "__module__": __name__})


class CompareDerivatives(CompareDerivativesScene):
    activations = ("sigmoid", "tanh", "relu", "gelu")
