# amaranth: UnusedElaboratable=no
"""The comparison designs: gateware equals model bit for bit, models equal their definitions."""

from fractions import Fraction
import math
import random

import mpmath
import numpy as np
import pytest
from amaranth import signed, unsigned
from amaranth.sim import Simulator

from sigmoid_hw.hw.baselines.interface import Baseline
from sigmoid_hw.hw.baselines.interp import Interp256, TanhInterp256
from sigmoid_hw.hw.baselines.mac import MultiplyAdd
from sigmoid_hw.hw.baselines.plan import PLAN
from sigmoid_hw.hw.baselines.rom import DirectROM
from sigmoid_hw.hw.baselines.table import Table1024, Tanh1024
from sigmoid_hw.hw.streamsim import run_stream
from sigmoid_hw.model import baselines
from sigmoid_hw.model.accuracy import error_metrics
from sigmoid_hw.model.fixed import SQ, UQ
import oracle

FMT = SQ(4, 12)
ALL_RAW = FMT.raw_range()
DESIGNS = {
    "plan": PLAN,
    "table1024": Table1024,
    "interp256": Interp256,
    "rom": DirectROM,
}
TANH_DESIGNS = {
    "tanh1024": Tanh1024,
    "tanh-interp256": TanhInterp256,
}
ALL_DESIGNS = {**DESIGNS, **TANH_DESIGNS}


def mp_sigmoid_scaled(raw, f_bits=12, out_bits=16):
    return oracle.sigmoid_scaled(raw, f_bits, out_bits)


def mp_round(value):
    """Round to nearest, refusing to decide within 1e-30 of a midpoint."""
    floor = int(mpmath.floor(value))
    frac = value - floor
    assert abs(frac - mpmath.mpf(0.5)) > mpmath.mpf(10) ** -30
    return floor + (1 if frac > 0.5 else 0)


def boundary_inputs():
    """Segment and table edges, their neighbours, the extremes and the SEEDS.md hard case."""
    points = {FMT.min, FMT.min + 1, -1, 0, 1, FMT.max - 1, FMT.max, -12570}
    for edge in (4096, 9728, 20480):  # PLAN's 1, 2.375, 5
        for e in (edge - 1, edge, edge + 1):
            points.update((e, -e))
    for k in range(-512, 512, 37):  # table bins and interpolation knots
        points.update((64 * k - 1, 64 * k, 64 * k + 1))
    for h in range(0, 194, 7):
        a = -(-512 * h // 3)  # first |raw| with 3|raw| >> 9 == h
        points.update(v for v in (a - 1, a, -a, -a + 1) if FMT.min <= v <= FMT.max)
    for k in range(-512, 513, 29):  # hls4ml's tanh bins (1/128 = 32 raw)
        points.update((32 * k - 1, 32 * k, 32 * k + 1))
    for h in list(range(0, 256, 11)) + [254, 255, 256]:
        a = -(-256 * h // 3)  # first |raw| with 3|raw| >> 8 == h (TFLite's tanh knots)
        points.update(v for v in (a - 1, a, -a, -a + 1) if FMT.min <= v <= FMT.max)
    return sorted(p for p in points if FMT.min <= p <= FMT.max)


# --- gateware against model -------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_gateware_equals_model_exhaustively(name):
    outputs, _ = run_stream(DESIGNS[name](), [int(v) for v in ALL_RAW])
    expected = baselines.BASELINES[name](ALL_RAW)
    mismatch = np.flatnonzero(np.array(outputs) != expected)
    assert mismatch.size == 0, "first mismatch at raw x = {}: {} != {}".format(
        ALL_RAW[mismatch[0]], outputs[mismatch[0]], expected[mismatch[0]])


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TANH_DESIGNS))
def test_tanh_gateware_equals_model_exhaustively_under_stalls(name):
    outputs, cycles = run_stream(TANH_DESIGNS[name](), [int(v) for v in ALL_RAW],
                                 stall=0.25, gap=0.1, seed=15)
    expected = baselines.BASELINES[name](ALL_RAW)
    assert cycles > ALL_RAW.size + 1000          # the stalls really happened
    mismatch = np.flatnonzero(np.array(outputs) != expected)
    assert mismatch.size == 0, "first mismatch at raw x = {}: {} != {}".format(
        ALL_RAW[mismatch[0]], outputs[mismatch[0]], expected[mismatch[0]])


