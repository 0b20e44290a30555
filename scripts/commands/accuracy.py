"""``sigmoid-hw accuracy``: the accuracy table of the integer model against exact sigmoid."""

import json
import time

import numpy as np

from model.fixed import SQ

NAME = "accuracy"
HELP = ("accuracy of the pipeline's integer model against exact sigmoid for several formats "
        "(exhaustive up to 20 input bits, else 10^6 random inputs plus all boundaries)")

__all__ = ["NAME", "HELP", "CONFIGURATIONS", "add_arguments", "run", "measure"]

CONFIGURATIONS = [
    (SQ(4, 8), 8), (SQ(4, 8), 12), (SQ(4, 12), 12), (SQ(4, 12), 16),
    (SQ(5, 15), 20), (SQ(5, 19), 24),
]


def add_arguments(parser):
    parser.add_argument("--coefficients", choices=("table", "derived", "minimax", "all"),
                        default="all", help="coefficient source(s) to measure (default all)")
    parser.add_argument("--random", type=int, default=10**6, metavar="N",
                        help="random inputs for formats wider than 20 bits (default 10^6)")
    parser.add_argument("--json", action="store_true", help="print a JSON list")


def _inputs(fmt, plan, count):
    if fmt.width <= 20:
        return fmt.raw_range(), True
    rng = np.random.default_rng(fmt.width)
    parts = [rng.integers(fmt.min, fmt.max + 1, count),
             np.array([fmt.min, fmt.min + 1, -1, 0, 1, fmt.max - 1, fmt.max])]
    parts += [np.arange(s * t - 3, s * t + 3) for t in plan.thresholds for s in (1, -1)]
    xs = np.unique(np.concatenate(parts))
    return xs[(xs >= fmt.min) & (xs <= fmt.max)], False


def measure(fmt, bits, coefficients, count=10**6):
    from model.accuracy import error_metrics
    from model.pipeline import derive_params, sigmoid_fixed, plan_for
    start = time.monotonic()
    params = derive_params(fmt, bits, coefficients=coefficients)
    plan = plan_for(params)
    xs, exhaustive = _inputs(fmt, plan, count)
    y = sigmoid_fixed(xs, params)
    m = error_metrics(y, xs, fmt, bits)
    consecutive = np.diff(xs) == 1
    return {
        "input_format": str(fmt), "output_bits": bits, "coefficients": coefficients,
        "order": params.order, "latency": plan.latency, "count": m["count"],
        "exhaustive": exhaustive, "max_ulp": m["max_ulp"], "mean_ulp": m["mean_ulp"],
        "correctly_rounded": m["correctly_rounded"], "faithful": m["faithful"],
        "monotonic": bool(np.all(np.diff(y)[consecutive] >= 0)),
        "bound_ulp": 0.5 + float(plan.error_bound), "seconds": round(time.monotonic() - start, 1),
    }


def run(args):
    if args.random < 1:
        raise ValueError("--random must be at least 1, not {}".format(args.random))
    sources = (("table", "derived", "minimax") if args.coefficients == "all"
               else (args.coefficients,))
    rows = [measure(fmt, bits, c, args.random) for fmt, bits in CONFIGURATIONS for c in sources]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print("| input | output | coefficients | order | latency | inputs | max ulp | mean ulp "
              "| correctly rounded | monotonic | bound |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            print("| {} | UQ(0,{}) | {} | {} | {} | {}{} | {:.4f} | {:.4f} | {:.2%} | {} | {:.3f} |"
                  .format(r["input_format"], r["output_bits"], r["coefficients"], r["order"],
                          r["latency"], r["count"], " (all)" if r["exhaustive"] else " (random)",
                          r["max_ulp"], r["mean_ulp"], r["correctly_rounded"],
                          "yes" if r["monotonic"] else "NO", r["bound_ulp"]))
    ok = all(r["max_ulp"] < 1 and r["monotonic"] for r in rows)
    return 0 if ok else 1
