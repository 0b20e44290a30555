"""A cocotb 2.x test bench for exported Verilog, with cocotb's runner (Icarus or Verilator).

``write_bench`` puts into one folder: ``stream_test.py`` (the cocotb test),
``run.py`` (the runner: ``python run.py icarus|verilator``), ``bench.json``
(top module, widths, latency, stall and gap, seed, the Verilog file and the
waiver file, relative to the folder) and the two vector files of
``sigmoid_hw.flow.vectors``. ``run_bench`` runs ``run.py`` in a fresh Python.
"""

import json
import os
import shutil
import subprocess
import sys

from sigmoid_hw.flow.vectors import write_words

__all__ = ["write_bench", "run_bench", "BENCH_FILES"]

BENCH_FILES = ("stream_test.py", "run.py")
_HERE = os.path.dirname(os.path.abspath(__file__))


def write_bench(folder, top, verilog_path, in_width, out_width, inputs, expected, *, patience,
                constants=None, stall=0.25, gap=0.1, seed=1, waiver=None):
    """Write the bench for module ``top`` of ``verilog_path`` into ``folder``; return the folder."""
    if len(inputs) != len(expected):
        raise ValueError("inputs and expected must have the same length, not {} and {}".format(
            len(inputs), len(expected)))
    os.makedirs(folder, exist_ok=True)
    for name in BENCH_FILES:
        shutil.copyfile(os.path.join(_HERE, name), os.path.join(folder, name))
    write_words(os.path.join(folder, "inputs.bin"), inputs, in_width)
    write_words(os.path.join(folder, "expected.bin"), expected, out_width)
    config = {"top": top, "in_width": in_width, "out_width": out_width,
              "verilog": os.path.relpath(os.path.abspath(verilog_path), os.path.abspath(folder)),
              "waiver": None if waiver is None else
              os.path.relpath(os.path.abspath(waiver), os.path.abspath(folder)),
              "inputs": "inputs.bin", "expected": "expected.bin", "stall": stall, "gap": gap,
              "seed": seed, "patience": patience,
              "constants": {k: v & ((1 << w) - 1) for k, (w, v) in (constants or {}).items()}}
    with open(os.path.join(folder, "bench.json"), "w") as f:
        json.dump(config, f, indent=2)
    return folder


def run_bench(folder, simulator="icarus", timeout=1800):
    """Run the bench in ``folder`` on ``simulator``; return ``(passed, output)``."""
    proc = subprocess.run([sys.executable, "run.py", simulator], cwd=folder,
                          capture_output=True, text=True, timeout=timeout)
    return proc.returncode == 0, proc.stdout + proc.stderr
