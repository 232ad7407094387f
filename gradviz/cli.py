"""The ``gradviz`` command line: list, ops, eval, mlp, gallery.

Every :class:`~gradviz.GradvizError` is printed as ``file:line:col: message`` on stderr
with exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from gradviz.core.errors import GradvizError

EPILOG = """examples:
  gradviz list
  gradviz eval interesting
  gradviz eval mlp --set X1=2 --set W1=[0.5,-1] --json
  gradviz eval my_graph.grad
  gradviz render interesting --show blank -o problem.svg
  gradviz render interesting --frames slides/
  gradviz solve interesting --format tex -o key.tex
  gradviz check interesting answers.csv
  gradviz generate interesting --seed 7 --count 3 -o variants/
  gradviz animate interesting -o interesting.mp4
  gradviz plot relu sigmoid --derivative -o derivatives.png
  gradviz mlp 3 4 1 --activation tanh > net.grad
  gradviz gallery -o gallery
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 failed items, 2 bad input)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args) or 0
    except GradvizError as e:
        print(f"gradviz: {e}" if e.source is None else str(e), file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gradviz", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Computational graphs that teach backpropagation: evaluate graph files "
                    "and the built-in course examples, forward and backward, in float64.",
        epilog=EPILOG)
    from gradviz import __version__

    p.add_argument("--version", action="version", version=f"gradviz {__version__}")
    sub = p.add_subparsers(title="commands", metavar="COMMAND")

    s = sub.add_parser("list", help="list the built-in examples with their titles and sources",
                       description="List the built-in examples: the graphs of the seed course "
                                   "problems, each with its title and source. Use a name "
                                   "wherever a command takes NAME|FILE, e.g. `gradviz eval "
                                   "interesting`.")
    s.set_defaults(func=_list)

    s = sub.add_parser("ops", help="print the op table: symbols, derivatives, kink conventions",
                       description="Print every op of the op table with its display symbol, "
                                   "forward formula, local derivative per operand, parameters "
                                   "and the convention it takes at kinks (relu'(0) = 0, ties "
                                   "split ½/½, ...).")
    s.add_argument("--markdown", action="store_true", help="as a Markdown table")
    s.set_defaults(func=_ops)

    s = sub.add_parser(
        "eval", help="print every node's value and gradient",
        description="Evaluate a graph forward and backward and print each node's value and "
                    "gradient (∂loss/∂node). NAME is a built-in example (see `gradviz "
                    "list`) or a graph file.")
    s.add_argument("graph", metavar="NAME|FILE")
    _set_option(s, "override a leaf value, e.g. --set X1=2 or --set W1=[1,-1] (repeatable)")
    s.add_argument("--json", action="store_true",
                   help='print one JSON object {"loss", "values", "grads"}')
    s.add_argument("--digits", type=int, default=4, help="significant digits (default 4)")
    s.set_defaults(func=_eval)

    s = sub.add_parser(
        "render", help="draw a graph: blank, with values, with gradients; DOT, SVG, PNG, PDF, "
                       "JSON; slide frames",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Draw a graph with Graphviz. The format follows OUT's extension: .dot, "
                    ".svg, .png, .pdf, or .json (the canonical spec to snapshot-test).",
        epilog="examples:\n"
               "  gradviz render interesting --show blank -o problem.svg\n"
               "  gradviz render interesting --show all --highlight H1 -o paths.pdf\n"
               "  gradviz render mlp --style table --theme dark -o mlp.png --dpi 200\n"
               "  gradviz render interesting --frames slides/   # open slides/index.html")
    s.add_argument("graph", metavar="NAME|FILE")
    s.add_argument("-o", "--output", metavar="OUT", help="output file (.dot .svg .png .pdf .json)")
    s.add_argument("--show", choices=("blank", "values", "grads", "all"), default="all",
                   help="blank: the problem; values: forward pass; grads: gradients; all: "
                        "both (default)")
    s.add_argument("--style", choices=("textbook", "table"), default="textbook",
                   help="textbook: op circles, values above and gradients below each wire "
                        "(default); table: a name|value|grad box per value")
    _theme_option(s, "light")
    s.add_argument("--rankdir", choices=("LR", "TB"), default="LR",
                   help="left-to-right (default) or top-to-bottom")
    s.add_argument("--highlight", metavar="NODE",
                   help="emphasise every path from the loss to NODE")
    s.add_argument("--edge-labels", action="store_true",
                   help="also label each edge with its local derivative")
    s.add_argument("--digits", type=int, default=4, help="significant digits (default 4)")
    s.add_argument("--font", default="Helvetica", help="font name (default Helvetica)")
    s.add_argument("--fontsize", type=float, default=12.0, help="font size (default 12)")
    s.add_argument("--fold", choices=("auto", "always", "never"), default="auto",
                   help="fold to layer level: auto above 300 nodes (default)")
    s.add_argument("--dpi", type=float, help="resolution of .png output")
    s.add_argument("--frames", metavar="DIR",
                   help="write one SVG per backprop step and an index.html pager into DIR")
    _set_option(s, "override a leaf value (repeatable)")
    s.set_defaults(func=_render)

    s = sub.add_parser(
        "animate", help="render a backprop video with Manim (.mp4, .gif, or .png still)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Animate backprop on a graph: it appears, values fill in node by node, "
                    "the loss is computed, gradients travel back edge by edge with the chain "
                    "rule on screen, sums form where paths meet, and the answer table closes. "
                    "Needs manim: pip install 'gradviz[video]'.",
        epilog="examples:\n"
               "  gradviz animate interesting -o interesting.mp4\n"
               "  gradviz animate mlp --quality high --theme light -o mlp.mp4\n"
               "  gradviz animate interesting --focus H1 -o paths_to_H1.gif\n"
               "  gradviz animate xyz -o xyz.png            # the final frame, for slides")
    s.add_argument("graph", metavar="NAME|FILE")
    s.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="output file: .mp4, .gif, .webm, .mov, or .png (last frame)")
    _quality_option(s)
    s.add_argument("--tex", action="store_true", help="typeset names and the chain rule with "
                   "LaTeX (MathTex); needs a LaTeX installation")
    _theme_option(s, "dark")
    s.add_argument("--seconds-per-step", type=float, default=0.8, metavar="S",
                   help="duration of each step (default 0.8)")
    s.add_argument("--pause-at-loss", type=float, default=1.0, metavar="S",
                   help="pause after the loss is computed (default 1)")
    s.add_argument("--skip-forward", action="store_true",
                   help="start with all values shown; animate only the backward pass")
    s.add_argument("--focus", metavar="NODE",
                   help="animate only the paths from the loss to NODE")
    s.add_argument("--no-table", action="store_true", help="leave out the final answer table")
    s.add_argument("--fold", choices=("auto", "always", "never"), default="auto",
                   help="fold large graphs to layer level (default auto)")
    s.set_defaults(func=_animate)

    s = sub.add_parser(
        "plot", help="plot activations beside their exact derivatives (.png or video)",
        description="Plot activation functions with Manim: f beside its exact derivative "
                    "f' from the op table (never numerical), with a moving tangent when "
                    "animated. Several activations with --derivative: their derivatives "
                    "side by side.")
    s.add_argument("activations", nargs="+", metavar="ACTIVATION",
                   help="op names: sigmoid tanh relu leaky_relu softplus gelu gelu_tanh elu "
                        "silu identity")
    s.add_argument("-o", "--output", required=True, metavar="OUT",
                   help=".png (final frame) or .mp4/.gif")
    s.add_argument("--derivative", action="store_true",
                   help="compare the derivatives of all the given activations on one plot")
    s.add_argument("--animate", action="store_true",
                   help="move a point and its tangent along f (videos; default for .mp4)")
    s.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="activation parameter, e.g. --param slope=0.1")
    _quality_option(s)
    _theme_option(s, "dark")
    s.set_defaults(func=_plot)

    s = sub.add_parser(
        "solve", help="write the worked, step-by-step solution and the answer table",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Write the solution a course asks for: the forward pass one line per "
                    "node with numbers substituted, the loss, the backward pass with the "
                    "chain rule summed over every path and the branch taken at every kink, "
                    "and the answer table in the problem's order.",
        epilog="examples:\n  gradviz solve interesting\n"
               "  gradviz solve mlp --format tex -o key/mlp.tex   # figures beside it\n"
               "  gradviz solve my_graph.grad --format html -o solution.html")
    s.add_argument("graph", metavar="NAME|FILE")
    s.add_argument("--format", choices=("md", "tex", "html", "json"), default=None,
                   help="output format (default: from -o's extension, else md)")
    s.add_argument("-o", "--output", metavar="OUT", help="write to a file (default: stdout)")
    s.add_argument("--no-figures", action="store_true",
                   help="do not write the figures beside OUT")
    _set_option(s, "override a leaf value (repeatable)")
    s.set_defaults(func=_solve)

    s = sub.add_parser(
        "check", help="check a student's answer table and explain the wrong cells",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Compare a student's answers with the right ones, cell by cell, "
                    "rounding-aware (0.6225 for 0.62246 is right), and explain each wrong "
                    "cell by the classic mistakes: a path left out of a sum, a sign error, "
                    "the wrong branch at a kink or min/max, or an error inherited from an "
                    "earlier wrong cell. Exit code 0 when all are right, 1 otherwise.",
        epilog="ANSWERS is CSV/TSV (a header row of names and a row of values, or rows of "
               "name,value), JSON {\"name\": value}, YAML-style `name: value` lines, or a "
               "Markdown table. Names as students write them: ∇H_5, \\nabla \\mathbf{W}_1, "
               "dL/dW1, Yhat, Ŷ; vectors as [a, b].")
    s.add_argument("graph", metavar="NAME|FILE")
    s.add_argument("answers", metavar="ANSWERS")
    s.add_argument("--rtol", type=float, default=1e-6, help="relative tolerance (default 1e-6)")
    s.add_argument("--atol", type=float, default=1e-9, help="absolute tolerance (default 1e-9)")
    s.add_argument("--json", action="store_true", help="machine-readable report")
    _set_option(s, "the values the student's problem used, if not the defaults")
    s.set_defaults(func=_check)

    s = sub.add_parser(
        "generate", help="make new variants of a problem with problem sheets and answer keys",
        description="Draw new leaf values (small integers and halves by default) that keep "
                    "the problem good: no kinks or ties within a margin, no division by "
                    "values near zero, the original's branch at every min/max, values of "
                    "reasonable size. Writes, per variant, problem.md (blank figure and the "
                    "quantities asked), answer_key.md (annotated figure and worked solution) "
                    "and graph.grad. The same seed gives the same variants.")
    s.add_argument("graph", metavar="NAME|FILE")
    s.add_argument("--seed", type=int, required=True, help="random seed (reproducible)")
    s.add_argument("--count", type=int, default=1, help="number of variants (default 1)")
    s.add_argument("--range", type=float, nargs=2, default=(-3.0, 3.0), metavar=("LO", "HI"),
                   help="value range (default -3 3)")
    s.add_argument("--step", type=float, default=0.5, help="value grid step (default 0.5)")
    s.add_argument("--margin", type=float, default=0.25,
                   help="distance kept from kinks, ties and zero divisors (default 0.25)")
    s.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder")
    s.set_defaults(func=_generate)

    s = sub.add_parser(
        "mlp", help="print the graph file of a generated MLP",
        description="Generate a seeded MLP and print it as a graph file.")
    s.add_argument("sizes", type=int, nargs="+", help="layer widths, inputs first: 3 4 1")
    s.add_argument("--activation", default="relu", help="hidden activation (default relu)")
    s.add_argument("--output", default="identity", help="output activation (default identity)")
    s.add_argument("--loss", default="mse", help="loss op (default mse)")
    s.add_argument("--granularity", choices=("neuron", "layer"), default="neuron",
                   help="one node per neuron (default) or per layer")
    s.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    s.set_defaults(func=_mlp)

    s = sub.add_parser(
        "gallery", help="build the gallery of every built-in example (index.html)",
        description="Build, for every built-in example, its figures (blank, values, "
                    "gradients, highlighted paths; SVG and PNG), slide frames, worked "
                    "solution (HTML, Markdown, LaTeX), answer table and backprop video; then "
                    "the activation plots, one generated problem variant, and index.html. "
                    "Incremental (unchanged outputs are not rebuilt) and parallel.")
    s.add_argument("-o", "--output", default="gallery", metavar="DIR",
                   help="output folder (default gallery)")
    s.add_argument("--only", action="append", metavar="NAME",
                   help="build only this example (repeatable)")
    s.add_argument("--no-video", action="store_true",
                   help="skip the videos (no manim needed; much faster)")
    _quality_option(s)
    s.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="parallel workers (default: the number of cores)")
    s.set_defaults(func=_gallery)
    return p


