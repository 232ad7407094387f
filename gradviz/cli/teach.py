"""``gradviz solve | check | generate``: worked solutions, answer checking, new variants."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from gradviz.cli._options import at_least, finite, overrides, positive, set_option

__all__ = ["configure"]

CHECK_EPILOG = ("ANSWERS is the sheet as handed in (- reads standard input): a Markdown "
                "table (header row and value row, split across tables or not, or rows of "
                "name | value), CSV/TSV either way round, JSON {\"name\": value}, `name: value` "
                "or `name = value` lines, or one value per line in the problem's order. Names "
                "as students write them: ∇H_5, $\\nabla \\mathbf{W}_1$, dL/dW1, Yhat, Ŷ; "
                "vectors as [a, b], (a, b), a, b or a bmatrix.\n\n"
                "Precision (the README's rubric): the value rounded or truncated to the digits "
                "written, within one unit of the last digit, or explained by rounding carried "
                "from your own earlier numbers; one-digit integers and one-significant-digit "
                "decimals must be exact.\n\n"
                "exit codes: 0 every answered cell right, 1 some wrong or blank, 2 unusable "
                "input, 3 internal error.")


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
    s.formatter_class = argparse.RawDescriptionHelpFormatter
    s.description = ("Grade a student's answer sheet as a careful TA would: each cell against "
                     "the true value with the rounding students do, then against the value "
                     "recomputed from the student's own earlier cells (error carried forward), "
                     "and every wrong cell explained by the mistakes that give its number: a "
                     "sign, a path left out of a sum, the wrong branch at a kink or min/max, "
                     "the local derivative alone or left out, swapped cells, the wrong "
                     "activation's derivative, a wrong forward value, or the step with its "
                     "correct local derivatives.")
    s.epilog = CHECK_EPILOG
    s.add_argument("graph", metavar="NAME|FILE")
    s.add_argument("answers", metavar="ANSWERS")
    s.add_argument("--json", action="store_true",
                   help="one JSON object: graph, score, cells (a documented, stable shape)")
    s.add_argument("--require-all", action="store_true",
                   help="quantities the sheet does not answer count as wrong (exit code 1)")
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
    from gradviz.teaching.check import check
    from gradviz.teaching.quantities import Quantities
    from gradviz.teaching.sheets import load_sheet

    trace = evaluate(resolve(args.graph), overrides(args.set))
    sheet = load_sheet(args.answers, Quantities(trace.graph).is_name)
    report = check(trace, sheet, require_all=args.require_all)
    print(terminal(report.as_json() if args.json else report.text()))
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
