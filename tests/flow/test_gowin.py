"""The Gowin flow: devices, report figures, board build plans, the multiplier models, a smoke build.

The multiplier models (``flow/cells/gowin_mult.v``) are checked against the
primitives' description (the exact product of the operands, each signed when
its xSIGN input is high) with expected values computed here in Python
integers, in Verilator. The smoke build (``toolchain``) puts the comparator
through ``synth_gowin`` and nextpnr-himbaechel on the GW1NR-9 and checks each
figure against nextpnr's JSON report read directly.
"""

import json
import os
import random
import re
import subprocess

import pytest

from sigmoid_hw.flow.implement import DEVICES, implement
from sigmoid_hw.flow.gowin import GOWIN_PARTS, parse_gowin_report
from sigmoid_hw.flow.toolchain import tool_path, use_toolchain
from sigmoid_hw.flow.verilator import _PCH_FIX, verilator_available, verilator_command, verilator_env

CELLS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                     "flow", "cells", "gowin_mult.v")


def test_gowin_devices():
    for name, chipdb, family in (("gw1nr-9", "GW1N-9C", "gw1n"), ("gw2a-18", "GW2A-18C", "gw2a")):
        dev = DEVICES[name]
        assert dev.family == "gowin" and dev.part == GOWIN_PARTS[name].part
        assert dev.synth == "synth_gowin -family " + family
        assert dev.nextpnr_args == ["--device", dev.part, "--vopt", "family=" + chipdb]
        assert dev.timing_family == "gowin-" + family
        assert set(GOWIN_PARTS[name].ooc_pins) == {"clk", "rst", "din", "dout"}
    assert os.access(tool_path("nextpnr-himbaechel"), os.X_OK)
    assert os.access(tool_path("gowin_pack"), os.X_OK)


def test_parse_gowin_report():
    report = {
        "utilization": {
            "LUT4": {"used": 100, "available": 8640}, "ALU": {"used": 40, "available": 6480},
            "DFF": {"used": 70, "available": 6480}, "MULT18X18": {"used": 2, "available": 20},
            "MULT9X9": {"used": 1, "available": 40}, "BSRAM": {"used": 3, "available": 26},
            "DUMMY_CELL": {"used": 5, "available": 0}, "OSC": {"used": 0, "available": 1},
        },
        "fmax": {"core.clk": {"achieved": 87.654, "constraint": 100}},
        "critical_paths": [],
    }
    figures = parse_gowin_report(report)
    assert (figures["luts"], figures["lut4"], figures["alu"], figures["ffs"], figures["dsps"],
            figures["brams"], figures["fmax_mhz"]) == (140, 100, 40, 70, 3, 3, 87.65)
    assert "DUMMY_CELL" not in figures["cells"] and "OSC" not in figures["cells"]
    assert figures["critical_path"] is None
    assert figures["fmax_note"].startswith("upper bound")
    report["utilization"]["MULT18X18"]["used"] = report["utilization"]["MULT9X9"]["used"] = 0
    assert "fmax_note" not in parse_gowin_report(report)


@pytest.mark.parametrize("name, pins, tool", [
    ("tang-nano-9k", ["18", "17"], "tangnano9k"),
    ("tang-primer-20k", ["T13", "M11"], "tangprimer20k"),
])
def test_gowin_board_build_plans(name, pins, tool):
    """The board's top elaborates, its script runs nextpnr-himbaechel (not nextpnr-gowin)."""
    from sigmoid_hw.boards.platforms import board, platform_for
    from sigmoid_hw.boards.top import BoardTop

    platform = platform_for(name)
    assert platform.required_tools == ["yosys", "nextpnr-himbaechel", "gowin_pack"]
    with use_toolchain("yowasp"):
        plan = platform.build(BoardTop(name), name="sigmoid", do_build=False)
    script = plan.files["build_sigmoid.sh"]
    assert "nextpnr-gowin" not in script and "openFPGALoader" not in script
    assert "--vopt family={}".format(platform._chipdb_device) in script.replace("\n", " ") \
        or re.search(r"--vopt\s+family=" + platform._chipdb_device, script)
    constraints = plan.files["sigmoid.cst"]
    for pin in pins:  # UART rx and tx
        assert re.search(r"\b{}\b".format(pin), constraints)
    assert board(name).program == ["openFPGALoader -b {} {{bitstream}}".format(tool)]


