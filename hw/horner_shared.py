"""``SharedHornerEvaluator``: Horner's rule with each multiplier serving ``reuse`` multiply-adds.

hls4ml's ReuseFactor for the seed's pipeline. The K multiply-adds
``acc_k = (d acc_(k+1) + A_k) >> s_k`` (k = K-1 .. 0) are done as *passes*
through a multiplier: one per step, or, with ``multiplier_width``, two or
more for a step whose acc operand is wider than the DSP port (the unsigned
low bits, then the signed top bits, the running sum waiting in a register;
``horner_passes``). The P passes are split into ``ceil(P / R)`` groups of at
most ``R`` consecutive passes (the short group first: the narrow
accumulators come first, so the groups that share one multiplier among
several steps are the wide ones' and the count of DSP blocks is smallest).
Group j has one multiplier, sized for its widest pass, one adder, and one
working register ``W_j`` that holds the word whose next pass is the
group's: its d, its acc_(k+1), the addend A_k of that step (and the running
sum), so that, as in ``HornerEvaluator``, the multiplier and the adder read
registers only. In each clock the group does that pass; the word (with the
next step's addend, looked up from n, once a step is done) goes back into
``W_j``, or into ``W_(j+1)`` (the output register after the last pass) when
the group is done with it.

The arithmetic of every step is the plan's, bit for bit: the same product
(a sum of exact partial products when it takes several passes), the same
addend (the per-n table, or the derived c_k, plus y0 and the rounding
correction in the last step, truncated to ``addend_width[k]`` like
``HornerEvaluator``'s addend register), the same arithmetic shift and the
same truncation to ``acc_width[k]`` bits (then sign-extended into the
group's wider register). So the evaluator equals ``sigmoid_hw.model.trace``.

Timing: the word is loaded (acc_K = c_K) in one clock, then takes one clock
per pass: latency ``P + 1`` (``K + 1``, as ``HornerEvaluator``, without
``multiplier_width``). A shift register of valid bits ``q_0 .. q_P``
(``q_t``: the word has done t passes) drives the ``registers`` map (one
valid bit per clock of latency, as the formal harnesses need) and chooses
the pass each group does. Two words in one group would collide, so words
must enter at least ``R`` clocks apart, which the owner guarantees
(``SigmoidPipeline`` takes a word only when its first ``R - 1`` stages are
empty: initiation interval ``R``). The one shared ``stall`` enables every
register, as in ``sigmoid_hw.hw.chain``.
"""

from collections import namedtuple

from amaranth import *
from amaranth.lib import stream, data
from amaranth.lib.wiring import In, Out
from amaranth.lib import wiring

from sigmoid_hw.hw.chain import Register
from sigmoid_hw.hw.reduction import reduced_layout
from sigmoid_hw.hw.reference import BitPatternReference
from sigmoid_hw.model.validate import check_int

__all__ = ["SharedHornerEvaluator", "Pass", "horner_passes", "reuse_groups"]


Pass = namedtuple("Pass", "k lo hi first last")
Pass.__doc__ = """One pass through a multiplier: bits ``lo:hi`` of acc_(k+1) times d, for acc_k.

``first``: the pass adds the step's addend; ``last``: it rounds (shift s_k,
truncation to ``acc_width[k]``) and gives acc_k; otherwise the running sum
waits in the register for the step's next pass."""


def horner_passes(plan, multiplier_width=None):
    """The passes of the Horner chain of ``plan``, in order (``Pass`` tuples).

    One pass per step, or, for a step whose acc operand is wider than a
    ``multiplier_width``-bit signed port (and whose d fits it), one pass per
    chunk: unsigned low chunks of ``multiplier_width - 1`` bits, then the
    signed top chunk.
    """
    h, d_width = plan.horner, plan.reduction.d_width
    if multiplier_width is not None:
        multiplier_width = check_int("multiplier_width", multiplier_width, 2)
    out = []
    for k in range(h.order - 1, -1, -1):
        w = h.acc_width[k + 1]
        bounds = []
        lo = 0
        if multiplier_width is not None and d_width <= multiplier_width:
            while w - lo > multiplier_width:
                bounds.append((lo, lo + multiplier_width - 1))
                lo += multiplier_width - 1
        bounds.append((lo, w))
        for index, (a, b) in enumerate(bounds):
            out.append(Pass(k, a, b, index == 0, index == len(bounds) - 1))
    return tuple(out)


