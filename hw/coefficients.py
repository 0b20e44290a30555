"""Where the Horner evaluator's coefficients come from: per-n tables, or computed from y0.

``TableSource`` and ``DerivedSource`` give ``HornerEvaluator`` the same
four things (the fields a word carries, the load value ``acc_K``, the addend
of each multiply-add and what is carried on), so the evaluator is written
once for both. ``DerivedCoefficients`` is the register stages that compute
c_1 .. c_K from the bit-pattern y0 by multipliers, with the recipe of
``sigmoid_hw.model.derived`` (the same methods the model runs).
"""

from amaranth import *
from amaranth.lib import stream, data
from amaranth.lib.wiring import In, Out

from sigmoid_hw.hw.chain import ChainStage, StageChain
from sigmoid_hw.hw.reduction import reduced_layout
from sigmoid_hw.hw.reference import BitPatternReference

__all__ = ["TableSource", "DerivedSource", "DerivedCoefficients", "coefficient_source"]


def _table(m, n, values, width, name, lookup=False):
    """A per-n constant, chosen by a case on n, or with ``lookup`` bit by bit from a
    truth table indexed by n (a function of n's few bits each, so no decoder of n is
    shared by all of them and ORed: the case was 5 LUT levels on the HX8K for tanh's
    20 values of n)."""
    sig = Signal(signed(width), name=name)
    if lookup:
        mask = (1 << width) - 1
        words = [value & mask for value in values]
        size = 1 << len(n)
        bits = [Const(sum(((word >> b) & 1) << i for i, word in enumerate(words)), size)
                .bit_select(n, 1) for b in range(width)]
        m.d.comb += sig.eq(Cat(*bits))
        return sig
    with m.Switch(n):
        for index, value in enumerate(values):
            with m.Case(index):
                m.d.comb += sig.eq(value)
    return sig


class TableSource:
    """Coefficients as per-n constants (``sigmoid_hw.model.plan.TableCoefficients``);
    ``lookup``: each bit from a truth table on n (``_table``)."""

    def __init__(self, plan, lookup=False):
        self._plan = plan
        self._table = plan.coefficients
        self._lookup = lookup

    def input_fields(self):
        """Fields a word brings into the evaluator besides sign, n and d."""
        return {}

    def carried_fields(self, k):
        """Fields carried into the register that computes acc_k."""
        return {}

    def carried_f_bits(self):
        return {}

    def load(self, m, p):
        """acc_K for the word ``p``."""
        return _table(m, p.n, self._table.acc_k_const, self._plan.horner.acc_width[-1], "acc_K",
                      self._lookup)

    def addend(self, m, p, k, first):
        """The addend of the stage computing acc_k, without y0 (added for k = 0)."""
        return _table(m, p.n, self._table.addend[k], self._plan.horner.addend_width[k],
                      "a{}".format(k), self._lookup)

    def carry(self, p, k, first):
        return {}


class DerivedSource:
    """Coefficients computed upstream by ``DerivedCoefficients`` and carried in the word."""

    def __init__(self, plan):
        self._plan = plan
        self._coefs = plan.coefficients
        K = plan.params.order
        self._c_layout = data.StructLayout({
            "c{}".format(k): signed(self._coefs.width("c{}".format(k))) for k in range(1, K + 1)})

    @property
    def c_layout(self):
        return self._c_layout

    def input_fields(self):
        return {"c": self._c_layout}

    def carried_fields(self, k):
        return {"c{}".format(j): self._c_layout.members["c{}".format(j)] for j in range(1, k)}

    def carried_f_bits(self):
        targets = self._coefs.recipe.targets
        out = {}
        for k in range(1, len(targets)):
            out["c{}".format(k)] = targets[k]
            out["c.c{}".format(k)] = targets[k]
        return out

    def _coef(self, p, j, first):
        return p.c["c{}".format(j)] if first else p["c{}".format(j)]

    def load(self, m, p):
        return p.c["c{}".format(self._plan.params.order)]

    def addend(self, m, p, k, first):
        half = 1 << (self._plan.horner.shifts[k] - 1)
        if k == 0:
            return Const(half)
        return (self._coef(p, k, first) << self._coefs.align[k]) + half

    def carry(self, p, k, first):
        return {"c{}".format(j): self._coef(p, j, first) for j in range(1, k)}


