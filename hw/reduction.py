"""The first three register stages: fold the sign, then reduce ``a = |x|`` to ``n`` and ``d``."""

from amaranth import *
from amaranth.lib import stream, data
from amaranth.lib.wiring import In, Out

from sigmoid_hw.hw.chain import ChainStage, StageChain

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

    Parameters
    ----------
    input_format : SQ
    reduction : sigmoid_hw.model.plan.Reduction
    stall : Signal or None
        The shared stall; ``None`` derives it from this stage's output.
    steps : 1 or 2
    """

    def __init__(self, input_format, reduction, *, stall=None, steps=1):
        self._clamp = reduction.a_clamp
        self._split = steps == 2
        layout = folded_layout(reduction)
        # the register between the two steps holds |x| before the clamp: W bits (the
        # most negative x folds to 2^(W-1)), where the clamped a may need fewer
        unclamped = data.StructLayout({"sign": 1, "a": input_format.width})
        chain = StageChain("fold", [unclamped, layout][2 - steps:], {"a": input_format.f_bits})
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

        if self._split:
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
    subtraction, and with ``compare_steps=2`` each comparison is made of two
    halves registered first: ``a >= T`` is ``a_hi > T_hi`` or ``a_hi ==
    T_hi`` and ``a_lo >= T_lo`` (one more cycle each).

    Parameters
    ----------
    input_format : SQ
    reduction : sigmoid_hw.model.plan.Reduction
    stall : Signal or None
    offset_steps : 1 or 2
    compare_steps : 1 or 2
    """

    def __init__(self, input_format, reduction, *, stall=None, offset_steps=1,
                 compare_steps=1):
        self._red = reduction
        self._split = offset_steps == 2
        self._halves = compare_steps == 2
        levels = max(reduction.n_max, 1)
        mid_fields = {"sign": 1, "a": reduction.a_width, "above": levels}
        if reduction.corrections:
            mid_fields["fix"] = signed(2)
        mid = data.StructLayout(mid_fields)
        out = reduced_layout(reduction)
        layouts = [mid, out]
        if self._split:
            selected = {"sign": 1, "a": reduction.a_width, "n": reduction.n_width,
                        "c": reduction.c_width}
            if reduction.corrections:
                selected["fix"] = signed(2)
            layouts.insert(1, data.StructLayout(selected))
        if self._halves:
            halves = dict(mid_fields, above=None)
            del halves["above"]
            halves.update(hi_gt=levels, hi_eq=levels, lo_ge=levels)
            layouts.insert(0, data.StructLayout(halves))
        chain = StageChain("reduce", layouts,
                           {"a": input_format.f_bits, "d": reduction.d_frac,
                            "c": reduction.d_frac})
        super().__init__({"i": In(stream.Signature(folded_layout(reduction))),
                          "o": Out(stream.Signature(out))}, chain, stall)

    def elaborate(self, platform):
        m = Module()
        red = self._red

        half = red.a_width // 2

        def halves(m, p):
            lo, hi = p.a[:half], p.a[half:]
            out = {"sign": p.sign, "a": p.a}
            top = (1 << (red.a_width - half)) - 1
            # comparisons that are constant are written as constants (no 'lo >= 0')
            out.update({name: Cat(*[fn(lo, hi, t) for t in red.thresholds] or [Const(0)])
                        for name, fn in (
                            ("hi_gt", lambda lo, hi, t: Const(0) if t >> half >= top
                             else hi > (t >> half)),
                            ("hi_eq", lambda lo, hi, t: hi == (t >> half)),
                            ("lo_ge", lambda lo, hi, t: Const(1) if t & ((1 << half) - 1) == 0
                             else lo >= (t & ((1 << half) - 1))))})
            out.update(corrections(p))
            return out

        def combine(m, p):
            out = {"sign": p.sign, "a": p.a, "above": p.hi_gt | (p.hi_eq & p.lo_ge)}
            if red.corrections:
                out["fix"] = p.fix
            return out

        def corrections(p):
            out = {}
            if red.corrections:
                up = [p.a == a for a, delta in red.corrections if delta > 0]
                down = [p.a == a for a, delta in red.corrections if delta < 0]
                up = Cat(*up).any() if up else Const(0)
                down = Cat(*down).any() if down else Const(0)
                out["fix"] = Mux(up, 1, Mux(down, -1, 0))
            return out

        def compare(m, p):
            above = [p.a >= t for t in red.thresholds] or [Const(0)]
            return dict({"sign": p.sign, "a": p.a, "above": Cat(*above)}, **corrections(p))

        def select(m, p):
            t = [Const(1)] + [p.above[k] for k in range(red.n_max)] + [Const(0)]
            hot = [t[k] & ~t[k + 1] for k in range(red.n_max + 1)]   # exactly one is set
            n_bits = [Cat(*[hot[k] for k in range(red.n_max + 1) if (k >> b) & 1]).any()
                      for b in range(red.n_width)]
            c_bits = [Cat(*[hot[k] for k, c in enumerate(red.c_raw) if (c >> b) & 1]).any()
                      for b in range(red.c_width)]
            c = Signal(red.c_width, name="c_n")
            m.d.comb += c.eq(Cat(*c_bits))
            out = {"sign": p.sign, "a": p.a, "n": Cat(*n_bits), "c": c}
            if red.corrections:
                out["fix"] = p.fix
            return out

        def subtract(m, p):
            out = {"sign": p["sign"], "n": p["n"],
                   "d": (p["a"] << red.d_guard).as_signed() - p["c"]}
            if red.corrections:
                out["fix"] = p["fix"]
            return out

        first = [halves, combine] if self._halves else [compare]
        if self._split:
            self.build(m, first + [select, subtract])
        else:
            self.build(m, first + [lambda m, p: subtract(m, select(m, p))])
        return m
