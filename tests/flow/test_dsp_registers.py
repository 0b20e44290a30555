"""sigmoid_hw.flow.dsp_registers: each DSP block's registers read from a netlist's cell parameters.

Netlists here are written by hand in Yosys's JSON form (parameters as bit
strings, constant port bits as "0"/"1"), so every case is checked without the
tools; tests/hw/test_hard_limits.py reads real netlists of the hardened limits.
"""

import pytest

from sigmoid_hw.flow.dsp_registers import dsp_registers, format_dsp_registers, summarize
from sigmoid_hw.scripts.commands.synth import format_report


def _netlist(*cells):
    return {"modules": {"top": {"attributes": {"top": "00000000000000000000000000000001"},
                                "cells": dict(cells)}}}


def _mac(params, *, c_used=False, d_used=False, top_used=True):
    bits = lambda used, first: list(range(first, first + 16)) if used else ["0"] * 16
    return {"type": "SB_MAC16", "parameters": params, "connections": {
        "A": list(range(2, 18)), "B": list(range(20, 36)), "C": bits(c_used, 40),
        "D": bits(d_used, 60), "O": list(range(80, 96)) + (list(range(96, 112)) if top_used
                                                           else ["x"] * 16)}}


def test_sb_mac16_as_yosys_packs_a_bare_multiply():
    # the parameters of one of the default pipeline's SB_MAC16s on the UP5K
    params = {"A_REG": "1", "B_REG": "1", "C_REG": "0", "D_REG": "0", "MODE_8x8": "0",
              "TOP_8x8_MULT_REG": "0", "BOT_8x8_MULT_REG": "0",
              "PIPELINE_16x16_MULT_REG1": "0", "PIPELINE_16x16_MULT_REG2": "0",
              "TOPOUTPUT_SELECT": "00", "BOTOUTPUT_SELECT": "00"}
    blocks = dsp_registers(_netlist(("m", _mac(params, c_used=True, d_used=True))))
    assert blocks == [{"cell": "m", "type": "SB_MAC16", "registers": {
        "A": True, "B": True, "C": False, "D": False, "pipeline": False, "product": False,
        "output": False}}]


def test_sb_mac16_every_register():
    params = {"A_REG": "1", "B_REG": "1", "C_REG": "1", "D_REG": "1", "MODE_8x8": "0",
              "TOP_8x8_MULT_REG": "1", "BOT_8x8_MULT_REG": "1",
              "PIPELINE_16x16_MULT_REG1": "1", "PIPELINE_16x16_MULT_REG2": "1",
              "TOPOUTPUT_SELECT": "01", "BOTOUTPUT_SELECT": "01"}
    regs = dsp_registers(_netlist(("m", _mac(params, c_used=True, d_used=True))))[0]
    assert all(regs["registers"].values())


def test_sb_mac16_partial_pipeline_unused_ports_and_half_output():
    # J/K registered but not F/G: the pipeline is not all inside; only the bottom half
    # of O is used and it is registered; C and D unused
    params = {"A_REG": "0", "B_REG": "1", "MODE_8x8": "0", "TOP_8x8_MULT_REG": "0",
              "BOT_8x8_MULT_REG": "0", "PIPELINE_16x16_MULT_REG1": "1",
              "PIPELINE_16x16_MULT_REG2": "1", "TOPOUTPUT_SELECT": "11",
              "BOTOUTPUT_SELECT": "01"}
    regs = dsp_registers(_netlist(("m", _mac(params, top_used=False))))[0]["registers"]
    assert regs == {"A": False, "B": True, "C": None, "D": None, "pipeline": False,
                    "product": True, "output": True}


def test_mult18x18d_and_alu54b():
    def bus(name, width, used):
        return {"{}{}".format(name, k): [k + 2] if used else ["0"] for k in range(width)}
    mult = {"type": "MULT18X18D", "parameters": {
        "REG_INPUTA_CLK": "CLK0", "REG_INPUTB_CLK": "NONE", "REG_INPUTC_CLK": "NONE",
        "REG_PIPELINE_CLK": "CLK0", "REG_OUTPUT_CLK": "NONE"},
        "connections": {**bus("A", 18, True), **bus("B", 18, True), **bus("C", 18, False)}}
    alu = {"type": "ALU54B", "parameters": {
        "REG_INPUTC0_CLK": "CLK0", "REG_INPUTC1_CLK": "CLK0", "REG_OPCODEOP0_0_CLK": "CLK0",
        "REG_OPCODEIN_0_CLK": "NONE", "REG_OUTPUT0_CLK": "CLK0", "REG_OUTPUT1_CLK": "CLK0"},
        "connections": bus("C", 54, True)}
    lut = {"type": "LUT4", "parameters": {}, "connections": {}}
    blocks = dsp_registers(_netlist(("b_mult", mult), ("a_alu", alu), ("l", lut)))
    assert [b["cell"] for b in blocks] == ["a_alu", "b_mult"]
    assert blocks[0]["registers"] == {"C": True, "opcode": False, "output": True}
    assert blocks[1]["registers"] == {"A": True, "B": False, "C": None, "pipeline": True,
                                      "output": False}
    assert summarize(blocks)["MULT18X18D"] == {"blocks": 1, "registers": {
        "A": [1, 1], "B": [0, 1], "C": [0, 0], "pipeline": [1, 1], "output": [0, 1]}}


def test_printed_by_synth():
    params = {"A_REG": "1", "B_REG": "0", "MODE_8x8": "0"}
    blocks = dsp_registers(_netlist(("core.m", _mac(params))))
    assert format_dsp_registers(blocks) == [
        "1 SB_MAC16: registers inside A 1/1, B 0/1, pipeline 0/1, product 0/1, output 0/1",
        "  +A -B .C .D -pipeline -product -output core.m"]
    result = {"design": "pipeline", "latency": 10, "device": "up5k", "part": "p", "seed": 1,
              "toolchain": "yowasp", "luts": 1, "ffs": 2, "boundary_ffs": 1, "dsps": 1,
              "brams": 0, "fmax_mhz": 50.0, "target_mhz": 48, "seconds": 1.0,
              "dsp_registers": blocks}
    text = format_report(result)
    assert ("DSP regs  1 SB_MAC16: registers inside A 1/1, B 0/1, pipeline 0/1, product 0/1, "
            "output 0/1\n" + " " * 12 + "+A -B .C .D") in text
    assert format_dsp_registers([]) == []


def test_errors():
    with pytest.raises(TypeError, match=r"^netlist must be a Yosys JSON netlist \(a dict with "
                                        r"'modules'\), not list$"):
        dsp_registers([])
    with pytest.raises(ValueError, match=r"^Netlist has no top module$"):
        dsp_registers({"modules": {"m": {"cells": {}}}})
