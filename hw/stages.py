"""The stages of the sigmoid pipeline, each a small stream component.

Every stage is a chain of registers with the same handshake, a global stall:
``stall = o.valid & ~o.ready`` (the last register holds a word nobody takes);
while it is high every register holds, otherwise every register advances, and
``i.ready = ~stall``. So a stage accepts one word per clock while its output
is taken and never drops, repeats or reorders a word. Inside
``SigmoidPipeline`` all stages share the pipeline's one stall signal: the
enable of every register is one LUT from ``o.valid`` and ``o.ready``, not a
chain through the stages (which limited the iCE40 build to 37 MHz). The price:
bubbles inside the pipeline are not squeezed out while the output is stalled. The arithmetic of each stage is exactly the operation
of ``model.pipeline`` (see ``trace_fixed`` for the values each register holds).
"""

from amaranth import *
from amaranth.lib import wiring, stream, data
from amaranth.lib.wiring import In, Out

__all__ = ["SignFold", "RangeReducer", "BitPatternReference", "DerivedCoefficients",
           "HornerEvaluator", "OutputStage", "signed_width", "unsigned_width"]


def signed_width(lo, hi):
    bits = 1
    while not (-(1 << (bits - 1)) <= lo and hi <= (1 << (bits - 1)) - 1):
        bits += 1
    return bits


def unsigned_width(hi):
    return max(int(hi).bit_length(), 1)


def _staged(m, i, o, stages, stall=None):
    """Build registered stages between stream ``i`` and stream ``o``.

    ``stages`` is a list of ``(layout, fn)``; ``fn(m, prev) -> dict`` gives the
    next register's fields from the previous payload (a View) combinationally;
    a dict value fills a nested struct field. The last register drives
    ``o.payload``. ``stall`` is the shared stall signal, or ``None`` to derive
    it from this chain's own output.
    """
    prev_valid, prev_payload = i.valid, i.payload
    regs = []
    for index, (layout, fn) in enumerate(stages):
        valid = Signal(name="s{}_valid".format(index + 1))
        # no reset on data: only the valid bits need one, and reset-less registers can
        # be absorbed into the DSP blocks (SB_MAC16, MULT18X18D)
        payload = Signal(layout, name="s{}".format(index + 1), reset_less=True)
        regs.append((valid, payload, fn, prev_valid, prev_payload))
        prev_valid, prev_payload = valid, payload
    if stall is None:
        stall = Signal(name="stall")
        m.d.comb += stall.eq(regs[-1][0] & ~o.ready)
    m.d.comb += i.ready.eq(~stall)
    for valid, payload, fn, pv, pp in regs:
        fields = fn(m, pp)
        with m.If(~stall):
            m.d.sync += valid.eq(pv)
            for name, value in fields.items():
                if isinstance(value, dict):
                    for sub, v in value.items():
                        m.d.sync += payload[name][sub].eq(v)
                else:
                    m.d.sync += payload[name].eq(value)
    m.d.comb += [o.valid.eq(regs[-1][0]), o.payload.eq(regs[-1][1])]


def _round_shift(value, shift):
    """``(value + 2^(shift-1)) >> shift``: round half up (arithmetic shift)."""
    if shift <= 0:
        return value << -shift
    return (value + (1 << (shift - 1))) >> shift


class SignFold(wiring.Component):
    """Stage 1: ``a = min(|x|, a_clamp)``, ``sign = x < 0`` (sigmoid(-x) = 1 - sigmoid(x)).

    The most negative input folds to ``2^(W-1)``, which ``a`` (W bits, unsigned) holds.
    Latency 1.
    """

    def __init__(self, plan):
        self._plan = plan
        width = plan.params.input_format.width
        self._out_layout = data.StructLayout({"sign": 1, "a": plan.a_width})
        super().__init__({
            "i": In(stream.Signature(signed(width))),
            "o": Out(stream.Signature(self._out_layout)),
        })
        self.stall = None   # SigmoidPipeline sets its shared stall signal here

    latency = 1

    def elaborate(self, platform):
        m = Module()
        plan = self._plan

        def fold(m, x):
            mag = Mux(x < 0, -x, x)  # -x is W+1 bits wide: no wrap for the most negative x
            if plan.a_clamp is not None:
                mag = Mux(mag > plan.a_clamp, plan.a_clamp, mag)
            return {"sign": x[-1], "a": mag}

        _staged(m, self.i, self.o, [(self._out_layout, fold)], self.stall)
        return m


