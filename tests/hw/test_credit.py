# amaranth: UnusedElaboratable=no
"""sigmoid_hw.hw.credit.CreditBuffer: registered flags only, nothing lost, one word per clock.

The buffer alone behind a model datapath (a delay line of ``depth`` clocks,
as the free-running pipeline is), with random producers and consumers; and
the UP5K pipeline at 100 MHz, every one of the 65,536 inputs under random
stalls and gaps, against the model. The contract itself is proved in
formal/ (``make formal``: the credit contract at HX8K 100 and UP5K max).
"""

import random

import pytest
from amaranth import *
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out
from amaranth.sim import Simulator

from sigmoid_hw.hw.credit import CreditBuffer
from sigmoid_hw.hw.pipeline import SigmoidPipeline
from sigmoid_hw.hw.streamsim import run_stream
from verilator_checks import check_every_input, needs_verilator


class _DelayLine(wiring.Component):
    """A free-running datapath of ``depth`` registers ending in a CreditBuffer."""

    def __init__(self, depth, level_ahead=False):
        self.depth = depth
        self.buffer = CreditBuffer(unsigned(16), depth, level_ahead=level_ahead)
        super().__init__({"i": In(stream.Signature(16)), "o": Out(stream.Signature(16))})

    @property
    def latency(self):
        return self.depth + self.buffer.latency

    def elaborate(self, platform):
        m = Module()
        m.submodules.buffer = buf = self.buffer
        valid, payload = self.i.valid & buf.credit, self.i.payload
        for k in range(self.depth):
            v, p = Signal(name="v{}".format(k)), Signal(16, name="p{}".format(k))
            m.d.sync += [v.eq(valid), p.eq(payload)]
            valid, payload = v, p
        m.d.comb += [buf.i.valid.eq(valid), buf.i.payload.eq(payload),
                     buf.accepted.eq(self.i.valid & buf.credit),
                     self.i.ready.eq(buf.credit)]
        wiring.connect(m, buf.o, wiring.flipped(self.o))
        return m


@pytest.mark.parametrize("level_ahead", [False, True])
@pytest.mark.parametrize("depth", [0, 1, 5, 30])
@pytest.mark.parametrize("stall, gap", [(0.0, 0.0), (0.5, 0.0), (0.3, 0.3), (0.9, 0.1)])
def test_every_word_once_in_order(depth, stall, gap, level_ahead):
    dut = _DelayLine(depth, level_ahead)
    words = [random.Random(depth).randrange(1 << 16) for _ in range(600)]
    out, cycles = run_stream(dut, words, stall=stall, gap=gap, seed=depth + 7)
    assert out == words
    if stall == gap == 0:
        assert cycles == len(words) + dut.latency   # one word per clock


@pytest.mark.parametrize("level_ahead", [False, True])
def test_ready_follows_o_ready_and_credits_are_used(level_ahead):
    """A clock of o.ready is followed by one of i.ready (the credit is one LUT from
    registers); a long stall uses every credit."""
    dut = _DelayLine(6, level_ahead)
    buf = dut.buffer
    log = {"max_count": 0, "violations": 0, "got": []}

    async def bench(ctx):
        rng = random.Random(1)
        sent, was_ready = 0, False
        for cycle in range(3000):
            ready = (cycle // 50) % 2 == 0 or rng.random() < 0.2
            ctx.set(dut.o.ready, int(ready))
            ctx.set(dut.i.valid, int(rng.random() < 0.8))
            ctx.set(dut.i.payload, sent & 0xFFFF)
            await ctx.delay(1e-7)
            if was_ready and not ctx.get(dut.i.ready):
                log["violations"] += 1
            was_ready = ready
            log["max_count"] = max(log["max_count"], ctx.get(buf.count))
            if ctx.get(dut.i.valid) and ctx.get(dut.i.ready):
                sent += 1
            if ctx.get(dut.o.valid) and ready:
                log["got"].append(ctx.get(dut.o.payload))
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    assert log["violations"] == 0
    assert log["max_count"] == buf.credits == 6 + 4
    assert log["got"] == list(range(len(log["got"]))) and len(log["got"]) > 1000


def test_sizes_and_errors():
    buf = CreditBuffer(unsigned(16), 51)
    assert (buf.credits, buf.latency, buf.offered_level, buf.ready_lag) == (55, 3, 3, 1)
    assert buf.registers == ()
    with pytest.raises(TypeError, match=r"^depth must be a non-negative integer, not -1$"):
        CreditBuffer(unsigned(16), -1)
    with pytest.raises(TypeError, match=r"^level_ahead must be a bool, not 1$"):
        CreditBuffer(unsigned(16), 5, level_ahead=1)


@pytest.mark.slow
@needs_verilator
def test_up5k_pipeline_every_input_under_stalls():
    dut = SigmoidPipeline(target_mhz=100, family="ice40-up")
    assert isinstance(dict(dut.stages)["buffer"], CreditBuffer)
    check_every_input("pipeline", dict(target_mhz=100, family="ice40-up"), stall=0.3, gap=0.2,
                      seed=21, count=65536)


def test_level_ahead_read_decision_is_one_lut_for_synthesis():
    # under the synthesis platform the read decision is one SB_LUT4 by instance; its truth
    # table is the rule: read the RAM when it holds a word (L > 1 after a read in flight,
    # L > 0 otherwise) and the queue has room (q[ROOM] low)
    import re
    from amaranth.back import rtlil
    from sigmoid_hw.hw.dsp import PRIMITIVES
    text = rtlil.convert(_DelayLine(3, level_ahead=True), platform=PRIMITIVES, emit_src=False)
    inits = re.findall(r"cell \\SB_LUT4 .*?parameter \\LUT_INIT 16'([01]+)", text, re.S)
    assert len(inits) == 1
    init = int(inits[0], 2)
    for k in range(16):
        read, v0, v1, full = k & 1, (k >> 1) & 1, (k >> 2) & 1, (k >> 3) & 1
        assert (init >> k) & 1 == int(bool((v1 if read else v0) and not full)), k
    plain = rtlil.convert(_DelayLine(3, level_ahead=False), platform=PRIMITIVES,
                          emit_src=False)
    assert "SB_LUT4" not in plain and "SB_LUT4" not in rtlil.convert(
        _DelayLine(3, level_ahead=True), emit_src=False)