@pytest.mark.parametrize("name", sorted(ALL_DESIGNS))
def test_gateware_under_backpressure(name):
    rng = random.Random(6)
    inputs = boundary_inputs() + [rng.randrange(FMT.min, FMT.max + 1) for _ in range(400)]
    outputs, cycles = run_stream(ALL_DESIGNS[name](), inputs, stall=0.4, gap=0.3, seed=61)
    assert outputs == [int(v) for v in baselines.BASELINES[name](np.array(inputs))]
    assert cycles > len(inputs)  # stalls and gaps really happened


@pytest.mark.parametrize("name", sorted(ALL_DESIGNS))
def test_formats_and_payload_shapes(name):
    dut = ALL_DESIGNS[name]()
    out = SQ(1, 15) if name in TANH_DESIGNS else UQ(0, 16)
    assert dut.input_format == FMT and dut.output_format == out
    assert dut.i.payload.shape() == signed(16)
    assert dut.o.payload.shape() == (signed(16) if out.signed else unsigned(16))


def test_baseline_interface_validation():
    with pytest.raises(TypeError, match=r"^output_format must be an SQ or UQ format, not 16$"):
        Baseline(16)


@pytest.mark.parametrize("name", sorted(ALL_DESIGNS))
def test_latency_and_throughput(name):
    dut = ALL_DESIGNS[name]()
    seen = []

    async def testbench(ctx):
        ctx.set(dut.o.ready, 1)
        ctx.set(dut.i.payload, 1234)
        ctx.set(dut.i.valid, 1)
        for cycle in range(dut.latency + 8):
            _, _, o_valid, i_ready = await ctx.tick().sample(dut.o.valid, dut.i.ready)
            assert i_ready
            seen.append(o_valid)

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(testbench)
    sim.run()
    # Samples are taken at each edge, before it: the word taken at the first edge is
    # valid `latency` edges later, and a new result follows every clock.
    assert seen.index(1) == dut.latency
    assert all(seen[dut.latency:])


# --- models against their definitions ---------------------------------------

def test_plan_model_equals_exact_definition():
    def plan_exact(raw):
        a = Fraction(abs(int(raw)), 4096)
        if a >= 5:
            y = Fraction(1)
        elif a >= Fraction(19, 8):
            y = Fraction(1, 32) * a + Fraction(27, 32)
        elif a >= 1:
            y = Fraction(1, 8) * a + Fraction(5, 8)
        else:
            y = Fraction(1, 4) * a + Fraction(1, 2)
        if raw < 0:
            y = 1 - y
        return min(math.floor(y * 65536 + Fraction(1, 2)), 65535)  # round half up

    sample = boundary_inputs() + list(range(FMT.min, FMT.max + 1, 97))
    assert [int(v) for v in baselines.plan_sigmoid(np.array(sample))] == \
        [plan_exact(r) for r in sample]


def test_plan_error_matches_literature():
    # Amin, Curtis and Hayes-Gill report a maximum error of 0.0189 (1.89%).
    y = baselines.plan_sigmoid(ALL_RAW) / 65536
    exact = 1 / (1 + np.exp(-ALL_RAW / 4096))
    assert 0.0189 <= np.max(np.abs(y - exact)) < 0.0190


def test_table1024_entries_are_rounded_left_edges():
    entries = baselines.table1024_entries()
    assert entries.shape == (1024,)
    for i in list(range(0, 1024, 11)) + [1023]:
        assert entries[i] == mp_round(mp_sigmoid_scaled(64 * i - 32768))


def test_table1024_model_indexes_by_floor_bin():
    entries = baselines.table1024_entries()
    sample = boundary_inputs()
    for raw, y in zip(sample, baselines.table1024_sigmoid(np.array(sample))):
        bin_index = math.floor(Fraction(raw, 4096) * 64) + 512
        assert y == entries[bin_index]


def test_interp256_knots_match_tflite():
    knots = baselines.interp256_entries()
    assert knots.shape == (256,)
    # Published in TFLite's / CMSIS-NN's sigmoid_table_uint16 (i = 0, 4, 8, 12, 14, 19):
    # none of these is the plain rounded sigmoid(i/24).
    assert [int(knots[i]) for i in (0, 4, 8, 12, 14, 19)] == \
        [32768, 35493, 38180, 40794, 42064, 45102]
    with mpmath.workdps(50):
        for i in range(0, 194, 3):
            s = oracle.sigmoid(mpmath.mpf(i) / 24)
            lifted = (s + s * (1 - s) * (2 * s - 1) / (16 * 24 * 24)) * 65536
            assert knots[i] == mp_round(lifted)


