"""``sigmoid-hw simulate``: the pipeline RTL in Amaranth's simulator against the model and exact sigmoid."""

import json
import time

import numpy as np

from sigmoid_hw.hw.designs import design, make_design
from sigmoid_hw.report.accuracy import accuracy_figures, accuracy_notes
from sigmoid_hw.report.progress import bar
from sigmoid_hw.report.text import count as count_of, yes_no
from sigmoid_hw.scripts.options import (add_design_arguments, add_stimulus_arguments,
                                        design_options_from_args)

NAME = "simulate"
HELP = ("simulate the pipeline RTL (exhaustive by default), compare it bit for bit with the "
        "integer model and the model with exact sigmoid")

__all__ = ["NAME", "HELP", "add_arguments", "run", "simulate"]


def add_arguments(parser):
    add_design_arguments(parser, "simulate", kinds=("pipeline", "function", "method"))
    parser.add_argument("--count", type=int, default=None, metavar="N",
                        help="simulate N random inputs (plus the boundary inputs) instead of all")
    add_stimulus_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _inputs(plan, count, seed):
    fmt = plan.params.input_format
    if count is None:
        return fmt.raw_range()
    if count < 1:
        raise ValueError("--count must be at least 1, not {}".format(count))
    rng = np.random.default_rng(seed)
    edges = [fmt.min, fmt.min + 1, -1, 0, 1, fmt.max - 1, fmt.max]
    for t in plan.reduction.thresholds:
        edges += [t - 1, t, -t, 1 - t]
    edges = [e for e in edges if fmt.min <= e <= fmt.max]
    return np.concatenate([np.array(edges, dtype=np.int64),
                           rng.integers(fmt.min, fmt.max + 1, size=count)])


def simulate(name, dut, raw_x, *, stall=0.0, gap=0.0, seed=1, progress=None):
    """Run design ``name``'s component ``dut`` on ``raw_x``; returns a dict of figures.

    ``missing`` counts the outputs that never came (the run gave up waiting,
    see ``sigmoid_hw.hw.streamsim.patience``); ``rtl_mismatches`` counts the outputs
    that came and differ from the model. See ``run`` for the other keys.
    """
    from sigmoid_hw.hw.streamsim import run_stream
    params = dut.params
    start = time.monotonic()
    outputs, cycles = run_stream(dut, [int(v) for v in raw_x], stall=stall, gap=gap,
                                 seed=seed, progress=progress)
    seconds = time.monotonic() - start
    rtl = np.array(outputs, dtype=np.int64)
    model = np.asarray(design(name).model(dut, raw_x), dtype=np.int64)
    figures = accuracy_figures(model, raw_x, params.input_format, params.output_bits)
    full = 1 << params.output_bits
    pos = dict(zip(np.asarray(raw_x).tolist(), model.tolist()))
    sym = [abs(pos[x] + pos[-x] - full) for x in pos if -x in pos]
    return dict(figures, rtl_outputs=len(rtl),
                rtl_mismatches=int(np.count_nonzero(rtl != model[:len(rtl)])),
                missing=len(model) - len(rtl),
                symmetry_max=max(sym) if sym else None,
                latency=dut.latency, cycles=cycles, seconds=round(seconds, 2),
                error_bound=float(dut.plan.error_bound) + 0.5)


def run(args):
    dut = make_design(args.design, **design_options_from_args(args))
    if design(args.design).kind == "method":    # --design table|multipartite|piecewise
        from sigmoid_hw.scripts.methods import run_simulate as run_method
        fmt = dut.input_format
        if args.count is None:
            return run_method(args, dut, fmt.raw_range())
        if args.count < 1:
            raise ValueError("--count must be at least 1, not {}".format(args.count))
        rng = np.random.default_rng(args.seed)
        return run_method(args, dut, np.unique(np.concatenate([
            [fmt.min, -1, 0, 1, fmt.max], rng.integers(fmt.min, fmt.max + 1, args.count)])))
    params, plan = dut.params, dut.plan
    raw_x = _inputs(plan, args.count, args.seed)
    if design(args.design).kind == "function":     # --function tanh|dsigmoid|silu
        from sigmoid_hw.scripts.functions import run_simulate
        fmt = dut.input_format
        return run_simulate(args, dut, fmt.raw_range() if args.count is None else
                            np.unique(np.clip(raw_x, fmt.min, fmt.max)))
    total = len(raw_x)
    with bar(total, "simulate", unit="word", enabled=not args.no_progress) as progress:
        result = simulate(args.design, dut, raw_x, stall=args.stall, gap=args.gap, seed=args.seed,
                          progress=lambda done: progress.update(done - progress.n))
    result.update(design=args.design, configuration=params.describe(),
                  input_format=str(params.input_format), output_bits=params.output_bits,
                  order=params.order, coefficients=params.coefficients, count=total,
                  exhaustive=args.count is None, stall=args.stall, gap=args.gap)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(params.describe())
        print("  widths: d {} bits, accumulators {} (acc_0..acc_K), latency {}".format(
            plan.reduction.d_width, list(plan.horner.acc_width),
            count_of(dut.latency, "cycle")))
        print("  inputs simulated  {:>10}{}".format(total, " (all)" if args.count is None else ""))
        missing = result["missing"]
        print("  RTL == model      {:>10}   mismatches {}{}".format(
            yes_no(result["rtl_mismatches"] == 0 and missing == 0), result["rtl_mismatches"],
            "" if not missing else "; missing {} (outputs that never came: the simulation "
            "gave up waiting, see sigmoid_hw.hw.streamsim.patience)".format(missing)))
        print("  max error         {:>10.4f} ulp (bound {:.4f})".format(
            result["max_ulp"], result["error_bound"]))
        print("  mean error        {:>10.4f} ulp".format(result["mean_ulp"]))
        print("  correctly rounded {:>10.2%}".format(result["correctly_rounded"]))
        print("  monotonic         {:>10}".format(yes_no(result["monotonic"])))
        print("  |y(x)+y(-x)-2^F|  {:>10} max".format(result["symmetry_max"]))
        print("  simulated         {:>10} cycles in {:.1f} s".format(result["cycles"],
                                                                    result["seconds"]))
        for note in accuracy_notes(result, params.input_format, params.output_bits,
                                   result["error_bound"]):
            print("  note: " + note)
    ok = (result["rtl_mismatches"] == 0 and result["missing"] == 0 and result["max_ulp"] < 1
          and result["monotonic"])
    return 0 if ok else 1

