"""``make demo``: the main job, step by step, each step a ``sigmoid-hw`` subcommand."""

import sys
import time

from sigmoid_hw.scripts.cli import main as cli_main

# (title, argv). Later issues extend this list; each step must succeed.
STEPS = [
    ("Seed reproduction report", ["model"]),
    ("The default pipeline, all 65,536 inputs: RTL vs model vs exact sigmoid",
     ["simulate", "--no-progress"]),
    ("The correctly rounded pipeline, all 65,536 inputs",
     ["simulate", "--design", "pipeline-cr", "--no-progress"]),
    ("GELU by the piecewise-polynomial method, all 65,536 inputs: RTL vs model vs exact",
     ["simulate", "--design", "piecewise", "--function", "gelu", "--no-progress"]),
    ("The cheapest faithful sigmoid for a UP5K with 4 block RAMs to spare, 40 MS/s (cost model)",
     ["generate", "--function", "sigmoid", "--device", "up5k", "--max-bram", "4",
      "--min-rate", "40", "--estimate", "--no-progress"]),
    ("Waveform with backpressure (open with gtkwave)", ["waves"]),
    ("Error plots", ["plot"]),
    ("Verilog export with its test bench", ["export"]),
    ("FPGA bitstreams: ICEBreaker (iCE40UP5K) and ULX3S 85F (ECP5)",
     ["build", "--board", "icebreaker", "--board", "ulx3s-85f"]),
]


def main():
    for title, argv in STEPS:
        print("\n=== {}: sigmoid-hw {}".format(title, " ".join(argv)), flush=True)
        start = time.monotonic()
        code = cli_main(argv)
        if code:
            print("demo step failed with exit code {}".format(code), file=sys.stderr)
            return code
        print("--- {} done in {:.1f} s".format(title, time.monotonic() - start), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
