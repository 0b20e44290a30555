"""The first three register stages: fold the sign, then reduce ``a = |x|`` to ``n`` and ``d``."""

from amaranth import *
from amaranth.lib import stream, data
from amaranth.lib.wiring import In, Out

from sigmoid_hw.hw.carry import increment_fields, increment_step
from sigmoid_hw.hw.chain import ChainStage, StageChain
from sigmoid_hw.hw.dsp import use_primitives

__all__ = ["SignFold", "RangeReducer"]


def folded_layout(reduction):
    """Payload between ``SignFold`` and ``RangeReducer``."""
    return data.StructLayout({"sign": 1, "a": reduction.a_width})


def reduced_layout(reduction):
    """Payload after ``RangeReducer``: sign, n and d (and the rounding correction, if any)."""
    fields = {"sign": 1, "n": reduction.n_width, "d": signed(reduction.d_width)}
    if reduction.corrections:
        fields["fix"] = signed(2)
    return data.StructLayout(fields)


class SignFold(ChainStage):
    """Stage 1: ``a = min(|x|, a_clamp)``, ``sign = x < 0`` (sigmoid(-x) = 1 - sigmoid(x)).

    The most negative input folds to ``2^(W-1)``, which ``a`` (W bits, unsigned)
    holds. Latency 1, or 2 with ``steps=2`` (|x| registered before the clamp).

    With ``carry`` (the segments of a ``W - 1``-bit carry chain,
    ``sigmoid_hw.hw.timing.segments``) |x| is ``(x ^ s) + s``: ``x ^ s``
    (``ones``, one LUT) registered first, then ``+ s`` alone in one register
    per segment (``sigmoid_hw.hw.carry``), then the clamp, if any, in one more:
    latency ``1 + len(carry)`` (+ 1 with a clamp); ``steps`` is not used.
    The top bit of ``x ^ s`` is 0, so |x|'s top bit is the carry out of the
    bits below, ``s & (x mod 2^(W-1) == 0)``: it is computed by LUTs beside
    ``x ^ s`` and registered (``top``), not taken out of the chain (on the
    iCE40 a carry out leaves through one more LUT whose flip-flop nextpnr does
    not pack beside it: 1.5 ns and a long net on the UP5K).

    Parameters
    ----------
    input_format : SQ
    reduction : sigmoid_hw.model.plan.Reduction
    stall : Signal or None
        The shared stall; ``None`` derives it from this stage's output.
    steps : 1 or 2
    carry : tuple of (lo, hi)
    """

    def __init__(self, input_format, reduction, *, stall=None, steps=1, carry=()):
        self._clamp = reduction.a_clamp
        self._split = steps == 2
        self._carry = carry = tuple(carry)
        self._width = width = input_format.width
        layout = folded_layout(reduction)
        # the register between the two steps holds |x| before the clamp: W bits (the
        # most negative x folds to 2^(W-1)), where the clamped a may need fewer
        unclamped = data.StructLayout({"sign": 1, "a": width})
        if carry:
            if carry[0][0] != 0 or carry[-1][1] != width - 1:
                raise ValueError("carry must cover bits 0 .. {} of |x|, not {!r}"
                                 .format(width - 1, carry))
            layouts = ([data.StructLayout({"sign": 1, "top": 1, "ones": width - 1})]
                       + [data.StructLayout(dict(sign=unsigned(1), top=unsigned(1), **fields))
                          for fields in increment_fields(width - 1, carry)]
                       + [unclamped] + ([layout] if self._clamp is not None else []))
        else:
            layouts = [unclamped, layout][2 - steps:]
        chain = StageChain("fold", layouts, {"a": input_format.f_bits})
        super().__init__({"i": In(stream.Signature(signed(input_format.width))),
                          "o": Out(stream.Signature(layout))}, chain, stall)

    def elaborate(self, platform):
        m = Module()

        def clamp(mag):
            if self._clamp is not None:
                mag = Mux(mag > self._clamp, self._clamp, mag)
            return mag

        def magnitude(x):
            return Mux(x < 0, -x, x)  # -x is W+1 bits wide: no wrap for the most negative x

        if self._carry:
            def segment(m, p, j, lo, hi):
                state = (Const(0, 0), p.sign, p.ones) if j == 0 else (p.done, p.cy, p.rest)
                done, cy, rest = increment_step(*state, lo, hi)
                if j == len(self._carry) - 1:
                    return {"sign": p.sign, "a": Cat(done, p.top)}
                return {"sign": p.sign, "top": p.top, "done": done, "cy": cy, "rest": rest}
            low = self._width - 1
            ones = [lambda m, x: {"sign": x[-1], "top": x[-1] & ~x[:low].any(),
                                  "ones": x[:low] ^ x[-1].replicate(low)}]
            steps = [lambda m, p, j=j, lo=lo, hi=hi: segment(m, p, j, lo, hi)
                     for j, (lo, hi) in enumerate(self._carry)]
            tail = ([lambda m, p: {"sign": p.sign, "a": clamp(p.a)}]
                    if self._clamp is not None else [])
            self.build(m, ones + steps + tail)
        elif self._split:
            self.build(m, [lambda m, x: {"sign": x[-1], "a": magnitude(x)},
                           lambda m, p: {"sign": p.sign, "a": clamp(p.a)}])
        else:
            self.build(m, [lambda m, x: {"sign": x[-1], "a": clamp(magnitude(x))}])
        return m


