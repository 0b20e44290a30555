"""``OutputStage``: clamp, unfold the sign, saturate: the last register of the pipeline."""

from amaranth import *
from amaranth.lib import stream, data
from amaranth.lib.wiring import In, Out

from sigmoid_hw.hw.carry import increment_fields, increment_step
from sigmoid_hw.hw.chain import ChainStage, StageChain

__all__ = ["OutputStage"]


class OutputStage(ChainStage):
    """Last stage: clamp acc_0 into [0, 2^F], unfold the sign, saturate to 2^F - 1.

    acc_0 is already rounded to F bits (the rounding constant rode in the last
    addend). ``r = clamp(acc_0, 0, 2^F)``; ``y = min(sign ? 2^F - r : r, 2^F - 1)``.
    No value wraps, whatever acc_0 holds. Latency 1, or 2 with ``steps=2``
    (r registered before the unfold).

    With ``carry`` (the segments of an F-bit carry chain,
    ``sigmoid_hw.hw.timing.segments``) no carry chain has logic around it: the
    first register holds ``v`` and one bit ``c``, from LUTs only, with
    ``y = (v + c) mod 2^F`` (for sign 0: ``v`` is r saturated, c = 0; for sign 1:
    ``v = ~r`` saturated to all ones where acc <= 0 or acc >= 2^F, and ``c = 1``
    where acc > 0: ``~r + 1 = 2^F - r``), then ``+ c`` alone, one register per
    segment (``sigmoid_hw.hw.carry``): latency ``1 + len(carry)``; ``steps``
    is not used.

    Parameters
    ----------
    acc_width : int
        Signed width of acc_0.
    output_bits : int
        F.
    stall : Signal or None
    steps : 1 or 2
    carry : tuple of (lo, hi)
    """

    def __init__(self, acc_width, output_bits, *, stall=None, steps=1, carry=()):
        self._F = output_bits
        self._acc_width = acc_width
        self._carry = carry = tuple(carry)
        self._layout = data.StructLayout({"y": output_bits})
        layouts, f_bits = [self._layout], [{"y": output_bits}]
        if carry:
            if carry[0][0] != 0 or carry[-1][1] != output_bits:
                raise ValueError("carry must cover bits 0 .. {} of y, not {!r}"
                                 .format(output_bits, carry))
            inner = [data.StructLayout(fields)
                     for fields in increment_fields(output_bits, carry)]
            layouts = [data.StructLayout({"v": output_bits, "c": 1})] + inner + layouts
            f_bits = [{}] * (1 + len(inner)) + f_bits
        elif steps == 2:
            layouts.insert(0, data.StructLayout({"sign": 1, "r": output_bits + 1}))
            f_bits.insert(0, {"r": output_bits})
        chain = StageChain("output", layouts, f_bits)
        super().__init__({
            "i": In(stream.Signature(data.StructLayout({"sign": 1, "acc": signed(acc_width)}))),
            "o": Out(stream.Signature(unsigned(output_bits))),
        }, chain, stall)

    def elaborate(self, platform):
        m = Module()
        F = self._F
        full = 1 << F
        top = Const(full - 1, F)

        def clamp(m, p):
            r = Signal(F + 1, name="r")
            with m.If(p.acc < 0):
                m.d.comb += r.eq(0)
            with m.Elif(p.acc > full):
                m.d.comb += r.eq(full)
            with m.Else():
                m.d.comb += r.eq(p.acc)
            return {"sign": p.sign, "r": r}

        def unfold(m, p):
            u = Signal(F + 1, name="unfolded")
            m.d.comb += u.eq(Mux(p["sign"], full - p["r"], p["r"]))
            y = Signal(F, name="y")
            m.d.comb += y.eq(Mux(u[F], top, u[:F]))   # saturate 2^F to 2^F - 1
            return {"y": y}

        def saturate(m, p):
            acc, s = p.acc, p.sign
            neg = acc[-1]
            # acc >= 2^F: not negative and a bit at F or above (no carry chain)
            over = ~neg & acc[F:-1].any() if len(acc) - 1 > F else Const(0)
            low = Cat(acc.as_unsigned(), Const(0, max(0, F - len(acc))))[:F]
            v = Signal(F, name="v")
            m.d.comb += v.eq(Mux(neg, s.replicate(F), Mux(over, top, low ^ s.replicate(F))))
            return {"v": v, "c": s & ~neg & acc.any()}

        def segment(m, p, j, lo, hi):
            state = (Const(0, 0), p.c, p.v) if j == 0 else (p.done, p.cy, p.rest)
            done, cy, rest = increment_step(*state, lo, hi)
            if j == len(self._carry) - 1:
                return {"y": done}
            return {"done": done, "cy": cy, "rest": rest}

        if self._carry:
            functions = [saturate] + [lambda m, p, j=j, lo=lo, hi=hi: segment(m, p, j, lo, hi)
                                      for j, (lo, hi) in enumerate(self._carry)]
        else:
            functions = ([clamp, unfold] if len(self._chain) == 2
                         else [lambda m, p: unfold(m, clamp(m, p))])
        # a one-field struct register, then unwrap to the raw output
        inner = stream.Signature(self._layout).create(path=("out",))
        self._chain.build(m, self.i, inner, functions, self._stall)
        m.d.comb += [self.o.valid.eq(inner.valid), self.o.payload.eq(inner.payload.y),
                     inner.ready.eq(self.o.ready)]
        return m
