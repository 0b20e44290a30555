# amaranth: UnusedElaboratable=no
"""target_mhz: the same results at every target, the latency that follows, the credit
handshake, the delay model's helpers, the limit circuits and the icetime step."""

import json
import random

import numpy as np
import pytest
from amaranth.sim import Simulator

from sigmoid_hw.flow.implement import icetime_fmax, parse_icetime
from sigmoid_hw.hw.baselines.limits import RegisteredAdd, RegisteredMultiply
from sigmoid_hw.hw.pipeline import SigmoidPipeline
from sigmoid_hw.hw.streamsim import first_output, run_stream, stream_put
from sigmoid_hw.hw.timing import FAMILIES, chunks, pack, schedule, segments
from sigmoid_hw.model.pipeline import derive_params, plan_for, sigmoid_fixed

SETTINGS = [("ecp5", 100), ("ecp5", 150), ("ecp5", 1000), ("ice40-up", 90),
            ("ice40-hx", 100), ("ice40-hx", 1000)]


def _sample(params, count=700, seed=11):
    fmt = params.input_format
    rng = random.Random(seed)
    xs = {fmt.min, fmt.min + 1, -1, 0, 1, fmt.max}
    for t in plan_for(params).reduction.thresholds:
        xs.update({t - 1, t, -t, 1 - t})
    xs.update(rng.randrange(fmt.min, fmt.max + 1) for _ in range(count))
    return sorted(x for x in xs if fmt.min <= x <= fmt.max)


@pytest.mark.parametrize("family,target", SETTINGS)
def test_rtl_equals_model_at_target(family, target):
    dut = SigmoidPipeline(target_mhz=target, family=family)
    xs = _sample(dut.params)
    out, _ = run_stream(dut, xs, stall=0.3, gap=0.2, seed=5)
    assert out == [int(y) for y in sigmoid_fixed(np.array(xs), dut.params)]


@pytest.mark.parametrize("kwargs", [dict(rounding="correct"), dict(coefficients="derived"),
                                    dict(coefficients="minimax", register_product=True)],
                         ids=["correct", "derived", "minimax-product"])
def test_rtl_equals_model_at_target_other_configurations(kwargs):
    dut = SigmoidPipeline(target_mhz=150, family="ice40-up", **kwargs)
    xs = _sample(dut.params, count=300)
    out, _ = run_stream(dut, xs, stall=0.3, seed=6)
    assert out == [int(y) for y in sigmoid_fixed(np.array(xs), dut.params)]


@pytest.mark.slow
def test_deepest_setting_exhaustive_equals_model():
    dut = SigmoidPipeline(target_mhz=1000, family="ice40-up")
    xs = dut.params.input_format.raw_range()
    out, cycles = run_stream(dut, [int(x) for x in xs])
    assert len(out) == 65536
    mismatch = np.flatnonzero(np.array(out) != sigmoid_fixed(xs, dut.params))
    assert mismatch.size == 0, "first mismatch at raw x = {}".format(int(xs[mismatch[0]]))
    assert cycles == 65536 + dut.latency   # one result per clock through the credit buffer


def _first_output_cycle(dut):
    cycle, y = first_output(dut, 4096)
    return {"cycle": cycle, "y": y}


@pytest.mark.parametrize("family,target", [(None, None)] + SETTINGS[:2] + SETTINGS[3:5])
def test_latency_is_the_sum_of_the_stage_registers_and_is_measured(family, target):
    dut = SigmoidPipeline(target_mhz=target, family=family or "ecp5")
    assert dut.latency == sum(stage.latency for _, stage in dut.stages)
    seen = _first_output_cycle(dut)
    assert seen["cycle"] == dut.latency and seen["y"] == sigmoid_fixed(4096)
    plan = plan_for(dut.params)
    if target is None:
        assert dut.latency == plan.latency
    else:
        # the model's plan keeps the arithmetic's minimum; the registers live in hw
        assert dut.latency > plan.latency
    # the credit buffer (3 cycles) on the iCE40 families at a target and on ECP5 with the
    # hardened multiplies (above ~141 MHz), the stall elsewhere
    credit = target is not None and (family != "ecp5" or target > 141)
    assert ("buffer" in dict(dut.stages)) == credit == dut.schedule.free_running
    if credit:
        assert dict(dut.stages)["buffer"].latency == 3
    # every register of the map belongs to a stage 1 .. latency
    assert {r.stage for r in dut.registers} <= set(range(1, dut.latency + 1))


def test_latency_grows_with_the_target():
    lat = [SigmoidPipeline(target_mhz=t, family="ice40-hx").latency for t in (50, 100, 150)]
    assert lat == sorted(lat) and lat[0] < lat[-1]


