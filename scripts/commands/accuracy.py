"""``sigmoid-hw accuracy``: the accuracy table of the integer model against exact sigmoid.

Without pipeline options, the table of every configuration of
``CONFIGURATIONS`` and every coefficient source; the shared pipeline options
(``sigmoid_hw.scripts.options``) narrow it: ``--coefficients`` to one source,
``--input-format`` / ``--output-bits`` to one configuration (the other at its
default), ``--order`` fixes the order.
"""

import json
import time

import numpy as np

from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.params import COEFFICIENT_SOURCES
from sigmoid_hw.report.accuracy import accuracy_figures, error_note, monotonic_note
from sigmoid_hw.report.progress import bar, ticking
from sigmoid_hw.report.text import yes_no
from sigmoid_hw.scripts.stamp import commit
from sigmoid_hw.scripts.options import (add_pipeline_arguments, check_function_options, command_line,
                             pipeline_params_from_args)

NAME = "accuracy"
HELP = ("accuracy of the pipeline's integer model against exact sigmoid: every configuration "
        "and coefficient source, or those the pipeline options select (exhaustive up to 20 "
        "input bits, else 10^6 random inputs plus all boundaries). The whole table takes "
        "minutes (381 s and 2 GB measured, issue 22); options narrow it; progress on a "
        "terminal")

__all__ = ["NAME", "HELP", "CONFIGURATIONS", "add_arguments", "run", "measure"]

CONFIGURATIONS = [
    (SQ(4, 8), 8), (SQ(4, 8), 12), (SQ(4, 12), 12), (SQ(4, 12), 16),
    (SQ(5, 15), 20), (SQ(5, 19), 24),
]


