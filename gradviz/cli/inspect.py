"""``gradviz list | ops | eval | mlp``: look at examples, the op table, and numbers."""

from __future__ import annotations

import argparse
import json
import sys

from gradviz.cli._options import at_least, overrides, set_option

__all__ = ["configure"]


def configure(name: str, s: argparse.ArgumentParser) -> None:
    """Add ``name``'s options to its parser."""
    {"list": _list_options, "ops": _ops_options, "eval": _eval_options,
     "mlp": _mlp_options}[name](s)


def _list_options(s: argparse.ArgumentParser) -> None:
    s.description = ("List the built-in examples: the graphs of the seed course problems, "
                     "each with its title and source. Use a name wherever a command takes "
                     "NAME|FILE, e.g. `gradviz eval interesting`.")
    s.set_defaults(run=_list)


def _ops_options(s: argparse.ArgumentParser) -> None:
    s.description = ("Print every op of the op table with its display symbol, forward "
                     "formula, local derivative per operand, parameters and the convention "
                     "it takes at kinks (relu'(0) = 0, ties split ½/½, ...).")
    s.add_argument("--markdown", action="store_true", help="as a Markdown table")
    s.set_defaults(run=_ops)


def _eval_options(s: argparse.ArgumentParser) -> None:
    s.description = ("Evaluate a graph forward and backward and print each node's value and "
                     "gradient (∂loss/∂node). NAME is a built-in example (see `gradviz "
                     "list`) or a graph file.")
    s.add_argument("graph", metavar="NAME|FILE")
    set_option(s, "override a leaf value, e.g. --set X1=2 or --set W1=[1,-1] (repeatable)")
    s.add_argument("--json", action="store_true",
                   help='print one JSON object {"loss", "values", "grads"}')
    s.add_argument("--digits", type=at_least(1, 17), default=4,
                   help="significant digits, 1 to 17 (default 4)")
    s.set_defaults(run=_eval)


def _mlp_options(s: argparse.ArgumentParser) -> None:
    from gradviz.core.ops import ACTIVATIONS, LOSSES

    s.description = "Generate a seeded MLP and print it as a graph file."
    s.add_argument("sizes", type=at_least(1), nargs="+", help="layer widths, inputs first: 3 4 1")
    s.add_argument("--activation", default="relu", choices=ACTIVATIONS,
                   help="hidden activation (default relu)")
    s.add_argument("--out-activation", default="identity", choices=ACTIVATIONS,
                   help="output activation (default identity)")
    s.add_argument("--loss", default="mse", choices=[n for n in LOSSES if "cosine" not in n],
                   help="loss op (default mse)")
    s.add_argument("--granularity", choices=("neuron", "layer"), default="neuron",
                   help="one node per neuron (default) or per layer")
    s.add_argument("--seed", type=at_least(0), default=0, help="random seed (default 0)")
    s.add_argument("-o", "--output", metavar="FILE", help="write the graph file (default stdout)")
    s.set_defaults(run=_mlp)


def _list(args: argparse.Namespace) -> int:
    from gradviz.core.escape import terminal
    from gradviz.core.library import example, examples

    for name in examples():
        g = example(name)
        print(terminal(f"{name:36} {g.title}"))
        print(terminal(f"{'':36} {g.source}"))
    return 0


def _ops(args: argparse.Namespace) -> int:
    from gradviz.views.optable import op_table

    print(op_table(markdown=args.markdown))
    return 0


def _eval(args: argparse.Namespace) -> int:
    from gradviz.core.escape import terminal
    from gradviz.core.evaluate import evaluate
    from gradviz.core.format import canonical, fmt_value
    from gradviz.core.library import resolve

    graph = resolve(args.graph)
    trace = evaluate(graph, overrides(args.set))
    if args.json:
        out = {"loss": trace.loss,
               "values": {n: canonical(trace.value(n)) for n in trace.order},
               "grads": {n: canonical(trace.grad(n)) for n in trace.order
                         if trace.grad(n) is not None}}
        print(terminal(json.dumps(out, ensure_ascii=False)))  # escapes stay valid JSON
        return 0
    rows = [("node", "kind", "value", f"∂{trace.loss}/∂node")]
    for n in trace.order:
        grad = trace.grad(n)
        op = graph.op_of(n)
        rows.append((n, op.name if op else graph.kind(n), fmt_value(trace.value(n), args.digits),
                     "—" if grad is None else fmt_value(grad, args.digits)))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    if graph.title:
        print(terminal(graph.title))
    for r in rows:
        print(terminal("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[3]))
    return 0


def _mlp(args: argparse.Namespace) -> int:
    from pathlib import Path

    from gradviz.core.escape import terminal
    from gradviz.core.files import write_if_changed
    from gradviz.core.library import mlp

    g = mlp(args.sizes, activation=args.activation, output=args.out_activation,
            loss=args.loss, granularity=args.granularity, seed=args.seed)
    text = g.text or g.to_text()  # the file as generated (and parsed), neuron by neuron
    if args.output:
        write_if_changed(Path(args.output), text)
        print(terminal(f"wrote {args.output}"))
    else:
        sys.stdout.write(text)
    return 0
