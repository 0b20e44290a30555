"""A 256-entry sigmoid table with linear interpolation, like TFLite's int16 ``Logistic``.

A comparison design, not the seed's method. Bit-exact with
``model.baselines.interp256_sigmoid`` (see there for the table and the
rounding, both TFLite's).
"""

from amaranth import *
from amaranth.lib import data
from amaranth.lib.memory import Memory

from hw.baselines.interface import BaselineSigmoid
from model.baselines import INPUT_FORMAT, OUTPUT_BITS, interp256_entries

__all__ = ["Interp256"]

_FRACTION_BITS = 9  # interpolation bits: u = 3|x| has 9 bits below the knot spacing 1/24


class Interp256(BaselineSigmoid):
    """TFLite-style interpolated table for ``SQ(4, 12)`` in, ``UQ(0, 16)`` out.

    Stages (each a register, all held by a global stall while
    ``o.valid & ~o.ready``), one adder or multiplier each:

    1. ``|x|`` and the sign.
    2. ``u = 3 |x|`` (``|x| + 2|x|``).
    3. Memory read at ``h = u >> 9``: each word holds the knot ``T[h]`` and
       the difference ``T[h + 1] - T[h]`` (10 bits, never negative), so no
       second read port is needed; ``t = u & 511`` travels alongside.
    4. The memory's output registered (block RAM clock-to-out is slow).
    5. ``t * (T[h + 1] - T[h])`` (9 x 10 bits) and ``T[h]``.
    6. ``r = T[h] * 512 + product``.
    7. ``(r + 256) >> 9`` for x >= 0, ``(2**25 + 255 - r) >> 9`` for x < 0
       (TFLite's pair of roundings), as one addition: ``r`` or ``~r`` plus
       a constant.

    Members
    -------
    i : In(stream.Signature(signed(16)))
    o : Out(stream.Signature(unsigned(16)))
    """

    @property
    def latency(self):
        return 7

    def elaborate(self, platform):
        m = Module()
        stall = self.o.valid & ~self.o.ready
        m.d.comb += self.i.ready.eq(~stall)

        knots = [int(v) for v in interp256_entries()]
        deltas = [b - a for a, b in zip(knots, knots[1:])] + [0]
        if min(deltas) < 0:
            raise ValueError("Interpolation knots must not decrease")
        word = data.StructLayout({
            "knot": unsigned(OUTPUT_BITS),
            "delta": unsigned(max(deltas).bit_length()),
        })
        m.submodules.table = table = Memory(
            shape=word, depth=len(knots),
            init=[{"knot": k, "delta": d} for k, d in zip(knots, deltas)])
        read = table.read_port()

        x = self.i.payload
        sum_width = OUTPUT_BITS + _FRACTION_BITS + 1  # r < 2**25, with 2**25 + 255 - r
        valid = [Signal(name="valid{}".format(n)) for n in range(1, 8)]
        negative = [Signal(name="negative{}".format(n)) for n in range(1, 7)]
        magnitude = Signal(INPUT_FORMAT.width)
        u = Signal(INPUT_FORMAT.width + 2)
        fraction = [Signal(_FRACTION_BITS, name="fraction{}".format(n)) for n in (3, 4)]
        entry = Signal(word)
        knot = Signal(OUTPUT_BITS)
        product = Signal(_FRACTION_BITS + max(deltas).bit_length())
        r = Signal(sum_width)
        result = Signal(OUTPUT_BITS)

        m.d.comb += [
            read.addr.eq(u[_FRACTION_BITS:]),
            read.en.eq(~stall),
        ]
        half = 1 << (_FRACTION_BITS - 1)
        # x < 0: 2**25 + 255 - r = (2**25 + 256) + ~r  (mod 2**sum_width)
        mirrored = Mux(negative[5], ~r, r) + Mux(negative[5], (1 << (sum_width - 1)) + half, half)
        with m.If(~stall):
            m.d.sync += [
                magnitude.eq(Mux(x[-1], -x, x)),
                u.eq(magnitude + (magnitude << 1)),
                fraction[0].eq(u[:_FRACTION_BITS]),
                entry.eq(read.data),
                fraction[1].eq(fraction[0]),
                product.eq(fraction[1] * entry.delta),
                knot.eq(entry.knot),
                r.eq((knot << _FRACTION_BITS) + product),
                result.eq(mirrored[_FRACTION_BITS:sum_width]),
                valid[0].eq(self.i.valid),
                negative[0].eq(x[-1]),
            ]
            for n in range(1, 7):
                m.d.sync += valid[n].eq(valid[n - 1])
            for n in range(1, 6):
                m.d.sync += negative[n].eq(negative[n - 1])
        m.d.comb += [
            self.o.valid.eq(valid[6]),
            self.o.payload.eq(result),
        ]
        return m
