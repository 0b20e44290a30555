# amaranth: UnusedElaboratable=no
"""sigmoid_hw.hw.threshold.ThresholdComparator in simulation, against the exact decision from mpmath.

Seven compile-time comparators and one runtime-programmable one share the
input in a test harness, so one simulation of all 65,536 inputs under random
backpressure checks them all at once (one harness output carries every
decision bit and every valid bit).
"""

from fractions import Fraction
import math
import random

import pytest
from amaranth import *
from amaranth.lib import wiring, stream
from amaranth.lib.wiring import In, Out
from amaranth.sim import Simulator

from sigmoid_hw.hw.streamsim import run_stream
from sigmoid_hw.hw.threshold import ThresholdComparator
from oracle import mp_boundary
from sigmoid_hw.model.fixed import SQ, UQ
from sigmoid_hw.model.threshold import threshold_limit

FMT = SQ(4, 12)


THRESHOLDS = [
    0.5,
    1 / (1 + math.exp(1)),          # float sigmoid(-1): the seed's float logit gets it wrong
    1 / (1 + math.exp(-0.75)),      # just above sigmoid(0.75)
    0.7310585786300049,             # float nearest sigmoid(1)
    Fraction(1, 1000),
    1 - 2.0 ** -40,                 # none passes
    0.0,                            # all pass
]
RUNTIME_T = Fraction(9, 10)


class _Harness(wiring.Component):
    """Every comparator on the same input; one output word with all decisions and valids."""

    def __init__(self, comparators):
        self._comparators = comparators
        n = len(comparators)
        super().__init__({
            "i": In(stream.Signature(signed(FMT.width))),
            "o": Out(stream.Signature(2 * n)),
        })

    @property
    def latency(self):
        return self._comparators[0].latency

    def elaborate(self, platform):
        m = Module()
        first = self._comparators[0]
        for k, c in enumerate(self._comparators):
            m.submodules["c{}".format(k)] = c
            m.d.comb += [c.i.payload.eq(self.i.payload), c.i.valid.eq(self.i.valid),
                         c.o.ready.eq(self.o.ready)]
        m.d.comb += [
            self.i.ready.eq(first.i.ready),
            self.o.valid.eq(first.o.valid),
            self.o.payload.eq(Cat(*(c.o.payload for c in self._comparators),
                                  *(c.o.valid for c in self._comparators))),
        ]
        return m


def test_all_inputs_compile_time_and_runtime():
    comparators = [ThresholdComparator(FMT, t) for t in THRESHOLDS]
    runtime = ThresholdComparator(FMT, threshold=None)
    comparators.append(runtime)
    dut = _Harness(comparators)
    n = len(comparators)
    boundaries = [mp_boundary(t, FMT) for t in THRESHOLDS + [RUNTIME_T]]
    assert boundaries[-3:-1] == [FMT.max + 1, FMT.min]

    async def program(ctx):
        ctx.set(runtime.limit, threshold_limit(RUNTIME_T, FMT))

    inputs = list(range(FMT.min, FMT.max + 1))
    random.Random(1).shuffle(inputs)
    outputs, _ = run_stream(dut, inputs, stall=0.1, gap=0.05, seed=11, extra=program)
    assert len(outputs) == len(inputs)
    all_valid = (1 << n) - 1
    for x, word in zip(inputs, outputs):
        assert word >> n == all_valid, x
        expected = sum(int(x >= b) << k for k, b in enumerate(boundaries))
        assert word & all_valid == expected, (x, bin(word & all_valid), bin(expected))


