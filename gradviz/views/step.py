"""``gradviz.step(trace)``: the step-through in a Jupyter notebook.

The same frames, keys, buttons and chain-rule tooltips as the slide frames' ``index.html``
(one script, ``pager.py``), as an `anywidget <https://anywidget.dev>`_ widget. Without
anywidget (``pip install 'gradviz-teach[jupyter]'``) it falls back to the frames as static SVGs
with their sentences, and says how to get the interactive view.
"""

from __future__ import annotations

import html
from typing import Any

from gradviz.core.errors import GradvizError
from gradviz.core.evaluate import Trace
from gradviz.views.frames import frame_svgs
from gradviz.views.model import Options
from gradviz.views.pager import SCRIPT, STYLE

__all__ = ["step", "Frames", "ESM", "INSTALL_WIDGET"]

INSTALL_WIDGET = ("the interactive step-through needs anywidget: "
                  "pip install 'gradviz-teach[jupyter]' (showing the frames as static figures)")
# the widget's module: the page's script, mounted in the cell with its own key handling
ESM = SCRIPT + """
export default {
  render({ model, el }) {
    el.tabIndex = 0;
    const go = gradvizMount(el, model.get("data"), el);
    model.on("change:data", () => { gradvizMount(el, model.get("data"), el); });
    return () => { el.innerHTML = ""; void go; };
  }
};
"""


class Frames:
    """The static fallback: every frame's SVG under its sentence."""

    def __init__(self, data: dict, hint: str = INSTALL_WIDGET) -> None:
        self.data, self.hint = data, hint

    def __len__(self) -> int:
        return len(self.data["svgs"])

    def __repr__(self) -> str:
        return f"<{len(self)} frames of {self.data['title']}: {self.hint}>"

    def _repr_html_(self) -> str:
        parts = [f"<p><em>{html.escape(self.hint)}</em></p>"]
        for i, (cap, svg) in enumerate(zip(self.data["captions"], self.data["svgs"])):
            parts.append(f"<figure><figcaption>{i}. {html.escape(cap)}</figcaption>{svg}"
                         "</figure>")
        return "\n".join(parts)


def _widget_class() -> Any:
    import anywidget
    import traitlets

    class StepWidget(anywidget.AnyWidget):
        """Backprop step by step: ← → keys or buttons; hover or Tab to a node."""

        _esm = ESM
        _css = STYLE
        data = traitlets.Dict().tag(sync=True)

    return StepWidget


def step(trace: Trace, options: Options | None = None, **kw: Any) -> Any:
    """Step through backprop on ``trace``: a Jupyter widget (or its static frames).

    Keyword arguments are :class:`~gradviz.views.model.Options` fields (``theme``,
    ``fit``, ``rankdir``, ...), as for the slide frames.

    Examples
    --------
    >>> import gradviz
    >>> view = gradviz.step(gradviz.evaluate(gradviz.example("xyz")))
    >>> len(view.data["svgs"]) == len(gradviz.story(gradviz.evaluate(gradviz.example("xyz")))) + 1
    True
    """
    if not isinstance(trace, Trace):
        raise GradvizError("gradviz.step draws an evaluated trace: "
                           "pass gradviz.evaluate(graph)")
    data = frame_svgs(trace, options or Options(**kw))
    try:
        cls = _widget_class()
    except ImportError:
        return Frames(data)
    return cls(data=data)