def coefficient_source(plan, lookup=False):
    """The source object for a plan's coefficient kind (``lookup``: see ``TableSource``)."""
    return (DerivedSource(plan) if plan.coefficients.kind == "derived"
            else TableSource(plan, lookup))


class DerivedCoefficients(ChainStage):
    """c_k = P_k(y0)/k! computed from the bit-pattern y0 by multipliers (seed 001).

    One register stage per method of ``sigmoid_hw.model.derived.DerivedRecipe``: u and t,
    the powers u^2 .. u^J, the constant combinations, then c_k (even k
    multiplied by t). Latency J + 2 with J = ceil(K / 2).

    Parameters
    ----------
    plan : sigmoid_hw.model.plan.Plan
        With derived coefficients.
    stall : Signal or None
    """

    def __init__(self, plan, *, stall=None):
        self._plan = plan
        coefs = plan.coefficients
        recipe = coefs.recipe
        self._source = DerivedSource(plan)
        base = dict(reduced_layout(plan.reduction).members)

        def field(name):
            return signed(coefs.width(name))

        layouts = [data.StructLayout(dict(base, u=field("pow1"), t=field("t")))]
        for j in range(2, recipe.powers + 1):
            layouts.append(data.StructLayout(dict(
                base, t=field("t"), **{"pow{}".format(i): field("pow{}".format(i))
                                       for i in range(1, j + 1)})))
        layouts.append(data.StructLayout(dict(
            base, t=field("t"), **{"lin{}".format(k): field("lin{}".format(k))
                                   for k in range(1, recipe.order + 1)})))
        out = data.StructLayout(dict(base, c=self._source.c_layout))
        layouts.append(out)
        Fw, Fa = recipe.work_frac, recipe.const_frac
        f_bits = {"d": plan.reduction.d_frac, "u": Fw, "t": Fw}
        f_bits.update({"pow{}".format(j): Fw for j in range(1, recipe.powers + 1)})
        f_bits.update({"lin{}".format(k): Fw + Fa for k in range(1, recipe.order + 1)})
        f_bits.update(self._source.carried_f_bits())
        chain = StageChain("coefficients", layouts, f_bits)
        super().__init__({"i": In(stream.Signature(reduced_layout(plan.reduction))),
                          "o": Out(stream.Signature(out))}, chain, stall)

    @property
    def c_layout(self):
        return self._source.c_layout

    def elaborate(self, platform):
        m = Module()
        plan = self._plan
        coefs = plan.coefficients
        recipe = coefs.recipe
        K, J = recipe.order, recipe.powers
        m.submodules.reference = ref = BitPatternReference(plan.reduction.n_max, recipe.work_frac)

        base = reduced_layout(plan.reduction).members

        def keep(p):
            return {name: p[name] for name in base}

        def powers_of(p, j):
            return {1: p.u} if j == 1 else {i: p["pow{}".format(i)] for i in range(1, j + 1)}

        def first(m, p):
            m.d.comb += ref.n.eq(p.n)
            u, t = recipe.first(Cat(ref.y0, Const(0, 1)).as_signed())
            return dict(keep(p), u=u, t=t)

        def power(j):
            def fn(m, p):
                pw = powers_of(p, j - 1)
                out = dict(keep(p), t=p.t, **{"pow{}".format(i): pw[i] for i in range(1, j)})
                out["pow{}".format(j)] = recipe.power(pw[j - 1], pw[1])
                return out
            return fn

        def combination(m, p):
            pw = powers_of(p, J)
            return dict(keep(p), t=p.t, **{"lin{}".format(k): recipe.combination(k, pw)
                                           for k in range(1, K + 1)})

        def coefficient(m, p):
            def name(label, value):
                sig = Signal(signed(coefs.width(label)), name=label)
                m.d.comb += sig.eq(value)
                return sig
            c = {"c{}".format(k): recipe.coefficient(k, p["lin{}".format(k)], p.t, name)
                 for k in range(1, K + 1)}
            return dict(keep(p), c=c)

        self.build(m, [first] + [power(j) for j in range(2, J + 1)] + [combination, coefficient])
        return m
