# amaranth: UnusedElaboratable=no
"""The hardened limits (sigmoid_hw.hw.baselines.hard_limits) and the DSP primitives (sigmoid_hw.hw.dsp).

The twins (``instance=False``) against Python products in Amaranth's
simulator; the instances through Yosys, whose netlist keeps the DSP cell
with the registers asked for (read with ``sigmoid_hw.flow.dsp_registers``), simulated
with the cell models (Verilator) against the same Python products.
"""

import json
import os
import random

import pytest
from amaranth import Module, Signal, signed
from amaranth.back import rtlil
from amaranth.sim import Simulator

from sigmoid_hw.flow.dsp_registers import dsp_registers
from sigmoid_hw.flow.hard_cells import synth_script
from sigmoid_hw.flow.toolchain import run_tool
from sigmoid_hw.hw.baselines.hard_limits import HardMultiplyLimit, HornerStepLimit
from sigmoid_hw.hw.dsp import mult18x18d, sb_mac16

FAMILIES = ("ecp5", "ice40-up")


def _wrap(value, bits):
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def _expected(component, words):
    bits = 2 * component.width
    if isinstance(component, HardMultiplyLimit):
        return [_wrap(a * b, bits) for a, b in words]
    return [_wrap(a * b + c, bits) for a, b, c in words]


def _words(component, count, seed):
    rng = random.Random(seed)
    w = component.width
    lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1
    corners = [lo, hi, 0, -1, 1]
    words = []
    for k in range(count):
        a = corners[k % 5] if k < 25 else rng.randint(lo, hi)
        b = corners[(k // 5) % 5] if k < 25 else rng.randint(lo, hi)
        if isinstance(component, HornerStepLimit):
            c = rng.randint(-(1 << (2 * w - 1)), (1 << (2 * w - 1)) - 1)
            words.append((a, b, c))
        else:
            words.append((a, b))
    return words


def _simulate(component, words):
    """Feed one word per clock (gaps every 7th), collect every output word."""
    got = []

    async def bench(ctx):
        fields = ("a", "b", "c")
        pending = list(words)
        for cycle in range(len(words) * 2 + 20):
            if pending and cycle % 7 != 3:
                word = pending.pop(0)
                for name, value in zip(fields, word):
                    ctx.set(getattr(component.i.payload, name), value)
                ctx.set(component.i.valid, 1)
            else:
                ctx.set(component.i.valid, 0)
            ctx.set(component.o.ready, 1)
            await ctx.tick()
            if ctx.get(component.o.valid):
                got.append(ctx.get(component.o.payload))

    sim = Simulator(component)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    return got


@pytest.mark.parametrize("family", FAMILIES)
def test_hard_multiply_twin(family):
    dut = HardMultiplyLimit(family, instance=False)
    words = _words(dut, 300, 1)
    assert _simulate(dut, words) == _expected(dut, words)


@pytest.mark.parametrize("family", FAMILIES + ("ice40-hx",))
def test_horner_step_twin(family):
    dut = HornerStepLimit(family, instance=False)
    words = _words(dut, 300, 2)
    assert _simulate(dut, words) == _expected(dut, words)


def test_latency_and_validation():
    assert HardMultiplyLimit("ecp5").latency == 3
    assert HardMultiplyLimit("ice40-up").latency == 4
    assert HornerStepLimit("ecp5").latency == 4
    assert HornerStepLimit("ice40-up").latency == 4
    assert HornerStepLimit("ice40-hx").latency == 3
    with pytest.raises(ValueError, match=r"^family 'ice40-hx' has no DSP block$"):
        HardMultiplyLimit("ice40-hx")
    with pytest.raises(ValueError, match=r"^family must be one of \['ecp5', 'ice40-up', "
                                         r"'ice40-hx'\], not 'gowin'$"):
        HornerStepLimit("gowin")
    with pytest.raises(TypeError, match=r"^family must be a string, not 5$"):
        HornerStepLimit(5)
    with pytest.raises(TypeError, match=r"^instance must be a bool, not 1$"):
        HardMultiplyLimit("ecp5", instance=1)
    m = Module()
    with pytest.raises(ValueError, match=r"^a must be at most 18 bits wide, not 19$"):
        mult18x18d(m, Signal(signed(19)), Signal(signed(18)))
    with pytest.raises(ValueError, match=r"^b must be signed or at most 15 bits when unsigned$"):
        sb_mac16(m, Signal(signed(16)), Signal(16))
    with pytest.raises(TypeError, match=r"^pipeline must be a bool, not None$"):
        mult18x18d(m, Signal(signed(18)), Signal(signed(18)), pipeline=None)


def _synthesize(component, family, folder):
    """Yosys alone (no place and route): the JSON netlist of ``component``."""
    from sigmoid_hw.flow.implement import DEVICES
    device = {"ecp5": "ecp5-85f", "ice40-up": "up5k"}[family]
    os.environ.setdefault("AMARANTH_USE_YOSYS", "builtin")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "top.il"), "w") as f:
        f.write(rtlil.convert(component, name="top", emit_src=False))
    with open(os.path.join(folder, "synth.ys"), "w") as f:
        f.write(synth_script(DEVICES[device].synth, "top", folder, ["write_json netlist.json"]))
    run_tool("yosys", ["-q", "synth.ys"], cwd=folder)
    with open(os.path.join(folder, "netlist.json")) as f:
        return json.load(f)


