"""``gradviz gallery``: a page per built-in example, written into one folder."""

from __future__ import annotations

from pathlib import Path

from ._format import fmt_value
from .answers import asked
from .evaluate import evaluate
from .library import example, examples

__all__ = ["build_gallery", "example_page"]


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def example_page(name: str) -> str:
    """The Markdown page of one example: source, graph file, answer table, full trace."""
    graph = example(name)
    trace = evaluate(graph)
    lines = [f"# {graph.title or name}", "", f"`{name}` — {graph.source}", "",
             "## Graph file", "", "```", graph.text.rstrip("\n"), "```", "",
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
    """Write ``out/<example>.md`` for every (or the chosen) example and ``out/README.md``.

    Returns the exit code: 0 when every page was built, 1 when some failed.
    """
    names = examples()
    unknown = sorted(set(only or ()) - set(names))
    if unknown:
        from ._errors import GradvizError

        raise GradvizError(f"no built-in example {', '.join(unknown)}; see `gradviz list`")
    chosen = [n for n in names if not only or n in only]
    out.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in chosen:
        try:
            page = example_page(name)
        except Exception as e:  # one failing example must not stop the rest
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
