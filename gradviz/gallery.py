"""``gradviz gallery``: a page per built-in example, written into one folder."""

from __future__ import annotations

from pathlib import Path

from ._errors import GradvizError
from ._format import fmt_value
from .answers import asked
from .evaluate import Trace, evaluate
from .graph import Graph
from .library import example, examples

__all__ = ["build_gallery", "example_page"]


def _md(text: str) -> str:
    return text.replace("|", "\\|")


FIGURES = (("blank", "The problem: structure and given values"),
           ("values", "Forward pass: every value"),
           ("grads", "Backward pass: every gradient (∇) and each wire's contribution"),
           ("all", "Values and gradients"))


def fan_out_node(graph: Graph) -> str | None:
    """The computed node with the most consumers: where "sum over all paths" shows best."""
    best = [(graph.nx.out_degree(n), -i, n) for i, n in enumerate(graph.order)
            if graph.kind(n) == "op" and not graph.nx.nodes[n].get("generated")]
    best = [b for b in best if b[0] > 1]
    return max(best)[2] if best else None


def example_figures(trace: Trace, folder: Path) -> list[tuple[str, str]]:
    """Write the example's SVG figures and slide frames; returns (file, caption) pairs."""
    from .figure import Options
    from .frames import write_frames
    from .render import render

    out = []
    for show, caption in FIGURES:
        render(trace, folder / f"{show}.svg", Options(show=show))
        out.append((f"{show}.svg", caption))
    hub = fan_out_node(trace.graph)
    if hub:
        render(trace, folder / f"paths_{hub}.svg", Options(show="grads", highlight=hub))
        out.append((f"paths_{hub}.svg", f"Every path from the loss to {hub}: its gradient "
                                         "is the sum over them"))
    if trace.graph.nx.number_of_nodes() <= Options().fold_limit:
        write_frames(trace, folder / "frames")
    return out


def example_page(name: str, figures: list[tuple[str, str]] = ()) -> str:
    """The Markdown page of one example: source, figures, graph file, answer table, trace."""
    graph = example(name)
    trace = evaluate(graph)
    lines = [f"# {graph.title or name}", "", f"`{name}` — {graph.source}", ""]
    for file, caption in figures:
        lines += [f"**{caption}**", "", f"![{caption}]({name}/{file})", ""]
    if figures:
        lines += [f"Step by step, as slides: [`{name}/frames/index.html`]({name}/frames/index.html)"
                  " (built by `gradviz gallery`, not committed)", ""]
    lines += ["## Graph file", "", "```", graph.text.rstrip("\n"), "```", "",
              "## Answer table", "", "| quantity | value |", "|---|---|"]
    for q, v in asked(trace):
        lines.append(f"| {_md(q)} | {fmt_value(v) if v is not None else '—'} |")
    lines += ["", f"## Every value and gradient (∂{trace.loss}/∂node)", "",
              "| node | computed as | value | gradient |", "|---|---|---|---|"]
    for n in trace.order:
        grad = trace.grad(n)
        how = graph.expr(n) if graph.kind(n) == "op" else graph.kind(n)
        lines.append(f"| {_md(n)} | {_md(how)} | {fmt_value(trace.value(n))} | "
                     f"{'—' if grad is None else fmt_value(grad)} |")
    return "\n".join(lines) + "\n"


def build_gallery(out: Path, only: list[str] | None = None) -> int:
    """Write ``out/<example>.md`` with its figures in ``out/<example>/`` for every (or the
    chosen) example, and the index ``out/README.md``.

    Returns the exit code: 0 when every page was built, 1 when some failed.
    """
    names = examples()
    unknown = sorted(set(only or ()) - set(names))
    if unknown:
        raise GradvizError(f"no built-in example {', '.join(unknown)}; see `gradviz list`")
    chosen = [n for n in names if not only or n in only]
    out.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in chosen:
        try:
            figures = example_figures(evaluate(example(name)), out / name)
            page = example_page(name, figures)
        except GradvizError as e:  # one failing example must not stop the rest
            failed.append(f"{name}: {e}")
            continue
        _write(out / f"{name}.md", page)
        print(f"  built {out / (name + '.md')}")
    index = ["# gradviz gallery", "", "Every built-in example, evaluated forward and backward "
             "in float64.", "", "| example | title | source |", "|---|---|---|"]
    for name in names:
        g = example(name)
        index.append(f"| [{name}]({name}.md) | {_md(g.title)} | {_md(g.source)} |")
    _write(out / "README.md", "\n".join(index) + "\n")
    print(f"gallery: {len(chosen) - len(failed)} built, {len(failed)} failed -> {out}/README.md")
    for f in failed:
        print(f"  failed {f}")
    return 1 if failed else 0


def _write(path: Path, text: str) -> None:
    """Write only when the content changed, so an unchanged gallery stays untouched."""
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
