"""``SharedHornerEvaluator``: Horner's rule with each multiplier serving ``reuse`` multiply-adds.

hls4ml's ReuseFactor for the seed's pipeline. The K multiply-adds
``acc_k = (d acc_(k+1) + A_k) >> s_k`` (k = K-1 .. 0) are split into
``ceil(K / R)`` groups of at most ``R`` consecutive steps (the short group
first: the narrow accumulators come first, so the groups that share one
multiplier among several steps are the wide ones' and the count of DSP
blocks is smallest). Each group has one multiplier, sized for its widest
step (``d_width x max width(acc_(k+1))``), one adder and one working
register ``W_j``: in each clock the group computes the step of the word it
holds and writes ``W_j`` back, so a word passes through a group in as many
clocks as it has steps, and the next group reads ``W_j`` the clock after.

The arithmetic of every step is the plan's, bit for bit: the same product,
the same addend (the per-n table, or the derived c_k, plus y0 and the
rounding correction in the last step), the same arithmetic shift and the
same truncation to ``acc_width[k]`` bits (then sign-extended into the
group's wider register). So the evaluator equals ``model.trace`` like
``HornerEvaluator``.

Timing: one register (the load, acc_K = c_K) then one clock per step, as
``HornerEvaluator``: latency ``K + 1``. A shift register of valid bits
``q_0 .. q_K`` says where each word is (``q_t``: the word has done t steps);
it drives the ``registers`` map (one valid bit per clock of latency, as the
formal harnesses need) and selects the step each group computes. Two words
in one group would collide: the words must enter at least ``R`` clocks apart,
which the owner guarantees (``SigmoidPipeline`` accepts a word only when its
first ``R - 1`` stages are empty: initiation interval ``R``). The one shared
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
        ``1 + t`` are the working register that holds the word after step t
        (acc_(K-t) there, sign-extended).
    """

    def __init__(self, plan, source, reuse, *, stall):
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
        base = dict(reduced_layout(red).members, **source.input_fields())
        self._in_layout = data.StructLayout(base)
        self._out_layout = data.StructLayout({"sign": 1, "acc": signed(horner.acc_width[0])})
        # step t (1 .. K) computes acc_(K - t) from acc_(K - t + 1)
        self._steps = []
        first = 1
        for size in groups:
            self._steps.append(tuple(range(first, first + size)))
            first += size
        self._load = Signal(data.StructLayout(dict(base, acc=signed(horner.acc_width[K]))),
                            name="load", reset_less=True)
        self._work = []
        self._multipliers = []
        for j, steps in enumerate(self._steps):
            width = max(horner.acc_width[K - t] for t in steps)
            self._work.append(Signal(data.StructLayout(dict(base, acc=signed(width))),
                                     name="w{}".format(j + 1), reset_less=True))
            self._multipliers.append((red.d_width,
                                      max(horner.acc_width[K - t + 1] for t in steps)))
        self._valid = [Signal(name="q{}".format(t)) for t in range(K + 1)]
        self._registers = self._register_map()
        super().__init__({"i": In(stream.Signature(self._in_layout)),
                          "o": Out(stream.Signature(self._out_layout))})

    def _register_map(self):
        h = self._plan.horner
        K = h.order
        f_bits = dict(self._source.carried_f_bits(), d=self._plan.reduction.d_frac)
        out = []

        def fields(stage, payload, acc_frac):
            for name, shape in payload.shape().members.items():
                if isinstance(shape, data.StructLayout):
                    for sub, s in shape.members.items():
                        path = name + "." + sub
                        out.append(Register(stage, "horner", path, payload,
                                            Value.cast(payload[name][sub]),
                                            Shape.cast(s).signed, f_bits.get(path)))
                    continue
                out.append(Register(stage, "horner", name, payload, Value.cast(payload[name]),
                                    Shape.cast(shape).signed,
                                    acc_frac if name == "acc" else f_bits.get(name)))

        out.append(Register(1, "horner", "valid", self._valid[0], self._valid[0], False, None))
        fields(1, self._load, h.acc_frac[K])
        for j, steps in enumerate(self._steps):
            for t in steps:
                out.append(Register(1 + t, "horner", "valid", self._valid[t], self._valid[t],
                                    False, None))
                fields(1 + t, self._work[j], h.acc_frac[K - t])
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
        plan, source = self._plan, self._source
        horner = plan.horner
        K = horner.order
        stall = self._stall
        q = self._valid
        m.submodules.reference = ref = BitPatternReference(plan.reduction.n_max, horner.y0_frac)
        names = list(self._in_layout.members)

        m.d.comb += self.i.ready.eq(~stall)
        with m.If(~stall):
            m.d.sync += [q[0].eq(self.i.valid)] + [q[t].eq(q[t - 1]) for t in range(1, K + 1)]
            m.d.sync += [self._load[name].eq(self.i.payload[name]) for name in names]
            m.d.sync += self._load.acc.eq(source.load(m, self.i.payload))

        prev = self._load
        for j, steps in enumerate(self._steps):
            work = self._work[j]
            # the step this group computes now: the one whose input word is valid (at most
            # one, as words are at least R >= len(steps) clocks apart); the first step reads
            # the previous register, the others this group's own
            src = Signal(data.StructLayout(dict(self._in_layout.members,
                                                acc=signed(self._multipliers[j][1]))),
                         name="w{}_in".format(j + 1))
            with m.If(q[steps[0] - 1]):
                m.d.comb += [src[name].eq(prev[name]) for name in names]
                m.d.comb += src.acc.eq(prev.acc)
            with m.Else():
                m.d.comb += [src[name].eq(work[name]) for name in names]
                m.d.comb += src.acc.eq(work.acc)
            if steps[-1] == K:
                m.d.comb += ref.n.eq(src.n)
            addend = Signal(signed(max(horner.addend_width[K - t] for t in steps)),
                            name="w{}_addend".format(j + 1))
            result = Signal(signed(len(work.acc)), name="w{}_acc".format(j + 1))
            product = Signal(signed(sum(self._multipliers[j])), name="w{}_product".format(j + 1))
            m.d.comb += product.eq(src.d * src.acc)
            total = product + addend

            def step(k):
                return [addend.eq(self._addend(m, src, k, ref)),
                        result.eq((total >> horner.shifts[k])[:horner.acc_width[k]].as_signed())]

            if len(steps) == 1:
                m.d.comb += step(K - steps[0])
            else:
                # the last step is the default (what the group computes with no word in it)
                for index, t in enumerate(steps):
                    if index == 0:
                        with m.If(q[t - 1]):
                            m.d.comb += step(K - t)
                    elif index < len(steps) - 1:
                        with m.Elif(q[t - 1]):
                            m.d.comb += step(K - t)
                    else:
                        with m.Else():
                            m.d.comb += step(K - t)
            with m.If(~stall):
                m.d.sync += [work[name].eq(src[name]) for name in names]
                m.d.sync += work.acc.eq(result)
            prev = work

        last = self._work[-1]
        m.d.comb += [self.o.valid.eq(q[K]), self.o.payload.sign.eq(last.sign),
                     self.o.payload.acc.eq(last.acc[:horner.acc_width[0]])]
        return m

    def _addend(self, m, p, k, ref):
        """The addend of the step computing acc_k for word ``p`` (y0 and fix in step 0),
        truncated to ``addend_width[k]`` like ``HornerEvaluator``'s addend register."""
        value = self._source.addend(m, p, k, True)
        if k == 0:
            value = ref.y0 + value
            if self._plan.reduction.corrections:
                value = value + (p.fix << self._plan.horner.shifts[0])
        return Value.cast(value)[:self._plan.horner.addend_width[k]].as_signed()
