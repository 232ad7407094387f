"""``gradviz render | animate | plot``: figures, slide frames, videos and activation plots."""

from __future__ import annotations

import argparse
from pathlib import Path

from gradviz.cli._options import (
    at_least,
    overrides,
    positive,
    quality_option,
    set_option,
    theme_option,
)
from gradviz.core.errors import GradvizError

__all__ = ["configure"]

RENDER_EXAMPLES = """examples:
  gradviz render interesting --show blank -o problem.svg
  gradviz render interesting --show all --highlight H1 -o paths.pdf
  gradviz render mlp --style table --theme dark -o mlp.png --dpi 200
  gradviz render interesting --fit slide -o slide.png   # 1920×1080, text >= 24 px
  gradviz render interesting --frames slides/   # open slides/index.html"""
ANIMATE_EXAMPLES = """examples:
  gradviz animate interesting -o interesting.mp4
  gradviz animate mlp --quality high --theme light -o mlp.mp4
  gradviz animate interesting --focus H1 -o paths_to_H1.gif
  gradviz animate xyz -o xyz.png            # the fully annotated graph, for slides
  gradviz animate xyz --storyboard xyz.json # the scene as JSON, without rendering"""


def configure(name: str, s: argparse.ArgumentParser) -> None:
    """Add ``name``'s options to its parser."""
    {"render": _render_options, "animate": _animate_options, "plot": _plot_options}[name](s)


def _render_options(s: argparse.ArgumentParser) -> None:
    from gradviz.views.model import FITS, FOLDS, RANKDIRS, SHOWS, STYLES
    from gradviz.views.render import FORMATS

    s.description = ("Draw a graph with Graphviz. The format follows OUT's extension: "
                     + ", ".join("." + f for f in FORMATS)
                     + " (.json is the canonical spec to snapshot-test).")
    s.epilog = RENDER_EXAMPLES
    s.add_argument("graph", metavar="NAME|FILE")
    s.add_argument("-o", "--output", metavar="OUT",
                   help="output file (" + " ".join("." + f for f in FORMATS) + ")")
    s.add_argument("--show", choices=SHOWS, default="all",
                   help="blank: the problem; values: forward pass; grads: gradients; all: "
                        "both (default)")
    s.add_argument("--style", choices=STYLES, default="textbook",
                   help="textbook: op circles, values above and gradients below each wire "
                        "(default); table: a name|value|grad box per value")
    theme_option(s, "light")
    s.add_argument("--fit", choices=tuple(FITS), default="none",
                   help="lay out for a 16:9 slide, an A4 page or a US Letter page: text at "
                        "least 24 px at 1080p, filling the target (rank direction, leaves "
                        "and folding chosen for it); PNGs get the target's pixels")
    s.add_argument("--rankdir", choices=RANKDIRS, default="LR",
                   help="left-to-right (default) or top-to-bottom")
    s.add_argument("--highlight", metavar="NODE",
                   help="emphasise every path from the loss to NODE")
    s.add_argument("--edge-labels", action="store_true",
                   help="also label each edge with its local derivative")
    s.add_argument("--digits", type=at_least(1, 17), default=3,
                   help="significant digits of a typical number, 1 to 17 (default 3): one "
                        "number of decimals is chosen for the whole figure")
    s.add_argument("--decimals", type=at_least(0, 12), metavar="N",
                   help="places after the point, for every number of the figure")
    s.add_argument("--font", default="Helvetica", help="font name (default Helvetica)")
    s.add_argument("--fontsize", type=positive, default=14.0, help="font size (default 14)")
    s.add_argument("--fold", choices=FOLDS, default="auto",
                   help="never: every op; named: unnamed intermediates inside their named "
                        "node; always: layers of like nodes; auto: layers above 300 nodes "
                        "(default)")
    s.add_argument("--dpi", type=positive, help="resolution of .png output")
    s.add_argument("--frames", metavar="DIR",
                   help="write one SVG per backprop step and an interactive index.html into "
                        "DIR")
    set_option(s, "override a leaf value (repeatable)")
    s.set_defaults(run=_render)


