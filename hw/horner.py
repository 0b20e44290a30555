"""``HornerEvaluator``: one registered multiply-add per stage, generic over the coefficient source.

With a ``sigmoid_hw.hw.timing.Schedule`` each multiply-add is instead split into the
registered steps the schedule gives: partial products, a tree of pairwise
adds and the final rounding add, all modulo ``2^W`` with ``W = s_k +
width(acc_k)`` and with every carry chain cut into segments (see
``sigmoid_hw.hw.timing``). The results are the same bits.
"""

from amaranth import *
from amaranth.lib import stream, data
from amaranth.lib.wiring import In, Out

from sigmoid_hw.hw.chain import ChainStage, StageChain
from sigmoid_hw.hw.dsp import MULT18X18D_WIDTH, mult18x18d, use_primitives
from sigmoid_hw.hw.horner_mac import KINDS as MAC_KINDS, mac_span, mac_stage, mac_step
from sigmoid_hw.hw.reduction import reduced_layout
from sigmoid_hw.hw.reference import BitPatternReference
from sigmoid_hw.hw.terms import bits as _bits, drop as _drop, mod as _mod

__all__ = ["HornerEvaluator"]


_LOGIC_BITS = 2     # acc chunks this narrow are multiplied in logic


def _flatten(state):
    """Register fields of an arithmetic state (zero-width parts left out)."""
    out = {}
    if "terms" in state:
        out.update(("t{}".format(j), t) for j, t in enumerate(state["terms"]))
    else:
        for i, pair in enumerate(state["pairs"]):
            out.update(zip(("s{}".format(i), "cy{}".format(i), "x{}".format(i),
                            "y{}".format(i)), pair))
        if state["odd"] is not None:
            out["u"] = state["odd"]
    return {name: v for name, v in out.items() if len(Value.cast(v))}


def _unflatten(template, p, fields):
    """The state ``template`` (same structure) read back from register ``p``."""
    def get(name):
        return p[name] if name in fields else Const(0, 0)
    if "terms" in template:
        return {"terms": [get("t{}".format(j)) for j in range(len(template["terms"]))]}
    pairs = [tuple(get(n.format(i)) for n in ("s{}", "cy{}", "x{}", "y{}"))
             for i in range(len(template["pairs"]))]
    return {"pairs": pairs, "odd": None if template["odd"] is None else get("u")}


def _multiply(state, sched, width, dsp=None):
    """The partial products of d acc_(k+1), and the addend, as ``width``-bit terms.

    ``dsp(a, b)``, if given, makes each DSP-sized partial product (a hardened
    block, ``sigmoid_hw.hw.dsp``); the indices of those terms are returned as ``"dsp"``.
    With ``sched.narrow`` a narrower term keeps its width (``sigmoid_hw.hw.terms``).
    """
    acc, d = Value.cast(state["acc"]), Value.cast(state["d"])
    hardened = []

    def part(value, lo, hi):
        return value[lo:hi].as_signed() if hi == len(value) else value[lo:hi]

    def product(a, b, a_top):
        if len(sched.acc_chunks) > 1 and len(a) <= _LOGIC_BITS:
            # a sliver of acc left over by the DSP-sized chunks: shifted copies of b in
            # logic, not one more DSP block for a couple of bits
            rows = [Mux(a[i], b, 0) << i for i in range(len(a))]
            if a_top:
                rows[-1] = -rows[-1]
            return sum(rows[1:], rows[0])
        return a * b

    terms = []
    for a_lo, a_hi in sched.acc_chunks:
        for d_lo, d_hi in sched.d_chunks:
            shift = a_lo + d_lo
            if shift < width:
                if a_hi - a_lo <= _LOGIC_BITS:
                    p = product(acc[a_lo:a_hi], part(d, d_lo, d_hi), a_hi == len(acc))
                elif dsp is not None:
                    p = dsp(part(acc, a_lo, a_hi), part(d, d_lo, d_hi))
                    hardened.append(len(terms))
                elif len(sched.d_chunks) > 1 and d_hi - d_lo <= _LOGIC_BITS:
                    # a digit of d of one or two bits (a family without DSP blocks): copies
                    # of acc, one LUT level in front of one adder, where Yosys's multiplier
                    # put three (the HX8K's tanh at 100 MHz: 26 x 2 bits, 10.4 ns)
                    rows = [Mux(d[d_lo + i], part(acc, a_lo, a_hi), 0) << i
                            for i in range(d_hi - d_lo)]
                    if d_hi == len(d):
                        rows[-1] = -rows[-1]
                    p = sum(rows[1:], rows[0])
                else:
                    p = part(acc, a_lo, a_hi) * part(d, d_lo, d_hi)
                p = Value.cast(p)
                if sched.narrow and p.shape().signed:
                    # its value fits a + b bits (Amaranth's widths can be more, and Yosys,
                    # finding the extra bits equal, registered each)
                    p = p[:min(len(p), a_hi - a_lo + d_hi - d_lo)].as_signed()
                narrow = sched.narrow and len(p) < width - shift and p.shape().signed
                term = Cat(Const(0, shift), p if narrow else _mod(p, width - shift))
                terms.append(term.as_signed() if narrow else term)
    addend = Value.cast(state["addend"])
    narrow = sched.narrow and len(addend) < width and addend.shape().signed
    return {"terms": terms + [addend if narrow else _mod(addend, width)], "dsp": tuple(hardened)}


