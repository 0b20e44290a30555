"""Plain 1024-entry tables, no interpolation: a sigmoid over [-8, 8) and hls4ml's tanh over [-4, 4).

Comparison designs, not the seed's method. Bit-exact with
``sigmoid_hw.model.baselines.table1024_sigmoid`` and ``sigmoid_hw.model.baselines.tanh1024_tanh``
(see there for hls4ml's tables and index).
"""

from amaranth import *
from amaranth.lib.memory import Memory

from sigmoid_hw.hw.baselines.interface import BaselineSigmoid, BaselineTanh
from sigmoid_hw.model.baselines import (INPUT_FORMAT, OUTPUT_BITS, TANH_TABLE_BITS, table1024_entries,
                             tanh1024_entries)

__all__ = ["Table1024", "Tanh1024"]


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
        stall = self.global_stall(m)

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


class Tanh1024(BaselineTanh):
    """hls4ml's tanh: 1024 words of tanh(-4 + i/128), indexed as hls4ml indexes them.

    The index is ``trunc(128 x) + 512`` clamped to 0..1023 (truncated toward
    zero, as hls4ml's ``int`` conversion does): ``q = raw >> 5`` for x >= 0
    and ``(raw + 31) >> 5`` for x < 0, one 11-bit adder, then the clamp. The
    stall holds every stage while ``o.valid & ~o.ready``:

    1. the index, registered (an adder and a clamp in front of a block RAM's
       address would lengthen its setup path);
    2. the memory's synchronous read (16 Kib: four iCE40 EBR, one DP16KD);
    3. its output registered.

    Members
    -------
    i : In(stream.Signature(signed(16)))
    o : Out(stream.Signature(signed(16)))
        Raw SQ(1, 15).
    """

    @property
    def latency(self):
        return 3

    def elaborate(self, platform):
        m = Module()
        stall = self.global_stall(m)

        depth = 1 << TANH_TABLE_BITS
        shift = INPUT_FORMAT.f_bits - 7            # bins of 1/128
        entries = [int(v) for v in tanh1024_entries()]
        m.submodules.table = table = Memory(shape=signed(OUTPUT_BITS), depth=depth, init=entries)
        read = table.read_port()

        x = self.i.payload
        toward_zero = Signal(signed(INPUT_FORMAT.width - shift))
        m.d.comb += toward_zero.eq((x + Mux(x[-1], (1 << shift) - 1, 0)) >> shift)
        index = Signal(TANH_TABLE_BITS)
        valid = [Signal(name="valid{}".format(n)) for n in range(1, 4)]
        result = Signal(signed(OUTPUT_BITS))
        m.d.comb += [
            read.addr.eq(index),
            read.en.eq(~stall),
        ]
        with m.If(~stall):
            with m.If(toward_zero < -(depth // 2)):
                m.d.sync += index.eq(0)
            with m.Elif(toward_zero >= depth // 2):
                m.d.sync += index.eq(depth - 1)
            with m.Else():
                m.d.sync += index.eq(toward_zero + depth // 2)
            m.d.sync += [
                result.eq(read.data),
                valid[0].eq(self.i.valid),
                valid[1].eq(valid[0]),
                valid[2].eq(valid[1]),
            ]
        m.d.comb += [
            self.o.valid.eq(valid[2]),
            self.o.payload.eq(result),
        ]
        return m