def _animate_options(s: argparse.ArgumentParser) -> None:
    from gradviz.views.figure import FOLDS
    from gradviz.views.video.options import INSTALL_VIDEO, VideoOptions

    d = VideoOptions()
    s.description = ("Animate backprop on a graph: values fill in node by node, the loss is "
                     "computed, gradients travel back edge by edge with the chain rule on "
                     "screen, sums form where paths meet, and the answer table closes. Each "
                     "chain-rule line stays up as long as it takes to read. A graph too big "
                     "for the frame at readable sizes is followed with the camera, a huge one "
                     "folded to layers. Needs manim: " + INSTALL_VIDEO + ".")
    s.epilog = ANIMATE_EXAMPLES
    s.add_argument("graph", metavar="NAME|FILE")
    s.add_argument("-o", "--output", metavar="OUT",
                   help="output file: .mp4, .gif, .webm, .mov, or .png (the fully annotated "
                        "graph, for slides)")
    s.add_argument("--storyboard", metavar="FILE",
                   help="write the scene as JSON (every label's box, opacity and timing) to "
                        "FILE; with no -o nothing is rendered and manim is not needed")
    quality_option(s)
    s.add_argument("--tex", action="store_true", help="typeset node names with LaTeX "
                   "(MathTex); needs a LaTeX installation")
    theme_option(s, "dark")
    s.add_argument("--min-step", type=positive, default=d.min_step, metavar="S",
                   help=f"shortest time a step stays on screen (default {d.min_step:g} s)")
    s.add_argument("--reading-speed", type=positive, default=d.reading_speed, metavar="CPS",
                   help="characters a second the captions are paced for (default "
                        f"{d.reading_speed:g})")
    s.add_argument("--pause-at-loss", type=positive, default=d.pause_at_loss, metavar="S",
                   help=f"extra pause once the loss is computed (default {d.pause_at_loss:g})")
    s.add_argument("--skip-forward", action="store_true",
                   help="start with all values shown; animate only the backward pass")
    s.add_argument("--focus", metavar="NODE",
                   help="animate only the paths from the loss to NODE")
    s.add_argument("--no-table", action="store_true", help="leave out the final answer table")
    s.add_argument("--fold", choices=FOLDS, default="auto",
                   help="fold huge graphs to layers (default auto: above 300 nodes)")
    s.add_argument("--verbose", action="store_true", help="show Manim's progress and logs")
    set_option(s, "override a leaf value (repeatable)")
    s.set_defaults(run=_animate)


def _plot_options(s: argparse.ArgumentParser) -> None:
    from gradviz.core.ops import ACTIVATIONS

    s.description = ("Plot activation functions with Manim: f beside its exact derivative "
                     "f' from the op table (never numerical), with a moving tangent when "
                     "animated. Several activations with --derivative: their derivatives "
                     "side by side.")
    s.add_argument("activations", nargs="+", metavar="ACTIVATION",
                   help="op names: " + " ".join(ACTIVATIONS))
    s.add_argument("-o", "--output", required=True, metavar="OUT",
                   help=".png (final frame) or .mp4/.gif")
    s.add_argument("--derivative", action="store_true",
                   help="compare the derivatives of all the given activations on one plot")
    s.add_argument("--animate", action="store_true",
                   help="move a point and its tangent along f (videos; default for .mp4)")
    s.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="activation parameter, e.g. --param slope=0.1")
    quality_option(s)
    theme_option(s, "dark")
    s.add_argument("--verbose", action="store_true", help="show Manim's progress and logs")
    s.set_defaults(run=_plot)


def _render(args: argparse.Namespace) -> int:
    import sys

    from gradviz.core.evaluate import evaluate
    from gradviz.core.library import resolve
    from gradviz.views.model import Options

    if not args.output and not args.frames:
        raise GradvizError("say where to draw: -o OUT (.svg .png .pdf .dot .json) and/or "
                           "--frames DIR")
    if args.frames and Path(args.frames).exists() and not Path(args.frames).is_dir():
        raise GradvizError(f"--frames {args.frames}: that is a file; give a folder")
    if args.output:
        from gradviz.views.render import format_of

        format_of(Path(args.output))
    graph = resolve(args.graph)
    opts = Options(show=args.show, style=args.style, theme=args.theme, rankdir=args.rankdir,
                   highlight=args.highlight, edge_labels=args.edge_labels, digits=args.digits,
                   decimals=args.decimals, font=args.font, fontsize=args.fontsize,
                   fold=args.fold, fit=args.fit)
    values = overrides(args.set)
    needs_trace = args.frames or args.show != "blank" or values
    obj = evaluate(graph, values) if needs_trace else graph
    if args.output:
        from gradviz.views.dot import figure_model
        from gradviz.views.render import write

        model = figure_model(obj, opts)
        for note in model.notes:
            print(f"note: {note}", file=sys.stderr)
        print(f"wrote {write(model, args.output, args.dpi)}")
    if args.frames:
        from gradviz.views.frames import write_frames

        paths = write_frames(obj, args.frames, opts)  # type: ignore[arg-type]
        print(f"wrote {len(paths)} frames and {Path(args.frames) / 'index.html'}")
    return 0