def test_credit_handshake_never_drops_and_ready_follows_o_ready():
    """A consumer that stalls for long stretches: i.ready falls once the credits are used,
    a clock of o.ready is always followed by one of i.ready (the credit comes from
    registers), and every word comes out once, in order."""
    dut = SigmoidPipeline(target_mhz=100, family="ice40-hx")
    buffer = dict(dut.stages)["buffer"]
    xs = list(range(-3000, 3000, 37))
    got, log = [], {"ready_low": 0, "max_count": 0}

    async def producer(ctx):
        for x in xs:
            await stream_put(ctx, dut.i, x)

    async def consumer(ctx):
        rng = random.Random(3)
        cycle = 0
        while len(got) < len(xs):
            ready = (cycle // 40) % 2 == 0 or rng.random() < 0.1
            ctx.set(dut.o.ready, int(ready))
            await ctx.delay(1e-7)
            assert not log.get("was_ready") or ctx.get(dut.i.ready)
            log["was_ready"] = ready
            log["ready_low"] += not ctx.get(dut.i.ready)
            log["max_count"] = max(log["max_count"], ctx.get(buffer.count))
            if ctx.get(dut.o.valid) and ready:
                got.append(ctx.get(dut.o.payload))
            await ctx.tick()
            cycle += 1

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(producer)
    sim.add_testbench(consumer)
    sim.run()
    assert got == [int(y) for y in sigmoid_fixed(np.array(xs))]
    assert log["ready_low"] > 0 and log["max_count"] == buffer.credits


def test_pack_segments_chunks():
    assert pack([1, 1, 1, 1], period=2.5, overhead=0.5) == (1, 3)
    assert pack([3, 1], period=2.5, overhead=0.5) == (0, 1)        # an op too slow alone
    assert pack([1, 1, 1], period=9, overhead=0, forced=(0,)) == (0, 2)
    assert segments(18, 35, 20) == ((0, 18), (18, 35))
    assert segments(10, 32, 8) == ((0, 8), (8, 10), (10, 18), (18, 26), (26, 32))
    assert chunks(22, 18) == ((0, 17), (17, 22))
    assert chunks(12, 18) == ((0, 12),)
    assert chunks(40, 16) == ((0, 15), (15, 30), (30, 40))


def test_schedule_none_and_targets():
    plan = plan_for(derive_params())
    assert schedule(plan, "ecp5", None).horner == ()
    slow, fast = schedule(plan, "ecp5", 50), schedule(plan, "ecp5", 150)
    assert sum(h.registers for h in slow.horner) < sum(h.registers for h in fast.horner)
    for family in FAMILIES:
        s = schedule(plan, family, 100)
        assert len(s.horner) == plan.horner.order
        for h in s.horner:
            assert h.ops[0] == "mul" and h.cuts[-1] == len(h.ops) - 1
    # UP5K: a register right after every multiply (the SB_MAC16's own)
    assert all(h.cuts[0] == 0 for h in schedule(plan, "ice40-up", 50).horner)


def test_schedule_and_pipeline_reject_bad_targets():
    plan = plan_for(derive_params())
    with pytest.raises(ValueError, match=r"^target_mhz must be a positive number of MHz or "
                                         r"None, not -5$"):
        schedule(plan, "ecp5", -5)
    with pytest.raises(TypeError, match=r"^target_mhz must be a positive number of MHz or "
                                        r"None, not '100'$"):
        schedule(plan, "ecp5", "100")
    with pytest.raises(ValueError, match=r"^family must be one of \['ecp5', 'gowin-gw1n', "
                                         r"'gowin-gw2a', 'ice40-hx', 'ice40-up'\], not 'xc7'$"):
        SigmoidPipeline(target_mhz=100, family="xc7")


@pytest.mark.parametrize("cls,width,op", [
    (RegisteredMultiply, 9, lambda a, b: a * b),
    (RegisteredAdd, 8, lambda a, b: (a + b + 128) % 256 - 128),
])
def test_limit_circuits_compute_their_operation(cls, width, op):
    dut = cls(width)
    rng = random.Random(1)
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    inputs = [{"a": rng.randint(lo, hi), "b": rng.randint(lo, hi)} for _ in range(200)]
    inputs += [{"a": lo, "b": lo}, {"a": hi, "b": lo}]
    out, _ = run_stream(dut, inputs)
    assert out == [op(v["a"], v["b"]) for v in inputs]


def test_limit_circuits_reject_a_bad_width():
    with pytest.raises(TypeError, match=r"^width must be a positive integer, not 0$"):
        RegisteredMultiply(0)


def test_parse_icetime_and_missing_tool(tmp_path, monkeypatch):
    report = ("Report for critical path:\n...\nTotal number of logic levels: 17\n"
              "Total path delay: 17.81 ns (56.16 MHz)\n")
    assert parse_icetime(report) == 56.16
    assert parse_icetime("no timing here") is None
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert icetime_fmax(str(tmp_path / "top.asc"), ["-d", "up5k"]) == "missing"


def test_target_option_reaches_the_pipeline():
    from sigmoid_hw.scripts.cli import main
    import contextlib
    import io
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        assert main(["simulate", "--target-mhz", "100", "--family", "ice40-hx",
                     "--count", "300", "--json"]) == 0
    result = json.loads(text.getvalue())
    assert result["rtl_mismatches"] == 0
    assert result["latency"] == SigmoidPipeline(target_mhz=100, family="ice40-hx").latency


@pytest.mark.slow
@pytest.mark.toolchain
def test_up5k_target_through_the_tools_with_icetime(tmp_path):
    """One target through Yosys, nextpnr and icetime: 7 SB_MAC16 (every multiply-add in
    blocks, sigmoid_hw.hw.horner_mac: one per chunk of acc), the block RAM of the credit
    buffer, and icetime's figure read from its own report (or "missing" without icetime)."""
    import os
    import shutil
    from sigmoid_hw.flow.implement import implement
    dut = SigmoidPipeline(target_mhz=150, family="ice40-up")
    result = implement(dut, "up5k", build_dir=str(tmp_path))
    assert result["dsps"] == 7 and result["brams"] == 1
    assert result["fmax_mhz"] > 0
    if shutil.which("icetime") is None:
        assert result["fmax_icetime_mhz"] == "missing"
    else:
        with open(os.path.join(str(tmp_path), "icetime.rpt")) as f:
            assert result["fmax_icetime_mhz"] == parse_icetime(f.read()) > 0


def test_derived_correct_rounding_split_keeps_the_carried_coefficients():
    # found by `sigmoid-hw verify --all`: a split multiply-add registered its pair carries
    # as c0, c1, ... beside the derived coefficients c1, c2, ... it carries, and the carry
    # overwrote c1 (the linear term was lost; for x = 1 ulp the output stayed 1/2)
    from sigmoid_hw.model.fixed import SQ
    dut = SigmoidPipeline(SQ(4, 16), 20, coefficients="derived", rounding="correct",
                          target_mhz=150)
    xs = [1, 2, 100, 12345, -12345] + _sample(dut.params, count=60)
    out, _ = run_stream(dut, xs, stall=0.2, seed=7)
    assert out == [int(y) for y in sigmoid_fixed(np.array(xs), dut.params)]


def test_two_step_fold_keeps_the_most_negative_input():
    # found by `sigmoid-hw verify --all`: with the fold in two steps (|x|, then the clamp)
    # the register between them was as narrow as the clamped a, and |x| = 2^(W-1) of the
    # most negative input wrapped to 0 (sigmoid(-8) came out 1/2)
    from sigmoid_hw.model.fixed import SQ
    dut = SigmoidPipeline(SQ(4, 8), 8, target_mhz=150)
    assert dut._schedule.fold == 2 and dut.plan.reduction.a_clamp is not None
    xs = [-2048, -2047, -1, 0, 2047] + _sample(dut.params, count=100)
    out, _ = run_stream(dut, xs, stall=0.2, seed=3)
    assert out == [int(y) for y in sigmoid_fixed(np.array(xs), dut.params)]
    assert out[0] == 0


def test_up5k_at_90_splits_every_chain_the_model_says_does_not_fit():
    # the UP5K's delay model counts a carry chain's end (exit, 2.7 ns): at 90 MHz |x| and the
    # output's + c stand alone in 8-bit segments, the comparisons are 4-bit lookups and the
    # one-hot code is registered; the families whose steps fit keep their structure
    plan = plan_for(derive_params())
    up = schedule(plan, "ice40-up", 90)
    assert (up.fold_carry, up.output_carry) == (((0, 8), (8, 15)), ((0, 8), (8, 16)))
    assert (up.fold, up.compare_part, up.reduce_offset, up.output) == (3, 4, 3, 3)
    assert all(hi - lo <= 8 for h in up.horner for lo, hi in h.segments)
    for family, target in (("ice40-hx", 100), ("ecp5", 250), ("gowin-gw2a", 200)):
        s = schedule(plan, family, target)
        assert (s.fold_carry, s.output_carry, s.compare_part) == ((), (), None)
        assert s.reduce_offset < 3


def test_correction_match_over_two_steps_on_ecp5():
    # correct rounding at 250 MHz on the ECP5: the inputs' matches registered, the
    # correction made from them one step later; every corrected input (both signs) and
    # its neighbours equal the model under stalls
    dut = SigmoidPipeline(target_mhz=250, family="ecp5", rounding="correct")
    assert dut.schedule.reduce_fix == 2
    assert SigmoidPipeline(target_mhz=150, family="ecp5", rounding="correct"
                           ).schedule.reduce_fix == 1
    fmt = dut.params.input_format
    near = {s * a + e for a, _ in dut.plan.reduction.corrections
            for s in (1, -1) for e in (-1, 0, 1)}
    xs = sorted(set(_sample(dut.params, count=200)) | {x for x in near
                                                       if fmt.min <= x <= fmt.max})
    out, _ = run_stream(dut, xs, stall=0.3, gap=0.1, seed=3)
    assert out == [int(y) for y in sigmoid_fixed(np.array(xs), dut.params)]
