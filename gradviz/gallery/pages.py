"""The gallery's pages: ``index.html``, one page per example, and each example's
Markdown table of values. Static, no external assets, works from ``file://``."""

from __future__ import annotations

from pathlib import Path

from gradviz.core.escape import html as escape_html
from gradviz.core.escape import markdown
from gradviz.core.evaluate import Trace, evaluate
from gradviz.core.files import write_if_changed
from gradviz.core.format import MINUS, fmt_value
from gradviz.core.library import example, example_text, examples
from gradviz.core.names import plain
from gradviz.gallery.tasks import COMPARE, FIGURES, VARIANT, fan_out_node
from gradviz.views.answers import asked, quantity_label

__all__ = ["values_page", "write_pages"]

def values_page(trace: Trace) -> str:
    """Markdown: the answer table, then every node's value and gradient.

    Examples
    --------
    >>> from gradviz import evaluate, example
    >>> values_page(evaluate(example("xyz"))).splitlines()[0]
    '# a = x\\\\*y \\\\+ z'
    """
    g = trace.graph
    lines = [f"# {markdown(g.title or g.name)}", "", markdown(g.source), "", "## Answer table",
             "", "| quantity | value |", "|---|---|"]
    for q, v in asked(trace):
        lines.append(f"| {markdown(quantity_label(q))} | {'—' if v is None else fmt_value(v)} |")
    lines += ["", f"## Every value and gradient (∂{markdown(plain(trace.loss))}/∂node)", "",
              "| node | computed as | value | gradient |", "|---|---|---|---|"]
    for n in trace.order:
        grad = trace.grad(n)
        how = g.expr(n, show=plain, pretty=True) if g.kind(n) == "op" else g.kind(n)
        lines.append(f"| {markdown(plain(n))} | {markdown(how)} | {fmt_value(trace.value(n))}"
                     f" | {'—' if grad is None else fmt_value(grad)} |")
    return "\n".join(lines) + "\n"


CSS = """
body{font-family:system-ui,-apple-system,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header,main,footer{max-width:72rem;margin:0 auto;padding:1rem 1.5rem}
a{color:#0b5cad}a:focus,button:focus{outline:3px solid #e08600;outline-offset:2px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:1rem;
padding:0;list-style:none}
.card{background:white;border:1px solid #ddd;border-radius:.6rem;padding:.8rem}
.card img{width:100%;height:9rem;object-fit:contain;background:white}
.card h3{margin:.4rem 0 .2rem;font-size:1.05rem}.card p{margin:0;font-size:.85rem;color:#555}
figure{margin:1rem 0;background:white;border:1px solid #e3e3e3;border-radius:.5rem;
padding:.6rem}figure img,video{max-width:100%;height:auto}
figcaption{font-size:.9rem;color:#444;margin-top:.4rem}
pre{background:#f0f0f0;padding:.8rem;overflow-x:auto;border-radius:.4rem}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .6rem}
.solution code{font-size:1rem}.note{color:#666;font-style:italic}
nav.pager{display:flex;justify-content:space-between;gap:1rem}
"""


def _page(title: str, body: str, up: str = "") -> str:
    back = f'<p><a href="{up}index.html">← all examples</a></p>' if up else ""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape_html(title)}</title><style>{CSS}</style></head>\n"
            f"<body><header>{back}<h1>{escape_html(title)}</h1></header>\n<main>\n{body}\n"
            f"</main><footer><p class=\"note\">Made with gradviz.</p></footer></body></html>\n")


def _solution_body(folder: Path) -> str:
    page = folder / "solution.html"
    if not page.exists():
        return '<p class="note">The solution was not built.</p>'
    text = page.read_text(encoding="utf-8")
    body = text.split("<body>", 1)[-1].rsplit("</body>", 1)[0]
    return body.replace("<h1>", "<h2>").replace("</h1>", "</h2>")


