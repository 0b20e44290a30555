"""The rate of a pipeline with ``reuse`` (``SigmoidPipeline(reuse=R)``), as a formal harness.

``sigmoid_hw.formal.harness.StreamContract`` proves the stream rule, the words in flight
and the bounded response of such a pipeline as of any other (its register
map has one valid bit per clock of latency); its ``ready`` property
(``o.ready`` implies ``i.ready``) is false by design, since a word is taken
at most every R clocks. ``IntervalContract`` asserts what holds instead.
"""

from amaranth import *
from amaranth.hdl import Assert

from sigmoid_hw.formal.harness import stage_valids

__all__ = ["IntervalContract"]


class IntervalContract(Elaboratable):
    """The initiation interval ``R = dut.initiation_interval``, over the real valid registers.

    Asserted:

    * ``spacing``: after a word is accepted, ``i.ready`` is low for the next
      ``R - 1`` clocks (no two words closer than R clocks: no two meet in a
      shared multiplier);
    * ``rate``: in any R consecutive clocks with ``o.ready`` high, ``i.ready``
      is high in at least one (a word every R clocks when the consumer takes
      every word; nothing deadlocks);

    strengthened by: a word accepted ``j < R`` clocks ago is in one of the
    first ``j`` stages, and after ``w`` clocks of ``o.ready`` without
    ``i.ready`` the first ``w`` stages are empty.
    """

    def __init__(self, dut):
        self.dut = dut

    def ports(self):
        dut = self.dut
        return [dut.i.valid, Value.cast(dut.i.payload), dut.o.ready, dut.i.ready, dut.o.valid,
                Value.cast(dut.o.payload)]

    def elaborate(self, platform):
        m = Module()
        dut = m.submodules.dut = self.dut
        R = dut.initiation_interval
        valids = stage_valids(dut)
        i, o = dut.i, dut.o

        # taken[j]: a word was accepted j clocks ago (j = 1 .. R - 1)
        taken = [None] + [Signal(name="taken_{}".format(j)) for j in range(1, R)]
        if R > 1:
            m.d.sync += taken[1].eq(i.valid & i.ready)
            m.d.sync += [taken[j].eq(taken[j - 1]) for j in range(2, R)]
        for j in range(1, R):
            m.d.comb += [
                Assert(~taken[j] | ~i.ready, "a word accepted {} clocks after another"
                       .format(j)),
                Assert(~taken[j] | Cat(*valids[:j]).any(),
                       "a word accepted {} clocks ago is not in the first {} stages"
                       .format(j, j)),
            ]

        # waited: clocks in a row with o.ready high and i.ready low
        waited = Signal(range(R + 1))
        with m.If(o.ready & ~i.ready):
            m.d.sync += waited.eq(waited + 1)
        with m.Else():
            m.d.sync += waited.eq(0)
        m.d.comb += Assert(waited <= R - 1, "o.ready for {} clocks and no i.ready".format(R))
        for w in range(1, R):
            with m.If(waited >= w):
                m.d.comb += Assert(~Cat(*valids[:w]).any(),
                                   "stages 1 .. {} not empty after {} clocks".format(w, w))
        return m