def _segment(state, lo, hi, first, last, keep_from, width, sums=False, narrow=False):
    """Bits ``lo:hi`` of every pairwise add; bits below ``keep_from`` only make a carry.

    Between segments a register holds one bit per pair (``cy``): the carry into
    bit ``hi``, or with ``sums`` the complement of the sum bit ``hi`` (the chain
    runs one bit further, so it ends in a sum LUT whose flip-flop packs beside
    it, where a carry out leaves an iCE40 chain through one more LUT and an
    unpacked flip-flop). The next segment's chain then starts at bit ``hi``
    with ``x_hi``, ``y_hi`` and that bit as its carry in: its carry out of bit
    ``hi`` is ``maj(x_hi, y_hi, ~s_hi)``, which is the true one (``x_hi !=
    y_hi`` makes it the carry into ``hi``, ``~s_hi``), and bit ``hi`` of the
    result is ``s_hi``.
    """
    if first:
        terms = state["terms"]
        state = {"pairs": [(Const(0, 0), Const(0, 1), terms[j], terms[j + 1])
                           for j in range(0, len(terms) - 1, 2)],
                 "odd": terms[-1] if len(terms) % 2 else None}
    size = hi - lo
    pairs = []
    for done, carry, x, y in state["pairs"]:
        if not sums:
            xb, yb = _bits(x, 0, size), _bits(y, 0, size)
            # narrow: one adder, the carry in below bit 0 (x + y + carry of sign-extended
            # terms was two adders in Yosys's alumacc)
            total = ((Cat(carry, xb) + Cat(carry, yb))[1:] if narrow
                     else xb + yb + carry)[:size + 1]
            bits, carry = total[:size], total[size]
        else:
            ext = size if last else size + 1
            total = _bits(x, 0, ext) + _bits(y, 0, ext) + (0 if first else carry)
            bits = total[:size] if first else Cat(~carry, total[1:size])
            carry = ~total[size]
        done = Cat(done, bits) if hi > keep_from else done
        pairs.append((done, carry, _drop(x, size), _drop(y, size)))
    if not last:
        return {"pairs": pairs, "odd": state["odd"]}
    terms = [done for done, _, _, _ in pairs]
    return {"terms": terms + ([state["odd"]] if state["odd"] is not None else [])}


def _stage_ops(sched, shift, width):
    """The operations of one split multiply-add, as functions state -> state."""
    ops = [lambda s: _multiply(s, sched, width)]
    segs = sched.segments
    kinds = sched.ops[1:]
    for index in range(0, len(kinds), len(segs)):
        final = kinds[index] == "round"
        for j, (lo, hi) in enumerate(segs):
            ops.append(lambda s, lo=lo, hi=hi, j=j, final=final: _segment(
                s, lo, hi, j == 0, j == len(segs) - 1, shift if final else 0, width,
                sched.sums, sched.narrow))
    return ops


