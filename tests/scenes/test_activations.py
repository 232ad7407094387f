"""The activation scene file: one ActivationScene subclass per activation, and the
derivatives compared."""

from __future__ import annotations

from gradviz import ACTIVATIONS
from gradviz.scenes import activations
from gradviz.views.video.plots import ActivationScene, CompareDerivativesScene


def test_one_scene_per_activation_and_the_comparison():
    for name in ACTIVATIONS:
        cls = getattr(activations, "".join(p.capitalize() for p in name.split("_"))
                      + "Activation")
        assert issubclass(cls, ActivationScene) and cls.activation == name
    assert activations.LeakyRelu01Activation.params == {"slope": 0.1}
    assert issubclass(activations.CompareDerivatives, CompareDerivativesScene)