class RangeReducer(ChainStage):
    """Stages 2-3: ``n`` = nearest integer to a/ln2, then ``d = a 2^G - C_n``.

    Stage 2 compares ``a`` with the constants T_k = ceil((k - 1/2) ln2 2^f),
    k = 1 .. n_max, and registers the results: a thermometer code (no
    multiplier, and exact, since (k - 1/2) ln2 is irrational and never equals a
    representable a). Stage 3 turns it into one-hot (``t_k & ~t_(k+1)``), from
    which both n and the constant C_n (n ln2 rounded to f + G fraction bits)
    are ORs of a few lines, and subtracts. No adder chain counts the
    comparisons. Latency 2.

    With correct rounding, stage 2 also matches ``a`` against the inputs of
    ``reduction.corrections`` and carries the correction (+1, -1 or 0) in
    the field ``fix``, which the Horner evaluator adds to its last addend.

    With ``offset_steps=2`` the selected n and C_n are registered before the
    subtraction (with ``offset_steps=3`` the one-hot code is registered
    before them too), and with ``compare_steps=2`` each comparison is made of two
    halves registered first: ``a >= T`` is ``a_hi > T_hi`` or ``a_hi ==
    T_hi`` and ``a_lo >= T_lo`` (one more cycle each). With ``compare_part``
    (and ``compare_steps=2``) the parts are ``compare_part`` bits each, from
    bit 0, compared by lookup (a part of 4 bits is one LUT4, no carry chain):
    ``a_j > T_j`` and ``a_j == T_j`` for every part but the lowest,
    ``a_0 >= T_0`` for it, registered, then ``a >= T`` from them.

    Parameters
    ----------
    input_format : SQ
    reduction : sigmoid_hw.model.plan.Reduction
    stall : Signal or None
    offset_steps : 1, 2 or 3
    compare_steps : 1 or 2
    compare_part : int or None
        Bits of each part with ``compare_steps=2`` (``None``: two halves).
    fix_steps : 1 or 2
        With corrections: 2 registers each input's match (``a == a_k``) in the
        first step and makes ``fix`` from them in the next (its ORs and the
        choice of sign were the correctly rounded pipeline's path on the ECP5 at
        250 MHz, ``core.reduce.i__payload -> s1``, 5.5 ns, 5 levels).
    complement : bool
        With ``offset_steps >= 2``: the register holds ``~C_n`` (modulo 2^w, w the
        width of d; a NOR where the select had an OR) and ``d = a 2^G + ~C_n + 1``
        is one adder with its carry in below bit 0: ``a - C_n`` put a LUT (the
        inversion) in front of the carry chain, on the UP5K at 90 MHz its
        critical path (``core.reduce.s4 -> core.horner.i__payload``, 12.4 ns).
    """

    def __init__(self, input_format, reduction, *, stall=None, offset_steps=1,
                 compare_steps=1, compare_part=None, complement=False, fix_steps=1):
        self._red = reduction
        self._match = fix_steps == 2 and bool(reduction.corrections)
        self._complement = complement and offset_steps >= 2
        self._split = offset_steps >= 2
        self._hot = offset_steps == 3
        self._halves = compare_steps == 2
        width = reduction.a_width
        if compare_part is None:
            self._parts = ((0, width // 2), (width // 2, width))
            self._lookup = False
        else:
            self._parts = tuple((lo, min(lo + compare_part, width))
                                for lo in range(0, width, compare_part))
            self._lookup = True
        levels = max(reduction.n_max, 1)
        mid_fields = {"sign": 1, "a": reduction.a_width, "above": levels}
        if reduction.corrections:
            mid_fields["fix"] = signed(2)
        mid = data.StructLayout(mid_fields)
        out = reduced_layout(reduction)
        layouts = [mid, out]
        if self._split:
            selected = {"sign": 1, "a": reduction.a_width, "n": reduction.n_width}
            if self._complement:
                selected["nc"] = reduction.d_width     # ~C_n, bits (no fixed-point value)
            else:
                selected["c"] = reduction.c_width
            if reduction.corrections:
                selected["fix"] = signed(2)
            layouts.insert(1, data.StructLayout(selected))
            if self._hot:
                hot = {"sign": 1, "a": reduction.a_width, "hot": reduction.n_max + 1}
                if reduction.corrections:
                    hot["fix"] = signed(2)
                layouts.insert(1, data.StructLayout(hot))
        if self._match:   # the first register holds the matches
            first = dict(mid_fields, match=len(reduction.corrections))
            del first["fix"]
            layouts[0] = data.StructLayout(first)
        if self._halves:
            halves = dict(layouts[0].members, above=None)
            del halves["above"]
            halves["ge0"] = levels
            for j in range(1, len(self._parts)):
                halves.update({"gt{}".format(j): levels, "eq{}".format(j): levels})
            layouts.insert(0, data.StructLayout(halves))
            if self._match:
                layouts[1] = mid
        chain = StageChain("reduce", layouts,
                           {"a": input_format.f_bits, "d": reduction.d_frac,
                            "c": reduction.d_frac})
        super().__init__({"i": In(stream.Signature(folded_layout(reduction))),
                          "o": Out(stream.Signature(out))}, chain, stall)

    def elaborate(self, platform):
        m = Module()
        red = self._red

        luts = []          # the lookups made so far (their names)
        relations = {"gt": lambda a, b: a > b, "eq": lambda a, b: a == b,
                     "ge": lambda a, b: a >= b}

        def relation(part, lo, hi, t, name):
            """``part`` against t's bits lo:hi; a constant where it is one (no 'lo >= 0')."""
            t = (t >> lo) & ((1 << (hi - lo)) - 1)
            table = [relations[name](v, t) for v in range(1 << (hi - lo))]
            if all(table) or not any(table):
                return Const(int(table[0]), 1)
            if self._lookup:
                # a constant truth table indexed by the part: one LUT for 4 bits (kept as a
                # wire: else Yosys moved part of the lookups into the flops' synchronous
                # set/reset and ABC shared the rest, 3 LUT levels on the UP5K at 90 MHz)
                luts.append(len(luts))
                bit = Signal(name="{}_{}_{}".format(name, lo, len(luts)), attrs={"keep": 1})
                init = sum(b << v for v, b in enumerate(table))
                if use_primitives(platform) and len(table) <= 16:
                    # an SB_LUT4 by instance (synthesis only): Yosys still moved a kept
                    # lookup partly into the flops' synchronous set/reset (icetime, seed 1:
                    # core.fold.o__payload -> core.reduce.s1, 3 levels)
                    ins = [part[j] if j < len(part) else Const(0, 1) for j in range(4)]
                    init = sum(((init >> (k % len(table))) & 1) << k for k in range(16))
                    m.submodules["lookup_{}".format(len(luts))] = Instance(
                        "SB_LUT4", p_LUT_INIT=Const(init, 16), o_O=bit,
                        **{"i_I{}".format(j): x for j, x in enumerate(ins)})
                else:
                    m.d.comb += bit.eq(Const(init, len(table)).bit_select(part, 1))
                return bit
            return relations[name](part, t)

        def halves(m, p):
            out = {"sign": p.sign, "a": p.a}
            for j, (lo, hi) in enumerate(self._parts):
                part = p.a[lo:hi]
                for name in (("ge",) if j == 0 else ("gt", "eq")):
                    out[name + str(j)] = Cat(*[relation(part, lo, hi, t, name)
                                               for t in red.thresholds] or [Const(0)])
            out.update(corrections(p))
            return out

        def combine(m, p):
            above = p.ge0
            for j in range(1, len(self._parts)):
                above = p["gt{}".format(j)] | (p["eq{}".format(j)] & above)
            out = {"sign": p.sign, "a": p.a, "above": above}
            if red.corrections:
                out["fix"] = fix_of(p)
            return out

        def fix_of(p):
            """The correction: registered, or from the registered matches (+1 0b01, -1 0b11)."""
            if isinstance(p, dict) or "match" not in p.shape().members:
                return p["fix"]
            down = [p.match[k] for k, (_, delta) in enumerate(red.corrections) if delta < 0]
            return Cat(p.match.any(), Cat(*down).any() if down else Const(0)).as_signed()

        def corrections(p):
            out = {}
            if self._match:
                out["match"] = Cat(*[p.a == a for a, _ in red.corrections])
            elif red.corrections:
                up = [p.a == a for a, delta in red.corrections if delta > 0]
                down = [p.a == a for a, delta in red.corrections if delta < 0]
                up = Cat(*up).any() if up else Const(0)
                down = Cat(*down).any() if down else Const(0)
                out["fix"] = Mux(up, 1, Mux(down, -1, 0))
            return out

        def compare(m, p):
            above = [p.a >= t for t in red.thresholds] or [Const(0)]
            return dict({"sign": p.sign, "a": p.a, "above": Cat(*above)}, **corrections(p))

        def one_hot(m, p):
            t = [Const(1)] + [p.above[k] for k in range(red.n_max)] + [Const(0)]
            out = {"sign": p.sign, "a": p.a,
                   "hot": Cat(*[t[k] & ~t[k + 1] for k in range(red.n_max + 1)])}
            if red.corrections:
                out["fix"] = fix_of(p)
            return out

        def select(m, p):
            if "hot" in p.shape().members:
                hot = [p.hot[k] for k in range(red.n_max + 1)]
            else:
                hot = [Value.cast(h) for h in one_hot(m, p)["hot"]]   # exactly one is set
            n_bits = [Cat(*[hot[k] for k in range(red.n_max + 1) if (k >> b) & 1]).any()
                      for b in range(red.n_width)]
            c_bits = [Cat(*[hot[k] for k, c in enumerate(red.c_raw) if (c >> b) & 1]).any()
                      for b in range(red.c_width)]
            c = Signal(red.c_width, name="c_n")
            m.d.comb += c.eq(Cat(*c_bits))
            out = {"sign": p.sign, "a": p.a, "n": Cat(*n_bits), "c": c}
            if self._complement:
                out["nc"] = ~Cat(c, Const(0, max(0, red.d_width - red.c_width)))[:red.d_width]
                del out["c"]
            if red.corrections:
                out["fix"] = fix_of(p)
            return out

        def subtract(m, p):
            if self._complement:
                w = red.d_width
                a = Cat(Const(0, red.d_guard), p["a"], Const(0, w))[:w]
                d = (Cat(Const(1, 1), a) + Cat(Const(1, 1), p["nc"]))[1:w + 1]
            else:
                d = (p["a"] << red.d_guard).as_signed() - p["c"]
            out = {"sign": p["sign"], "n": p["n"], "d": d}
            if red.corrections:
                out["fix"] = fix_of(p)
            return out

        first = [halves, combine] if self._halves else [compare]
        if self._hot:
            self.build(m, first + [one_hot, select, subtract])
        elif self._split:
            self.build(m, first + [select, subtract])
        else:
            self.build(m, first + [lambda m, p: subtract(m, select(m, p))])
        return m