def _set_option(s: argparse.ArgumentParser, help_text: str) -> None:
    s.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help=help_text)


def _theme_option(s: argparse.ArgumentParser, default: str) -> None:
    s.add_argument("--theme", choices=("light", "dark", "print", "colorblind"),
                   default=default, help=f"colours (default {default}; print is grayscale, "
                                         "colorblind uses the Okabe-Ito palette)")


def _quality_option(s: argparse.ArgumentParser) -> None:
    s.add_argument("--quality", choices=("low", "medium", "high", "4k"), default="low",
                   help="video quality: 480p15, 720p30, 1080p60 or 2160p60 (default low)")


def _list(args) -> int:
    from gradviz.core.library import example, examples

    for name in examples():
        g = example(name)
        print(f"{name:36} {g.title}")
        print(f"{'':36} {g.source}")
    return 0


def _ops(args) -> int:
    from gradviz.views.optable import op_table

    print(op_table(markdown=args.markdown))
    return 0


def _eval(args) -> int:
    from gradviz.core.evaluate import evaluate
    from gradviz.core.format import canonical, fmt_value
    from gradviz.core.library import resolve

    graph = resolve(args.graph)
    trace = evaluate(graph, _overrides(args.set))
    if args.json:
        out = {"loss": trace.loss,
               "values": {n: canonical(trace.value(n)) for n in trace.order},
               "grads": {n: canonical(trace.grad(n)) for n in trace.order
                         if trace.grad(n) is not None}}
        print(json.dumps(out, ensure_ascii=False))
        return 0
    rows = [("node", "kind", "value", f"∂{trace.loss}/∂node")]
    for n in trace.order:
        grad = trace.grad(n)
        kind = graph.kind(n) if graph.kind(n) != "op" else graph.nx.nodes[n]["op"]
        rows.append((n, kind, fmt_value(trace.value(n), args.digits),
                     "—" if grad is None else fmt_value(grad, args.digits)))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    if graph.title:
        print(graph.title)
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[3])
    return 0