@pytest.mark.toolchain
@pytest.mark.parametrize("family", FAMILIES)
def test_every_register_inside_the_block(tmp_path, family):
    """Counts from the netlist: every register of the block is used (sigmoid_hw.flow.dsp_registers)."""
    netlist = _synthesize(HornerStepLimit(family), family, str(tmp_path))
    blocks = dsp_registers(netlist)
    assert len(blocks) == 1
    regs = blocks[0]["registers"]
    if family == "ecp5":
        assert blocks[0]["type"] == "MULT18X18D"
        assert regs == {"A": True, "B": True, "C": None, "pipeline": True, "output": True}
    else:
        assert blocks[0]["type"] == "SB_MAC16"
        assert regs == {"A": True, "B": True, "C": True, "D": True, "pipeline": True,
                        "product": True, "output": True}


@pytest.mark.toolchain
@pytest.mark.slow
@pytest.mark.parametrize("family, limit", [("ecp5", HardMultiplyLimit),
                                           ("ice40-up", HardMultiplyLimit),
                                           ("ice40-up", HornerStepLimit)])
def test_instance_netlist_equals_products(tmp_path, family, limit):
    """The synthesized instance, simulated with the cell models, against Python's products.

    (The ECP5 Horner step's 72 input bits exceed the harness's 64-bit words; its
    MULT18X18D is the hard multiply's, and its add is fabric logic.)
    """
    from sigmoid_hw.flow import verilator
    from sigmoid_hw.flow.netlist import netlist_sources
    from sigmoid_hw.flow.vectors import write_words
    if not verilator.verilator_available():
        pytest.skip("Verilator is not available")
    dut = limit(family)
    words = _words(dut, 2000, 3)
    expected = _expected(dut, words)
    width = dut.width
    fields = [(0, width), (width, width), (2 * width, 2 * width)]
    packed = [sum((v & ((1 << w) - 1)) << lo for v, (lo, w) in zip(word, fields))
              for word in words]
    in_width = len(dut.i.payload.as_value())
    out_width = 2 * width
    sources = netlist_sources(dut, "top", "ecp5" if family == "ecp5" else "ice40",
                              str(tmp_path / "netlist"))
    xs, ys = str(tmp_path / "x.bin"), str(tmp_path / "y.bin")
    write_words(xs, [_wrap(v, in_width) for v in packed], in_width)   # int64-safe
    write_words(ys, [e & ((1 << out_width) - 1) for e in expected], out_width)
    program = verilator.build_harness(sources, "top", in_width, out_width,
                                      str(tmp_path / "verilator"),
                                      extra_args=["-Wno-lint", "-Wno-style"])
    found = verilator.run_harness(program, xs, ys, len(words), gap=0.2, stall=0.0)
    assert found.passed, found.as_dict()


def test_hardened_pipeline_instances_only_for_synthesis():
    """ECP5 above the fabric multiply's reach: MULT18X18D instances when synthesis elaborates
    (sigmoid_hw.hw.dsp.PRIMITIVES), the plain twin for simulation and export; other families as before."""
    from sigmoid_hw.hw.dsp import PRIMITIVES
    from sigmoid_hw.hw.pipeline import SigmoidPipeline
    dut = SigmoidPipeline(target_mhz=250, family="ecp5")
    assert all(h.hard_dsp for h in dut.schedule.horner) and dut.schedule.free_running
    assert "MULT18X18D" not in rtlil.convert(dut, emit_src=False)
    hard = rtlil.convert(SigmoidPipeline(target_mhz=250, family="ecp5"), emit_src=False,
                         platform=PRIMITIVES)
    assert hard.count("cell \\MULT18X18D ") == 6
    assert hard.count('parameter \\REG_PIPELINE_CLK "CLK0"') == 6
    assert "SB_LUT4" not in hard     # the credit buffer's read decision in plain logic
    for family, target in (("ecp5", 100), ("ice40-up", 250), ("ice40-hx", 250)):
        assert not any(h.hard_dsp for h in SigmoidPipeline(
            target_mhz=target, family=family).schedule.horner)
