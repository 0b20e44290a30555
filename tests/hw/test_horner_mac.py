# amaranth: UnusedElaboratable=no
"""The UP5K's Horner multiply-adds in SB_MAC16 blocks with every register (sigmoid_hw.hw.horner_mac).

Which stages the schedule puts in blocks, that the other families build what they
built, the instances synthesis gets (every register enabled, the addend through
C/D), and the twin against the model at stage boundaries. The RTL on every input:
``sigmoid-hw verify --target-mhz 90 --family ice40-up --backend verilator``; the
synthesized netlist: the same with ``--netlist ice40``.
"""

import re

import numpy as np
from amaranth.back import rtlil

from sigmoid_hw.hw.dsp import PRIMITIVES
from sigmoid_hw.hw.pipeline import SigmoidPipeline
from sigmoid_hw.hw.streamsim import run_stream
from sigmoid_hw.hw.timing import schedule
from sigmoid_hw.model.pipeline import derive_params, plan_for, sigmoid_fixed


def test_every_up5k_stage_at_90_is_in_blocks():
    plan = plan_for(derive_params())
    s = schedule(plan, "ice40-up", 90)
    h, red = plan.horner, plan.reduction
    assert s.free_running and all(st.mac for st in s.horner)
    for index, st in enumerate(s.horner):
        k = h.order - 1 - index
        width = h.shifts[k] + h.acc_width[k]
        # one block per chunk of acc_(k+1): 15-bit unsigned low chunks, a signed top
        assert st.acc_chunks[0][0] == 0 and st.acc_chunks[-1][1] == h.acc_width[k + 1]
        assert all(hi - lo <= 15 for lo, hi in st.acc_chunks[:-1])
        assert st.acc_chunks[-1][1] - st.acc_chunks[-1][0] <= 16 and red.d_width <= 16
        assert width - st.acc_chunks[-1][0] <= 32
        # one block: the result straight from its output register; several: one add of
        # their sums in segments of at most 8 bits
        if len(st.acc_chunks) == 1:
            assert (st.ops, st.cuts, st.registers) == (("mul",), (0,), 5)
        else:
            assert set(st.ops[1:]) == {"round"} and st.registers == len(st.cuts) + 4
            assert all(hi - lo <= 8 for lo, hi in st.segments)
    # the widths of the default plan: acc_2 17 bits and acc_1 22 take two blocks each
    assert [len(st.acc_chunks) for st in s.horner] == [1, 1, 1, 2, 2]


def test_other_families_and_slow_targets_have_no_mac_stage():
    plan = plan_for(derive_params())
    for family, target in (("ecp5", 250), ("ecp5", 100), ("ice40-hx", 100),
                           ("gowin-gw2a", 200), ("ice40-up", 40)):
        assert not any(st.mac for st in schedule(plan, family, target).horner), family


def test_synthesis_gets_sb_mac16_instances_with_every_register():
    dut = SigmoidPipeline(target_mhz=90, family="ice40-up")
    assert "SB_MAC16" not in rtlil.convert(dut, emit_src=False)     # the twin
    text = rtlil.convert(SigmoidPipeline(target_mhz=90, family="ice40-up"), emit_src=False,
                         platform=PRIMITIVES)
    cells = re.findall(r"cell \\SB_MAC16 .*?\n  end", text, re.S)
    assert len(cells) == 7
    for cell in cells:
        for reg in ("A_REG", "B_REG", "C_REG", "D_REG", "TOP_8x8_MULT_REG",
                    "BOT_8x8_MULT_REG", "PIPELINE_16x16_MULT_REG1", "PIPELINE_16x16_MULT_REG2"):
            assert re.search(r"parameter \\{} 1'1".format(reg), cell), reg


