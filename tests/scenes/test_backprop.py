"""The backprop scene file: one BackpropScene subclass per built-in example."""

from __future__ import annotations

from gradviz import examples
from gradviz.scenes import backprop
from gradviz.views.video.scenes import BackpropScene


def test_one_scene_per_example():
    for name in examples():
        cls = getattr(backprop, backprop._class_name(name))
        assert issubclass(cls, BackpropScene) and cls.example == name
    assert backprop._class_name("linear_f_linear_g") == "LinearFLinearGBackprop"