_CELLS = (("MULT9X9", 9), ("MULT18X18", 18), ("MULT36X36", 36))


def _bench(cases, folder):
    """One bench, each cell instantiated once, fed the (a, b, sa, sb) of ``cases[cell]`` from a
    ``$readmemh`` file (one packed word a line), printing each product."""
    lines = ["module tb;", "  integer i;"]
    for cell, width in _CELLS:
        count, word = len(cases[cell]), 2 * width + 2
        path = os.path.join(folder, cell + ".hex")
        with open(path, "w") as f:
            f.writelines("{:x}\n".format((a << width + 2) | (b << 2) | (sa << 1) | sb)
                         for a, b, sa, sb in cases[cell])
        lines.append("  reg [{0}:0] v_{1} [0:{2}]; reg [{0}:0] x_{1}; wire [{3}:0] p_{1};".format(
            word - 1, cell, count - 1, 2 * width - 1))
        ports = (".A(x_{0}[{1}:{2}]), .B(x_{0}[{3}:2]), .ASIGN(x_{0}[1]), .BSIGN(x_{0}[0]), "
                 ".CE(1'b0), .CLK(1'b0), .RESET(1'b0), .DOUT(p_{0})".format(
                     cell, word - 1, width + 2, width + 1))
        if cell != "MULT36X36":
            ports += ", .SIA({0}'d0), .SIB({0}'d0), .ASEL(1'b0), .BSEL(1'b0), .SOA(), " \
                     ".SOB()".format(width)
        lines.append("  {0} dut_{0} ({1});".format(cell, ports))
    lines.append("  initial begin")
    for cell, width in _CELLS:
        lines += ['    $readmemh("{}", v_{});'.format(os.path.join(folder, cell + ".hex"), cell),
                  "    for (i = 0; i < {}; i = i + 1) begin".format(len(cases[cell])),
                  '      x_{0} = v_{0}[i]; #1 $display("{0} %h", p_{0});'.format(cell),
                  "    end"]
    lines += ["    $finish;", "  end", "endmodule"]
    return "\n".join(lines) + "\n"


def _signed(value, width, signed):
    return value - (1 << width) if signed and value >> (width - 1) else value


@pytest.mark.skipif(not verilator_available(), reason="Verilator, g++ or make missing")
def test_gowin_multiplier_models(tmp_path):
    rng = random.Random(1)
    cases, expected = {}, []
    for cell, width in _CELLS:
        edges = [0, 1, (1 << (width - 1)) - 1, 1 << (width - 1), (1 << width) - 1]
        cases[cell] = [(a, b, sa, sb) for a in edges for b in edges for sa in (0, 1)
                       for sb in (0, 1)]
        cases[cell] += [(rng.getrandbits(width), rng.getrandbits(width), rng.getrandbits(1),
                         rng.getrandbits(1)) for _ in range(200)]
        expected += [(cell, (_signed(a, width, sa) * _signed(b, width, sb)) % (1 << 2 * width))
                     for a, b, sa, sb in cases[cell]]
    (tmp_path / "tb.v").write_text(_bench(cases, str(tmp_path)))
    obj = str(tmp_path / "obj")
    proc = subprocess.run([verilator_command(), "--binary", "-Wno-fatal", "-Wno-lint", "-CFLAGS", "-fcoroutines",
                           *_PCH_FIX, "--top-module", "tb", "--Mdir", obj,
                           str(tmp_path / "tb.v"), CELLS],
                          capture_output=True, text=True, env=verilator_env(), timeout=600)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-2000:]
    out = subprocess.run([os.path.join(obj, "Vtb")], check=True, capture_output=True,
                         text=True, timeout=60).stdout.splitlines()
    shown = [(cell, int(word, 16)) for cell, word in
             (line.split() for line in out if line.startswith("MULT"))]
    assert shown == expected


