"""Benchmark: the exhaustive 16-bit RTL simulation of the default pipeline, timed.

    .venv/bin/python -m sigmoid_hw.scripts.bench_simulation [--coefficients table|derived]

Prints the wall time and simulated cycles per second on one core (Amaranth's
Python simulator is single-threaded). A report, not a test: the target
(under 60 s) is checked by reading it.
"""

import argparse
import sys
import time

import numpy as np

from sigmoid_hw.hw.pipeline import SigmoidPipeline
from sigmoid_hw.hw.streamsim import run_stream
from sigmoid_hw.model.pipeline import sigmoid_fixed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coefficients", choices=("table", "derived"), default="table")
    args = parser.parse_args()
    dut = SigmoidPipeline(coefficients=args.coefficients)
    xs = dut.params.input_format.raw_range()
    start = time.perf_counter()
    out, cycles = run_stream(dut, [int(x) for x in xs])
    seconds = time.perf_counter() - start
    equal = np.array_equal(np.array(out), sigmoid_fixed(xs, dut.params))
    print("{}: {} inputs, {} cycles, {:.1f} s, {:.0f} cycles/s, RTL == model: {}".format(
        dut.params.describe(), len(xs), cycles, seconds, cycles / seconds, equal))
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
