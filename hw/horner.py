"""``HornerEvaluator``: one registered multiply-add per stage, generic over the coefficient source."""

from amaranth import *
from amaranth.lib import stream, data
from amaranth.lib.wiring import In, Out

from hw.chain import ChainStage, StageChain
from hw.reduction import reduced_layout
from hw.reference import BitPatternReference

__all__ = ["HornerEvaluator"]


class HornerEvaluator(ChainStage):
    """Stages of Horner's rule: acc_k = (d * acc_{k+1} + A_k) >> s_k, k = K-1 .. 0.

    One registered multiply-add per stage; each stage's accumulator has its own
    width (``plan.horner.acc_width``), higher orders fewer bits. The first
    stage only loads acc_K = c_K and the first addend, so every multiply-add
    stage reads registered operands: latency K + 1 (2K + 1 with
    ``register_product``, where each product is registered before its add).

    The coefficients come from ``source`` (``hw.coefficients``): per-n
    constants, or c_k carried in the word. The last addend adds the
    bit-pattern y0 (``BitPatternReference``) in both cases.

    Parameters
    ----------
    plan : model.plan.Plan
    source : TableSource or DerivedSource
    stall : Signal or None
    """

    def __init__(self, plan, source, *, stall=None):
        self._plan = plan
        self._source = source
        horner, red = plan.horner, plan.reduction
        K = horner.order
        self._base = dict(reduced_layout(red).members)
        self._in_layout = data.StructLayout(dict(self._base, **source.input_fields()))
        self._out_layout = data.StructLayout({"sign": 1, "acc": signed(horner.acc_width[0])})
        layouts, f_bits = [self._acc_layout(K - 1)], [self._f_bits(K, K - 1)]
        for k in range(K - 1, -1, -1):
            if horner.register_product:
                layouts.append(self._product_layout(k))
                f_bits.append(dict(self._f_bits(None, k), prod=horner.prod_frac[k]))
            layouts.append(self._out_layout if k == 0 else self._acc_layout(k - 1))
            f_bits.append(self._f_bits(k, k - 1))
        chain = StageChain("horner", layouts, f_bits)
        super().__init__({"i": In(stream.Signature(self._in_layout)),
                          "o": Out(stream.Signature(self._out_layout))}, chain, stall)

    def _f_bits(self, acc_k, addend_k):
        """Fraction bits of a register holding acc_(acc_k) and the addend for acc_(addend_k)."""
        h = self._plan.horner
        out = dict(self._source.carried_f_bits(), d=self._plan.reduction.d_frac)
        if acc_k is not None:
            out["acc"] = h.acc_frac[acc_k]
        if addend_k >= 0:
            out["addend"] = h.prod_frac[addend_k]
        return out

    def _acc_layout(self, k):
        """Register holding acc_(k+1) and the addend for acc_k."""
        h = self._plan.horner
        return data.StructLayout(dict(self._base, acc=signed(h.acc_width[k + 1]),
                                      addend=signed(h.addend_width[k]),
                                      **self._source.carried_fields(k)))

    def _product_layout(self, k):
        """Register holding the product d acc_(k+1) and the addend for acc_k."""
        h = self._plan.horner
        return data.StructLayout(dict(
            self._base, prod=signed(self._plan.reduction.d_width + h.acc_width[k + 1]),
            addend=signed(h.addend_width[k]), **self._source.carried_fields(k)))

    def elaborate(self, platform):
        m = Module()
        plan, source = self._plan, self._source
        horner = plan.horner
        K = horner.order
        m.submodules.reference = ref = BitPatternReference(plan.reduction.n_max, horner.y0_frac)

        def addend(m, p, k, first=False):
            value = source.addend(m, p, k, first)
            if k == 0:
                m.d.comb += ref.n.eq(p.n)
                value = ref.y0 + value
                if plan.reduction.corrections:
                    # correct rounding: one unit of the result more or less
                    value = value + (p.fix << horner.shifts[0])
            return value

        def carried(p, k, first=False):
            return dict({name: p[name] for name in self._base}, **source.carry(p, k, first))

        def next_fields(m, p, k, acc):
            """The fields of the register after the one that computed acc_k."""
            if k == 0:
                return {"sign": p.sign, "acc": acc}
            return dict(carried(p, k - 1), acc=acc, addend=addend(m, p, k - 1))

        def load(m, p):
            return dict(carried(p, K - 1, first=True), acc=source.load(m, p),
                        addend=addend(m, p, K - 1, first=True))

        functions = [load]
        for k in range(K - 1, -1, -1):
            if horner.register_product:
                functions.append(lambda m, p, k=k: dict(carried(p, k), prod=p.d * p.acc,
                                                        addend=p.addend))
                functions.append(lambda m, p, k=k: next_fields(
                    m, p, k, (p.prod + p.addend) >> horner.shifts[k]))
            else:
                functions.append(lambda m, p, k=k: next_fields(
                    m, p, k, (p.d * p.acc + p.addend) >> horner.shifts[k]))
        self.build(m, functions)
        return m
