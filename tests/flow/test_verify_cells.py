"""The MULT18X18D model (flow/cells/ecp5_mult18x18d.v) against the primitive's description.

P is the exact product of the 18-bit operands, each read as two's complement
when its SIGNED input is high and as unsigned otherwise; SIGNEDP = SIGNEDA |
SIGNEDB; each enabled register (input A/B, pipeline, output) adds one cycle,
moves only when its clock enable is high, and a synchronous reset clears it.
Expected values are computed here from that description with Python
integers; the model runs in Icarus Verilog.
"""

import os
import random
import shutil
import subprocess

import pytest

# the repository root is two folders up (tests/flow/)
CELL = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                    "flow", "cells", "ecp5_mult18x18d.v")
pytestmark = pytest.mark.skipif(shutil.which("iverilog") is None, reason="iverilog missing")


def _operand(value, signed):
    return value - (1 << 18) if signed and value >> 17 else value


def _product(a, b, sa, sb):
    return (_operand(a, sa) * _operand(b, sb)) & ((1 << 36) - 1), sa | sb


def _expected(steps, registers):
    """P, SIGNEDP after each step's rising edge, from a chain of ``registers`` stages."""
    chain = [(0, 0, 0, 0)] * registers
    out = []
    for a, b, sa, sb, ce, rst in steps:
        if rst:
            chain = [(0, 0, 0, 0)] * registers
        elif ce and registers:
            chain = [(a, b, sa, sb)] + chain[:-1]
        out.append(_product(*(chain[-1] if registers else (a, b, sa, sb))))
    return out


def _bench(params, steps):
    bits = lambda name, width: ", ".join(".{0}{1}({0}_bus[{1}])".format(name, k)
                                         for k in range(width))
    lines = ["`timescale 1ns/1ps", "module tb;",
             "  reg clk = 0, ce = 1, rst = 0, sa = 0, sb = 0;",
             "  reg [17:0] A_bus = 0, B_bus = 0, C_bus = 0;",
             "  wire [35:0] P_bus; wire signedp;",
             "  MULT18X18D #({}) dut ({}, {}, {}, {}, .SIGNEDA(sa), .SIGNEDB(sb), "
             ".SIGNEDP(signedp), .SOURCEA(1'b0), .SOURCEB(1'b0), .CLK0(clk), .CE0(ce), "
             ".RST0(rst), .CLK1(1'b0), .CLK2(1'b0), .CLK3(1'b0), .CE1(1'b0), .CE2(1'b0), "
             ".CE3(1'b0), .RST1(1'b0), .RST2(1'b0), .RST3(1'b0));".format(
                 ", ".join('.{}("{}")'.format(k, v) for k, v in params.items()),
                 bits("A", 18), bits("B", 18), bits("C", 18), bits("P", 36)),
             "  initial begin"]
    for a, b, sa, sb, ce, rst in steps:
        lines.append("    A_bus = 18'h{:x}; B_bus = 18'h{:x}; sa = {}; sb = {}; ce = {}; "
                     "rst = {};".format(a, b, sa, sb, ce, rst))
        lines.append("    #5 clk = 1; #5 clk = 0; #1 $display(\"%h %b\", P_bus, signedp);")
    lines += ["    $finish;", "  end", "endmodule"]
    return "\n".join(lines) + "\n"


def _run(tmp_path, params, steps):
    bench = tmp_path / "tb.v"
    bench.write_text(_bench(params, steps))
    program = tmp_path / "tb.vvp"
    subprocess.run(["iverilog", "-g2012", "-o", str(program), "-s", "tb", str(bench), CELL],
                   check=True, capture_output=True, text=True)
    out = subprocess.run(["vvp", "-n", str(program)], check=True, capture_output=True,
                         text=True).stdout
    return [(int(p, 16), int(s)) for p, s in (line.split() for line in out.splitlines()
                                              if line and line[0] in "0123456789abcdef")]


def _steps(seed, count, *, enables=False, resets=False):
    rng = random.Random(seed)
    corners = [0, 1, (1 << 17) - 1, 1 << 17, (1 << 18) - 1]
    steps = []
    for k in range(count):
        a = rng.choice(corners) if k % 5 == 0 else rng.randrange(1 << 18)
        b = rng.choice(corners) if k % 7 == 0 else rng.randrange(1 << 18)
        steps.append((a, b, rng.randrange(2), rng.randrange(2),
                      int(rng.random() < 0.7) if enables else 1,
                      int(resets and rng.random() < 0.05)))
    return steps


CONFIGS = [
    ({}, 0),
    ({"REG_INPUTA_CLK": "CLK0", "REG_INPUTB_CLK": "CLK0"}, 1),
    ({"REG_PIPELINE_CLK": "CLK0"}, 1),
    ({"REG_OUTPUT_CLK": "CLK0"}, 1),
    ({"REG_INPUTA_CLK": "CLK0", "REG_INPUTB_CLK": "CLK0", "REG_PIPELINE_CLK": "CLK0",
      "REG_OUTPUT_CLK": "CLK0"}, 3),
]


@pytest.mark.parametrize("params, registers", CONFIGS)
def test_product_signedness_and_registers(tmp_path, params, registers):
    steps = _steps(registers + 11, 300)
    assert _run(tmp_path, params, steps) == _expected(steps, registers)


def test_clock_enable_and_reset(tmp_path):
    params, registers = CONFIGS[-1]
    steps = _steps(5, 400, enables=True, resets=True)
    got = _run(tmp_path, params, steps)
    assert got == _expected(steps, registers)
    assert any(step[5] for step in steps) and not all(step[4] for step in steps)


def test_signed_corners():
    # the description itself, on the corners: -2^17 * -2^17, unsigned 2^18-1 squared
    assert _product(1 << 17, 1 << 17, 1, 1) == (1 << 34, 1)
    assert _product((1 << 18) - 1, (1 << 18) - 1, 0, 0) == (((1 << 18) - 1) ** 2, 0)
    assert _product((1 << 18) - 1, 2, 1, 0) == ((1 << 36) - 2, 1)


def test_unmodelled_modes_are_refused(tmp_path):
    out = _run_raw(tmp_path, {"MULT_BYPASS": "ENABLED"})
    assert "not modelled" in out


def _run_raw(tmp_path, params):
    bench = tmp_path / "tb.v"
    bench.write_text(_bench(params, [(1, 2, 0, 0, 1, 0)]))
    program = tmp_path / "tb.vvp"
    subprocess.run(["iverilog", "-g2012", "-o", str(program), "-s", "tb", str(bench), CELL],
                   check=True, capture_output=True)
    return subprocess.run(["vvp", "-n", str(program)], capture_output=True, text=True).stdout
