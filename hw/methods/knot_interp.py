"""``KnotInterpolation``: values-only linear interpolation (``sigmoid_hw.model.methods.knot_interp``).

No ``FoldedUnit`` frame: its fold (``|x|``, a negation) and rebuild (``-y_h``, a
negation and a multiplexer) made the 16-bit tanh 167 LUT on the UP5K, against
114 without them. Here the input is folded by its ones' complement, ``a = x XOR sign``
(``|x| - 1`` below 0: one XOR per bit, inside the logic that reads it), and
the one lost unit comes back in ``t``'s carry: ``u = a + neg`` is ``|x|``,
interpolated as ``K[s] 2^m + D (t + neg)`` (``t + neg = 2^m`` is the next knot,
the same integers). An odd function's output is ``-Y = ~(Y - 1)``, a
complement one's in ``UQ(0, W)`` is ``2^W - Y = (Y - 1) XOR (2^W - 1)``: the
``- 1`` is ``E - 2^g`` beside the subtraction (a carry chain whose other
operand is ``neg``), the XOR is the output register's LUT; an even function
flips nothing; a function without such a fold is not folded (``u`` the input
in offset binary). The core, bit for bit ``evaluate_knot_interp`` with the
fold's exact rebuild (``Problem.unfold``)::

    x ─ a = x ^ sign ─┬─ j = s >> 1 ───────reg──> odd bank  (registered read) ── O ─┐
                      ├─ (s & 1 & ~last) ──reg──> + j: even bank (registered read) ─ E
                      └─ t' = 2^m - (t + neg) (s odd) or t + neg, 2^m on the last ─reg─┐
                                        reg: D = O - E, E - 2^g neg, t'
                                        reg: P = D t' (a DSP's output register)
                                        reg: E 2^m + P
                                        reg: (>> (m + g)) XOR flip ──> o

``s`` is the top ``k`` bits of ``a``, ``t`` the low ``m`` bits, ``last`` the
last segment (flat). One product (``D`` signed, ``t'`` unsigned, ``m + 1``
bits), one subtraction, two additions; the rounding constant is in the stored
values, the bits every value shares are constants, and no saturation: every
knot lies in the output's range on both sides. Latency 6, one result per
clock; every register holds while ``o.valid & ~o.ready``, so ``i.ready`` is
its complement. ``product="unsigned"`` (knots that do not decrease) takes the
lower knot ``L`` and the upper ``U`` from ``E`` and ``O`` by the segment's
parity and computes ``L 2^m + (U - L)(t + neg)``: two multiplexers, an
unsigned product (in logic, on the HX8K, much smaller than a signed one).
"""

from amaranth import *
from amaranth.lib import wiring, stream
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from sigmoid_hw.hw.chain import Register
from sigmoid_hw.model.methods.knot_interp import (check_accuracy, derive_knot_interp,
                                                  evaluate_knot_interp, fold_builds)
from sigmoid_hw.model.methods.spec import FunctionSpec, exact_folds, problem
from sigmoid_hw.model.validate import check_choice

__all__ = ["KnotInterpolation", "knot_interp_plan", "fold_kind", "PRODUCTS"]

PRODUCTS = ("signed", "unsigned")

_PLANS = {}


def fold_kind(spec, fold):
    """How the unit builds ``fold`` for ``spec``: ``"none"``, ``"even"`` (the input folded,
    not the output), ``"flip"`` (the output's bits flipped, ``- 1`` before) or None (a fold
    it does not build, ``sigmoid_hw.model.methods.knot_interp.fold_builds``)."""
    if not fold_builds(spec, fold):
        return None
    if not fold.folded:
        return "none"
    return "even" if fold.negative == (1, 0, 0) else "flip"