async def _stream_put_get(ctx, dut, items, rng, stall, gap):
    """Send ``items`` and collect as many decisions, with random gaps and stalls."""
    got, sent, held = [], 0, None
    while len(got) < len(items):
        valid = sent < len(items) and rng.random() >= gap
        if valid:
            ctx.set(dut.i.payload, items[sent])
        ctx.set(dut.i.valid, valid)
        ctx.set(dut.o.ready, rng.random() >= stall)
        _, _, i_ready, o_valid, o_ready, o_payload = await ctx.tick().sample(
            dut.i.ready, dut.o.valid, dut.o.ready, dut.o.payload)
        if held is not None:
            assert o_valid and o_payload == held, "decision dropped or changed while stalled"
        if valid and i_ready:
            sent += 1
        if o_valid and o_ready:
            got.append(o_payload)
            held = None
        else:
            held = o_payload if o_valid else None
    ctx.set(dut.i.valid, 0)
    for _ in range(3):
        _, _, o_valid = await ctx.tick().sample(dut.o.valid)
        assert not o_valid, "a decision appeared with no input"
    return got


def test_runtime_limit_reprogrammed_between_streams():
    dut = ThresholdComparator(FMT, threshold=None)
    programs = [Fraction(7, 10), 0.5, 0.0, 1.0, 1 / (1 + math.exp(1)), Fraction(1, 20)]
    rng = random.Random(5)
    results = []

    async def testbench(ctx):
        for t in programs:
            limit = threshold_limit(t, FMT)
            ctx.set(dut.limit, limit)
            items = [rng.randrange(FMT.min, FMT.max + 1) for _ in range(600)]
            items += [limit + d for d in range(-3, 3) if FMT.min <= limit + d <= FMT.max]
            items += [FMT.min, FMT.max]
            got = await _stream_put_get(ctx, dut, items, rng, stall=0.4, gap=0.2)
            results.append((t, items, got))

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(testbench)
    sim.run()
    assert len(results) == len(programs)
    for t, items, got in results:
        boundary = mp_boundary(t, FMT)
        assert got == [int(x >= boundary) for x in items], t


def test_latency_is_one_cycle():
    dut = ThresholdComparator(FMT, 0.5)
    assert dut.latency == 1

    async def testbench(ctx):
        ctx.set(dut.o.ready, 1)
        ctx.set(dut.i.payload, 5)
        ctx.set(dut.i.valid, 1)
        assert ctx.get(dut.i.ready)
        assert not ctx.get(dut.o.valid)
        await ctx.tick()
        ctx.set(dut.i.valid, 0)
        assert ctx.get(dut.o.valid) and ctx.get(dut.o.payload) == 1
        await ctx.tick()
        assert not ctx.get(dut.o.valid)

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(testbench)
    sim.run()


def test_unsigned_input_format_exhaustive():
    fmt = UQ(3, 5)
    t = 0.8
    dut = ThresholdComparator(fmt, t)
    inputs = list(range(fmt.min, fmt.max + 1))
    outputs, _ = run_stream(dut, inputs, stall=0.3, gap=0.3, seed=3)
    boundary = mp_boundary(t, fmt)
    assert outputs == [int(x >= boundary) for x in inputs]


def test_ports_and_properties():
    dut = ThresholdComparator()
    assert dut.limit_value == 1 and dut.threshold == 0.5 and dut.input_format == FMT
    assert not hasattr(dut, "limit")
    assert dut.i.payload.shape() == signed(16) and dut.o.payload.shape() == unsigned(1)
    runtime = ThresholdComparator(SQ(4, 12), None)
    assert runtime.limit_value is None
    assert runtime.limit.shape() == signed(17)
    assert ThresholdComparator(UQ(3, 5), None).limit.shape() == unsigned(9)
    assert ThresholdComparator(FMT, 1.0).limit_value == 32768


def test_parameter_errors():
    with pytest.raises(TypeError, match=r"^input_format must be a fixed-point format such as "
                                        r"SQ\(4, 12\), not 'SQ\(4,12\)'$"):
        ThresholdComparator("SQ(4,12)")
    with pytest.raises(TypeError, match=r"^Threshold must be a real number, not '0\.5'$"):
        ThresholdComparator(FMT, "0.5")
    with pytest.raises(ValueError, match=r"^Threshold must be a real number other than NaN, "
                                         r"not nan$"):
        ThresholdComparator(FMT, math.nan)
    with pytest.raises(ValueError, match=r"^Threshold must be a real number, not \(0\.5\+0j\)$"):
        ThresholdComparator(FMT, 0.5 + 0j)
