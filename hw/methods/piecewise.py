"""``PiecewisePolynomial``: a polynomial per uniform segment (``sigmoid_hw.model.methods.piecewise``), on the
``FoldedUnit`` frame.

The core, bit for bit ``sigmoid_hw.model.methods.piecewise.evaluate_piecewise`` (the
frame adds the corrections)::

    u = a - lo ─┬─ top k bits ──> Memory (C_0 .. C_d of the segment, registered read)
                └─ low bits: t ─reg──────────────┐
                                                 v
      reg ─> acc_d = C_d ─> [acc t] reg ─> [C_(d-1) + (prod >> p)] reg ─> ... ─> acc_0 >> F_0

One multiply per degree, its product registered (the DSP's own output
register: SB_MAC16, MULT18X18D) before the add of the next coefficient and
its register, the memory's output registered first: ``core_latency = 2 + 2
degree`` (one more with a ``target_mhz``: the segment and offset are
registered before the memory's address, as ``FunctionTable`` does). The extra domain point of a folded input
(``u = 2^n``) takes the last segment and ``t = 2^(m-1)``: its top bit ORed
into the segment bits, and the sign of ``t`` cleared.
"""

from amaranth import *
from amaranth.lib.memory import Memory

from sigmoid_hw.hw.methods.folded import FoldedUnit
from sigmoid_hw.model.methods.piecewise import derive_piecewise, evaluate_piecewise
from sigmoid_hw.model.methods.spec import FunctionSpec, exact_folds, problem

__all__ = ["PiecewisePolynomial", "piecewise_plan"]


def piecewise_plan(function, input_format=None, output_bits=16, rounding="faithful", *,
                   degree=None, segments=None, family=None, fold=None):
    """The ``PiecewisePlan`` of a function on its first exact fold (the record lists the
    cheapest first), or on ``fold`` (a name from ``Function.folds``)."""
    spec = FunctionSpec.make(function, input_format, output_bits, rounding)
    return derive_piecewise(problem(spec, exact_folds(spec, fold)[0]), degree, segments,
                            family)


def _coefficient(word, offset, bits, prefix):
    """``C_j`` from its stored bits (``PiecewisePlan.fields``)."""
    stored = word[offset:offset + bits]
    if prefix is None:
        return stored.as_signed()
    if prefix == 0:
        return stored
    if prefix < 0:
        width = (~prefix).bit_length() + 1
        return Cat(stored, Const(prefix, signed(width))).as_signed()
    return Cat(stored, Const(prefix, unsigned(prefix.bit_length())))


class PiecewisePolynomial(FoldedUnit):
    """A function by a piecewise polynomial: faithful, or correctly rounded, on every input.

    Parameters
    ----------
    function : str
        A name of ``sigmoid_hw.model.exact.FUNCTION_NAMES``.
    input_format : SQ
        Default SQ(4, 12).
    output_bits : int
        The output's width W; its format is the function's default.
    rounding : ``"faithful"`` or ``"correct"``
    degree : int or None
        1 .. 3; None: the cheapest for ``family`` (``derive_piecewise``).
    segments : int or None
        A power of two; None: the cheapest.
    fold : str or None
        Force a fold (default: the record's first exact one).
    target_mhz, family
        As ``FoldedUnit``; ``family`` also chooses the plan's cost model.
    """

    evaluate = staticmethod(evaluate_piecewise)

    def __init__(self, function="sigmoid", input_format=None, output_bits=16,
                 rounding="faithful", *, degree=None, segments=None, fold=None,
                 target_mhz=None, family=None):
        super().__init__(piecewise_plan(function, input_format, output_bits, rounding,
                                        degree=degree, segments=segments, family=family,
                                        fold=fold),
                         target_mhz=target_mhz, family=family)

    @property
    def core_latency(self):
        return 2 + 2 * self.plan.degree + (1 if self.target_mhz is not None else 0)

    def elaborate_core(self, m, a, stall):
        plan = self.plan
        n, k, m_bits, d = plan.domain_bits, plan.segment_bits, plan.offset_bits, plan.degree

        def register(value, name):
            reg = Signal.like(value, name=name) if isinstance(value, Signal) else \
                Signal(value.shape(), name=name)
            with m.If(~stall):
                m.d.sync += reg.eq(value)
            return reg

        if plan.problem.fold.folded:
            u = a.as_unsigned()
        else:   # offset binary: u = x - lo = x + 2^(n-1)
            u = Cat(a[:-1], ~a[-1])
        top = u[n] if plan.extra else C(0, 1)
        segment = Signal(k, name="segment")
        t = Signal(signed(plan.t_bits), name="t")
        sign = ~u[m_bits - 1] & ~top
        m.d.comb += [
            segment.eq(u[m_bits:n] | top.replicate(k)),
            t.eq(Cat(u[:m_bits - 1], ~u[m_bits - 1], sign)),
        ]
        if self.target_mhz is not None:
            segment, t = register(segment, "segment_reg"), register(t, "t_reg")

        m.submodules.coefficients = table = Memory(
            shape=unsigned(plan.word_bits), depth=plan.segments, init=list(plan.entries))
        read = table.read_port()
        m.d.comb += [read.addr.eq(segment), read.en.eq(~stall)]
        t = register(t, "t_mem")

        # the memory's output registered (DP16KD's output register): a read then a multiply in
        # one cycle was ECP5's critical path (13.9 ns)
        word = register(read.data, "word")
        t = register(t, "t_word")
        offset, coeffs = 0, []
        for bits, prefix in plan.fields:
            coeffs.append(_coefficient(word, offset, bits, prefix))
            offset += bits
        # the coefficients still to add, carried beside the products
        pending = {j: coeffs[j] for j in range(d)}
        acc = coeffs[d]
        for j in range(d - 1, -1, -1):
            a_bits, t_bits = plan.acc_bits[j + 1], plan.t_bits
            product = Signal(signed(a_bits + t_bits), name="product{}".format(j))
            with m.If(~stall):
                m.d.sync += product.eq(acc * t)
            pending = {i: register(c, "c{}_p{}".format(i, j)) for i, c in pending.items()}
            t = register(t, "t_p{}".format(j))
            shift = plan.shifts[j]
            aligned = product >> shift if shift >= 0 else product << -shift
            acc = Signal(signed(plan.acc_bits[j]), name="acc{}".format(j))
            with m.If(~stall):
                m.d.sync += acc.eq(pending.pop(j) + aligned)
            pending = {i: register(c, "c{}_a{}".format(i, j)) for i, c in pending.items()}
            if j:
                t = register(t, "t_a{}".format(j))
        return acc[plan.frac_bits[0]:].as_signed()
