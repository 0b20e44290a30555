"""The segmented table's cost per segment count: each ``S`` built and its model proven.

    .venv/bin/python -m sigmoid_hw.scripts.table_segments --device ecp5-85f \\
        --function sigmoid --function tanh --segments 1 2 4 8 16 \\
        -o docs/measured/table-segments.json --markdown docs/measured/table-segments.md

For each function and ``S`` (``sigmoid_hw.model.methods.table``, ``segments``): the
plan (memory depth x word width, fields, stored bits), the model on every input
against the certified exact function (max ulp, correctly rounded share), and
the unit placed and routed out of context on each device (seed 1, the flow of
``sigmoid-hw synth``): LUT, FF, DSP, block RAM, Fmax. A design the cost fit
(``flow/cost_fit.json``, ``python -m sigmoid_hw.scripts.costfit --refit``) has
built by the same flow, with the same features, is taken from there (``source``
"fit") unless ``--rebuild``. The files name the command and the commit.
"""

import argparse
import json
import shlex
import sys
import time
from sigmoid_hw.scripts.stamp import commit

__all__ = ["rows", "markdown", "main"]



def rows(functions, counts, devices, input_format="SQ(4,12)", output_bits=16, say=print,
         fit=None):
    """One dict per function and segment count (module docstring); ``fit``: the cost fit
    whose builds stand for a build (None: build every one)."""
    from sigmoid_hw.flow.cost import build_key, features, same_design
    from sigmoid_hw.flow.implement import DoesNotFit, implement
    from sigmoid_hw.hw.designs import make_design
    from sigmoid_hw.scripts.generate import model_proof
    out = []
    for fn in functions:
        for s in counts:
            options = dict(function=fn, input_format=input_format, output_bits=output_bits,
                           rounding="correct", **({"segments": s} if s > 1 else {}))
            unit = make_design("table", **options)
            plan = unit.plan
            m = model_proof("table", unit)
            row = dict(function=fn, segments=s, options=options, depth=plan.segment_depth,
                       word_bits=plan.word_bits, widths=list(plan.widths), bits=plan.bits,
                       latency=unit.latency, max_ulp=m["max_ulp"],
                       correctly_rounded=m["correctly_rounded"], devices={})
            for device in devices:
                built = [b for b in (fit or {}).get("builds", ()) if b["device"] == device
                         and b["key"] == build_key("table", options)
                         and same_design(b["features"], features(unit))]
                if built:
                    row["devices"][device] = {k: built[0][k] for k in (
                        "luts", "ffs", "dsps", "brams", "fmax_mhz", "seconds")}
                    row["devices"][device]["source"] = "fit"
                    continue
                say("{} segments={} on {}".format(fn, s, device))
                try:
                    r = implement(make_design("table", **options), device, seed=1)
                except DoesNotFit as e:
                    row["devices"][device] = {"does_not_fit": str(e).splitlines()[0]}
                    continue
                row["devices"][device] = {k: r[k] for k in ("luts", "ffs", "dsps", "brams",
                                                            "fmax_mhz", "seconds")}
                row["devices"][device]["source"] = "built"
            out.append(row)
    return out


def _cost(c):
    if "does_not_fit" in c:
        return "does not fit"
    return "{} / {} / {} / {} / {}".format(c["luts"], c["ffs"], c["dsps"], c["brams"],
                                           c["fmax_mhz"])


def markdown(result):
    """The rows of ``result`` (``{"command", "commit", "rows"}``) as a Markdown table."""
    devices = sorted({d for r in result["rows"] for d in r["devices"]})
    lines = ["Measured at commit `{}` by `{}`.".format(result["commit"], result["command"]), "",
             "| function | segments | memory (words x bits) | fields (bits) | table bits "
             "| latency | max ulp | correctly rounded | " + " | ".join(
                 "{} LUT / FF / DSP / BRAM / MHz".format(d) for d in devices) + " |",
             "|" + "---|" * (8 + len(devices))]
    for r in result["rows"]:
        lines.append("| {} | {} | {} x {} | {} | {:,} | {} | {:.4f} | {:.3%} | {} |".format(
            r["function"], r["segments"], r["depth"], r["word_bits"],
            " + ".join(str(w) for w in r["widths"]), r["bits"], r["latency"], r["max_ulp"],
            r["correctly_rounded"], " | ".join(_cost(r["devices"][d]) for d in devices)))
    fit = sum(c.get("source") == "fit" for r in result["rows"] for c in r["devices"].values())
    if fit:
        lines += ["", "{} of the builds are the cost fit's (`flow/cost_fit.json`, written by "
                  "`python -m sigmoid_hw.scripts.costfit --refit` with the same flow, seed 1, "
                  "and the same design features).".format(fit)]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sigmoid_hw.scripts.table_segments",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--function", action="append", default=None,
                        help="a function (repeatable; default sigmoid)")
    parser.add_argument("--segments", type=int, nargs="+", default=[1, 2, 4, 8],
                        help="segment counts (default 1 2 4 8)")
    parser.add_argument("--device", action="append", default=None,
                        help="a device to build on (repeatable; default ecp5-85f)")
    parser.add_argument("--rebuild", action="store_true",
                        help="build every design, even those the cost fit has built")
    parser.add_argument("-o", "--output", default=None, help="write the rows as JSON")
    parser.add_argument("--markdown", default=None, help="write the rows as Markdown")
    args = parser.parse_args(argv)
    from sigmoid_hw.flow.cost import load_fit
    command = "python -m sigmoid_hw.scripts.table_segments " + shlex.join(
        sys.argv[1:] if argv is None else argv)
    start = time.monotonic()
    result = {"command": command, "commit": commit(),
              "rows": rows(args.function or ["sigmoid"], args.segments,
                           args.device or ["ecp5-85f"], say=lambda t: print(t, file=sys.stderr),
                           fit=None if args.rebuild else load_fit())}
    result["seconds"] = round(time.monotonic() - start, 1)
    if args.output:
        with open(args.output, "w") as f:
            json.dump(result, f, indent=1)
    text = markdown(result)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
