"""``gradviz solve | check | generate``: worked solutions, answer checking, new variants."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from gradviz.cli._options import at_least, finite, overrides, positive, set_option

__all__ = ["configure"]

CHECK_EPILOG = ("ANSWERS is CSV/TSV (a header row of names and a row of values, or rows of "
                "name,value), JSON {\"name\": value}, YAML-style `name: value` lines, or a "
                "Markdown table. Names as students write them: ∇H_5, \\nabla \\mathbf{W}_1, "
                "dL/dW1, Yhat, Ŷ; vectors as [a, b].")


def configure(name: str, s: argparse.ArgumentParser) -> None:
    """Add ``name``'s options to its parser."""
    {"solve": _solve_options, "check": _check_options, "generate": _generate_options}[name](s)


def _solve_options(s: argparse.ArgumentParser) -> None:
    from gradviz.views.solve import FORMATS

    s.description = ("Write the key a careful instructor writes: the forward pass in the "
                     "course's notation with numbers substituted, the branch taken at every "
                     "kink or min/max; the backward pass from the loss, layer by layer, each "
                     "local derivative as a formula, with numbers and its value, the chain "
                     "rule summed over every user, the standard simplifications (σ with BCE "
                     "gives ŷ − y), vectors in vector form (δhᵀ, Wᵀδ, ⊙); the updates asked "
                     "for; the answer table in the problem's order.")
    s.epilog = ("examples:\n  gradviz solve interesting\n"
                "  gradviz solve mlp --format tex -o key/mlp.tex   # figures beside it\n"
                "  gradviz solve my_graph.grad --format html -o solution.html")
    s.add_argument("graph", metavar="NAME|FILE")
    s.add_argument("--format", choices=tuple(FORMATS), default=None,
                   help="output format (default: from -o's extension, else md)")
    s.add_argument("-o", "--output", metavar="OUT", help="write to a file (default: stdout)")
    s.add_argument("--no-figures", action="store_true",
                   help="do not write the figures beside OUT")
    set_option(s, "override a leaf value (repeatable)")
    s.set_defaults(run=_solve)


def _check_options(s: argparse.ArgumentParser) -> None:
    s.description = ("Compare a student's answers with the right ones, cell by cell, "
                     "rounding-aware (0.6225 for 0.62246 is right), and explain each wrong "
                     "cell by the classic mistakes: a path left out of a sum, a sign error, "
                     "the wrong branch at a kink or min/max, or an error inherited from an "
                     "earlier wrong cell. Exit code 0 when all are right, 1 otherwise.")
    s.epilog = CHECK_EPILOG
    s.add_argument("graph", metavar="NAME|FILE")
    s.add_argument("answers", metavar="ANSWERS")
    s.add_argument("--rtol", type=finite, default=1e-6, help="relative tolerance (default 1e-6)")
    s.add_argument("--atol", type=finite, default=1e-9, help="absolute tolerance (default 1e-9)")
    s.add_argument("--json", action="store_true", help="machine-readable report")
    set_option(s, "the values the student's problem used, if not the defaults")
    s.set_defaults(run=_check)


def _generate_options(s: argparse.ArgumentParser) -> None:
    from gradviz.teaching.generate import rule_text

    s.description = ("Draw new leaf values that keep the problem a good hand problem, "
                     "screening thousands of candidates in one batched evaluation. Writes, per "
                     "variant, problem.md (blank figure and the quantities asked), "
                     "answer_key.md (annotated figure and worked solution) and graph.grad. "
                     "The same seed gives the same variants.")
    s.epilog = ("every variant keeps these rules:\n"
                + "\n".join(textwrap.fill(text, 88, initial_indent=f"  {name:<12} ",
                                           subsequent_indent=" " * 15)
                             for name, text in rule_text().items())
                + "\n\nCandidates are drawn uniformly and every one that keeps the rules is "
                  "used, in the\norder drawn: across many variants each node's signs and "
                  "sizes spread as widely\nas the rules allow. Variants are distinct and "
                  "differ from the original."
                + "\n\nexamples:\n  gradviz generate interesting --seed 7 --count 3 -o "
                  "variants/\n  gradviz generate mlp --seed 1 --step 0.1 --range -1 1 -o v/")
    s.add_argument("graph", metavar="NAME|FILE")
    s.add_argument("--seed", type=at_least(0), required=True, help="random seed (reproducible)")
    s.add_argument("--count", type=at_least(1, 1000), default=1,
                   help="number of variants (default 1)")
    s.add_argument("--range", type=finite, nargs=2, default=None, metavar=("LO", "HI"),
                   help="leaf value range (default -3 3 with halves, -2 2 with tenths)")
    s.add_argument("--step", type=positive, default=None,
                   help="leaf value step, a multiple of 0.1 (default 0.5, or 0.1 when the "
                        "original's leaves have tenths)")
    s.add_argument("--margin", type=positive, default=0.25,
                   help="distance kept from kinks, ties and domain boundaries (default 0.25)")
    s.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder")
    s.set_defaults(run=_generate)


def _solve(args: argparse.Namespace) -> int:
    from gradviz.core.evaluate import evaluate
    from gradviz.core.library import resolve
    from gradviz.views.solve import write_solution

    out = Path(args.output) if args.output else None
    fmt = args.format or (out.suffix.lstrip(".").lower() if out and out.suffix else "md")
    fmt = {"markdown": "md", "htm": "html", "latex": "tex"}.get(fmt, fmt)
    trace = evaluate(resolve(args.graph), overrides(args.set))
    text = write_solution(trace, fmt, out, figures=not args.no_figures,
                          say=lambda m: print(f"gradviz: {m}", file=sys.stderr))
    if out is None:
        sys.stdout.write(text)
    else:
        print(f"wrote {out}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from gradviz.core.escape import terminal
    from gradviz.core.evaluate import evaluate
    from gradviz.core.library import resolve
    from gradviz.teaching.check import check, load_answers

    trace = evaluate(resolve(args.graph), overrides(args.set))
    report = check(trace, load_answers(args.answers), rtol=args.rtol, atol=args.atol)
    print(report.as_json() if args.json else terminal(report.text()))
    return 0 if report.ok else 1


def _generate(args: argparse.Namespace) -> int:
    from gradviz.core.library import resolve
    from gradviz.teaching.generate import Rules, variants, write_variant

    low, high = args.range if args.range else (None, None)
    rules = Rules(low=low, high=high, step=args.step, margin=args.margin)
    out = Path(args.output)
    for g in variants(resolve(args.graph), args.seed, args.count, rules):
        write_variant(g, out / g.name)
        print(f"wrote {out / g.name}/problem.md and answer_key.md")
    return 0
