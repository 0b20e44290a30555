"""``simulate`` and ``accuracy`` for tanh, sigmoid' and SiLU (``--function``): RTL, model, exact.

The commands call these for a design of kind ``"function"`` (``sigmoid_hw.hw.designs``):
the figures are those of the sigmoid (``sigmoid_hw.model.function_exact``'s certified
reference instead of the exact sigmoid), with the function's own monotonic
ranges and, for tanh, its oddness.
"""

import json
import time

import numpy as np

from sigmoid_hw.model.accuracy import monotonic_violations
from sigmoid_hw.model.function_exact import function_error_metrics
from sigmoid_hw.model.function_model import function_fixed
from sigmoid_hw.model.functions import derive_function, error_bound
from sigmoid_hw.report.text import ulp, yes_no

__all__ = ["function_figures", "run_simulate", "accuracy_rows", "run_accuracy", "MONOTONIC_FROM"]

# each function's monotonic pieces: (start, as a value of x, or None; +1 rising, -1 falling)
MONOTONIC_FROM = {"tanh": ((None, 1),), "dsigmoid": ((None, 1), (0, -1)),
                  "silu": ((None, -1), (-1.2784645427610738, 1))}


def _monotonic(function, x, y):
    """No step against the function's direction on any of its monotonic pieces."""
    pieces = MONOTONIC_FROM[function]
    for k, (start, direction) in enumerate(pieces):
        if function == "silu" and direction < 0:
            continue       # claimed above its minimum only
        end = pieces[k + 1][0] if k + 1 < len(pieces) else None
        sel = np.ones(x.shape, dtype=bool)
        if start is not None:
            sel &= x >= start
        if end is not None:
            sel &= x <= end
        if monotonic_violations(x[sel], direction * y[sel]):
            return False
    return True


def function_figures(params, raw_x, raw_y):
    """Error metrics, monotonicity and (tanh) oddness of outputs ``raw_y``."""
    fn, fmt = params.functions[0], params.input_format
    out = params.output_formats[0]
    m = function_error_metrics(fn, raw_y, raw_x, fmt, out)
    x = np.asarray(raw_x, dtype=np.int64)
    m["monotonic"] = _monotonic(fn, x / float(1 << fmt.f_bits), np.asarray(raw_y))
    m["error_bound"] = float(error_bound(params, fn))
    if fn == "tanh":
        pos = dict(zip(x.tolist(), np.asarray(raw_y).tolist()))
        m["odd"] = all(pos[v] == -pos[-v] for v in pos if -v in pos)
    return m


def run_simulate(args, dut, raw_x):
    """``sigmoid-hw simulate --function F``: RTL against the model, model against exact."""
    from sigmoid_hw.hw.streamsim import run_stream
    params = dut.params
    start = time.monotonic()
    outputs, cycles = run_stream(dut, [int(v) for v in raw_x], stall=args.stall,
                                 gap=args.gap, seed=args.seed)
    rtl = np.array(outputs, dtype=np.int64)
    model = function_fixed(raw_x, params)
    result = function_figures(params, raw_x, model)
    result.update(design=args.design, configuration=params.describe(), count=len(raw_x),
                  rtl_mismatches=int(np.count_nonzero(rtl != model[:len(rtl)])),
                  missing=len(model) - len(rtl), latency=dut.latency, cycles=cycles,
                  seconds=round(time.monotonic() - start, 2))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(params.describe())
        print("  latency {} cycles; output {}".format(dut.latency, dut.output_format))
        print("  inputs simulated  {:>10}".format(len(raw_x)))
        print("  RTL == model      {:>10}   mismatches {}, missing {}".format(
            yes_no(result["rtl_mismatches"] == 0 and result["missing"] == 0),
            result["rtl_mismatches"], result["missing"]))
        print("  max error         {:>10} ulp (bound {:.4f} where not saturated)".format(
            ulp(result["max_ulp"]), result["error_bound"]))
        print("  mean error        {:>10.4f} ulp".format(result["mean_ulp"]))
        print("  correctly rounded {:>10.2%}".format(result["correctly_rounded"]))
        print("  monotonic         {:>10}".format(yes_no(result["monotonic"])))
        if "odd" in result:
            print("  odd               {:>10}".format(yes_no(result["odd"])))
    ok = (result["rtl_mismatches"] == 0 and result["missing"] == 0 and result["max_ulp"] < 1
          and result["monotonic"])
    return 0 if ok else 1


def accuracy_rows(function, input_format=None, output_bits=16, roundings=("faithful", "correct")):
    """One exhaustive row per rounding of ``function``'s integer model."""
    rows = []
    for rounding in roundings:
        params = derive_function(function, input_format, output_bits, rounding)
        fmt = params.input_format
        x = fmt.raw_range()
        m = function_figures(params, x, function_fixed(x, params))
        fm = params.maps[0]
        rows.append(dict(m, function=function, rounding=rounding,
                         input_format=str(fmt), output_format=str(params.output_formats[0]),
                         core_bits=params.core_bits,
                         corrections=len(fm.corrections) + len(params.core.corrections)))
    return rows


def run_accuracy(args):
    """``sigmoid-hw accuracy --function F``: exhaustive rows (one per rounding) of F's model."""
    from sigmoid_hw.model.fixed import parse_format
    fmt = parse_format(args.input_format) if isinstance(args.input_format, str) else None
    roundings = ("faithful", "correct") if args.rounding is None else (args.rounding,)
    rows = accuracy_rows(args.function, fmt, args.output_bits or 16, roundings)
    lines = ["| function | input | output | rounding | core bits | inputs | max ulp | mean ulp "
             "| correctly rounded | monotonic | bound |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        # counts written as the sigmoid's table writes them (4096, not 4,096)
        lines.append("| {} | {} | {} | {} | {} | {} (all) | {} | {} | {:.3%} | {} | {:.4f} |"
                     .format(r["function"], r["input_format"], r["output_format"],
                             r["rounding"] + (" ({} fixes)".format(r["corrections"])
                                              if r["rounding"] == "correct" else ""),
                             r["core_bits"], r["count"], ulp(r["max_ulp"]), ulp(r["mean_ulp"]),
                             r["correctly_rounded"], yes_no(r["monotonic"]), r["error_bound"]))
    table = "\n".join(lines) + "\n"
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(table, end="")
    if getattr(args, "out", None):
        from sigmoid_hw.scripts.commands.accuracy import write_stamped
        write_stamped(args.out, table, args)
    ok = all(r["max_ulp"] < 1 and r["monotonic"]
             and (r["rounding"] != "correct" or r["correctly_rounded"] == 1) for r in rows)
    return 0 if ok else 1
