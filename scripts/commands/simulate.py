"""``sigmoid-hw simulate``: the pipeline RTL in Amaranth's simulator against the model and exact sigmoid."""

import json
import sys
import time

import numpy as np

from model.fixed import parse_format

NAME = "simulate"
HELP = ("simulate the pipeline RTL (exhaustive by default), compare it bit for bit with the "
        "integer model and the model with exact sigmoid")

__all__ = ["NAME", "HELP", "add_arguments", "run", "pipeline_options", "params_from_args",
           "simulate"]


def pipeline_options(parser):
    """The options that choose a pipeline configuration (shared by several commands)."""
    parser.add_argument("--input-format", default="SQ(4,12)", metavar="SQ(I,F)",
                        help="input format (default SQ(4,12))")
    parser.add_argument("--output-bits", type=int, default=16, metavar="F",
                        help="output is UQ(0,F) (default 16)")
    parser.add_argument("--order", type=int, default=None, metavar="K",
                        help="Taylor order (default: the smallest that meets the bound)")
    parser.add_argument("--coefficients", choices=("table", "derived", "minimax"),
                        default="table",
                        help="Taylor coefficients as per-n constants (table, the default), derived "
                             "from y0 by multipliers (derived), or per-n minimax refits (minimax)")


def params_from_args(args):
    from model.pipeline import derive_params
    return derive_params(parse_format(args.input_format), args.output_bits, args.order,
                         args.coefficients)


def add_arguments(parser):
    pipeline_options(parser)
    parser.add_argument("--count", type=int, default=None, metavar="N",
                        help="simulate N random inputs (plus the boundary inputs) instead of all")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random inputs")
    parser.add_argument("--stall", type=float, default=0.0, metavar="P",
                        help="probability that o.ready is low in a cycle (default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _inputs(params, count, seed):
    fmt = params.input_format
    if count is None:
        return fmt.raw_range()
    if count < 1:
        raise ValueError("--count must be at least 1, not {}".format(count))
    rng = np.random.default_rng(seed)
    edges = [fmt.min, fmt.min + 1, -1, 0, 1, fmt.max - 1, fmt.max]
    for t in params.plan.thresholds:
        edges += [t - 1, t, -t, 1 - t]
    edges = [e for e in edges if fmt.min <= e <= fmt.max]
    return np.concatenate([np.array(edges, dtype=np.int64),
                           rng.integers(fmt.min, fmt.max + 1, size=count)])


def simulate(params, raw_x, *, stall=0.0, seed=1, progress=None):
    """Run the RTL on ``raw_x``; returns a dict of figures (see ``run``)."""
    from hw.pipeline import SigmoidPipeline
    from hw.streamsim import run_stream
    from model.accuracy import error_metrics
    from model.pipeline import sigmoid_fixed

    dut = SigmoidPipeline(params=params)
    start = time.monotonic()
    outputs, cycles = run_stream(dut, [int(v) for v in raw_x], stall=stall, seed=seed,
                                 progress=progress)
    seconds = time.monotonic() - start
    rtl = np.array(outputs, dtype=np.int64)
    model = sigmoid_fixed(raw_x, params)
    mismatches = int(np.sum(rtl != model)) if len(rtl) == len(model) else len(model)
    metrics = error_metrics(model, raw_x, params.input_format, params.output_bits)
    order = np.argsort(raw_x, kind="stable")
    xs, ys = np.asarray(raw_x)[order], model[order]
    step = np.diff(xs)
    monotonic = bool(np.all(np.diff(ys)[step >= 0] >= 0))
    full = 1 << params.output_bits
    pos = {int(x): int(y) for x, y in zip(xs, ys)}
    sym = [abs(pos[x] + pos[-x] - full) for x in pos if -x in pos]
    return dict(metrics, rtl_outputs=len(rtl), rtl_mismatches=mismatches,
                monotonic=monotonic, symmetry_max=max(sym) if sym else None,
                latency=dut.latency, cycles=cycles, seconds=round(seconds, 2),
                error_bound=float(params.plan.error_bound) + 0.5)


def run(args):
    params = params_from_args(args)
    raw_x = _inputs(params, args.count, args.seed)
    total = len(raw_x)
    progress = None
    if not args.no_progress and not args.json and sys.stderr.isatty():
        def progress(done):
            bar = int(40 * done / total)
            sys.stderr.write("\r[{}{}] {}/{}".format("#" * bar, "." * (40 - bar), done, total))
            sys.stderr.flush()
    result = simulate(params, raw_x, stall=args.stall, seed=args.seed, progress=progress)
    if progress is not None:
        sys.stderr.write("\n")
    result.update(configuration=params.describe(), input_format=str(params.input_format),
                  output_bits=params.output_bits, order=params.order,
                  coefficients=params.coefficients, count=total,
                  exhaustive=args.count is None)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        plan = params.plan
        print(params.describe())
        print("  widths: d {} bits, accumulators {} (acc_0..acc_K), latency {} cycles".format(
            plan.d_width, list(plan.acc_width), plan.latency))
        print("  inputs simulated  {:>10}{}".format(total, " (all)" if args.count is None else ""))
        print("  RTL == model      {:>10}   mismatches {}".format(
            "yes" if result["rtl_mismatches"] == 0 else "NO", result["rtl_mismatches"]))
        print("  max error         {:>10.4f} ulp (bound {:.4f})".format(
            result["max_ulp"], result["error_bound"]))
        print("  mean error        {:>10.4f} ulp".format(result["mean_ulp"]))
        print("  correctly rounded {:>10.2%}".format(result["correctly_rounded"]))
        print("  monotonic         {:>10}".format(str(result["monotonic"])))
        print("  |y(x)+y(-x)-2^F|  {:>10} max".format(result["symmetry_max"]))
        print("  simulated         {:>10} cycles in {:.1f} s".format(result["cycles"],
                                                                    result["seconds"]))
    ok = (result["rtl_mismatches"] == 0 and result["max_ulp"] < 1 and result["monotonic"])
    return 0 if ok else 1