def knot_interp_plan(function, input_format=None, output_bits=16, rounding="faithful", *,
                     budget_ulp=None, segments=None, guard_bits=None, offset=None, fold=None):
    """The ``KnotPlan`` of a function on its first exact fold the unit builds (``fold_kind``),
    or on ``fold``: within ``budget_ulp`` ulp, or faithful (``budget_ulp=None``); derived
    once per arguments."""
    spec = FunctionSpec.make(function, input_format, output_bits, rounding)
    if str(spec.rounding) != "faithful":
        raise ValueError("rounding must be 'faithful' for a knot interpolation (an error "
                         "below 1 ulp, or of at most budget_ulp), not {!r}".format(rounding))
    accuracy = "faithful" if budget_ulp is None else check_accuracy(budget_ulp)
    key = (spec.describe(), str(spec.input_format), accuracy, segments, guard_bits, offset, fold)
    plan = _PLANS.get(key)
    if plan is None:
        folds = [f for f in exact_folds(spec, fold) if fold_kind(spec, f) is not None]
        if not folds:
            raise ValueError("fold must be one the knot unit builds (no mirror, no input in "
                             "the rebuild) for {}, not {!r}".format(spec.describe(), fold))
        plan = derive_knot_interp(problem(spec, folds[0]), accuracy, segments, guard_bits,
                                  offset)
        if len(_PLANS) >= 64:
            _PLANS.clear()
        _PLANS[key] = plan
    return plan