def _overrides(items: list[str]) -> dict:
    from gradviz.core.parse import parse_value

    out = {}
    for item in items:
        name, eq, text = item.partition("=")
        if not eq:
            raise GradvizError(f"--set needs NAME=VALUE, got {item!r}")
        out[name.strip()] = parse_value(text, what=f"--set {name.strip()}")
    return out


def _render(args) -> int:
    from gradviz.core.library import resolve
    from gradviz.views.figure import Options

    if not args.output and not args.frames:
        raise GradvizError("say where to draw: -o OUT (.svg .png .pdf .dot .json) and/or "
                           "--frames DIR")
    graph = resolve(args.graph)
    opts = Options(show=args.show, style=args.style, theme=args.theme, rankdir=args.rankdir,
                   highlight=args.highlight, edge_labels=args.edge_labels, digits=args.digits,
                   font=args.font, fontsize=args.fontsize, fold=args.fold)
    overrides = _overrides(args.set)
    needs_trace = args.frames or args.show != "blank" or overrides
    obj = graph
    if needs_trace:
        from gradviz.core.evaluate import evaluate

        obj = evaluate(graph, overrides)
    if args.output:
        from gradviz.views.render import render

        path = render(obj, args.output, opts, dpi=args.dpi)
        print(f"wrote {path}")
    if args.frames:
        from gradviz.views.frames import write_frames

        paths = write_frames(obj, args.frames, opts)
        print(f"wrote {len(paths)} frames and {Path(args.frames) / 'index.html'}")
    return 0


