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

``reuse=R`` (2 .. degree; hls4ml's ReuseFactor, as ``sigmoid_hw.hw.horner_shared`` for the
seed's pipeline): the ``d`` multiply-adds are cut into ``ceil(d / R)`` groups of at
most ``R`` consecutive steps (``reuse_groups``, the short group first), each with one
multiplier and one adder reading one working register ``W_g`` (the word's
``acc_(j+1)``, ``t`` and memory word). In each clock the group does the step of the
word in ``W_g``, ``acc_j = C_j + (acc_(j+1) t >> shift_j)`` in one clock (no product
register: the loop ``W_g -> multiply -> add -> W_g`` has one register), and writes
``acc_j`` back into ``W_g`` for its next step, or into the next group's register (the
output register after the last step). The frame (``FoldedUnit``) takes a word only
when its first ``R - 1`` stages are empty, so no two words meet in a group:
``initiation_interval = R``, ``core_latency = 2 + degree`` (the memory's read
register, then one clock per step; one more with a ``target_mhz``). The same integers
as ``R = 1``, each step's sum exact in its ``acc_bits[j]``.
"""

from amaranth import *
from amaranth.lib.memory import Memory

from sigmoid_hw.hw.horner_shared import reuse_groups
from sigmoid_hw.hw.methods.folded import FoldedUnit
from sigmoid_hw.model.methods.piecewise import derive_piecewise, evaluate_piecewise
from sigmoid_hw.model.methods.spec import FunctionSpec, exact_folds, problem
from sigmoid_hw.model.validate import check_int

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
    reuse : int
        Multiply-adds per multiplier, 1 .. the degree (module docstring): ``ceil(degree /
        reuse)`` multipliers, a word accepted at most every ``reuse`` clocks
        (``initiation_interval``); the same outputs.
    target_mhz, family
        As ``FoldedUnit``; ``family`` also chooses the plan's cost model.
    """

    evaluate = staticmethod(evaluate_piecewise)

    def __init__(self, function="sigmoid", input_format=None, output_bits=16,
                 rounding="faithful", *, degree=None, segments=None, fold=None, reuse=1,
                 target_mhz=None, family=None):
        reuse = check_int("reuse", reuse, 1)
        plan = piecewise_plan(function, input_format, output_bits, rounding, degree=degree,
                              segments=segments, family=family, fold=fold)
        check_int("reuse", reuse, 1, plan.degree)
        self._reuse = reuse
        super().__init__(plan, target_mhz=target_mhz, family=family)

    @property
    def reuse(self):
        return self._reuse

    @property
    def initiation_interval(self):
        """Clock cycles between accepted words at full rate: ``reuse``."""
        return self._reuse

    @property
    def groups(self):
        """Multiply-adds per multiplier (``reuse_groups``), in the order of the steps."""
        return reuse_groups(self.plan.degree, self._reuse)

    @property
    def multipliers(self):
        """The signed operand widths ``(acc, t)`` of each multiplier."""
        bits, d, out, first = self.plan.acc_bits, self.plan.degree, [], 1
        for size in self.groups:
            out.append((max(bits[d - p + 1] for p in range(first, first + size)),
                        self.plan.t_bits))
            first += size
        return tuple(out)

    @property
    def core_latency(self):
        steps = 2 * self.plan.degree if self._reuse == 1 else self.plan.degree
        return 2 + steps + (1 if self.target_mhz is not None else 0)

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
        if self._reuse > 1:
            return self._shared_steps(m, read.data, t, stall)

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

    def _shared_steps(self, m, data, t, stall):
        """The Horner steps on ``len(self.groups)`` multipliers (module docstring), from the
        memory's registered word ``data`` and ``t`` beside it; returns ``y_h``."""
        plan = self.plan
        d, bits = plan.degree, plan.acc_bits
        # valids[s]: the word at core stage s is valid (FoldedUnit.core_valids); pass p
        # (acc_(d-p)) is done while the word is at stage stage0 + p
        valids, stage0 = self.core_valids, 1 + (1 if self.target_mhz is not None else 0)

        def coefficients(word):
            offset, out = 0, []
            for width, prefix in plan.fields:
                out.append(_coefficient(word, offset, width, prefix))
                offset += width
            return out

        entering = {"acc": coefficients(data)[d], "t": t, "word": data}
        first = 1
        for g, size in enumerate(self.groups):
            passes = list(range(first, first + size))
            first += size
            acc_bits = self.multipliers[g][0]
            work = {"acc": Signal(signed(acc_bits), name="w{}_acc".format(g + 1)),
                    "t": Signal(signed(plan.t_bits), name="w{}_t".format(g + 1)),
                    "word": Signal(plan.word_bits, name="w{}_word".format(g + 1))}
            product = Signal(signed(acc_bits + plan.t_bits), name="w{}_product".format(g + 1))
            m.d.comb += product.eq(work["acc"] * work["t"])
            coeffs = coefficients(work["word"])
            result = Signal(signed(max(bits[d - p] for p in passes)),
                            name="w{}_result".format(g + 1))
            # the pass of the word in W_g: the first whose stage is valid, else the last
            totals = []
            for p in passes:
                shift = plan.shifts[d - p]
                aligned = product >> shift if shift >= 0 else product << -shift
                totals.append((coeffs[d - p] + aligned)[:len(result)].as_signed())
            chosen = totals[-1]
            for p, total in reversed(list(zip(passes[:-1], totals[:-1]))):
                chosen = Mux(valids[stage0 + p], total, chosen)
            m.d.comb += result.eq(chosen)
            # the word stays for its next pass (at most one word in the group), or the one
            # before the group enters
            stay = Cat(*[valids[stage0 + p] for p in passes[:-1]]).any() if size > 1 \
                else C(0, 1)
            with m.If(~stall):
                with m.If(stay):
                    m.d.sync += work["acc"].eq(result)
                with m.Else():
                    m.d.sync += [work[name].eq(value) for name, value in entering.items()]
            entering = {"acc": result, "t": work["t"], "word": work["word"]}
        acc = Signal(signed(bits[0]), name="acc0")
        with m.If(~stall):
            m.d.sync += acc.eq(entering["acc"])
        return acc[plan.frac_bits[0]:].as_signed()