class KnotInterpolation(wiring.Component):
    """A function by linear interpolation between stored knot values (module docstring).

    Parameters
    ----------
    function : str
        A name of ``sigmoid_hw.model.exact.FUNCTION_NAMES``.
    input_format : SQ
        Default SQ(4, 12).
    output_bits : int
        The output's width W; its format is the function's default.
    rounding : ``"faithful"``
        The only one: ``budget_ulp`` None is below 1 ulp on every input.
    budget_ulp : float or None
        An error of at most this many ulp (>= 1) on every input.
    segments : int or None
        The knot count, a power of two (None: the fewest stored bits).
    guard_bits, offset : int, float or None
        ``g`` and ``c`` of the plan (None: searched).
    fold : str or None
        Force a fold (default: the record's first exact one the unit builds).
    product : ``"signed"`` or ``"unsigned"``
        ``"signed"`` (module docstring): ``(O - E) t'``, no multiplexer. ``"unsigned"``
        (knots that do not decrease): the lower knot ``L`` and the upper ``U`` chosen by the
        segment's parity (two multiplexers), ``(U - L) (t + neg)`` unsigned, ``L`` the base:
        the same integers; a product in logic (the HX8K) is then much smaller than a signed
        one.
    target_mhz, family
        Taken for the method designs' common options; the unit has one structure.
    """

    evaluate = staticmethod(evaluate_knot_interp)
    latency = 6
    initiation_interval = 1

    def __init__(self, function="sigmoid", input_format=None, output_bits=16,
                 rounding="faithful", *, budget_ulp=None, segments=None, guard_bits=None,
                 offset=None, fold=None, product="signed", target_mhz=None, family=None):
        self._plan = knot_interp_plan(function, input_format, output_bits, rounding,
                                      budget_ulp=budget_ulp, segments=segments,
                                      guard_bits=guard_bits, offset=offset, fold=fold)
        product = check_choice("product", product, PRODUCTS)
        if product == "unsigned" and self._plan.rise_bits is None:
            raise ValueError("product must be 'signed' for knots that decrease ({}), not "
                             "'unsigned'".format(self._plan.describe()))
        self._unsigned = product == "unsigned"
        spec = self._plan.problem.spec
        self._kind = fold_kind(spec, self._plan.problem.fold)
        out = spec.output_format
        self._valids = [Signal(name="valid{}".format(n)) for n in range(1, self.latency + 1)]
        super().__init__({
            "i": In(stream.Signature(signed(spec.input_format.width))),
            "o": Out(stream.Signature((signed if out.signed else unsigned)(out.width))),
        })

    plan = property(lambda self: self._plan)
    fold_kind = property(lambda self: self._kind)
    input_format = property(lambda self: self._plan.problem.spec.input_format)
    output_format = property(lambda self: self._plan.problem.spec.output_format)
    function = property(lambda self: self._plan.problem.spec.function)
    rounding = property(lambda self: self._plan.problem.spec.rounding)

    product = property(lambda self: "unsigned" if self._unsigned else "signed")

    @property
    def multiplier(self):
        """The product's operand widths: ``(D, t')``, ``D`` signed, or unsigned (the rise)."""
        plan = self._plan
        return (plan.rise_bits if self._unsigned else plan.delta_bits), plan.t_bits

    @property
    def registers(self):
        """The valid bits as ``sigmoid_hw.hw.chain.Register`` records, stage 1 .. latency."""
        return tuple(Register(stage, "knots", "valid", v, v, False, None)
                     for stage, v in enumerate(self._valids, 1))

    def elaborate(self, platform):
        m = Module()
        plan, kind = self._plan, self._kind
        n, k, mb, g = plan.domain_bits, plan.segment_bits, plan.offset_bits, plan.guard_bits
        stall = self.o.valid & ~self.o.ready
        m.d.comb += self.i.ready.eq(~stall)

        def register(value, name):
            reg = Signal(value.shape(), name=name)
            with m.If(~stall):
                m.d.sync += reg.eq(value)
            return reg

        x = self.i.payload
        if kind == "none":            # offset binary: u = x + 2^(n-1)
            a, neg = Cat(x[:-1], ~x[-1]), C(0, 1)
        else:                         # a = x XOR sign = |x| - neg, u = a + neg
            a, neg = x[:-1] ^ x[-1].replicate(len(x) - 1), x[-1]
        s = a[mb:n]
        last, odd = s.all(), s[0]
        # stage 1: t' = (t + neg), or 2^m - (t + neg) for an odd segment, 2^m on the last;
        # the odd bank's address j = s >> 1 and the even bank's increment
        tt = Signal(mb + 1, name="t_prime")
        if self._unsigned:      # tau = t + neg, 0 on the last segment (its lower knot is O)
            m.d.comb += tt.eq(Mux(last, 0, a[:mb] + neg))
        else:
            m.d.comb += tt.eq(Mux(last, 1 << mb, (a[:mb] ^ odd.replicate(mb)) + (odd ^ neg)))
        tt1, j, step = register(tt, "t1"), register(s[1:], "j"), register(odd & ~last, "step")
        flip = register(neg if kind == "flip" else C(0, 1), "flip1")
        sel = register(odd, "odd1")

        even_bank, odd_bank = plan.banks
        m.submodules.even = even = Memory(shape=unsigned(plan.width), depth=plan.bank_depth,
                                          init=list(even_bank))
        m.submodules.odd = odd_mem = Memory(shape=unsigned(plan.width),
                                            depth=plan.bank_depth, init=list(odd_bank))
        read_e, read_o = even.read_port(), odd_mem.read_port()
        m.d.comb += [read_e.addr.eq(j + step), read_o.addr.eq(j),
                     read_e.en.eq(~stall), read_o.en.eq(~stall)]
        tt2, flip2, sel2 = register(tt1, "t2"), register(flip, "flip2"), register(sel, "odd2")
        low_e, low_o = read_e.data, read_o.data
        if self._unsigned:      # the lower knot (E, or O on an odd segment) and the upper
            low_e, low_o = Mux(sel2, read_o.data, read_e.data), \
                Mux(sel2, read_e.data, read_o.data)

        # stage 3: D = O - E (the shared high bits cancel); E with its high bits, 2^g less
        # where the output is flipped (~(Y - 1) = -Y)
        e = low_e if plan.value_bits <= plan.width else \
            Cat(low_e, Const(plan.high >> plan.width, plan.value_bits - plan.width))
        diff = Signal(unsigned(plan.rise_bits) if self._unsigned else signed(plan.delta_bits),
                      name="diff")
        m.d.comb += diff.eq(low_o - low_e)
        delta = register(diff, "delta")
        # E + (-2^g or 0): the sign replicated is a full operand, so the tools keep the carry
        # chain (a constant one became a 17-LUT ripple, 60 MHz on the UP5K)
        minus = Cat(Const(0, g), flip2.replicate(plan.value_bits + 1 - g)).as_signed()
        e3 = register(e.as_signed() + minus, "e3")
        tt3, flip3 = register(tt2, "t3"), register(flip2, "flip3")
        # stage 4: the product; stage 5: E 2^m (the g = 0 rounding half below it) + P
        product = register(delta * tt3, "product")
        e4, flip4 = register(e3, "e4"), register(flip3, "flip4")
        value = Cat(Const((1 << (mb - 1)) if g == 0 else 0, mb), e4).as_signed()
        acc, flip5 = register(value + product, "acc"), register(flip4, "flip5")
        # stage 6: y_h, its bits flipped on the negative side of a flipping fold
        out_width = len(self.o.payload)
        y = acc[mb + g:mb + g + out_width] ^ flip5.replicate(out_width)
        result = register(y, "result")
        with m.If(~stall):
            m.d.sync += self._valids[0].eq(self.i.valid)
            m.d.sync += [b.eq(a_) for a_, b in zip(self._valids, self._valids[1:])]
        m.d.comb += [self.o.valid.eq(self._valids[-1]), self.o.payload.eq(result)]
        return m