class HornerEvaluator(ChainStage):
    """Stages of Horner's rule: acc_k = (d * acc_{k+1} + A_k) >> s_k, k = K-1 .. 0.

    One registered multiply-add per stage; each stage's accumulator has its own
    width (``plan.horner.acc_width``), higher orders fewer bits. The first
    stage only loads acc_K = c_K and the first addend, so every multiply-add
    stage reads registered operands: latency K + 1 (2K + 1 with
    ``register_product``, where each product is registered before its add).

    The coefficients come from ``source`` (``sigmoid_hw.hw.coefficients``): per-n
    constants, or c_k carried in the word. The last addend adds the
    bit-pattern y0 (``BitPatternReference``) in both cases.

    Parameters
    ----------
    plan : sigmoid_hw.model.plan.Plan
    source : TableSource or DerivedSource
    stall : Signal or None
    schedule : sigmoid_hw.hw.timing.Schedule or None
        Split every multiply-add into the steps it gives (``schedule.horner``);
        ``None`` (or an empty ``horner``) keeps one step per multiply-add.
    """

    def __init__(self, plan, source, *, stall=None, schedule=None):
        self._plan = plan
        self._source = source
        # (split schedules, table coefficients, a stage k = 1 of several registers)
        self._early_y0 = (schedule is not None and len(schedule.horner) >= 2
                          and schedule.horner[-2].registers >= 2
                          and not hasattr(source, "_c_layout"))
        horner, red = plan.horner, plan.reduction
        K = horner.order
        self._base = dict(reduced_layout(red).members)
        self._in_layout = data.StructLayout(dict(self._base, **source.input_fields()))
        self._out_layout = data.StructLayout({"sign": 1, "acc": signed(horner.acc_width[0])})
        layouts, f_bits = [self._acc_layout(K - 1)], [self._f_bits(K, K - 1)]
        self._steps = None
        self._schedule_of = {}
        if schedule is not None and schedule.horner:
            self._steps = []
            for index, k in enumerate(range(K - 1, -1, -1)):
                self._schedule_of[k] = schedule.horner[index]
                self._split_stage(k, schedule.horner[index], layouts, f_bits)
            chain = StageChain("horner", layouts, f_bits)
            super().__init__({"i": In(stream.Signature(self._in_layout)),
                              "o": Out(stream.Signature(self._out_layout))}, chain, stall)
            return
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

    def _split_stage(self, k, sched, layouts, f_bits):
        """Add the registers of multiply-add k split by ``sched`` (one ``HornerSchedule``)."""
        h = self._plan.horner
        shift, width = h.shifts[k], h.shifts[k] + h.acc_width[k]
        ops = _stage_ops(sched, shift, width)
        cuts = sched.cuts
        if h.register_product and cuts[0] != 0:
            cuts = (0,) + cuts
        start_layout = layouts[-1]
        dummy = Signal(start_layout, name="shape_probe")
        state = {"acc": dummy.acc, "d": dummy.d, "addend": dummy.addend}
        first = 0
        carried = dict(self._base, **self._source.carried_fields(k))
        if k == 1 and self._early_y0:
            # the last addend's two parts, y0 (bit pattern) and A_0(n) (table), registered
            # in this stage's first register and added in its last: the path n -> y0 + A_0
            # -> register was ECP5's critical path at 250 MHz (4.9 ns)
            carried.update(early_y0=unsigned(h.y0_frac), early_a0=signed(h.addend_width[0]))
        after_dsp = False
        if sched.mac:   # SB_MAC16s with every register (sigmoid_hw.hw.horner_mac)
            state = mac_stage(self, k, sched, carried, layouts, f_bits)
            if state is None:
                return
            first, cuts, ops = 1, cuts[1:], _stage_ops(sched, *mac_span(sched, shift, width))
        elif sched.hard_dsp:
            # the multiply alone, over three registers: the DSP blocks' own input, pipeline
            # and output registers hold the partial products (sigmoid_hw.hw.dsp), fabric registers
            # beside them the rest (the carried fields, the slivers in logic, the addend)
            state = _multiply(state, sched, width,
                              dsp=lambda a, b: Signal(signed(2 * MULT18X18D_WIDTH)))
            fields = {"t{}".format(j): Value.cast(t).shape()
                      for j, t in enumerate(state["terms"])
                      if j not in state["dsp"] and len(Value.cast(t))}
            for kind in ("dsp", "hold", "hold"):
                self._steps.append((k, kind == "dsp", False, (), None, kind))
                layouts.append(data.StructLayout(dict(carried, **fields)))
                f_bits.append(dict(self._f_bits(None, -1),
                                   **{name: h.prod_frac[k] for name in fields}))
            first, cuts, after_dsp = 1, cuts[1:], True
        for cut in cuts:
            group = ops[first:cut + 1]
            template = state
            for op in group:
                state = op(state)
            self._steps.append((k, first == 0, cut == len(ops) - 1, group, template,
                                "after" if after_dsp else None))
            after_dsp = False
            first = cut + 1
            if cut == len(ops) - 1:
                layouts.append(self._out_layout if k == 0 else self._acc_layout(k - 1))
                f_bits.append(self._f_bits(k, k - 1))
            else:
                fields = {name: Value.cast(v).shape() for name, v in _flatten(state).items()}
                clash = set(fields) & set(carried)
                if clash:
                    # a carried field (say a derived coefficient c1) would be overwritten
                    raise AssertionError("split-stage fields {} clash with carried fields".format(
                        sorted(clash)))
                layouts.append(data.StructLayout(dict(carried, **fields)))
                f_bits.append(dict(self._f_bits(None, -1),
                                   **{name: h.prod_frac[k] for name in fields
                                      if name.startswith("t")}))

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
            early = k == 0 and "early_y0" in p.shape().members
            value = p.early_a0 if early else source.addend(m, p, k, first)
            if k == 0:
                if not early:
                    m.d.comb += ref.n.eq(p.n)
                value = (p.early_y0 if early else ref.y0) + value
                if plan.reduction.corrections:
                    # correct rounding: one unit of the result more or less
                    value = value + (p.fix << horner.shifts[0])
            return value

        def carried(p, k, first=False, inside=True):
            out = dict({name: p[name] for name in self._base}, **source.carry(p, k, first))
            if k == 1 and self._early_y0 and inside:
                members = p.shape().members
                if "early_y0" in members:
                    out.update(early_y0=p.early_y0, early_a0=p.early_a0)
                else:
                    # the first register of stage 1: y0 and A_0(n) from n
                    m.d.comb += ref.n.eq(p.n)
                    out.update(early_y0=ref.y0, early_a0=source.addend(m, p, 0, False))
            return out

        def next_fields(m, p, k, acc):
            """The fields of the register after the one that computed acc_k."""
            if k == 0:
                return {"sign": p.sign, "acc": acc}
            return dict(carried(p, k - 1, inside=False), acc=acc, addend=addend(m, p, k - 1))

        def load(m, p):
            return dict(carried(p, K - 1, first=True, inside=False), acc=source.load(m, p),
                        addend=addend(m, p, K - 1, first=True))

        functions = [load]
        if self._steps is not None:
            hardened = {}     # k -> {term index: the DSP block's registered product}
            primitives = use_primitives(platform)
            for k, first, last, group, template, kind in self._steps:
                if kind in MAC_KINDS:
                    functions.append(lambda m, p, k=k, kind=kind: mac_step(
                        m, p, kind, k, self, hardened, carried, next_fields, primitives))
                    continue
                if kind in ("dsp", "hold"):
                    functions.append(lambda m, p, k=k, kind=kind: self._dsp_step(
                        m, p, k, kind, carried, hardened, primitives))
                    continue
                functions.append(lambda m, p, k=k, first=first, last=last, group=group,
                                 template=template, kind=kind: self._split_step(
                                     m, p, k, first, last, group, template, carried,
                                     next_fields, hardened.get(k) if kind == "after" else None))
            self.build(m, functions)
            return m
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

    def _dsp_step(self, m, p, k, kind, carried, hardened, primitives):
        """A register of a hardened multiply: the first makes the DSP blocks (fed from the
        register before, their input registers beside this one), the other two hold."""
        if kind == "hold":
            return dict(carried(p, k), **{name: p[name] for name in p.shape().members
                                          if name.startswith("t")})
        if self._stall is None:
            raise ValueError("a hardened multiply needs the shared stall (its clock enable)")
        h = self._plan.horner
        sched = self._schedule_of[k]
        width = h.shifts[k] + h.acc_width[k]
        count = [0]

        def dsp(a, b):
            count[0] += 1
            return mult18x18d(m, a, b, instance=primitives, enable=~self._stall,
                              name="mult{}_{}".format(k, count[0]))
        state = _multiply({"acc": p.acc, "d": p.d, "addend": p.addend}, sched, width, dsp=dsp)
        hardened[k] = {j: state["terms"][j] for j in state["dsp"]}
        return dict(carried(p, k), **{"t{}".format(j): t for j, t in enumerate(state["terms"])
                                      if j not in state["dsp"] and len(Value.cast(t))})

    @staticmethod
    def _split_step(m, p, k, first, last, group, template, carried, next_fields,
                    dsp_terms=None):
        if first:
            state = {"acc": p.acc, "d": p.d, "addend": p.addend}
        else:
            state = _unflatten(template, p, p.shape().members)
            if dsp_terms:
                # the partial products come out of the DSP blocks' output registers
                state["terms"] = [dsp_terms.get(j, t) for j, t in enumerate(state["terms"])]
        for op in group:
            state = op(state)
        if last:
            return next_fields(m, p, k, state["terms"][0].as_signed())
        return dict(carried(p, k), **_flatten(state))
