"""Lecture videos with Manim: backprop told step by step, activations beside their exact
derivatives.

A video is planned in full before Manim draws a frame (:func:`~.plan.plan`): the graph's
place, every label's box, every beat's caption, length and lit numbers. The scenes
(:mod:`gradviz.views.video.scenes`, the only module that imports manim) draw that plan, and
the storyboard (:mod:`~.storyboard`) writes it out as JSON. Scenes read an evaluated trace:
they never evaluate a graph themselves.

manim is an optional dependency: :data:`~.options.INSTALL_MANIM` says how to install it.
"""

from gradviz.views.video.options import (
    INSTALL_MANIM,
    INSTALL_TEX,
    QUALITIES,
    Quality,
    VideoOptions,
    require_manim,
    require_tex,
)

__all__ = ["INSTALL_MANIM", "INSTALL_TEX", "QUALITIES", "Quality", "VideoOptions",
           "require_manim", "require_tex"]
