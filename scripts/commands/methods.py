"""``sigmoid-hw methods``: the function x method matrix, every model on every input, and its cost.

For each function (``--function``, default all nine) and method design
(``--method``, default table, multipartite and piecewise) and rounding, the
method's integer model is run on every input of ``--input-format`` and judged
against the certified exact function: max and mean error in ulp, the
correctly rounded share, monotonicity where the function is monotonic, the
proven bound and what the plan stores. With ``--device D`` (repeatable) each
(function, method, rounding) is also synthesized out of context like
``synth`` (seed 1): LUT, FF, DSP, block RAM, Fmax. ``-o FILE`` writes the rows
as JSON with the commit they were measured at; ``--markdown FILE`` renders
them as the documentation's table.
"""

import json

from sigmoid_hw.model.exact import FUNCTION_NAMES
from sigmoid_hw.model.fixed import parse_format
from sigmoid_hw.report.progress import bar
from sigmoid_hw.report.text import yes_no
from sigmoid_hw.scripts.methods import METHOD_DESIGNS, matrix_rows
from sigmoid_hw.scripts.stamp import commit
from sigmoid_hw.scripts.options import command_line

__all__ = ["NAME", "HELP", "add_arguments", "run", "markdown"]

NAME = "methods"
HELP = ("the function x method matrix: every method's model on every input against the exact "
        "function (max ulp, correctly rounded share), and with --device its cost")


def add_arguments(parser):
    parser.add_argument("--function", action="append", choices=FUNCTION_NAMES, default=None,
                        help="a function (repeatable; default all nine)")
    parser.add_argument("--method", action="append", choices=METHOD_DESIGNS, default=None,
                        help="a method design (repeatable; default all)")
    parser.add_argument("--rounding", action="append", choices=("faithful", "correct"),
                        default=None, help="repeatable; default both")
    parser.add_argument("--input-format", default="SQ(4,12)", metavar="SQ(I,F)",
                        help="input format (default SQ(4,12); at most 16 bits here)")
    parser.add_argument("--output-bits", type=int, default=16, metavar="W",
                        help="output width; each function's format (default 16)")
    parser.add_argument("--device", action="append", default=None,
                        help="also synthesize each row on this device (repeatable)")
    parser.add_argument("-o", "--output", default=None, metavar="FILE",
                        help="write the rows as JSON")
    parser.add_argument("--markdown", default=None, metavar="FILE",
                        help="write the rows as a Markdown table")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")



def _synth(rows, devices, input_format, output_bits, progress):
    from sigmoid_hw.flow.implement import DoesNotFit, implement
    from sigmoid_hw.hw.designs import make_design
    for row in rows:
        row["devices"] = {}
        for device in devices:
            dut = make_design(row["method"], function=row["function"],
                              input_format=input_format, output_bits=output_bits,
                              rounding=row["rounding"])
            from sigmoid_hw.flow.cost import _structural, features
            from sigmoid_hw.scripts.generate import CAPACITY
            brams = _structural(features(dut), device)[0]
            if brams > CAPACITY[device]["brams"]:     # not built: minutes to learn it
                row["devices"][device] = {"does_not_fit": "needs {} block RAMs, the device "
                                          "has {}".format(brams, CAPACITY[device]["brams"])}
                progress()
                continue
            try:
                r = implement(dut, device, seed=1)
                row["devices"][device] = {k: r[k] for k in ("luts", "ffs", "dsps", "brams",
                                                             "fmax_mhz")}
            except DoesNotFit as exc:
                row["devices"][device] = {"does_not_fit": str(exc)}
            progress()


def _cell(figures):
    if figures is None:
        return "missing"
    if "does_not_fit" in figures:
        return "does not fit"
    return "{luts} LUT, {dsps} DSP, {brams} BRAM, {fmax_mhz} MHz".format(**figures)


def markdown(rows, commit, command):
    """The rows as a Markdown table, stamped with the commit and the command."""
    devices = sorted({d for r in rows for d in r.get("devices", {})})
    head = ["function", "method", "rounding", "output", "max ulp", "correctly rounded",
            "monotonic", "plan"] + devices
    lines = ["Measured at commit `{}` by `{}`.".format(commit, command), "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["function"], r["method"], r["rounding"], r["output_format"],
                 "{:.4f}".format(r["max_ulp"]), "{:.3%}".format(r["correctly_rounded"]),
                 "n/a" if r["monotonic"] is None else yes_no(r["monotonic"]), r["plan"]]
        cells += [_cell(r.get("devices", {}).get(d)) for d in devices]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def run(args):
    fmt = parse_format(args.input_format)
    if fmt.width > 16:
        raise ValueError("--input-format must have at most 16 bits here (the matrix runs every "
                         "model on every input), not {}".format(args.input_format))
    functions = args.function or list(FUNCTION_NAMES)
    # knot-interp by name only: it has no correctly rounded plan, nor one for every function
    methods = args.method or [m for m in METHOD_DESIGNS if m != "knot-interp"]
    roundings = args.rounding or ["faithful", "correct"]
    devices = args.device or []
    if devices:
        from sigmoid_hw.flow.implement import DEVICES
        for d in devices:
            if d not in DEVICES:
                raise ValueError("--device must be one of {}, not {!r}".format(
                    ", ".join(sorted(DEVICES)), d))
    total = len(functions) * len(methods) * len(roundings) * (1 + len(devices))
    with bar(total, "methods", unit="step", enabled=not args.no_progress) as progress:
        rows = matrix_rows(functions, methods, fmt, args.output_bits, roundings,
                           progress=lambda row: progress.update(1))
        if devices:
            _synth(rows, devices, fmt, args.output_bits, lambda: progress.update(1))
    stamp = commit()
    command = command_line(args)
    if args.output:
        with open(args.output, "w") as f:
            json.dump({"commit": stamp, "command": command, "rows": rows}, f, indent=1)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(markdown(rows, stamp, command))
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(markdown(rows, stamp, command), end="")
    ok = all(r["max_ulp"] < 1 and r["monotonic"] is not False
             and (r["rounding"] != "correct" or r["correctly_rounded"] == 1) for r in rows)
    return 0 if ok else 1
