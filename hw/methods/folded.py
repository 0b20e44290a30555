"""``FoldedUnit``: the frame every method's core sits in (fold, core, unfold, saturate).

The stream contract and the symmetry are written once, here; a method
(``FunctionTable``, ``MultipartiteTable``, ``PiecewisePolynomial``) supplies
only its core datapath, ``a -> y_h``, from its plan (``sigmoid_hw.model.methods``)::

    x ──reg──> fold: a = |x| (or x), sign ──reg──> core (core_latency cycles) ──> y_h
                 │                                                         │
                 └─ sign, a, correction delta: delay lines ────────────────┤
                                                                            v
         y = k_h (y_h + delta) + k_a a' + c 2^f_out ──reg──> clip(y, lo, hi) ──reg──> o

One result per clock; every register holds while ``o.valid & ~o.ready`` (the
shared stall of ``sigmoid_hw.hw.baselines.interface``), so ``i.ready`` is its
complement; ``latency = core_latency + 4``. A core that shares its multipliers
(``initiation_interval`` R > 1) is sent a word only when the first ``R - 1``
stages are empty (``i.ready`` low otherwise), so words stay at least R stages
apart; the valid bit of every stage is a register of ``registers`` (one per
clock of latency, as ``sigmoid_hw.formal`` reads them) and the core sees them as
``core_valids``. ``(k_h, k_a, c)`` is the fold's
triple for the sign (``sigmoid_hw.model.exact.function.Fold``), ``delta`` the plan's
correction for ``a`` (correct rounding), 0 elsewhere. The model of a unit is
``sigmoid_hw.model.methods.spec.Problem.unfold`` of the method's ``evaluate``: the same
integers.

Subclasses implement ``core_latency`` and ``elaborate_core(m, a, stall)``,
which returns the signed value ``y_h`` of the ``a`` presented
``core_latency`` enabled cycles before, every register in it holding while
``stall``; and ``initiation_interval`` if it is not 1.
"""

from amaranth import *
from amaranth.lib import wiring, stream
from amaranth.lib.wiring import In, Out

from sigmoid_hw.hw.chain import Register
from sigmoid_hw.hw.timing import FAMILIES
from sigmoid_hw.model.methods.spec import Problem
from sigmoid_hw.model.validate import check_instance, check_real

__all__ = ["FoldedUnit"]


def _check_family(family):
    if family is None:
        return None
    if not isinstance(family, str):
        raise TypeError("family must be one of {}, not {!r}".format(
            ", ".join(repr(f) for f in sorted(FAMILIES)), family))
    if family not in FAMILIES:
        raise ValueError("family must be one of {}, not {!r}".format(
            ", ".join(repr(f) for f in sorted(FAMILIES)), family))
    return family


