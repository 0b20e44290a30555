"""A plain 1024-entry sigmoid table over [-8, 8), like hls4ml's default (no interpolation).

A comparison design, not the seed's method. Bit-exact with
``model.baselines.table1024_sigmoid``.
"""

from amaranth import *
from amaranth.lib.memory import Memory

from hw.baselines.interface import BaselineSigmoid
from model.baselines import OUTPUT_BITS, table1024_entries

__all__ = ["Table1024"]


class Table1024(BaselineSigmoid):
    """hls4ml-style table: the top 10 input bits address 1024 words of 16 bits.

    Entry ``i`` holds sigmoid(-8 + i/64) correctly rounded (the left edge of
    its bin, as hls4ml samples). The address is the input's top 10 bits with
    the sign bit inverted (offset binary: -8 -> 0, 0 -> 512). The memory
    (16 Kib: four iCE40 EBR, one ECP5 DP16KD) has a synchronous read port;
    its output is registered once more. A global stall holds the read port
    (``en``) and every register while ``o.valid & ~o.ready``.

    Members
    -------
    i : In(stream.Signature(signed(16)))
    o : Out(stream.Signature(unsigned(16)))
    """

    @property
    def latency(self):
        return 2

    def elaborate(self, platform):
        m = Module()
        stall = self.o.valid & ~self.o.ready
        m.d.comb += self.i.ready.eq(~stall)

        entries = [int(v) for v in table1024_entries()]
        m.submodules.table = table = Memory(shape=unsigned(OUTPUT_BITS), depth=len(entries),
                                            init=entries)
        read = table.read_port()
        top = self.i.payload[-10:]
        m.d.comb += [
            read.addr.eq(Cat(top[:-1], ~top[-1])),
            read.en.eq(~stall),
        ]

        valid1 = Signal()
        result = Signal(OUTPUT_BITS)
        valid2 = Signal()
        with m.If(~stall):
            m.d.sync += [
                valid1.eq(self.i.valid),
                result.eq(read.data),
                valid2.eq(valid1),
            ]
        m.d.comb += [
            self.o.valid.eq(valid2),
            self.o.payload.eq(result),
        ]
        return m
