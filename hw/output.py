"""``OutputStage``: clamp, unfold the sign, saturate: the last register of the pipeline."""

from amaranth import *
from amaranth.lib import stream, data
from amaranth.lib.wiring import In, Out

from sigmoid_hw.hw.chain import ChainStage, StageChain

__all__ = ["OutputStage"]


class OutputStage(ChainStage):
    """Last stage: clamp acc_0 into [0, 2^F], unfold the sign, saturate to 2^F - 1.

    acc_0 is already rounded to F bits (the rounding constant rode in the last
    addend). ``r = clamp(acc_0, 0, 2^F)``; ``y = min(sign ? 2^F - r : r, 2^F - 1)``.
    No value wraps, whatever acc_0 holds. Latency 1, or 2 with ``steps=2``
    (r registered before the unfold).

    Parameters
    ----------
    acc_width : int
        Signed width of acc_0.
    output_bits : int
        F.
    stall : Signal or None
    steps : 1 or 2
    """

    def __init__(self, acc_width, output_bits, *, stall=None, steps=1):
        self._F = output_bits
        self._layout = data.StructLayout({"y": output_bits})
        layouts, f_bits = [self._layout], [{"y": output_bits}]
        if steps == 2:
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

        functions = ([clamp, unfold] if len(self._chain) == 2
                     else [lambda m, p: unfold(m, clamp(m, p))])
        # a one-field struct register, then unwrap to the raw output
        inner = stream.Signature(self._layout).create(path=("out",))
        self._chain.build(m, self.i, inner, functions, self._stall)
        m.d.comb += [self.o.valid.eq(inner.valid), self.o.payload.eq(inner.payload.y),
                     inner.ready.eq(self.o.ready)]
        return m
