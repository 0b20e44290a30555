"""TFLite's 256-entry sigmoid table with linear interpolation: its int16 ``Logistic`` and ``Tanh``.

Comparison designs, not the seed's method. Bit-exact with
``sigmoid_hw.model.baselines.interp256_sigmoid`` and ``sigmoid_hw.model.baselines.tanh_interp256_tanh``
(see there for the table and the roundings, all TFLite's). Both read
one word per input that holds a knot and its difference to the next
(``_knot_memory``).
"""

from amaranth import *
from amaranth.lib import data
from amaranth.lib.memory import Memory

from sigmoid_hw.hw.baselines.interface import BaselineSigmoid, BaselineTanh
from sigmoid_hw.model.baselines import INPUT_FORMAT, OUTPUT_BITS, interp256_entries, tflite_sigmoid_table

__all__ = ["Interp256", "TanhInterp256"]

_FRACTION_BITS = 9  # interpolation bits: u = 3|x| has 9 bits below the knot spacing 1/24


def _knot_memory(knots):
    """A memory whose word ``h`` holds ``knot = T[h]`` and ``delta = T[h + 1] - T[h]``.

    One read port then gives both ends of the chord; the last word's delta
    is 0 (it is read only where the result saturates or does not depend on it).
    """
    knots = [int(v) for v in knots]
    deltas = [b - a for a, b in zip(knots, knots[1:])] + [0]
    if min(deltas) < 0:
        raise ValueError("Interpolation knots must not decrease")
    word = data.StructLayout({
        "knot": unsigned(OUTPUT_BITS),
        "delta": unsigned(max(deltas).bit_length()),
    })
    return Memory(shape=word, depth=len(knots),
                  init=[{"knot": k, "delta": d} for k, d in zip(knots, deltas)])


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
        stall = self.global_stall(m)

        m.submodules.table = table = _knot_memory(interp256_entries())
        read = table.read_port()

        x = self.i.payload
        sum_width = OUTPUT_BITS + _FRACTION_BITS + 1  # r < 2**25, with 2**25 + 255 - r
        valid = self.delay_line(m, stall, self.i.valid, 7, "valid")
        negative = self.delay_line(m, stall, x[-1], 6, "negative")
        magnitude = Signal(INPUT_FORMAT.width)
        u = Signal(INPUT_FORMAT.width + 2)
        fraction = [Signal(_FRACTION_BITS, name="fraction{}".format(n)) for n in (3, 4)]
        entry = Signal(table.shape)
        knot = Signal(OUTPUT_BITS)
        product = Signal(_FRACTION_BITS + len(entry.delta))
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
            ]
        m.d.comb += [
            self.o.valid.eq(valid[6]),
            self.o.payload.eq(result),
        ]
        return m


_TANH_FRACTION_BITS = 8   # u = 3|x| has 8 bits below the knot spacing of 2x, 1/24
_TANH_SATURATED = 255     # knot index from which TFLite gives r = 0xFFFF << 8


class TanhInterp256(BaselineTanh):
    """TFLite's int16 tanh, ``2 sigmoid(2x) - 1`` from the interpolated sigmoid table.

    ``SQ(4, 12)`` in, ``SQ(1, 15)`` out. The stages of ``Interp256``, each a
    register, all held by a global stall while ``o.valid & ~o.ready``:

    1. ``|x|`` and the sign.
    2. ``u = 3 |x|`` (``|x| + 2|x|``).
    3. Memory read at ``h = (u >> 8) & 255`` (knot and difference in one
       word); ``t = u & 255`` and ``saturated = u >= 255 * 256`` alongside.
    4. The memory's output registered.
    5. ``t * (T[h + 1] - T[h])`` (8 x 10 bits) and ``T[h]``.
    6. ``r = T[h] * 256 + product``, or ``0xFFFF << 8`` where saturated.
    7. TFLite's pair of roundings as one 24-bit addition:
       ``(r - 2**23 + 2**7) >> 8`` for x >= 0 and ``(2**23 - r + 2**7 - 1)
       >> 8`` for x < 0 are, modulo 2**24, ``r + (2**23 + 2**7)`` and
       ``~r + (2**23 + 2**7)``: the same constant, and bits 8..23 of the
       sum are the signed result.

    Members
    -------
    i : In(stream.Signature(signed(16)))
    o : Out(stream.Signature(signed(16)))
        Raw SQ(1, 15).
    """

    @property
    def latency(self):
        return 7

    def elaborate(self, platform):
        m = Module()
        stall = self.global_stall(m)

        m.submodules.table = table = _knot_memory(tflite_sigmoid_table())
        read = table.read_port()
        fb = _TANH_FRACTION_BITS
        sum_width = OUTPUT_BITS + fb            # r < 2**24; the roundings work modulo 2**24

        x = self.i.payload
        valid = self.delay_line(m, stall, self.i.valid, 7, "valid")
        negative = self.delay_line(m, stall, x[-1], 6, "negative")
        saturated = [Signal(name="saturated{}".format(n)) for n in (3, 4, 5)]
        magnitude = Signal(INPUT_FORMAT.width)
        u = Signal(INPUT_FORMAT.width + 2)
        fraction = [Signal(fb, name="fraction{}".format(n)) for n in (3, 4)]
        entry = Signal(table.shape)
        knot = Signal(OUTPUT_BITS)
        product = Signal(fb + len(entry.delta))
        r = Signal(sum_width)
        result = Signal(signed(OUTPUT_BITS))

        m.d.comb += [
            read.addr.eq(u[fb:fb + 8]),
            read.en.eq(~stall),
        ]
        rounded = Mux(negative[5], ~r, r) + ((1 << (sum_width - 1)) + (1 << (fb - 1)))
        with m.If(~stall):
            m.d.sync += [
                magnitude.eq(Mux(x[-1], -x, x)),
                u.eq(magnitude + (magnitude << 1)),
                fraction[0].eq(u[:fb]),
                saturated[0].eq(u >= _TANH_SATURATED << fb),
                entry.eq(read.data),
                fraction[1].eq(fraction[0]),
                saturated[1].eq(saturated[0]),
                product.eq(fraction[1] * entry.delta),
                knot.eq(entry.knot),
                saturated[2].eq(saturated[1]),
                r.eq(Mux(saturated[2], ((1 << OUTPUT_BITS) - 1) << fb, (knot << fb) + product)),
                result.eq(rounded[fb:sum_width]),
            ]
        m.d.comb += [
            self.o.valid.eq(valid[6]),
            self.o.payload.eq(result),
        ]
        return m
