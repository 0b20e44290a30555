"""Exhaustive accuracy of the comparison designs (their bit-exact models) against the exact sigmoid.

Run ``python -m scripts.baseline_accuracy`` (``--json`` for machine-readable
output). Every one of the 65,536 SQ(4,12) inputs is evaluated; errors are in
units of the 16-bit output's last place (ulp, 2**-16), against the exact
sigmoid (``model.accuracy``).
"""

import argparse
import json
import sys
import time

from model.accuracy import exhaustive_metrics
from model.baselines import BASELINES, INPUT_FORMAT, OUTPUT_BITS

__all__ = ["baseline_accuracy", "format_table", "main"]

DESCRIPTIONS = {
    "plan": "PLAN, 4 shift-and-add segments (Amin et al. 1997)",
    "table1024": "1024-entry table over [-8, 8), hls4ml-style",
    "interp256": "256-entry table + linear interpolation, TFLite int16",
    "rom": "direct ROM of correctly rounded outputs (32,768 words)",
}


def baseline_accuracy():
    """``{name: metrics}`` for every baseline model, exhaustively."""
    return {name: exhaustive_metrics(model, INPUT_FORMAT, OUTPUT_BITS)
            for name, model in BASELINES.items()}


def format_table(results):
    lines = ["{:<10} {:>9} {:>9} {:>9} {:>9} {:>14}  {}".format(
        "design", "max ulp", "mean ulp", "correct", "faithful", "worst x", "what")]
    for name, m in results.items():
        worst = m["worst_x"] / (1 << INPUT_FORMAT.f_bits)
        lines.append("{:<10} {:>9.3f} {:>9.3f} {:>8.2f}% {:>8.2f}% {:>14}  {}".format(
            name, m["max_ulp"], m["mean_ulp"], 100 * m["correctly_rounded"],
            100 * m["faithful"], repr(worst), DESCRIPTIONS.get(name, "")))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m scripts.baseline_accuracy",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print a JSON object")
    args = parser.parse_args(argv)
    start = time.monotonic()
    results = baseline_accuracy()
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print("Exhaustive over all {} inputs of {}, output UQ(0,{}), errors against the "
              "exact sigmoid".format(1 << INPUT_FORMAT.width, INPUT_FORMAT, OUTPUT_BITS))
        print(format_table(results))
        print("({:.1f} s)".format(time.monotonic() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