@pytest.mark.toolchain
def test_gw1nr_9_comparator(tmp_path):
    from sigmoid_hw.hw.designs import make_design
    r = implement(make_design("comparator"), "gw1nr-9", build_dir=str(tmp_path))
    with open(tmp_path / "report.json") as f:
        util = json.load(f)["utilization"]
    assert r["luts"] == util["LUT4"]["used"] + util.get("ALU", {"used": 0})["used"]
    assert r["ffs"] == util["DFF"]["used"] >= r["boundary_ffs"] == 23
    assert (r["dsps"], r["brams"]) == (0, 0)
    assert r["fmax_mhz"] > 50 and r["target_mhz"] == 100 and r["seed"] == 1
    assert r["netlist_cells"]["IBUF"] == 3 and r["netlist_cells"]["OBUF"] == 1


@pytest.mark.parametrize("family, target", [("gowin-gw1n", 100), ("gowin-gw2a", 250)])
def test_pipeline_at_a_gowin_target_equals_the_model(family, target):
    import numpy as np
    from sigmoid_hw.hw.pipeline import SigmoidPipeline
    from sigmoid_hw.hw.streamsim import run_stream
    from sigmoid_hw.model.pipeline import sigmoid_fixed
    dut = SigmoidPipeline(target_mhz=target, family=family)
    assert dut.schedule.family == family and not dut.schedule.free_running  # shared stall
    rng = random.Random(3)
    xs = sorted({-32768, -1, 0, 1, 32767} | {rng.randrange(-32768, 32768) for _ in range(300)})
    out, _ = run_stream(dut, xs, stall=0.3, gap=0.2, seed=5)
    assert out == [int(y) for y in sigmoid_fixed(np.array(xs), dut.params)]


@pytest.mark.skipif(not verilator_available(), reason="Verilator, g++ or make missing")
@pytest.mark.slow
@pytest.mark.toolchain
def test_gowin_netlist_equals_the_model_on_every_input():
    from sigmoid_hw.scripts.verification import verify
    r = verify("pipeline", backend="verilator", netlist="gowin")
    assert (r["count"], r["received"], r["mismatches"], r["missing"]) == (65536, 65536, 0, 0)
    assert r["passed"]


def test_cell_library_refuses_a_black_box(tmp_path):
    # Yosys ships Gowin's block RAMs as empty black boxes: no model rather than a silent one
    from sigmoid_hw.flow.netlist import cell_library
    with pytest.raises(ValueError, match=r"^no simulation model for cell SDP of family gowin "
                                         r"\(Yosys's has no behaviour: a black box or an "
                                         r"empty module\)$"):
        cell_library("gowin", {"SDP", "LUT4"}, str(tmp_path / "cells.v"))
    # an empty module without the black-box attribute (iCE40's oscillator) likewise
    with pytest.raises(ValueError, match=r"^no simulation model for cell SB_HFOSC of family "
                                         r"ice40 "):
        cell_library("ice40", {"SB_HFOSC"}, str(tmp_path / "e.v"))
    for family, cells in (("ice40", {"SB_LUT4", "SB_CARRY", "SB_DFFE", "SB_MAC16"}),
                          ("ecp5", {"LUT4", "CCU2C", "TRELLIS_FF", "DP16KD", "MULT18X18D",
                                    "PFUMX", "L6MUX21"}),
                          ("gowin", {"LUT4", "ALU", "DFFE", "MUX2_LUT5", "IBUF", "OBUF"})):
        cell_library(family, cells, str(tmp_path / (family + ".v")))   # all have models
    path = cell_library("gowin", {"GSR", "LUT4", "ALU", "MULT18X18"}, str(tmp_path / "c.v"))
    with open(path) as f:
        body = f.read()
    assert "module MULT18X18(" in body and "module GSR" in body and "module SP " not in body
    # the project's read-only models of SP and SPX9 replace Yosys's black boxes
    path = cell_library("gowin", {"SPX9"}, str(tmp_path / "r.v"))
    with open(path) as f:
        assert "writes are not modelled" in f.read()