def _animate(args) -> int:
    from gradviz.core.library import resolve
    from gradviz.views.video import BackpropScene, VideoOptions, render_scene

    graph = resolve(args.graph)
    if args.focus and args.focus not in graph.nx:
        raise GradvizError(f"--focus {args.focus!r}: no such node")
    if args.tex:
        from gradviz.views.video import require_tex

        require_tex()
    video = VideoOptions(theme=args.theme, tex=args.tex, seconds_per_step=args.seconds_per_step,
                         pause_at_loss=args.pause_at_loss, skip_forward=args.skip_forward,
                         focus=args.focus, answer_table=not args.no_table, fold=args.fold)
    out = render_scene(BackpropScene, args.output, args.quality, graph=graph, video=video)
    print(f"wrote {out}")
    return 0


def _plot(args) -> int:
    from gradviz.core.ops import ACTIVATIONS
    from gradviz.views.video import ActivationScene, CompareDerivativesScene, render_scene

    for a in args.activations:
        if a not in ACTIVATIONS:
            raise GradvizError(f"unknown activation {a!r}; choose from {', '.join(ACTIVATIONS)}")
    params = {}
    for item in args.param:
        k, eq, v = item.partition("=")
        try:
            params[k.strip()] = float(v)
        except ValueError:
            raise GradvizError(f"--param needs NAME=NUMBER, got {item!r}") from None
    still = args.output.lower().endswith(".png")
    if args.derivative or len(args.activations) > 1:
        out = render_scene(CompareDerivativesScene, args.output, args.quality,
                           activations=args.activations, theme=args.theme)
    else:
        from gradviz.core.ops import OPS

        allowed = OPS[args.activations[0]].param_defaults()
        unknown = sorted(set(params) - set(allowed))
        if unknown:
            raise GradvizError(f"{args.activations[0]} has no parameter {unknown[0]!r}"
                               + (f"; it takes {', '.join(allowed)}" if allowed else ""))
        out = render_scene(ActivationScene, args.output, args.quality,
                           activation=args.activations[0], params=params, theme=args.theme,
                           animate_point=args.animate or not still)
    print(f"wrote {out}")
    return 0