def _animate(args: argparse.Namespace) -> int:
    from gradviz.core.evaluate import evaluate
    from gradviz.core.library import resolve
    from gradviz.views.video.options import QUALITIES, VideoOptions, require_manim, require_tex
    from gradviz.views.video.plan import plan
    from gradviz.views.video.render import EXTENSIONS, GIF_FPS
    from gradviz.views.video.storyboard import write_storyboard

    if not args.output and not args.storyboard:
        raise GradvizError("say what to write: -o OUT (" + " ".join(EXTENSIONS)
                           + ") and/or --storyboard FILE.json")
    ext = Path(args.output).suffix.lower() if args.output else ".mp4"
    if ext not in EXTENSIONS:
        raise GradvizError("video output must end in " + ", ".join(EXTENSIONS))
    graph = resolve(args.graph)
    if args.focus and args.focus not in graph:
        raise GradvizError(f"--focus {args.focus!r}: no such node")
    if args.tex and args.output:
        require_tex()
    video = VideoOptions(theme=args.theme, tex=args.tex, min_step=args.min_step,
                         reading_speed=args.reading_speed, pause_at_loss=args.pause_at_loss,
                         skip_forward=args.skip_forward, focus=args.focus,
                         answer_table=not args.no_table, fold=args.fold)
    q = QUALITIES[args.quality]
    trace = evaluate(graph, overrides(args.set))
    p = plan(trace, video, (q.width, q.height), GIF_FPS if ext == ".gif" else q.fps,
             still=ext == ".png")
    if args.storyboard:
        print(f"wrote {write_storyboard(p, args.storyboard)}")
    if args.output:
        require_manim()
        from gradviz.views.video.render import render_scene
        from gradviz.views.video.scenes import BackpropScene
        from gradviz.views.video.storyboard import cues

        out = render_scene(BackpropScene, args.output, args.quality, verbose=args.verbose,
                           cues=cues(p), plan=p, video=video)
        print(f"wrote {out}")
    return 0


def _params(items: list[str], activation: str) -> dict[str, float]:
    from gradviz.cli._options import finite
    from gradviz.core.ops import OPS

    params = {}
    for item in items:
        k, _, v = item.partition("=")
        try:
            params[k.strip()] = finite(v)
        except argparse.ArgumentTypeError:
            raise GradvizError(f"--param needs NAME=NUMBER, got {item!r}") from None
    allowed = OPS[activation].param_defaults()
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise GradvizError(f"{activation} has no parameter {unknown[0]!r}"
                           + (f"; it takes {', '.join(allowed)}" if allowed else ""))
    return params


def _plot(args: argparse.Namespace) -> int:
    from gradviz.core.ops import ACTIVATIONS
    from gradviz.views.video.options import require_manim

    require_manim()
    from gradviz.views.video.plots import ActivationScene, CompareDerivativesScene
    from gradviz.views.video.render import render_scene

    for a in args.activations:
        if a not in ACTIVATIONS:
            raise GradvizError(f"unknown activation {a!r}; choose from {', '.join(ACTIVATIONS)}")
    still = args.output.lower().endswith(".png")
    if args.derivative or len(args.activations) > 1:
        out = render_scene(CompareDerivativesScene, args.output, args.quality,
                           verbose=args.verbose, activations=tuple(args.activations),
                           theme=args.theme)
    else:
        params = _params(args.param, args.activations[0])
        out = render_scene(ActivationScene, args.output, args.quality, verbose=args.verbose,
                           activation=args.activations[0], params=params, theme=args.theme,
                           animate_point=args.animate or not still)
    print(f"wrote {out}")
    return 0