def reuse_groups(passes, reuse):
    """Passes per multiplier: ``ceil(passes / reuse)`` groups, the short one first.

    >>> reuse_groups(5, 2)
    (1, 2, 2)
    >>> reuse_groups(5, 5)
    (5,)
    """
    passes = check_int("passes", passes, 1)
    reuse = check_int("reuse", reuse, 1, passes)
    count = -(-passes // reuse)
    return (passes - reuse * (count - 1),) + (reuse,) * (count - 1)


class SharedHornerEvaluator(wiring.Component):
    """The Horner chain of ``plan`` on ``ceil(P / reuse)`` multipliers (P passes).

    Parameters
    ----------
    plan : sigmoid_hw.model.plan.Plan
        Without ``register_product``.
    source : sigmoid_hw.hw.coefficients.TableSource or DerivedSource
    reuse : int
        Passes per multiplier, 1 .. P (``horner_passes``; P = K without
        ``multiplier_width``).
    stall : Signal
        The shared stall: every register holds while it is high.
    multiplier_width : int or None
        Signed bits of the multipliers' ports (16: an iCE40 SB_MAC16, which
        an ECP5 MULT18X18D holds too). A step whose acc operand is wider
        takes more than one pass (``horner_passes``), so every multiplier is
        one DSP block: the default plan's ``d x acc_1`` (12 x 22 bits) takes
        two passes of a 16-bit port, and ``reuse=7`` puts all seven passes
        on one SB_MAC16. ``None``: one pass per step, one ``*`` per group,
        mapped by the synthesis tool (a 12 x 22 product takes two blocks of
        either family).

    Members
    -------
    i : ``In(stream.Signature(...))``
        sign, n, d (fix) and the source's fields, as ``HornerEvaluator``.
    o : ``Out(stream.Signature(StructLayout({"sign": 1, "acc": signed(W0)})))``
    latency : int
        ``P + 1``.
    passes : tuple of Pass
    groups : tuple of int
        Passes per multiplier (``reuse_groups``).
    multipliers : tuple of (int, int)
        The operand widths of each group's multiplier (signed d, signed acc).
    registers : tuple of sigmoid_hw.hw.chain.Register
        One valid bit per clock of latency; the field records of stage
        ``1 + t`` are the register that holds the word after t passes.
    """

    def __init__(self, plan, source, reuse, *, stall, multiplier_width=None):
        horner, red = plan.horner, plan.reduction
        if horner.register_product:
            raise ValueError("reuse must be 1 with register_product (the shared evaluator "
                             "registers no product), not {!r}".format(reuse))
        self._plan = plan
        self._source = source
        self._passes = passes = horner_passes(plan, multiplier_width)
        self._groups = groups = reuse_groups(len(passes), reuse)
        self._reuse = reuse
        self._stall = stall
        base = dict(reduced_layout(red).members, **source.input_fields())
        self._in_layout = data.StructLayout(base)
        self._out_layout = data.StructLayout({"sign": 1, "acc": signed(horner.acc_width[0])})
        # pass t (1 .. P) is passes[t - 1]; group j does the passes in self._members[j]
        self._members = []
        first = 1
        for size in groups:
            self._members.append(tuple(range(first, first + size)))
            first += size
        self._work = []
        self._multipliers = []
        for j, members in enumerate(self._members):
            steps = [passes[t - 1] for t in members]
            op_width = max(self._operand_width(p) for p in steps)
            # op: the next pass's multiplier operand; hi, lo: what its product (shifted by
            # the pass's lo) is added to, as hi + product and lo below it, so that no
            # multiplexer stands between the registers, the multiplier and the adder
            hi = (self._partial_width([p.k for p in steps]) if any(not p.first for p in steps)
                  else max(horner.addend_width[p.k] for p in steps))
            fields = dict(base, op=signed(op_width), hi=signed(hi),
                          # the last step's addend (y0 + A_0 (+ fix)), computed when the word
                          # enters and carried: no clock's path holds y0's adder and a step's
                          a0=signed(horner.addend_width[0]))
            split = [p for p in steps if not (p.first and p.last)]
            if split:
                # acc_(k+1) of a step done in several passes, for its later chunks
                fields["acc"] = signed(max(horner.acc_width[p.k + 1] for p in split))
            if any(p.lo for p in steps):
                fields["lo"] = unsigned(max(p.lo for p in steps))
            self._work.append(Signal(data.StructLayout(fields), name="w{}".format(j + 1),
                                     reset_less=True))
            self._multipliers.append((red.d_width, op_width))
        self._out = Signal(self._out_layout, name="out", reset_less=True)
        self._valid = [Signal(name="q{}".format(t)) for t in range(len(passes) + 1)]
        self._registers = self._register_map()
        super().__init__({"i": In(stream.Signature(self._in_layout)),
                          "o": Out(stream.Signature(self._out_layout))})

    def _partial_width(self, ks):
        h, d_width = self._plan.horner, self._plan.reduction.d_width
        return max(max(d_width + h.acc_width[k + 1], h.addend_width[k]) + 2 for k in ks)

    def _operand_width(self, p):
        """Signed bits of the multiplier operand of pass ``p``."""
        whole = p.lo == 0 and p.hi == self._plan.horner.acc_width[p.k + 1]
        return p.hi - p.lo if whole or p.last else p.hi - p.lo + 1

    def _group_of(self, t):
        """The group whose register holds a word after t passes (None: the output register)."""
        for j, members in enumerate(self._members):
            if t + 1 in members:
                return j
        return None

    def _register_map(self):
        h = self._plan.horner
        f_bits = dict(self._source.carried_f_bits(), d=self._plan.reduction.d_frac)
        out = []
        for t in range(len(self._passes) + 1):
            stage = 1 + t
            out.append(Register(stage, "horner", "valid", self._valid[t], self._valid[t],
                                False, None))
            j = self._group_of(t)
            payload = self._out if j is None else self._work[j]
            if j is None:
                frac = dict(f_bits, acc=h.acc_frac[0])
            else:
                p = self._passes[t]
                frac = dict(f_bits, acc=h.acc_frac[p.k + 1], hi=h.prod_frac[p.k] - p.lo,
                            a0=h.prod_frac[0])
                if p.first and p.last:
                    frac["op"] = h.acc_frac[p.k + 1]
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
    def passes(self):
        return self._passes

    @property
    def groups(self):
        return self._groups

    @property
    def multipliers(self):
        return tuple(self._multipliers)

    @property
    def latency(self):
        return len(self._passes) + 1

    @property
    def registers(self):
        return self._registers

    def elaborate(self, platform):
        m = Module()
        plan = self._plan
        horner = plan.horner
        K, P = horner.order, len(self._passes)
        q = self._valid
        names = list(self._in_layout.members)
        m.submodules.reference = ref = BitPatternReference(plan.reduction.n_max, horner.y0_frac)
        self._ref = ref
        m.d.comb += ref.n.eq(self.i.payload.n)

        m.d.comb += self.i.ready.eq(~self._stall)
        with m.If(~self._stall):
            m.d.sync += [q[0].eq(self.i.valid)] + [q[t].eq(q[t - 1]) for t in range(1, P + 1)]

        def chain(members, body):
            """``body(t)`` under the condition that the word here is about to do pass t
            (at most one is, words being at least R >= len(members) clocks apart); the
            group's last pass when none is."""
            for index, t in enumerate(members):
                if len(members) == 1:
                    body(t)
                elif index == 0:
                    with m.If(q[t - 1]):
                        body(t)
                elif index < len(members) - 1:
                    with m.Elif(q[t - 1]):
                        body(t)
                else:
                    with m.Else():
                        body(t)

        # what enters W_1: the loaded word, acc_K and the addend of step 1
        first = self._passes[0]
        load = Signal(signed(horner.acc_width[K]), name="acc_K")
        m.d.comb += load.eq(self._source.load(m, self.i.payload))
        entering = {name: self.i.payload[name] for name in names}
        entering["a0"] = self._last_addend(m, self.i.payload)
        entering.update(acc=load, op=self._chunk(load, first),
                        hi=(entering["a0"] if K == 1 else
                            self._addend(m, self.i.payload, K - 1)))
        result = None
        for j, members in enumerate(self._members):
            work = self._work[j]
            layout = work.shape().members
            d_width, op_width = self._multipliers[j]
            product = Signal(signed(d_width + op_width), name="w{}_product".format(j + 1))
            total_hi = Signal(signed(max(len(work.hi), len(product)) + 1),
                              name="w{}_total".format(j + 1))
            m.d.comb += [product.eq(work.d * work.op), total_hi.eq(work.hi + product)]
            result = Signal(signed(max(horner.acc_width[self._passes[t - 1].k]
                                       for t in members)), name="w{}_result".format(j + 1))

            def total(p, work=work, total_hi=total_hi):
                """The running sum after pass ``p``: hi + product, with lo below it."""
                return Cat(work.lo[:p.lo], total_hi).as_signed() if p.lo else total_hi

            def rounding(t, result=result, total=total):
                p = self._passes[t - 1]
                if p.last:
                    m.d.comb += result.eq(
                        (total(p) >> horner.shifts[p.k])[:horner.acc_width[p.k]].as_signed())

            chain(members, rounding)

            def after(t, work=work, result=result, total=total):
                """The fields that change for the word after pass t (then in the register
                of pass t + 1)."""
                p = self._passes[t - 1]
                if p.last and p.k == 0:
                    return {"acc": result}
                nxt = self._passes[t]
                if p.last:
                    return {"acc": result, "op": self._chunk(result, nxt),
                            "hi": self._addend(m, work, p.k - 1)}
                running = total(p)
                return {"acc": work.acc, "op": self._chunk(work.acc, nxt),
                        "hi": running >> nxt.lo, "lo": running[:nxt.lo]}

            with m.If(~self._stall):
                def stay_body(t, work=work, layout=layout):
                    m.d.sync += [work[name].eq(value) for name, value in after(t).items()
                                 if name in layout]

                # the word stays for its next pass, or the next word enters
                stay = [q[t - 1] for t in members[:-1]]
                with m.If(Cat(*stay).any() if stay else Const(0)):
                    if stay:
                        chain(members[:-1], stay_body)
                with m.Else():
                    m.d.sync += [work[name].eq(value) for name, value in entering.items()
                                 if name in layout]
            if members[-1] < P:
                entering = dict({name: work[name] for name in names + ["a0"]},
                                **after(members[-1]))
        with m.If(~self._stall):
            m.d.sync += [self._out.sign.eq(self._work[-1].sign), self._out.acc.eq(result)]
        m.d.comb += [self.o.valid.eq(q[P]), self.o.payload.eq(self._out)]
        return m

    def _chunk(self, acc, p):
        """The multiplier operand of pass ``p``: bits lo:hi of acc_(k+1) (held in ``acc``,
        sign-extended), a low chunk as a non-negative number."""
        whole = p.lo == 0 and p.hi == self._plan.horner.acc_width[p.k + 1]
        if whole:
            return acc
        if p.last:
            return acc[p.lo:p.hi].as_signed()
        return Cat(acc[p.lo:p.hi], Const(0, 1)).as_signed()

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
