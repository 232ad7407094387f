"""Scene files for the ``manim`` command itself: ``backprop.py`` (one scene per built-in
example) and ``activations.py`` (one per activation, and the derivatives compared).

They ship inside the package; ``gradviz scenes --copy DIR`` copies them where ``manim``
can be pointed at them::

    gradviz scenes --copy scenes
    manim -ql scenes/backprop.py InterestingBackprop
"""
