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
as ``R = 1``, each step's sum exact in its ``acc_bits[j]``. With ``multiplier_width=B``
(a DSP block's signed port) a step whose ``acc_(j+1)`` is wider takes one *pass* per
chunk of it (``piecewise_passes``: unsigned low chunks of ``B - 1`` bits, then the
signed top chunk), the running sum waiting in the group's register (and carried into
the next group's when a group boundary cuts the step), the shift and the add of ``C_j``
after the last; ``reuse`` then counts passes, ``core_latency = 2 + passes``. The
correctly rounded 16-bit sigmoid (``acc_1`` 19 bits) is 3 passes of a 16-bit port:
``reuse=3, multiplier_width=16`` is one SB_MAC16.
"""

from amaranth import *
from amaranth.lib.memory import Memory

from sigmoid_hw.hw.horner_shared import Pass, reuse_groups
from sigmoid_hw.hw.methods.folded import FoldedUnit
from sigmoid_hw.model.methods.piecewise import derive_piecewise, evaluate_piecewise
from sigmoid_hw.model.methods.piecewise_budget import check_budget, derive_piecewise_budget
from sigmoid_hw.model.methods.piecewise_search import derive_piecewise_operand
from sigmoid_hw.model.methods.spec import FunctionSpec, exact_folds, problem
from sigmoid_hw.model.validate import check_int

__all__ = ["PiecewisePolynomial", "piecewise_plan", "piecewise_passes"]


def piecewise_plan(function, input_format=None, output_bits=16, rounding="faithful", *,
                   degree=None, segments=None, family=None, fold=None, budget_ulp=None,
                   operand_bits=None):
    """The ``PiecewisePlan`` of a function on its first exact fold (the record lists the
    cheapest first), or on ``fold`` (a name from ``Function.folds``); with ``budget_ulp``
    (faithful rounding only) one within that many ulp
    (``sigmoid_hw.model.methods.piecewise_budget``); with ``operand_bits`` (correct rounding
    only) one whose products' accumulator operands fit that many signed bits, correctly
    rounded by its coefficient search (``sigmoid_hw.model.methods.piecewise_search``).

    The plan (a frozen record) is derived once per set of arguments and shared: ``generate``
    asks for the same plan for every output drop and reuse factor of a candidate."""
    spec = FunctionSpec.make(function, input_format, output_bits, rounding)
    if budget_ulp is not None:
        budget_ulp = check_budget(budget_ulp)
        if str(spec.rounding) != "faithful":
            raise ValueError("budget_ulp is for faithful rounding (an error of at most "
                             "budget_ulp ulp), not {!r}".format(rounding))
    if operand_bits is not None:
        operand_bits = check_int("operand_bits", operand_bits, 4, 64)
        if str(spec.rounding) != "correct" or budget_ulp is not None:
            raise ValueError("operand_bits is for correct rounding (the coefficient search), "
                             "not {!r}".format(rounding if budget_ulp is None else budget_ulp))
    key = (spec.describe(), str(spec.input_format), degree, segments, family, fold, budget_ulp,
           operand_bits)
    plan = _PLANS.get(key)
    if plan is None:
        prob = problem(spec, exact_folds(spec, fold)[0])
        if operand_bits is not None:
            plan = derive_piecewise_operand(prob, operand_bits, degree, segments, family)
        elif budget_ulp is None:
            plan = derive_piecewise(prob, degree, segments, family)
        else:
            plan = derive_piecewise_budget(prob, budget_ulp, degree, segments, family)
        if len(_PLANS) >= 256:
            _PLANS.clear()
        _PLANS[key] = plan
    return plan


_PLANS = {}


def piecewise_passes(plan, multiplier_width=None):
    """The passes of ``plan``'s Horner steps through a multiplier (``Pass`` tuples, ``k`` = j:
    ``acc_j`` from ``acc_(j+1) t``), in order: one per step, or, for a step whose
    ``acc_(j+1)`` is wider than a ``multiplier_width``-bit signed port (``t`` fitting it),
    one per chunk of it, as ``sigmoid_hw.hw.horner_shared.horner_passes``: unsigned low
    chunks of ``multiplier_width - 1`` bits, then the signed top chunk."""
    if multiplier_width is not None:
        multiplier_width = check_int("multiplier_width", multiplier_width, 2)
    out = []
    for j in range(plan.degree - 1, -1, -1):
        width, lo, bounds = plan.acc_bits[j + 1], 0, []
        if multiplier_width is not None and plan.t_bits <= multiplier_width:
            while width - lo > multiplier_width:
                bounds.append((lo, lo + multiplier_width - 1))
                lo += multiplier_width - 1
        bounds.append((lo, width))
        out += [Pass(j, a, b, n == 0, n == len(bounds) - 1) for n, (a, b) in enumerate(bounds)]
    return tuple(out)


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
    budget_ulp : float or None
        With faithful rounding: an error of at most this many ulp (>= 1) instead of < 1
        (``sigmoid_hw.model.methods.piecewise_budget``: narrower coefficients, no
        corrections).
    operand_bits : int or None
        With correct rounding: every product's accumulator operand at most this many
        signed bits (a DSP block's port), correct rounding from a search of each segment's
        coefficients instead of guard bits (``sigmoid_hw.model.methods.piecewise_search``).
    degree : int or None
        1 .. 3; None: the cheapest for ``family`` (``derive_piecewise``).
    segments : int or None
        A power of two; None: the cheapest.
    fold : str or None
        Force a fold (default: the record's first exact one).
    reuse : int
        Multiply-adds per multiplier, 1 .. the degree (module docstring): ``ceil(degree /
        reuse)`` multipliers, a word accepted at most every ``reuse`` clocks
        (``initiation_interval``); the same outputs. With ``multiplier_width``: passes
        per multiplier, 1 .. ``len(passes)``.
    multiplier_width : int or None
        With ``reuse`` > 1: the signed bits of a DSP block's port; a wider step takes one
        pass per chunk (``piecewise_passes``), so every multiplier is one block.
    target_mhz, family
        As ``FoldedUnit``; ``family`` also chooses the plan's cost model.
    """

    evaluate = staticmethod(evaluate_piecewise)

    def __init__(self, function="sigmoid", input_format=None, output_bits=16,
                 rounding="faithful", *, degree=None, segments=None, fold=None, reuse=1,
                 multiplier_width=None, target_mhz=None, family=None, budget_ulp=None,
                 operand_bits=None):
        reuse = check_int("reuse", reuse, 1)
        plan = piecewise_plan(function, input_format, output_bits, rounding, degree=degree,
                              segments=segments, family=family, fold=fold,
                              budget_ulp=budget_ulp, operand_bits=operand_bits)
        if multiplier_width is not None and reuse == 1:
            raise ValueError("multiplier_width is for reuse > 1 (the shared multipliers), "
                             "not {!r} with reuse 1".format(multiplier_width))
        self._passes = piecewise_passes(plan, multiplier_width)
        check_int("reuse", reuse, 1, len(self._passes))
        self._reuse = reuse
        self._multiplier_width = multiplier_width
        super().__init__(plan, target_mhz=target_mhz, family=family)

    reuse = property(lambda self: self._reuse)
    multiplier_width = property(lambda self: self._multiplier_width)

    @property
    def initiation_interval(self):
        """Clock cycles between accepted words at full rate: ``reuse``."""
        return self._reuse

    @property
    def passes(self):
        """The passes through a multiplier (``piecewise_passes``): one per step without
        ``multiplier_width``."""
        return self._passes

    @property
    def groups(self):
        """Passes per multiplier (``reuse_groups``), in the order of the passes."""
        return reuse_groups(len(self._passes), self._reuse)

    def _members(self):
        first, out = 0, []
        for size in self.groups:
            out.append(self._passes[first:first + size])
            first += size
        return out

    @staticmethod
    def _operand_bits(p, bits):
        """Signed bits of the multiplier operand of pass ``p`` (a low chunk: one more)."""
        whole = p.lo == 0 and p.hi == bits[p.k + 1]
        return p.hi - p.lo if whole or p.last else p.hi - p.lo + 1

    @property
    def multipliers(self):
        """The signed operand widths ``(acc, t)`` of each multiplier."""
        bits = self.plan.acc_bits
        return tuple((max(self._operand_bits(p, bits) for p in members), self.plan.t_bits)
                     for members in self._members())

    @property
    def core_latency(self):
        steps = 2 * self.plan.degree if self._reuse == 1 else len(self._passes)
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
        """The passes on ``len(self.groups)`` multipliers (module docstring), from the
        memory's registered word ``data`` and ``t`` beside it; returns ``y_h``."""
        plan = self.plan
        d, bits = plan.degree, plan.acc_bits
        # valids[s]: the word at core stage s is valid (FoldedUnit.core_valids); pass q
        # (1 .. P) is done while the word is at stage stage0 + q
        valids, stage0 = self.core_valids, 1 + (1 if self.target_mhz is not None else 0)

        def coefficients(word):
            offset, out = 0, []
            for width, prefix in plan.fields:
                out.append(_coefficient(word, offset, width, prefix))
                offset += width
            return out

        def operand(acc, p):
            if p.lo == 0 and p.hi == bits[p.k + 1]:
                return acc
            if p.last:
                return acc[p.lo:p.hi].as_signed()
            return Cat(acc[p.lo:p.hi], Const(0, 1)).as_signed()

        entering = {"acc": coefficients(data)[d], "t": t, "word": data}
        q0 = 1
        for g, members in enumerate(self._members()):
            numbers = list(range(q0, q0 + len(members)))
            q0 += len(members)
            name = "w{}_".format(g + 1)
            work = {"acc": Signal(signed(max(bits[p.k + 1] for p in members)),
                                  name=name + "acc"),
                    "t": Signal(signed(plan.t_bits), name=name + "t"),
                    "word": Signal(plan.word_bits, name=name + "word")}
            split = [p for p in members if not (p.first and p.last)]
            if split:       # the running sum of a step done in several passes
                work["part"] = Signal(signed(max(bits[p.k + 1] for p in split) + plan.t_bits
                                             + 1), name=name + "part")
            op_bits = self.multipliers[g][0]
            op = Signal(signed(op_bits), name=name + "op")
            product = Signal(signed(op_bits + plan.t_bits), name=name + "product")
            coeffs = coefficients(work["word"])
            result = Signal(signed(max(bits[p.k] for p in members)), name=name + "result")

            def here(q, valids=valids):
                return valids[stage0 + q]

            # the pass of the word in W_g: the first whose stage is valid, else the last
            ops, sums, totals = [], [], []
            for p in members:
                ops.append(operand(work["acc"], p))
                running = product << p.lo
                if not p.first:
                    running = work["part"] + running
                sums.append(running)
                shift = plan.shifts[p.k]
                aligned = running >> shift if shift >= 0 else running << -shift
                totals.append((coeffs[p.k] + aligned)[:len(result)].as_signed())
            chosen_op, chosen = ops[-1], totals[-1]
            for q, o, total in reversed(list(zip(numbers[:-1], ops[:-1], totals[:-1]))):
                chosen_op, chosen = Mux(here(q), o, chosen_op), Mux(here(q), total, chosen)
            m.d.comb += [op.eq(chosen_op), product.eq(op * work["t"]), result.eq(chosen)]
            # the word stays for its next pass (at most one word in the group), or the one
            # before the group enters
            with m.If(~stall):
                for index, (q, p) in enumerate(zip(numbers[:-1], members[:-1])):
                    with (m.If if index == 0 else m.Elif)(here(q)):
                        if p.last:
                            m.d.sync += work["acc"].eq(result)
                        else:
                            m.d.sync += work["part"].eq(sums[index])
                with (m.Else() if len(members) > 1 else m.If(1)):
                    m.d.sync += [work[k].eq(v) for k, v in entering.items()]
            entering = {"acc": result, "t": work["t"], "word": work["word"]}
            if not members[-1].last:        # the step goes on in the next group
                entering.update(acc=work["acc"], part=sums[-1])
        acc = Signal(signed(bits[0]), name="acc0")
        with m.If(~stall):
            m.d.sync += acc.eq(entering["acc"])
        return acc[plan.frac_bits[0]:].as_signed()