class RangeReducer(wiring.Component):
    """Stages 2-3: ``n`` = nearest integer to a/ln2, then ``d = a 2^G - C_n``.

    Stage 2 compares ``a`` with the constants T_k = ceil((k - 1/2) ln2 2^f),
    k = 1 .. n_max, and registers the results: a thermometer code (no
    multiplier, and exact, since (k - 1/2) ln2 is irrational and never equals a
    representable a). Stage 3 turns it into one-hot (``t_k & ~t_(k+1)``), from
    which both n and the constant C_n (n ln2 rounded to f + G fraction bits)
    are ORs of a few lines, and subtracts. No adder chain counts the
    comparisons. Latency 2.
    """

    def __init__(self, plan):
        self._plan = plan
        self._levels = max(plan.n_max, 1)
        self._mid_layout = data.StructLayout({"sign": 1, "a": plan.a_width,
                                              "above": self._levels})
        self._out_layout = data.StructLayout({"sign": 1, "n": plan.n_width,
                                              "d": signed(plan.d_width)})
        super().__init__({
            "i": In(stream.Signature(data.StructLayout({"sign": 1, "a": plan.a_width}))),
            "o": Out(stream.Signature(self._out_layout)),
        })
        self.stall = None   # SigmoidPipeline sets its shared stall signal here

    latency = 2

    def elaborate(self, platform):
        m = Module()
        plan = self._plan

        def compare(m, p):
            above = [p.a >= t for t in plan.thresholds] or [Const(0)]
            return {"sign": p.sign, "a": p.a, "above": Cat(*above)}

        def offset(m, p):
            t = [Const(1)] + [p.above[k] for k in range(plan.n_max)] + [Const(0)]
            hot = [t[k] & ~t[k + 1] for k in range(plan.n_max + 1)]   # exactly one is set
            n_bits = [Cat(*[hot[k] for k in range(plan.n_max + 1) if (k >> b) & 1]).any()
                      for b in range(plan.n_width)]
            c_width = unsigned_width(max(plan.c_raw))
            c_bits = [Cat(*[hot[k] for k, c in enumerate(plan.c_raw) if (c >> b) & 1]).any()
                      for b in range(c_width)]
            c = Signal(c_width, name="c_n")
            m.d.comb += c.eq(Cat(*c_bits))
            d = (p.a << plan.params.d_guard).as_signed() - c
            return {"sign": p.sign, "n": Cat(*n_bits), "d": d}

        _staged(m, self.i, self.o, [(self._mid_layout, compare), (self._out_layout, offset)],
                self.stall)
        return m