def test_interp256_model_equals_exact_interpolation():
    knots = [int(v) for v in baselines.interp256_entries()]

    def interp_exact(raw):
        pos = Fraction(abs(raw) * 24, 4096)  # |x| in knot units
        h = math.floor(pos)
        value = knots[h] + (pos - h) * (knots[h + 1] - knots[h])
        # TFLite rounds half up for x >= 0 and half down for x < 0, mirrored.
        if raw >= 0:
            return math.floor(value + Fraction(1, 2))
        return 65536 - math.floor(value + Fraction(1, 2))

    sample = boundary_inputs() + list(range(FMT.min, FMT.max + 1, 89))
    assert [int(v) for v in baselines.interp256_sigmoid(np.array(sample))] == \
        [interp_exact(r) for r in sample]


def test_rom_model_is_correctly_rounded():
    rng = random.Random(7)
    sample = boundary_inputs() + [rng.randrange(FMT.min, FMT.max + 1) for _ in range(1500)]
    got = baselines.rom_sigmoid(np.array(sample))
    assert [int(v) for v in got] == [mp_round(mp_sigmoid_scaled(r)) for r in sample]
    assert baselines.rom_entries().shape == (32768,)


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_metrics_agree_with_float_computation(name):
    # float64 is enough here: the errors are ~1e-11 ulp off at worst, and no
    # SQ(4,12) input is within 1e-6 ulp of a 16-bit rounding midpoint.
    y = baselines.BASELINES[name](ALL_RAW)
    scaled = 65536 / (1 + np.exp(-ALL_RAW / 4096))
    err = np.abs(y - scaled)
    rounded = np.minimum(np.floor(scaled + 0.5), 65535)
    metrics = error_metrics(y, ALL_RAW, FMT, 16)
    assert metrics["max_ulp"] == pytest.approx(err.max(), abs=1e-9)
    assert metrics["mean_ulp"] == pytest.approx(err.mean(), abs=1e-9)
    assert metrics["correctly_rounded"] == np.mean(y == rounded)


def test_model_input_validation():
    with pytest.raises(ValueError, match=r"^raw_x value 32768 is outside SQ\(4, 12\)"):
        baselines.plan_sigmoid([32768])
    with pytest.raises(TypeError, match=r"^raw_x must be integers of SQ\(4, 12\)"):
        baselines.rom_sigmoid([0.5])


# --- the multiply-add limit design ------------------------------------------

@pytest.mark.parametrize("signed", [True, False])
def test_multiply_add(signed):
    dut = MultiplyAdd(9, 7, 12, signed=signed)
    assert len(dut.o.payload) == 17
    rng = random.Random(3)
    lo = (lambda w: -(1 << (w - 1))) if signed else (lambda w: 0)
    hi = (lambda w: (1 << (w - 1)) - 1) if signed else (lambda w: (1 << w) - 1)
    inputs = [{"a": rng.randint(lo(9), hi(9)), "b": rng.randint(lo(7), hi(7)),
               "c": rng.randint(lo(12), hi(12))} for _ in range(300)]
    inputs += [{"a": lo(9), "b": lo(7), "c": lo(12)}, {"a": hi(9), "b": hi(7), "c": hi(12)}]
    outputs, _ = run_stream(dut, inputs, stall=0.3, gap=0.2, seed=5)
    assert outputs == [v["a"] * v["b"] + v["c"] for v in inputs]


def test_multiply_add_validation():
    with pytest.raises(TypeError, match=r"^a_width must be a positive integer, not 0$"):
        MultiplyAdd(0, 4)
    with pytest.raises(TypeError, match=r"^c_width must be a positive integer, not 'x'$"):
        MultiplyAdd(4, 4, "x")
    with pytest.raises(TypeError, match=r"^signed must be a bool, not 1$"):
        MultiplyAdd(4, 4, signed=1)
    dut = MultiplyAdd(18, 17)
    assert (dut.a_width, dut.b_width, dut.c_width, dut.latency) == (18, 17, 35, 2)
