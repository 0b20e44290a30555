"""PLAN (Amin, Curtis and Hayes-Gill 1997): four linear segments, shifts and adds only.

A comparison design, not the seed's method. Bit-exact with
``sigmoid_hw.model.baselines.plan_sigmoid``; the segment constants come from
``sigmoid_hw.model.baselines.PLAN_SEGMENTS``.
"""

from amaranth import *

from sigmoid_hw.hw.baselines.interface import BaselineSigmoid
from sigmoid_hw.model.baselines import INPUT_FORMAT, OUTPUT_BITS, PLAN_SEGMENTS

__all__ = ["PLAN"]


class PLAN(BaselineSigmoid):
    """PLAN sigmoid for ``SQ(4, 12)`` inputs and 16-bit ``UQ(0, 16)`` outputs.

    With ``y17 = (a << shift) + offset`` at 17 fraction bits (``a = |x|``),
    the rounded output is ``(offset + 1 + (a << shift)) >> 1`` for x >= 0 and
    ``(2**17 + 1 - offset - (a << shift)) >> 1`` for x < 0: one adder, whose
    subtraction is ``~term`` plus a constant with the ``+1`` folded in.

    1. ``|x|``, the sign, and the segment (compared on x itself, in
       parallel with the absolute value).
    2. The segment's ``a << shift``, inverted for x < 0, and its constant
       (multiplexers only).
    3. The one 18-bit addition, ``>> 1``, saturated: only x = 5 - 2**-12
       rounds up to 1.0 and gives 65535. The last segment is the constant
       1 (65535) or 0 and comes out of the same adder.

    A global stall: every register holds while ``o.valid & ~o.ready``.

    Members
    -------
    i : In(stream.Signature(signed(16)))
    o : Out(stream.Signature(unsigned(16)))
    """

    @property
    def latency(self):
        return 3

    def elaborate(self, platform):
        m = Module()
        stall = self.global_stall(m)
        one17 = 1 << (OUTPUT_BITS + 1)  # 1.0 at the 17 fraction bits PLAN is exact at
        width = OUTPUT_BITS + 2  # y17 + 1 before the final >> 1
        mask = (1 << width) - 1

        x = self.i.payload
        bounds = [seg[0] for seg in PLAN_SEGMENTS[1:]]
        magnitude = Signal(INPUT_FORMAT.width)
        negative = Signal()
        segment = Signal(range(len(PLAN_SEGMENTS)))
        term = Signal(width)
        constant = Signal(width)
        total = Signal(width)
        value = total[1:]  # 17 bits: 65536 only for x = 5 - 2**-12
        result = Signal(OUTPUT_BITS)
        valid = [Signal(name="valid{}".format(n)) for n in (1, 2, 3)]

        # Segment index = number of bounds below |x|, from comparisons on x itself.
        above = [(x >= bound) | (x <= -bound) for bound in bounds]
        shifted = Array([magnitude << shift if shift is not None else C(0, width)
                         for _, shift, _ in PLAN_SEGMENTS])[segment]
        # (constant, for x >= 0; constant, for x < 0) so that total = constant + term
        # is 2 * (rounded output) or 2 * (rounded output) + 1, modulo 2**width.
        constants = []
        for _, shift, offset in PLAN_SEGMENTS:
            if shift is None:
                constants.append((2 * ((1 << OUTPUT_BITS) - 1), 0))
            else:
                # x < 0: 2**17 + 1 - offset - t = (2**17 + 2 - offset) + ~t (mod 2**width)
                constants.append((offset + 1, (one17 + 2 - offset) & mask))
        m.d.comb += total.eq(constant + term)
        with m.If(~stall):
            m.d.sync += [
                magnitude.eq(Mux(x[-1], -x, x)),
                negative.eq(x[-1]),
                segment.eq(sum(above)),
                valid[0].eq(self.i.valid),
            ]
            m.d.sync += [
                term.eq(Mux(negative & (segment != len(PLAN_SEGMENTS) - 1),
                            ~shifted, shifted)),
                constant.eq(Array(Mux(negative, down, up)
                                  for up, down in constants)[segment]),
                valid[1].eq(valid[0]),
            ]
            m.d.sync += [
                result.eq(Mux(value[-1], (1 << OUTPUT_BITS) - 1, value[:OUTPUT_BITS])),
                valid[2].eq(valid[1]),
            ]
        m.d.comb += [
            self.o.valid.eq(valid[2]),
            self.o.payload.eq(result),
        ]
        return m