class FoldedUnit(wiring.Component):
    """Base of the method units (module docstring).

    Parameters
    ----------
    plan
        A method's plan: has ``problem`` (``sigmoid_hw.model.methods.spec.Problem``) and
        ``corrections`` (``((a, delta), ...)``).
    target_mhz : float or None
        A clock the core should meet (the method decides where its registers go).
    family : ``"ecp5"``, ``"ice40-up"``, ``"ice40-hx"`` or None
        The delay model's family (``sigmoid_hw.hw.timing.FAMILIES``).

    Members
    -------
    i : In(stream.Signature(signed(W_in)))
        Raw input x.
    o : Out(stream.Signature(signed or unsigned(W_out)))
        Raw output y.
    """

    def __init__(self, plan, *, target_mhz=None, family=None):
        check_instance("plan.problem", getattr(plan, "problem", None), Problem,
                       "a Problem (the plan of a method)")
        if target_mhz is not None:
            target_mhz = float(check_real("target_mhz", target_mhz, 0, 2000, open_lo=True))
        self._family = _check_family(family)
        if target_mhz is not None and family is None:
            raise ValueError("target_mhz={} needs a family (one of {})".format(
                target_mhz, ", ".join(sorted(FAMILIES))))
        self._plan = plan
        self._target_mhz = target_mhz
        spec = plan.problem.spec
        out = spec.output_format
        super().__init__({
            "i": In(stream.Signature(signed(spec.input_format.width))),
            "o": Out(stream.Signature((signed if out.signed else unsigned)(out.width))),
        })

    plan = property(lambda self: self._plan)
    target_mhz = property(lambda self: self._target_mhz)
    family = property(lambda self: self._family)
    input_format = property(lambda self: self._plan.problem.spec.input_format)
    output_format = property(lambda self: self._plan.problem.spec.output_format)
    function = property(lambda self: self._plan.problem.spec.function)
    rounding = property(lambda self: self._plan.problem.spec.rounding)

    @property
    def core_latency(self):
        raise NotImplementedError("a method unit defines core_latency")

    def elaborate_core(self, m, a, stall):
        raise NotImplementedError("a method unit defines elaborate_core")

    @property
    def latency(self):
        return self.core_latency + 4

    # clock cycles between accepted words at full rate (a core with shared multipliers: more)
    initiation_interval = 1

    def _valid_bits(self):
        """The valid bit of each stage 1 .. latency (created once: ``registers``)."""
        if getattr(self, "_valids", None) is None:
            names = (["valid_x", "valid"] + ["valid{}".format(n + 1)
                                             for n in range(self.core_latency)]
                     + ["y_valid", "out_valid"])
            self._valids = [Signal(name=name) for name in names]
        return self._valids

    @property
    def registers(self):
        """The valid bits as ``sigmoid_hw.hw.chain.Register`` records, stage 1 .. latency."""
        return tuple(Register(stage, "frame", "valid", v, v, False, None)
                     for stage, v in enumerate(self._valid_bits(), 1))

    @property
    def core_valids(self):
        """``core_valids[s]``: the word ``s`` enabled cycles into the core is valid
        (``s`` = 0 .. ``core_latency``; 0: the ``a`` the core is given)."""
        return self._valid_bits()[1:2 + self.core_latency]

    # the method's bit-exact core model, evaluate(plan, a) -> y_h before corrections
    evaluate = None

    def rebuilt_range(self):
        """``(min, max)`` of the rebuilt output before saturation over every input, from the
        method's model (``evaluate``), or ``(None, None)`` for a method without one."""
        if self.evaluate is None:
            return None, None
        if not hasattr(self, "_rebuilt_range"):
            import numpy as np
            from sigmoid_hw.model.methods.spec import apply_corrections
            problem = self._plan.problem
            spec, fold = problem.spec, problem.fold
            a = problem.points
            y_h = apply_corrections(self._plan.corrections, a, type(self).evaluate(self._plan, a))
            values = []
            for negative in (False, True):
                if negative and not fold.folded:
                    continue
                sel = (a >= 1) & (a <= -spec.input_format.min) if negative and fold.folded \
                    else (a <= spec.input_format.max)
                raw_x = -a[sel] if negative and fold.folded else a[sel]
                flags = np.full(raw_x.shape, negative) if fold.folded else raw_x < 0
                values.append(fold.unfold(y_h[sel], raw_x, flags, spec.input_format,
                                          spec.output_format))
            values = np.concatenate(values)
            self._rebuilt_range = int(values.min()), int(values.max())
        return self._rebuilt_range

    def elaborate(self, platform):
        m = Module()
        problem = self._plan.problem
        fold = problem.fold
        spec = problem.spec
        stall = self.o.valid & ~self.o.ready
        valids = self._valid_bits()
        valid_x, valid = valids[0], valids[1]
        x = Signal(signed(spec.input_format.width))
        if self.initiation_interval == 1:
            m.d.comb += self.i.ready.eq(~stall)
            taken = self.i.valid
        else:
            # a word only when stages 1 .. R - 1 are empty: words at least R stages apart
            busy = Cat(*valids[:self.initiation_interval - 1]).any()
            m.d.comb += self.i.ready.eq(~stall & ~busy)
            taken = self.i.valid & ~busy
        with m.If(~stall):
            m.d.sync += [x.eq(self.i.payload), valid_x.eq(taken)]
        # the fold, registered: the core starts from a register
        negative = Signal()
        a = Signal(range(problem.lo, problem.hi + 1))
        with m.If(~stall):
            m.d.sync += [negative.eq(x < 0), valid.eq(valid_x)]
            m.d.sync += a.eq(Mux(x < 0, -x, x) if fold.folded else x)

        y_h = self.elaborate_core(m, a, stall)

        corrections = self._plan.corrections
        if corrections:
            # the points are distinct, so at most one matches: per delta value one OR of
            # equalities (a balanced tree), not a priority chain as deep as the list
            deltas = [d for _, d in corrections]
            delta = Signal(range(min(deltas + [0]), max(deltas + [0]) + 1))
            terms = []
            for value in sorted(set(deltas)):
                hit = Cat(*[a == point for point, d in corrections if d == value]).any()
                terms.append(Mux(hit, value, 0))
            m.d.comb += delta.eq(sum(terms[1:], terms[0]))
        else:
            delta = C(0, 1)
        side = Cat(negative, a, delta)
        line = [side]
        for n in range(self.core_latency):
            reg = Signal(len(side), name="side{}".format(n + 1))
            with m.If(~stall):
                m.d.sync += reg.eq(line[-1])
            line.append(reg)
        late = line[-1]
        late_neg = late[0]
        late_a = late[1:1 + len(a)].as_unsigned() if fold.folded else \
            late[1:1 + len(a)].as_signed()
        # a delta of one sign only (monotonic fixes: all +1) is an unsigned field
        late_delta = late[1 + len(a):]
        late_delta = late_delta.as_signed() if delta.shape().signed else late_delta
        valid_line = self.core_valids
        for n in range(self.core_latency):
            with m.If(~stall):
                m.d.sync += valid_line[n + 1].eq(valid_line[n])

        shift = spec.output_format.f_bits - spec.input_format.f_bits
        a_out = late_a << max(shift, 0)
        one = 1 << spec.output_format.f_bits
        corrected = y_h + late_delta
        lo, hi = spec.function.saturation(spec.output_format)
        y_lo, y_hi = self.rebuilt_range()

        def rebuild(triple):
            k_h, k_a, c = triple
            return k_h * corrected + k_a * a_out + c * one

        # the rebuild, registered, then the saturation, registered: each clamp only where the
        # rebuilt value (known on every input, rebuilt_range) can pass it
        y = Signal(signed(max(len(corrected), len(a_out), spec.output_format.width) + 4)) \
            if y_lo is None else Signal(range(y_lo, y_hi + 1))
        y_valid = valids[-2]
        with m.If(~stall):
            m.d.sync += [y.eq(Mux(late_neg, rebuild(fold.negative), rebuild(fold.positive))),
                         y_valid.eq(valid_line[-1])]
        result = Signal.like(self.o.payload)
        out_valid = valids[-1]
        with m.If(~stall):
            m.d.sync += out_valid.eq(y_valid)
            below = y_lo is None or y_lo < lo
            above = y_hi is None or y_hi > hi
            if below and above:
                m.d.sync += result.eq(Mux(y < lo, lo, Mux(y > hi, hi, y)))
            elif below:
                m.d.sync += result.eq(Mux(y < lo, lo, y))
            elif above:
                m.d.sync += result.eq(Mux(y > hi, hi, y))
            else:
                m.d.sync += result.eq(y)
        m.d.comb += [self.o.valid.eq(out_valid), self.o.payload.eq(result)]
        return m
