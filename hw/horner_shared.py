"""``SharedHornerEvaluator``: Horner's rule with each multiplier serving ``reuse`` multiply-adds.

hls4ml's ReuseFactor for the seed's pipeline. The K multiply-adds
``acc_k = (d acc_(k+1) + A_k) >> s_k`` (k = K-1 .. 0) are split into
``ceil(K / R)`` groups of at most ``R`` consecutive steps (the short group
first: the narrow accumulators come first, so the groups that share one
multiplier among several steps are the wide ones' and the count of DSP
blocks is smallest). Group j has one multiplier, sized for its widest step
(``d_width x max width(acc_(k+1))``), one adder, and one working register
``W_j`` that holds the word whose next step is the group's: its d, its
acc_(k+1) and the addend A_k of that step, so that, as in
``HornerEvaluator``, the multiplier and the adder read registers only (the
operands can sit in the DSP block's input registers). In each clock the
group computes that step; the result (with the next step's addend, looked
up from n) goes back into ``W_j``, or into ``W_(j+1)`` (the output register
after the last step) when the group is done with the word.

The arithmetic of every step is the plan's, bit for bit: the same product,
the same addend (the per-n table, or the derived c_k, plus y0 and the
rounding correction in the last step, truncated to ``addend_width[k]`` like
``HornerEvaluator``'s addend register), the same arithmetic shift and the
same truncation to ``acc_width[k]`` bits (then sign-extended into the
group's wider register). So the evaluator equals ``model.trace``.

Timing: the word is loaded (acc_K = c_K) in one clock, then takes one clock
per step, as in ``HornerEvaluator``: latency ``K + 1``. A shift register of
valid bits ``q_0 .. q_K`` (``q_t``: the word has done t steps) drives the
``registers`` map (one valid bit per clock of latency, as the formal
harnesses need) and chooses the step each group computes. Two words in one
group would collide, so words must enter at least ``R`` clocks apart, which
the owner guarantees (``SigmoidPipeline`` takes a word only when its first
``R - 1`` stages are empty: initiation interval ``R``). The one shared
``stall`` enables every register, as in ``hw.chain``.
"""

from amaranth import *
from amaranth.lib import stream, data
from amaranth.lib.wiring import In, Out
from amaranth.lib import wiring

from hw.chain import Register
from hw.reduction import reduced_layout
from hw.reference import BitPatternReference
from model.validate import check_int

__all__ = ["SharedHornerEvaluator", "reuse_groups"]