def _solve(args) -> int:
    from gradviz.core.evaluate import evaluate
    from gradviz.core.library import resolve
    from gradviz.views.solve import write_solution

    out = Path(args.output) if args.output else None
    fmt = args.format or (out.suffix.lstrip(".").lower() if out and out.suffix else "md")
    fmt = {"markdown": "md", "htm": "html", "latex": "tex"}.get(fmt, fmt)
    trace = evaluate(resolve(args.graph), _overrides(args.set))
    text = write_solution(trace, fmt, out, figures=not args.no_figures)
    if out is None:
        sys.stdout.write(text)
    else:
        print(f"wrote {out}")
    return 0


def _check(args) -> int:
    from gradviz.core.evaluate import evaluate
    from gradviz.core.library import resolve
    from gradviz.teaching.check import check, load_answers

    trace = evaluate(resolve(args.graph), _overrides(args.set))
    report = check(trace, load_answers(args.answers), rtol=args.rtol, atol=args.atol)
    print(report.as_json() if args.json else report.text())
    return 0 if report.ok else 1


def _generate(args) -> int:
    from gradviz.core.library import resolve
    from gradviz.teaching.generate import Rules, variants, write_variant

    rules = Rules(low=args.range[0], high=args.range[1], step=args.step, margin=args.margin)
    out = Path(args.output)
    for g in variants(resolve(args.graph), args.seed, args.count, rules):
        write_variant(g, out / g.name)
        print(f"wrote {out / g.name}/problem.md and answer_key.md")
    return 0


def _mlp(args) -> int:
    from gradviz.core.library import mlp

    g = mlp(args.sizes, activation=args.activation, output=args.output, loss=args.loss,
            granularity=args.granularity, seed=args.seed)
    sys.stdout.write(g.to_text())
    return 0


def _gallery(args) -> int:
    from gradviz.gallery import build_gallery

    return build_gallery(Path(args.output), only=args.only, video=not args.no_video,
                         quality=args.quality, jobs=args.jobs)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