def _example_page(out: Path, name: str, prev: str | None, nxt: str | None, video: bool) -> str:
    g = example(name)
    folder = out / name
    e = escape_html
    parts = [f"<p>{e(g.source)}</p>"]
    parts.append("<h2>Figures</h2>")
    for show, caption in FIGURES:
        if (folder / f"{show}.svg").exists():
            png = (f' <a href="{show}.png">PNG for slides (1920×1080)</a>'
                   if (folder / f"{show}.png").exists() else "")
            parts.append(f'<figure><img src="{show}.svg" alt="{e(caption)}: the computational '
                         f'graph of {e(g.title)}"><figcaption>{e(caption)}.{png}</figcaption>'
                         "</figure>")
    hub = fan_out_node(g)
    if hub and (folder / "paths.svg").exists():
        parts.append(f'<figure><img src="paths.svg" alt="Every path from the loss to {e(hub)} '
                     f'highlighted"><figcaption>Every path from the loss to {e(plain(hub))}: '
                     "its gradient is the sum over them.</figcaption></figure>")
    if (folder / "frames" / "index.html").exists():
        parts.append('<p><a href="frames/index.html">Step by step, as slides</a> '
                     "(arrow keys to page; hover or Tab to a node for its chain rule).</p>")
    parts.append("<h2>Video</h2>")
    if video and (folder / "backprop.mp4").exists():
        parts.append('<figure><video controls preload="metadata" poster="poster.png" '
                     f'aria-label="Backpropagation on {e(g.title)}">'
                     '<source src="backprop.mp4" type="video/mp4">'
                     '<track kind="captions" src="backprop.vtt" srclang="en" label="English" '
                     "default></video><figcaption>The forward pass node by node, then the "
                     "gradients edge by edge with the chain rule.</figcaption></figure>")
    else:
        parts.append('<p class="note">Videos were not built (gallery --no-video).</p>')
    parts.append('<h2>Worked solution</h2><div class="solution">' + _solution_body(folder)
                 + '</div><p>Also as <a href="solution.md">Markdown</a> and '
                 '<a href="solution.tex">LaTeX</a>; every value and gradient: '
                 '<a href="values.md">values.md</a>.</p>')
    parts.append('<h2>Graph file</h2><p><a href="graph.grad">graph.grad</a> — copy it, change '
                 f"it, and run <code>gradviz solve graph.grad</code>.</p><pre>"
                 f"{e(example_text(name))}</pre>")
    links = [f'<a href="../{prev}/index.html">← {e(prev)}</a>' if prev else "<span></span>",
             f'<a href="../{nxt}/index.html">{e(nxt)} →</a>' if nxt else "<span></span>"]
    parts.append(f'<nav class="pager" aria-label="examples">{"".join(links)}</nav>')
    return _page(g.title or name, "\n".join(parts), up="../")


def _index_page(out: Path, names: list[str], video: bool) -> str:
    from gradviz.core.ops import ACTIVATIONS

    e = escape_html
    cards = []
    for name in names:
        g = example(name)
        thumb = (f'<img src="{name}/blank.svg" alt="The graph of {e(g.title)}">'
                 if (out / name / "blank.svg").exists() else "")
        answers = ", ".join(f"{quantity_label(q)} = {fmt_value(v, minus=MINUS)}"
                            for q, v in asked(evaluate(g))[:2])
        cards.append(f'<li class="card"><a href="{name}/index.html">{thumb}<h3>{e(g.title)}'
                     f"</h3></a><p>{e(name)} — {e(answers)}</p></li>")
    acts = []
    for a in ACTIVATIONS:
        still = out / "activations" / f"{a}.png"
        if not still.exists():
            continue
        mp4 = out / "activations" / f"{a}.mp4"
        link = f'<a href="activations/{a}.mp4">video</a>' if video and mp4.exists() else ""
        acts.append(f'<li class="card"><img src="activations/{a}.png" alt="{e(a)} and its exact '
                    f'derivative"><h3>{e(a)}</h3><p>f and f′ {link}</p></li>')
    compare = "-".join(COMPARE)
    parts = ["<p>Every built-in example: figures for the problem sheet and the answer key, "
             "slides, a video, and the worked solution. Open one:</p>",
             '<h2>Examples</h2><ul class="cards">' + "".join(cards) + "</ul>"]
    if acts:
        parts.append('<h2>Activations and their exact derivatives</h2><ul class="cards">'
                     + "".join(acts) + "</ul>")
    if (out / "activations" / f"{compare}.png").exists():
        vid = (f' <a href="activations/{compare}.mp4">Video</a>.'
               if video and (out / "activations" / f"{compare}.mp4").exists() else "")
        parts.append(f'<figure><img src="activations/{compare}.png" alt="The derivatives of '
                     f'{", ".join(COMPARE)} side by side"><figcaption>Derivatives side by side: '
                     f"where gradients vanish.{vid}</figcaption></figure>")
    if (out / "variant" / "problem.md").exists():
        parts.append('<h2>A generated variant</h2><p>A new version of the "interesting" '
                     f"problem (seed {VARIANT[1]}): "
                     '<a href="variant/problem.md">problem sheet</a>, '
                     '<a href="variant/problem.svg">its figure</a>, '
                     '<a href="variant/answer_key.md">answer key</a>.</p>')
    return _page("gradviz gallery", "\n".join(parts))


def write_pages(out: Path, video: bool) -> None:
    names = [n for n in examples() if (out / n).is_dir()]
    for i, name in enumerate(names):
        prev = names[i - 1] if i else None
        nxt = names[i + 1] if i + 1 < len(names) else None
        write_if_changed(out / name / "index.html", _example_page(out, name, prev, nxt, video))
    write_if_changed(out / "index.html", _index_page(out, names, video))
    readme = ["# gradviz gallery", "", "Open [index.html](index.html) in a browser "
              "(it works from `file://`).", "", "| example | title |", "|---|---|"]
    readme += [f"| [{n}]({n}/index.html) | {example(n).title} |" for n in names]
    write_if_changed(out / "README.md", "\n".join(readme) + "\n")
