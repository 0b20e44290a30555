"""The direct ROM: every output correctly rounded, the accuracy limit at its memory cost.

A comparison design, not the seed's method. Bit-exact with
``sigmoid_hw.model.baselines.rom_sigmoid``.
"""

from amaranth import *
from amaranth.lib.memory import Memory

from sigmoid_hw.hw.baselines.interface import BaselineSigmoid
from sigmoid_hw.model.baselines import INPUT_FORMAT, OUTPUT_BITS, rom_entries, rom_minus_eight

__all__ = ["DirectROM"]

_ADDRESS_BITS = INPUT_FORMAT.width - 1
_HALF = 1 << (OUTPUT_BITS - 1)


class DirectROM(BaselineSigmoid):
    """sigmoid(x) for x >= 0 from a ROM of 32,768 correctly rounded words, and symmetry.

    The ROM is addressed by ``|x|``; for x < 0 the output is ``65536 - T[|x|]``
    (exact: no sigmoid value of this grid is a rounding tie) and x = -8, which
    has no mirror image in [0, 8), is a constant. Every stored value is at
    least 32768, so the ROM keeps only the 15 bits below that constant top bit:
    32,768 x 15 = 480 Kib (30 ECP5 DP16KD blocks; it fits no iCE40's block
    RAM, which is at most 128 Kib, and the UP5K's 1 Mib of SPRAM holds no
    initial contents, see ``docs/baselines.md``).

    Stages, all held by a global stall while ``o.valid & ~o.ready``:
    1. ``|x|``, the sign and whether x = -8; 2. the ROM read; 3. the ROM's
    output registered (many blocks' outputs are multiplexed); 4. mirror or
    constant.

    Members
    -------
    i : In(stream.Signature(signed(16)))
    o : Out(stream.Signature(unsigned(16)))
    """

    @property
    def latency(self):
        return 4

    @property
    def memory_bits(self):
        """Bits of ROM the design needs (depth x width)."""
        return (1 << _ADDRESS_BITS) * (OUTPUT_BITS - 1)

    def elaborate(self, platform):
        m = Module()
        stall = self.global_stall(m)

        entries = [int(v) for v in rom_entries()]
        if min(entries) < _HALF:
            raise ValueError("ROM words must be at least 1/2 for x >= 0")
        m.submodules.rom = rom = Memory(shape=unsigned(OUTPUT_BITS - 1), depth=len(entries),
                                        init=[v - _HALF for v in entries])
        read = rom.read_port()

        x = self.i.payload
        address = Signal(_ADDRESS_BITS)
        negative = [Signal(name="negative{}".format(n)) for n in (1, 2, 3)]
        minimum = [Signal(name="minimum{}".format(n)) for n in (1, 2, 3)]
        valid = [Signal(name="valid{}".format(n)) for n in (1, 2, 3, 4)]
        low = Signal(OUTPUT_BITS - 1)  # sigmoid(|x|) - 1/2, 15 bits
        result = Signal(OUTPUT_BITS)
        m.d.comb += [
            read.addr.eq(address),
            read.en.eq(~stall),
        ]
        with m.If(~stall):
            m.d.sync += [
                # |x| for x = -8 is 2**15, whose low 15 bits (0) address a harmless word.
                address.eq(Mux(x[-1], -x, x)),
                negative[0].eq(x[-1]),
                minimum[0].eq(x == INPUT_FORMAT.min),
                valid[0].eq(self.i.valid),
                negative[1].eq(negative[0]),
                minimum[1].eq(minimum[0]),
                valid[1].eq(valid[0]),
                valid[2].eq(valid[1]),
                low.eq(read.data),
                negative[2].eq(negative[1]),
                minimum[2].eq(minimum[1]),
                valid[3].eq(valid[2]),
            ]
            with m.If(minimum[2]):
                m.d.sync += result.eq(rom_minus_eight())
            with m.Elif(negative[2]):
                m.d.sync += result.eq(_HALF - low)
            with m.Else():
                m.d.sync += result.eq(_HALF + low)
        m.d.comb += [
            self.o.valid.eq(valid[3]),
            self.o.payload.eq(result),
        ]
        return m
