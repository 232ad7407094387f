"""The interactive step-through: slide frames paged with the keyboard or buttons, each
node's chain-rule sum shown on hover or keyboard focus.

One script (:data:`SCRIPT`) serves both the self-contained ``index.html`` that
:func:`~gradviz.views.frames.write_frames` writes (no external assets: it works from
``file://``) and the Jupyter widget of :func:`gradviz.step`. Its data
(:func:`step_data`) holds the frame SVGs, the step sentences, and for every node what a
tooltip says and from which frame on: its value, then one term per outgoing edge
(``∂L/∂H₁ = (−0.62 via H₃) + …``), each shown only once its step has come, so hovering
never gives an answer away early.
"""

from __future__ import annotations

import html
import json

from gradviz.views.model import Model
from gradviz.views.story import Story

__all__ = ["step_data", "page_html", "SCRIPT"]

def _node_info(st: Story, m: Model) -> dict[str, dict]:
    """For each drawn node: its name, and the frames its value, terms and sum appear in."""
    g = st.trace.graph
    reveal: dict[tuple, int] = {}
    for i, s in enumerate(st.steps):
        key = ("edge", *s.edge) if s.edge else (s.kind if s.kind != "loss" else "forward",
                                                s.node)
        reveal.setdefault(key, i + 1)
    loss = g.display_name(g.loss)
    names = {n.id: g.display_name(n.name) for n in m.nodes}
    terms: dict[str, list[dict]] = {}
    for e in m.edges:
        if e.contribution_text:
            terms.setdefault(e.src, []).append(
                {"via": names[e.dst], "text": e.contribution_text,
                 "at": max((reveal.get(("edge", *x), 0) for x in e.members), default=0)})
    info = {}
    for n in m.nodes:
        info[n.id] = {
            "name": names[n.id], "value": n.value_text,
            "value_at": 0 if g.is_leaf(n.name) else reveal.get(("forward", n.name), 0),
            "grad": n.grad_text, "grad_at": reveal.get(("grad", n.name),
                                                       reveal.get(("seed", n.name), 0)),
            "head": f"∂{loss}/∂{names[n.id]}", "terms": terms.get(n.id, [])}
    return info


def step_data(st: Story, m: Model, captions: list[str], svgs: list[str],
              title: str) -> dict:
    """What the page and the widget show: frames, sentences, and each node's sums."""
    return {"title": title, "captions": list(captions),
            "svgs": [svg[svg.find("<svg"):] if "<svg" in svg else svg for svg in svgs],
            "nodes": _node_info(st, m)}


SCRIPT = r"""
function gradvizMount(root, data, keys) {
  const frames = data.svgs, n = frames.length;
  root.classList.add("gradviz-step");
  root.innerHTML = '<nav aria-label="frames"><button class="prev" aria-label="previous step">' +
    '&larr;</button><span class="pos" aria-live="polite"></span><button class="next" ' +
    'aria-label="next step">&rarr;</button><span class="keys">arrow keys, Home, End; ' +
    'hover or Tab to a node for its chain rule</span></nav><figure class="frame"></figure>' +
    '<p class="caption" aria-live="polite"></p><div class="tip" role="tooltip" hidden></div>';
  const fig = root.querySelector(".frame"), tip = root.querySelector(".tip");
  let cur = 0;
  function say(id) {
    const d = data.nodes[id];
    if (!d) return "";
    const lines = [d.name + (d.value && d.value_at <= cur ? " = " + d.value : "")];
    if (d.grad) {
      const known = d.terms.map(t => t.at <= cur ? t.text + " via " + t.via : "? via " + t.via);
      let sum = d.head + " = " + (known.length > 1 ? known.map(k => "(" + k + ")").join(" + ")
                                                  : known.join(""));
      if (known.length > 1 || !known.length) sum += " = " + (d.grad_at <= cur ? d.grad : "?");
      lines.push(sum);
    }
    return lines.join("\n");
  }
  function hook() {
    fig.querySelectorAll("g.node").forEach(g => {
      const t = g.querySelector("title");
      let id = t ? t.textContent : "";
      if (t) t.remove();
      if (/^w\d+$/.test(id)) id = "n" + id.slice(1);
      if (!data.nodes[id]) return;
      g.setAttribute("tabindex", "0");
      g.setAttribute("role", "button");
      g.dataset.node = id;
      g.setAttribute("aria-label", data.nodes[id].name);
      const show = () => {
        tip.textContent = say(id);
        const r = g.getBoundingClientRect(), o = root.getBoundingClientRect();
        tip.style.left = (r.left - o.left) + "px";
        tip.style.top = (r.bottom - o.top + 4) + "px";
        tip.hidden = false;
      };
      const hide = () => { tip.hidden = true; };
      g.addEventListener("mouseenter", show);
      g.addEventListener("focus", show);
      g.addEventListener("mouseleave", hide);
      g.addEventListener("blur", hide);
    });
  }
  function show(i) {
    cur = Math.max(0, Math.min(n - 1, i));
    fig.innerHTML = frames[cur];
    root.querySelector(".caption").textContent = data.captions[cur];
    root.querySelector(".pos").textContent = "step " + cur + " / " + (n - 1);
    tip.hidden = true;
    hook();
  }
  root.querySelector(".prev").onclick = () => show(cur - 1);
  root.querySelector(".next").onclick = () => show(cur + 1);
  keys.addEventListener("keydown", e => {
    if (e.key === "ArrowRight" || e.key === "PageDown" || e.key === " ") show(cur + 1);
    else if (e.key === "ArrowLeft" || e.key === "PageUp") show(cur - 1);
    else if (e.key === "Home") show(0);
    else if (e.key === "End") show(n - 1);
    else return;
    e.preventDefault();
  });
  show(0);
  return show;
}
"""

STYLE = """
.gradviz-step { position: relative; font-family: system-ui, sans-serif; color: #222; }
.gradviz-step .frame svg { max-width: 100%; height: auto; }
.gradviz-step .caption { font-size: 1.3rem; margin: .6rem 0; font-family: ui-monospace,
  monospace; }
.gradviz-step nav { display: flex; gap: .6rem; align-items: center; margin: .6rem 0; }
.gradviz-step button { font-size: 1rem; padding: .2rem .8rem; }
.gradviz-step .keys { color: #555; font-size: .9rem; }
.gradviz-step g.node:focus { outline: 3px solid #e08600; }
.gradviz-step .tip { position: absolute; z-index: 2; background: #fffbe6; border: 1px solid
  #b58900; border-radius: .3rem; padding: .4rem .6rem; white-space: pre; font-size: 1.1rem;
  font-family: ui-monospace, monospace; box-shadow: 0 2px 6px rgba(0,0,0,.2); }
"""


def _script_json(data: dict) -> str:
    """JSON for a ``<script type="application/json">`` block (no ``</`` inside)."""
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/").replace("<!--", "\\u003c!--")


def page_html(data: dict) -> str:
    """A self-contained page (no external assets) that steps through the frames."""
    t = html.escape(data["title"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t} — backprop step by step</title>
<style>body {{ margin: 1rem 2rem; }}{STYLE}</style></head>
<body>
<h1>{t}</h1>
<main id="step"><noscript>This page steps through the frames with JavaScript; the frames
are also the files frame_*.svg beside it.</noscript></main>
<script type="application/json" id="gradviz-data">{_script_json(data)}</script>
<script>{SCRIPT}
gradvizMount(document.getElementById("step"),
             JSON.parse(document.getElementById("gradviz-data").textContent), document);
for (const k of ["prev", "next", "pos"]) document.querySelector("#step ." + k).id = k;
</script>
</body></html>
"""