def test_twin_equals_model_near_every_segment_boundary():
    dut = SigmoidPipeline(target_mhz=90, family="ice40-up")
    fmt = dut.params.input_format
    xs = {fmt.min, fmt.max, -1, 0, 1}
    for t in dut.plan.reduction.thresholds:
        xs.update(v for s in (1, -1) for v in range(s * t - 3, s * t + 4))
    xs = sorted(x for x in xs if fmt.min <= x <= fmt.max)
    out, _ = run_stream(dut, xs, stall=0.3, gap=0.2, seed=9)
    assert out == [int(y) for y in sigmoid_fixed(np.array(xs), dut.params)]


def test_up5k_at_a_target_reducer_and_buffer_forms_other_families_unchanged():
    # the reducer's a + ~C_n + 1 on the UP5K only; the buffer's read decision one LUT from
    # registers on the UP5K and (since c8a5a2c, in plain logic) the ECP5, not the HX8K
    # (sigmoid_hw.hw.reduction, sigmoid_hw.hw.credit)
    for family, target, complement, level_ahead in (("ice40-up", 90, True, True),
                                                    ("ice40-hx", 100, False, False),
                                                    ("ecp5", 250, False, True)):
        stages = dict(SigmoidPipeline(target_mhz=target, family=family).stages)
        assert stages["reduce"]._complement is complement, family
        assert stages["buffer"]._level_ahead is level_ahead, family
        assert any(r.name == "nc" for r in stages["reduce"].registers) is complement, family


def test_tanh_and_the_unit_on_the_up5k_use_the_blocks_and_equal_their_models():
    # the functions' cores at 90 MHz: every stage in SB_MAC16s (8, the UP5K's count), the
    # same words as the function models under stalls and gaps
    from sigmoid_hw.hw import ActivationUnit, TanhPipeline
    from sigmoid_hw.model.function_model import function_fixed, unit_fixed
    tanh = TanhPipeline(target_mhz=90, family="ice40-up")
    unit = ActivationUnit(("sigmoid", "tanh"), target_mhz=90, family="ice40-up")
    for dut in (tanh, unit):
        assert all(st.mac for st in dut.core.schedule.horner)
        assert sum(len(st.acc_chunks) for st in dut.core.schedule.horner) == 8
    fmt = tanh.params.input_format
    rng = np.random.default_rng(21)
    xs = np.concatenate([np.arange(-30, 30), rng.integers(fmt.min, fmt.max + 1, 400),
                         [fmt.min, fmt.max]])
    out, _ = run_stream(tanh, [int(v) for v in xs], stall=0.3, gap=0.1, seed=4)
    assert np.array_equal(np.array(out), function_fixed(xs, tanh.params))
    fs = rng.integers(0, 2, xs.size)
    out, _ = run_stream(unit, [{"x": int(x), "function": int(f)} for x, f in zip(xs, fs)],
                        stall=0.3, gap=0.1, seed=6)
    width = max(f.width for f in unit.output_formats)
    assert [o["function"] for o in out] == fs.tolist()
    assert [o["y"] for o in out] == [int(y) & ((1 << width) - 1)
                                     for y in unit_fixed(xs, fs, unit.params)]


def test_up5k_comparison_lookups_are_sb_lut4_instances_for_synthesis_only():
    # the reducer's 4-bit comparison lookups (and the buffer's read decision) are SB_LUT4
    # instances under the synthesis platform on the UP5K at 90 MHz; their truth tables are
    # checked on every input by the netlist proof (sigmoid-hw verify ... --netlist ice40)
    up = rtlil.convert(SigmoidPipeline(target_mhz=90, family="ice40-up"), emit_src=False,
                       platform=PRIMITIVES)
    assert up.count("cell \\SB_LUT4 ") > 12
    assert "SB_LUT4" not in rtlil.convert(SigmoidPipeline(target_mhz=90, family="ice40-up"),
                                          emit_src=False)
    for family, target in (("ice40-hx", 100), ("ecp5", 250)):
        assert "SB_LUT4" not in rtlil.convert(SigmoidPipeline(target_mhz=target, family=family),
                                              emit_src=False, platform=PRIMITIVES)