class BitPatternReference(wiring.Component):
    """y0 = sigmoid(n ln2) for n >= 0, ``f_bits`` fraction bits, from the periodic pattern.

    Fraction bit j is one exactly when ``(j - 1) // n`` is even (n > 0; n = 0
    gives 0.1). Each bit is the OR of the decoded values of n for which the
    rule gives one: logic derived from the pattern rule, no stored value of
    y0. Combinational.
    """

    def __init__(self, n_max, f_bits):
        if n_max < 0:
            raise ValueError("n_max must be at least 0, not {!r}".format(n_max))
        self._n_max = n_max
        self._f_bits = f_bits
        super().__init__({
            "n": In(max(n_max.bit_length(), 1)),
            "y0": Out(f_bits),
        })

    def elaborate(self, platform):
        m = Module()
        hot = [Signal(name="n_is_{}".format(k)) for k in range(self._n_max + 1)]
        for k, line in enumerate(hot):
            m.d.comb += line.eq(self.n == k)
        bits = []
        for j in range(1, self._f_bits + 1):   # weight 2^-j
            ones = [hot[k] for k in range(self._n_max + 1)
                    if (j == 1 if k == 0 else ((j - 1) // k) % 2 == 0)]
            bits.append(Cat(*ones).any() if ones else Const(0))
        # bit j has weight 2^-j: the first fraction bit is the most significant
        m.d.comb += self.y0.eq(Cat(*reversed(bits)))
        return m


class DerivedCoefficients(wiring.Component):
    """c_k = P_k(y0)/k! computed from the bit-pattern y0 by multipliers (seed 001).

    u = y0 (1 - y0), t = 1 - 2 y0, u^j by repeated products, then
    c_k = sum_j (alpha_kj / k!) u^j for odd k and t sum_j (beta_kj / k!) u^j
    for even k. Latency J + 2 with J = ceil(K / 2) ... see ``model.pipeline``.
    """

    def __init__(self, plan):
        self._plan = plan
        der = plan.derived
        self._ranges = _derived_ranges(plan)
        K = plan.params.order
        self._c_layout = data.StructLayout({
            "c{}".format(k): signed(signed_width(*self._ranges["c{}".format(k)]))
            for k in range(1, K + 1)})
        base = {"sign": 1, "n": plan.n_width, "d": signed(plan.d_width)}
        self._in_layout = data.StructLayout(base)
        self._out_layout = data.StructLayout(dict(base, c=self._c_layout))
        super().__init__({
            "i": In(stream.Signature(self._in_layout)),
            "o": Out(stream.Signature(self._out_layout)),
        })
        self.stall = None   # SigmoidPipeline sets its shared stall signal here
        self.latency = der["stages"]

    @property
    def c_layout(self):
        return self._c_layout

    def elaborate(self, platform):
        m = Module()
        plan = self._plan
        der = plan.derived
        Fw, Fa, J, K = der["Fw"], der["Fa"], der["J"], plan.params.order
        R = self._ranges
        one = 1 << Fw
        m.submodules.reference = ref = BitPatternReference(plan.n_max, Fw)
        base = {"sign": 1, "n": plan.n_width, "d": signed(plan.d_width)}

        def keep(p):
            return {"sign": p.sign, "n": p.n, "d": p.d}

        def field(name):
            return signed(signed_width(*R[name]))

        stages = []
        lay1 = data.StructLayout(dict(base, u=field("pow1"), t=field("t")))

        def s1(m, p):
            m.d.comb += ref.n.eq(p.n)
            y0 = Cat(ref.y0, Const(0, 1)).as_signed()
            u = _round_shift(y0 * (one - y0), Fw)
            return dict(keep(p), u=u, t=one - 2 * y0)
        stages.append((lay1, s1))
        # powers: stage j carries pow1..powj
        for j in range(2, J + 1):
            fields = dict(base, t=field("t"))
            for i in range(1, j + 1):
                fields["pow{}".format(i)] = field("pow{}".format(i))
            lay = data.StructLayout(fields)

            def sp(m, p, j=j, first=(j == 2)):
                out = dict(keep(p), t=p.t)
                pw = {1: p.u} if first else {i: p["pow{}".format(i)] for i in range(1, j)}
                for i in range(1, j):
                    out["pow{}".format(i)] = pw[i]
                out["pow{}".format(j)] = _round_shift(pw[j - 1] * pw[1], Fw)
                return out
            stages.append((lay, sp))
        lin_fields = dict(base, t=field("t"))
        for k in range(1, K + 1):
            lin_fields["lin{}".format(k)] = field("lin{}".format(k))
        lay_lin = data.StructLayout(lin_fields)

        def slin(m, p):
            pw = {1: p.u} if J == 1 else {i: p["pow{}".format(i)] for i in range(1, J + 1)}
            out = dict(keep(p), t=p.t)
            for k in range(1, K + 1):
                total = 0
                for j, a in enumerate(der["consts"][k]):
                    if a == 0:
                        continue
                    total = total + (Const(a * one) if j == 0 else pw[j] * a)
                out["lin{}".format(k)] = total
            return out
        stages.append((lay_lin, slin))

        def sc(m, p):
            out = keep(p)
            cs = {}
            for k in range(1, K + 1):
                tgt = der["targets"][k]
                lin = p["lin{}".format(k)]
                if k % 2 == 0:
                    lk = Signal(field("lr{}".format(k)), name="lr{}".format(k))
                    m.d.comb += lk.eq(_round_shift(lin, Fa))
                    cs["c{}".format(k)] = _round_shift(p.t * lk, 2 * Fw - tgt)
                else:
                    cs["c{}".format(k)] = _round_shift(lin, Fw + Fa - tgt)
            out["c"] = cs
            return out

        stages.append((self._out_layout, sc))
        _staged(m, self.i, self.o, stages, self.stall)
        return m


def _derived_ranges(plan):
    """Exact ranges of every intermediate of the derived-coefficient unit (over all n)."""
    der = plan.derived
    Fw, Fa, J, K = der["Fw"], der["Fa"], der["J"], plan.params.order
    one = 1 << Fw
    seen = {}

    def note(name, v):
        lo, hi = seen.get(name, (v, v))
        seen[name] = (min(lo, v), max(hi, v))

    def rs(v, s):
        return (v + (1 << (s - 1))) >> s if s > 0 else v << -s

    for n in range(plan.n_max + 1):
        y0 = der["y0_raw"][n]
        u = rs(y0 * (one - y0), Fw)
        t = one - 2 * y0
        note("t", t)
        pw = {1: u}
        for j in range(2, J + 1):
            pw[j] = rs(pw[j - 1] * u, Fw)
        for j in range(1, J + 1):
            note("pow{}".format(j), pw[j])
        for k in range(1, K + 1):
            lin = sum((a * one if j == 0 else pw[j] * a)
                      for j, a in enumerate(der["consts"][k]) if a)
            note("lin{}".format(k), lin)
            tgt = der["targets"][k]
            if k % 2 == 0:
                lk = rs(lin, Fa)
                note("lr{}".format(k), lk)
                note("c{}".format(k), rs(t * lk, 2 * Fw - tgt))
            else:
                note("c{}".format(k), rs(lin, Fw + Fa - tgt))
    return seen


class HornerEvaluator(wiring.Component):
    """Stages of Horner's rule: acc_k = (d * acc_{k+1} + A_k) >> s_k, k = K-1 .. 0.

    One registered multiply-add per stage; each stage's accumulator has its own
    width (``plan.acc_width``), higher orders fewer bits. The first stage only
    loads acc_K = c_K and the first addend, so every multiply-add stage reads
    registered operands: latency K + 1.

    With table coefficients the addends A_k(n) are per-n constants (for k = 0,
    the bit-pattern y0 plus a per-n constant); with derived coefficients they
    are the carried c_k plus the rounding constant.
    """

    def __init__(self, plan, c_layout=None):
        self._plan = plan
        p = plan.params
        K = p.order
        base = {"sign": 1, "n": plan.n_width, "d": signed(plan.d_width)}
        self._derived = p.coefficients == "derived"
        if self._derived:
            in_layout = data.StructLayout(dict(base, c=c_layout))
        else:
            in_layout = data.StructLayout(base)
        self._in_layout = in_layout
        self._addend_width = []
        ranges = _derived_ranges(plan) if self._derived else None
        for k in range(K):
            if self._derived:
                half = 1 << (plan.shifts[k] - 1)   # the addend holds (c_k << align) + half
                if k:
                    lo, hi = ranges["c{}".format(k)]
                    align = plan.derived["align"][k]
                    lo, hi = lo << align, hi << align
                else:
                    lo, hi = min(plan.y0_raw), max(plan.y0_raw)
                self._addend_width.append(signed_width(lo + half, hi + half))
            else:
                vals = list(plan.addend[k])
                if k == 0:
                    vals = [v + y for v, y in zip(vals, plan.y0_raw)]
                self._addend_width.append(signed_width(min(vals), max(vals)))
        self._out_layout = data.StructLayout({"sign": 1, "acc": signed(plan.acc_width[0])})
        super().__init__({
            "i": In(stream.Signature(in_layout)),
            "o": Out(stream.Signature(self._out_layout)),
        })
        self.stall = None   # SigmoidPipeline sets its shared stall signal here
        self.latency = K + 1 + (K if p.register_product else 0)

    def elaborate(self, platform):
        m = Module()
        plan = self._plan
        p = plan.params
        K = p.order
        base = {"sign": 1, "n": plan.n_width, "d": signed(plan.d_width)}
        if not self._derived:
            m.submodules.reference = ref = BitPatternReference(plan.n_max, plan.y0_frac)

        def table(m, n, values, width, name):
            sig = Signal(signed(width), name=name)
            with m.Switch(n):
                for index, value in enumerate(values):
                    with m.Case(index):
                        m.d.comb += sig.eq(value)
            return sig

        if self._derived:
            m.submodules.reference = ref = BitPatternReference(plan.n_max, plan.y0_frac)

        def coef(p_, j, first):
            return p_.c["c{}".format(j)] if first else p_["c{}".format(j)]

        def addend_for(m, p_, k, first=False):
            """The addend of the stage that computes acc_k."""
            if self._derived:
                half = 1 << (plan.shifts[k] - 1)
                if k == 0:
                    m.d.comb += ref.n.eq(p_.n)
                    return ref.y0 + half
                return (coef(p_, k, first) << plan.derived["align"][k]) + half
            if k == 0:
                m.d.comb += ref.n.eq(p_.n)
                return ref.y0 + table(m, p_.n, plan.addend[0], self._addend_width[0], "a0")
            return table(m, p_.n, plan.addend[k], self._addend_width[k], "a{}".format(k))

        def carried(p_, k, first=False):
            """Fields passed on to the stage computing acc_k (coefficients still needed)."""
            out = {"sign": p_.sign, "n": p_.n, "d": p_.d}
            if self._derived:
                for j in range(1, k):
                    out["c{}".format(j)] = coef(p_, j, first)
            return out

        def layout_for(k):
            """Register holding acc_{k+1} and the addend for acc_k."""
            fields = dict(base, acc=signed(plan.acc_width[k + 1]),
                          addend=signed(self._addend_width[k]))
            if self._derived:
                for j in range(1, k):
                    fields["c{}".format(j)] = self._in_layout.members["c"].members[
                        "c{}".format(j)]
            return data.StructLayout(fields)

        stages = []

        def load(m, p_):
            if self._derived:
                acc = p_.c["c{}".format(K)]
            else:
                acc = table(m, p_.n, plan.acc_k_const, plan.acc_width[K], "acc_K")
            return dict(carried(p_, K - 1, first=True), acc=acc,
                        addend=addend_for(m, p_, K - 1, first=True))
        stages.append((layout_for(K - 1), load))

        for k in range(K - 1, -1, -1):
            if p.register_product:
                # first cycle: the product alone, registered (the DSP's output register)
                fields = dict(base, prod=signed(plan.d_width + plan.acc_width[k + 1]),
                              addend=signed(self._addend_width[k]))
                if self._derived:
                    for j in range(1, k):
                        fields["c{}".format(j)] = self._in_layout.members["c"].members[
                            "c{}".format(j)]

                def product(m, p_, k=k):
                    return dict(carried(p_, k), prod=p_.d * p_.acc, addend=p_.addend)
                stages.append((data.StructLayout(fields), product))

                def add(m, p_, k=k):
                    acc = (p_.prod + p_.addend) >> plan.shifts[k]
                    if k == 0:
                        return {"sign": p_.sign, "acc": acc}
                    return dict(carried(p_, k - 1), acc=acc, addend=addend_for(m, p_, k - 1))
                stages.append((self._out_layout if k == 0 else layout_for(k - 1), add))
                continue

            def mac(m, p_, k=k):
                acc = (p_.d * p_.acc + p_.addend) >> plan.shifts[k]
                if k == 0:
                    return {"sign": p_.sign, "acc": acc}
                return dict(carried(p_, k - 1), acc=acc, addend=addend_for(m, p_, k - 1))
            stages.append((self._out_layout if k == 0 else layout_for(k - 1), mac))
        _staged(m, self.i, self.o, stages, self.stall)
        return m


class OutputStage(wiring.Component):
    """Last stage: clamp acc_0 into [0, 2^F], unfold the sign, saturate to 2^F - 1.

    acc_0 is already rounded to F bits (the rounding constant rode in the last
    addend). ``r = clamp(acc_0, 0, 2^F)``; ``y = min(sign ? 2^F - r : r, 2^F - 1)``.
    No value wraps, whatever acc_0 holds. Latency 1.
    """

    def __init__(self, plan):
        self._plan = plan
        self._F = plan.params.output_bits
        super().__init__({
            "i": In(stream.Signature(data.StructLayout({"sign": 1,
                                                        "acc": signed(plan.acc_width[0])}))),
            "o": Out(stream.Signature(unsigned(self._F))),
        })
        self.stall = None   # SigmoidPipeline sets its shared stall signal here

    latency = 1

    def elaborate(self, platform):
        m = Module()
        F = self._F
        full = 1 << F
        top = Const(full - 1, F)

        def out(m, p):
            r = Signal(F + 1, name="r")
            with m.If(p.acc < 0):
                m.d.comb += r.eq(0)
            with m.Elif(p.acc > full):
                m.d.comb += r.eq(full)
            with m.Else():
                m.d.comb += r.eq(p.acc)
            u = Signal(F + 1, name="unfolded")
            m.d.comb += u.eq(Mux(p.sign, full - r, r))
            y = Signal(F, name="y")
            m.d.comb += y.eq(Mux(u[F], top, u[:F]))   # saturate 2^F to 2^F - 1
            return {"y": y}

        layout = data.StructLayout({"y": F})
        i_side = self.i
        # a one-field struct register, then unwrap to the raw output
        inner_o = stream.Signature(layout).create(path=("out",))
        _staged(m, i_side, inner_o, [(layout, out)], self.stall)
        m.d.comb += [self.o.valid.eq(inner_o.valid), self.o.payload.eq(inner_o.payload.y),
                     inner_o.ready.eq(self.o.ready)]
        return m