def reuse_groups(order, reuse):
    """Steps per multiplier: ``ceil(order / reuse)`` groups, the short one first.

    >>> reuse_groups(5, 2)
    (1, 2, 2)
    >>> reuse_groups(5, 5)
    (5,)
    """
    order = check_int("order", order, 1)
    reuse = check_int("reuse", reuse, 1, order)
    count = -(-order // reuse)
    return (order - reuse * (count - 1),) + (reuse,) * (count - 1)


class SharedHornerEvaluator(wiring.Component):
    """The Horner chain of ``plan`` on ``ceil(K / reuse)`` multipliers.

    Parameters
    ----------
    plan : model.plan.Plan
        Without ``register_product``.
    source : hw.coefficients.TableSource or DerivedSource
    reuse : int
        Multiply-adds per multiplier, 1 .. K.
    stall : Signal
        The shared stall: every register holds while it is high.
    multiplier_width : int or None
        Signed bits of a DSP multiplier port (16: iCE40 SB_MAC16; an ECP5
        MULT18X18D holds 16 too). An acc operand wider than that is split:
        its low ``multiplier_width - 1`` bits go through the one multiplier,
        its top bits are multiplied in logic (shifted copies of d), so each
        group needs one DSP block at the price of some LUTs. ``None``: one
        ``*`` per group, mapped by the synthesis tool (a 12 x 22 product takes
        two blocks of either family).

    Members
    -------
    i : ``In(stream.Signature(...))``
        sign, n, d (fix) and the source's fields, as ``HornerEvaluator``.
    o : ``Out(stream.Signature(StructLayout({"sign": 1, "acc": signed(W0)})))``
    latency : int
        ``K + 1``.
    groups : tuple of int
        Steps per multiplier (``reuse_groups``).
    multipliers : tuple of (int, int)
        The operand widths of each group's multiplier (signed d, signed acc).
    registers : tuple of hw.chain.Register
        One valid bit per clock of latency; the field records of stage
        ``1 + t`` are the register that holds the word after step t
        (acc_(K-t) there, sign-extended, and the addend of step t + 1).
    """

    def __init__(self, plan, source, reuse, *, stall, multiplier_width=None):
        horner, red = plan.horner, plan.reduction
        if horner.register_product:
            raise ValueError("reuse must be 1 with register_product (the shared evaluator "
                             "registers no product), not {!r}".format(reuse))
        K = horner.order
        self._plan = plan
        self._source = source
        self._groups = groups = reuse_groups(K, reuse)
        self._reuse = reuse
        self._stall = stall
        if multiplier_width is not None:
            multiplier_width = check_int("multiplier_width", multiplier_width, 2)
        self._native = multiplier_width
        base = dict(reduced_layout(red).members, **source.input_fields())
        self._in_layout = data.StructLayout(base)
        self._out_layout = data.StructLayout({"sign": 1, "acc": signed(horner.acc_width[0])})
        # step t (1 .. K) computes acc_(K - t) from acc_(K - t + 1)
        self._steps = []
        first = 1
        for size in groups:
            self._steps.append(tuple(range(first, first + size)))
            first += size
        self._work = []
        self._multipliers = []
        for j, steps in enumerate(self._steps):
            width = max(horner.acc_width[K - t + 1] for t in steps)
            addend = max(horner.addend_width[K - t] for t in steps)
            # a0: the last step's addend (y0 + A_0 (+ fix)), computed when the word enters
            # and carried, so that no clock's path holds both y0's adder and the step's
            self._work.append(Signal(data.StructLayout(dict(
                base, acc=signed(width), addend=signed(addend),
                a0=signed(horner.addend_width[0]))),
                                     name="w{}".format(j + 1), reset_less=True))
            self._multipliers.append((red.d_width, width))
        self._out = Signal(self._out_layout, name="out", reset_less=True)
        self._valid = [Signal(name="q{}".format(t)) for t in range(K + 1)]
        self._registers = self._register_map()
        super().__init__({"i": In(stream.Signature(self._in_layout)),
                          "o": Out(stream.Signature(self._out_layout))})

    def _group_of(self, t):
        """The group whose register holds a word after t steps (None: the output register)."""
        for j, steps in enumerate(self._steps):
            if t + 1 in steps:
                return j
        return None

    def _register_map(self):
        h = self._plan.horner
        K = h.order
        f_bits = dict(self._source.carried_f_bits(), d=self._plan.reduction.d_frac)
        out = []
        for t in range(K + 1):
            stage = 1 + t
            out.append(Register(stage, "horner", "valid", self._valid[t], self._valid[t],
                                False, None))
            j = self._group_of(t)
            payload = self._out if j is None else self._work[j]
            frac = dict(f_bits, acc=h.acc_frac[K - t])
            if t < K:
                frac["addend"] = h.prod_frac[K - t - 1]
            for name, shape in payload.shape().members.items():
                members = (shape.members.items() if isinstance(shape, data.StructLayout)
                           else [(None, shape)])
                for sub, s in members:
                    path = name if sub is None else name + "." + sub
                    value = payload[name] if sub is None else payload[name][sub]
                    out.append(Register(stage, "horner", path, payload, Value.cast(value),
                                        Shape.cast(s).signed, frac.get(path)))
        return tuple(out)

    @property
    def reuse(self):
        return self._reuse

    @property
    def groups(self):
        return self._groups

    @property
    def multipliers(self):
        return tuple(self._multipliers)

    @property
    def latency(self):
        return self._plan.horner.order + 1

    @property
    def registers(self):
        return self._registers

    def elaborate(self, platform):
        m = Module()
        plan = self._plan
        horner = plan.horner
        K = horner.order
        q = self._valid
        names = list(self._in_layout.members)
        m.submodules.reference = ref = BitPatternReference(plan.reduction.n_max, horner.y0_frac)
        self._ref = ref
        m.d.comb += ref.n.eq(self.i.payload.n)

        m.d.comb += self.i.ready.eq(~self._stall)
        with m.If(~self._stall):
            m.d.sync += [q[0].eq(self.i.valid)] + [q[t].eq(q[t - 1]) for t in range(1, K + 1)]

        # what enters W_1: the loaded word, acc_K and the addend of step 1
        entering = {name: self.i.payload[name] for name in names}
        entering["acc"] = self._source.load(m, self.i.payload)
        entering["a0"] = self._last_addend(m, self.i.payload)
        entering["addend"] = (entering["a0"] if K == 1 else
                              self._addend(m, self.i.payload, K - 1))
        for j, steps in enumerate(self._steps):
            work = self._work[j]
            product = Signal(signed(sum(self._multipliers[j])), name="w{}_product".format(j + 1))
            m.d.comb += product.eq(self._multiply(work.d, work.acc))
            total = product + work.addend
            # the step computed now: the one whose word is here (at most one, words being at
            # least R >= len(steps) clocks apart); the last step when there is none
            result = Signal(signed(max(horner.acc_width[K - t] for t in steps)),
                            name="w{}_result".format(j + 1))
            for index, t in enumerate(steps):
                k = K - t
                value = (total >> horner.shifts[k])[:horner.acc_width[k]].as_signed()
                if len(steps) == 1:
                    m.d.comb += result.eq(value)
                elif index == 0:
                    with m.If(q[t - 1]):
                        m.d.comb += result.eq(value)
                elif index < len(steps) - 1:
                    with m.Elif(q[t - 1]):
                        m.d.comb += result.eq(value)
                else:
                    with m.Else():
                        m.d.comb += result.eq(value)
            fields = {name: work[name] for name in names + ["a0"]}
            with m.If(~self._stall):
                stay = [q[t - 1] for t in steps[:-1]]
                # a word that stays for its next step, with that step's addend
                with m.If(Cat(*stay).any() if stay else Const(0)):
                    addend = Signal.like(work.addend, name="w{}_next_addend".format(j + 1))
                    for index, t in enumerate(steps[:-1]):
                        with (m.If if index == 0 else m.Elif)(q[t - 1]):
                            m.d.comb += addend.eq(self._addend(m, work, K - t - 1))
                    m.d.sync += [work[name].eq(value) for name, value in fields.items()]
                    m.d.sync += [work.acc.eq(result), work.addend.eq(addend)]
                with m.Else():
                    m.d.sync += [work[name].eq(value) for name, value in entering.items()]
            # the word leaving this group after its last step enters the next register
            if steps[-1] < K:
                entering = dict(fields, acc=result, addend=self._addend(m, work, K - steps[-1] - 1))
        with m.If(~self._stall):
            m.d.sync += [self._out.sign.eq(self._work[-1].sign),
                         self._out.acc.eq(result)]
        m.d.comb += [self.o.valid.eq(q[K]), self.o.payload.eq(self._out)]
        return m

    def _multiply(self, d, acc):
        """``d * acc``, its top acc bits in logic when acc exceeds ``multiplier_width``."""
        native = self._native
        if native is None or len(acc) <= native or len(d) > native:
            return d * acc
        lo = Cat(acc[:native - 1], Const(0, 1)).as_signed()    # non-negative: native bits
        hi = acc[native - 1:]
        rows = [Mux(hi[i], d, 0) << i for i in range(len(hi))]
        rows[-1] = -rows[-1]                                   # the sign bit weighs -2^i
        return d * lo + (sum(rows[1:], rows[0]) << (native - 1))

    def _addend(self, m, p, k):
        """The addend of the step computing acc_k for the word in register ``p``."""
        if k == 0:
            return p.a0
        value = self._source.addend(m, p, k, True)
        return Value.cast(value)[:self._plan.horner.addend_width[k]].as_signed()

    def _last_addend(self, m, p):
        """y0 + A_0 (+ the correction) for the input word ``p``, truncated to
        ``addend_width[0]`` like ``HornerEvaluator``'s addend register."""
        value = self._ref.y0 + self._source.addend(m, p, 0, True)
        if self._plan.reduction.corrections:
            value = value + (p.fix << self._plan.horner.shifts[0])
        return Value.cast(value)[:self._plan.horner.addend_width[0]].as_signed()