def add_arguments(parser):
    add_pipeline_arguments(parser)
    from sigmoid_hw.model.exact import FUNCTION_NAMES
    from sigmoid_hw.scripts.methods import METHOD_DESIGNS
    parser.add_argument("--function", default="sigmoid", choices=FUNCTION_NAMES,
                        help="tanh, dsigmoid or silu: rows of that function on the sigmoid core "
                             "(sigmoid_hw.scripts.functions); default the sigmoid's table; any function "
                             "with --method")
    parser.add_argument("--method", default=None, choices=METHOD_DESIGNS,
                        help="rows of this method design for --function (every input, each "
                             "rounding; as sigmoid-hw methods)")
    parser.add_argument("--random", type=int, default=10**6, metavar="N",
                        help="random inputs for formats wider than 20 bits (default 10^6)")
    parser.add_argument("--all", action="store_true",
                        help="every input of every format, also above 20 input bits "
                             "(2^24 inputs take minutes)")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    parser.add_argument("--out", default=None, metavar="FILE",
                        help="also write the table to FILE, stamped with the commit and this "
                             "command (docs/measured/ holds such files; the README copies them)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _inputs(fmt, plan, count, every=False):
    if fmt.width <= 20 or every:
        return fmt.raw_range(), True
    rng = np.random.default_rng(fmt.width)
    parts = [rng.integers(fmt.min, fmt.max + 1, count),
             np.array([fmt.min, fmt.min + 1, -1, 0, 1, fmt.max - 1, fmt.max])]
    parts += [np.arange(s * t - 3, s * t + 3) for t in plan.reduction.thresholds
              for s in (1, -1)]
    xs = np.unique(np.concatenate(parts))
    return xs[(xs >= fmt.min) & (xs <= fmt.max)], False


def measure(params, count=10**6, every=False):
    """One row of the table: the model of ``params`` against exact sigmoid.

    Besides the table's figures: ``saturated``, ``saturation_x``,
    ``max_ulp_unsaturated``, ``steps_down``, ``steps`` (``sigmoid_hw.report.accuracy``)
    and ``notes``, the lines that explain an error above the bound
    (``error_note``) and a step down (``monotonic_note``).
    """
    from sigmoid_hw.model.pipeline import plan_for, sigmoid_fixed
    start = time.monotonic()
    plan = plan_for(params)
    fmt, bits = params.input_format, params.output_bits
    xs, exhaustive = _inputs(fmt, plan, count, every)
    m = accuracy_figures(sigmoid_fixed(xs, params), xs, fmt, bits)
    # correct rounding: the result is the exact value rounded, so the bound is 1/2 ulp
    bound = 0.5 if params.rounding == "correct" else 0.5 + float(plan.error_bound)
    return {
        "input_format": str(fmt), "output_bits": bits, "coefficients": params.coefficients,
        "rounding": params.rounding, "corrections": len(params.corrections),
        "order": params.order, "latency": plan.latency, "count": m["count"],
        "exhaustive": exhaustive, "max_ulp": m["max_ulp"], "mean_ulp": m["mean_ulp"],
        "correctly_rounded": m["correctly_rounded"], "faithful": m["faithful"],
        "monotonic": m["monotonic"], "bound_ulp": bound,
        "saturated": m["saturated"], "saturation_x": m["saturation_x"],
        "max_ulp_unsaturated": m["max_ulp_unsaturated"], "steps_down": m["steps_down"],
        "steps": m["steps"],
        "notes": {"max_ulp": error_note(m, fmt, bits, bound), "monotonic": monotonic_note(m)},
        "seconds": round(time.monotonic() - start, 3),     # 1 decimal made every row 0.0
    }


def _rows_wanted(args):
    """``(configurations, sources)`` that the options select."""
    if args.input_format is None and args.output_bits is None:
        configurations = list(CONFIGURATIONS)
    else:   # one configuration; an option left out is left to derive_params
        configurations = [(args.input_format, args.output_bits)]
    sources = COEFFICIENT_SOURCES if args.coefficients is None else (args.coefficients,)
    return configurations, sources


def _run_method(args):
    from sigmoid_hw.model.fixed import parse_format
    from sigmoid_hw.scripts.commands.methods import markdown
    from sigmoid_hw.scripts.methods import matrix_rows
    core_only = [n for n in ("order", "coefficients") if getattr(args, n, None) is not None]
    if core_only:
        raise ValueError("--method {} takes --input-format, --output-bits and --rounding, not {}"
                         .format(args.method, ", ".join("--" + n for n in core_only)))
    fmt = parse_format(args.input_format or "SQ(4,12)")
    if fmt.width > 16:
        raise ValueError("--input-format must have at most 16 bits with --method (every input "
                         "is run), not {}".format(args.input_format))
    roundings = ("faithful", "correct") if args.rounding is None else (args.rounding,)
    rows = matrix_rows([args.function], [args.method], fmt, args.output_bits or 16, roundings)
    text = markdown(rows, commit(), command_line(args))
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(text, end="")
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    return 0 if all(r["max_ulp"] < 1 and r["monotonic"] is not False
                    and (r["rounding"] != "correct" or r["correctly_rounded"] == 1)
                    for r in rows) else 1


def run(args):
    if getattr(args, "method", None) is not None:
        return _run_method(args)
    from sigmoid_hw.model.functions import FUNCTIONS as PIPELINE_FUNCTIONS
    if args.function not in PIPELINE_FUNCTIONS:
        raise ValueError("--function {} is computed by the methods: give --method table, "
                         "multipartite or piecewise".format(args.function))
    if getattr(args, "function", "sigmoid") != "sigmoid":
        from sigmoid_hw.scripts.functions import run_accuracy
        check_function_options(args)
        return run_accuracy(args)
    if args.random < 1:
        raise ValueError("--random must be at least 1, not {}".format(args.random))
    configurations, sources = _rows_wanted(args)
    jobs = [(fmt, bits, c) for fmt, bits in configurations for c in sources]
    rows = []
    with bar(len(jobs), "accuracy", unit="row", enabled=not args.no_progress) as progress:
        with ticking(progress):
            for fmt, bits, source in jobs:
                params = pipeline_params_from_args(args, input_format=fmt, output_bits=bits,
                                                   coefficients=source)
                progress.set_postfix_str("{} -> UQ(0,{}) {}".format(
                    params.input_format, params.output_bits, source))
                rows.append(measure(params, args.random, args.all))
                progress.update()
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(table_text(rows), end="")
    if args.out:
        write_stamped(args.out, table_text(rows), args)
    ok = all(r["max_ulp"] < 1 and r["monotonic"]
             and (r["rounding"] != "correct" or r["correctly_rounded"] == 1) for r in rows)
    return 0 if ok else 1


def write_stamped(path, table, args):
    """Write ``table`` to ``path`` under a line naming the commit and the command."""
    with open(path, "w") as f:
        f.write("Measured at commit `{}` by `{}`.\n\n".format(commit(), command_line(args)))
        f.write(table)


def table_text(rows):
    """The rows as the accuracy table in Markdown, with its footnotes."""
    lines = ["| input | output | coefficients | rounding | order | latency | inputs | max ulp "
             "| mean ulp | correctly rounded | monotonic | bound |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    notes = []

    def mark(note):
        if note is None:
            return ""
        notes.append(note)
        return " [{}]".format(len(notes))

    for r in rows:
        lines.append("| {} | UQ(0,{}) | {} | {} | {} | {} | {}{} | {:.4f}{} | {:.4f} | {:.3%} "
                     "| {}{} | {:.3f} |"
                     .format(r["input_format"], r["output_bits"], r["coefficients"],
                             r["rounding"] + (" ({} fixes)".format(r["corrections"])
                                              if r["rounding"] == "correct" else ""),
                             r["order"], r["latency"], r["count"],
                             " (all)" if r["exhaustive"] else " (random)",
                             r["max_ulp"], mark(r["notes"]["max_ulp"]), r["mean_ulp"],
                             r["correctly_rounded"], yes_no(r["monotonic"]),
                             mark(r["notes"]["monotonic"]), r["bound_ulp"]))
    if notes:
        lines.append("")
    lines += ["[{}] {}".format(k, note) for k, note in enumerate(notes, 1)]
    return "\n".join(lines) + "\n"
