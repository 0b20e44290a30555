# amaranth: UnusedElaboratable=no
"""``SigmoidPipeline``: sigmoid in fixed point, one result per clock, with backpressure.

Default: input SQ(4, 12) (x = raw / 4096, range [-8, 8)), output UQ(0, 16)
(y = raw / 65536), order 5, table coefficients, latency 10, error below 1 ulp
for every input (proved exhaustively: docs/accuracy.md). Stages and widths of the
default (``sigmoid-hw simulate`` prints them for any configuration)::

    x   16  SQ(4,12)
    1   SignFold        sign 1, a 16 (UQ(4,12))                           1 cycle
    2,3 RangeReducer    n 4 (0..12) by 12 comparisons; d 12 (SQ(0,12))    2 cycles
    4.. HornerEvaluator load acc5 = c5(n), then 5 multiply-adds:         6 cycles
                        d12 x acc5  6 -> acc4  9 bits
                        d12 x acc4  9 -> acc3 12
                        d12 x acc3 12 -> acc2 15
                        d12 x acc2 15 -> acc1 22
                        d12 x acc1 22 + y0 (bit pattern) -> acc0 17 (= y before clamp)
    10  OutputStage     clamp, unfold sign, saturate -> y 16              1 cycle

The arithmetic is ``sigmoid_hw.model.pipeline``: the RTL equals ``sigmoid_fixed`` on every
input; the widths come from the error budget written there. The stages live in
``sigmoid_hw.hw.reduction`` (SignFold, RangeReducer), ``sigmoid_hw.hw.coefficients``
(DerivedCoefficients and the coefficient sources), ``sigmoid_hw.hw.horner``
(HornerEvaluator, with ``sigmoid_hw.hw.reference.BitPatternReference``) and
``sigmoid_hw.hw.output`` (OutputStage); ``sigmoid_hw.hw.chain`` holds the registers they share.
"""

from amaranth import *
from amaranth.lib import wiring, stream
from amaranth.lib.wiring import In, Out

from sigmoid_hw.model.pipeline import derive_params, plan_for, PipelineParams
from sigmoid_hw.hw.chain import stage_registers
from sigmoid_hw.hw.coefficients import DerivedCoefficients, coefficient_source
from sigmoid_hw.hw.horner import HornerEvaluator
from sigmoid_hw.hw.horner_shared import SharedHornerEvaluator, horner_passes
from sigmoid_hw.hw.output import OutputStage
from sigmoid_hw.hw.reduction import SignFold, RangeReducer
from sigmoid_hw.hw.chain import CreditBuffer
from sigmoid_hw.hw.timing import FAMILIES, schedule as timing_schedule
from sigmoid_hw.model.validate import check_int

__all__ = ["SigmoidPipeline"]


class SigmoidPipeline(wiring.Component):
    """The seed-001 sigmoid: range reduction, bit-pattern reference, Horner Taylor evaluation.

    Parameters
    ----------
    input_format : SQ
        Default ``SQ(4, 12)``.
    output_bits : int
        Output is UQ(0, output_bits); default 16.
    order : int or None
        Taylor order; ``None`` picks the smallest that meets the error budget.
    coefficients : ``"table"``, ``"derived"``, ``"minimax"`` or None
        Taylor coefficients as per-n constants, Taylor coefficients computed from
        y0 by multipliers (the seed's description), or per-n minimax refits
        (the table hardware, one order lower). ``None``: table for faithful,
        minimax for correct rounding.
    d_guard, acc_frac, coef_frac, budget
        Override the widths derived from the error budget (see ``sigmoid_hw.model.widths``).
    register_product : bool
        Register each Horner product before its addition: two cycles per stage,
        a shorter critical path, ``order`` more cycles of latency, same results.
    rounding : ``"faithful"`` or ``"correct"``
        ``"faithful"``: error below 1 ulp. ``"correct"``: every output is the
        exact sigmoid rounded to nearest (saturated to 2^F - 1 at the top),
        on every input: wider accumulators where the multipliers have free
        bits, and a table of the few inputs that still round the wrong way,
        matched in the range reducer (``sigmoid_hw.model.rounding``).
    params : PipelineParams, optional
        A complete parameter set instead of the above.
    target_mhz : float or None
        ``None``: the structure above. A frequency: registers added where
        ``sigmoid_hw.hw.timing``'s delay model for ``family`` says a step would not fit
        the period (partial products, tree adds, cut carry chains, the
        reduction's subtraction, the output's clamp), and, on the iCE40
        families, the credit handshake (``sigmoid_hw.hw.chain.CreditBuffer``) instead
        of the shared stall (``Schedule.free_running``). The arithmetic and
        the results are the same; ``latency`` grows.
    family : ``"ecp5"``, ``"ice40-up"`` or ``"ice40-hx"``
        Whose delays ``target_mhz`` is met with (``sigmoid_hw.hw.timing.FAMILIES``).
    reuse : int
        Multiply-adds per Horner multiplier, 1 .. order (hls4ml's ReuseFactor):
        ``ceil(order / reuse)`` multipliers (``sigmoid_hw.hw.horner_shared``), a word
        accepted at most every ``reuse`` clocks (``initiation_interval``),
        the same latency and the same results. Not with ``target_mhz`` or
        ``register_product``.
    multiplier_width : int or None
        With ``reuse``: the signed bits of a DSP block's multiplier port; a
        step whose acc operand is wider takes two (or more) passes through
        it, so every multiplier is one block and ``reuse`` counts passes, up
        to ``len(horner_passes(plan, multiplier_width))`` (16: the UP5K's
        SB_MAC16; the default plan needs ``reuse=7`` for one block; see
        ``sigmoid_hw.hw.horner_shared``).
    input_logic : int
        LUT levels in front of the input (``sigmoid_hw.hw.timing.schedule``).

    Members
    -------
    i : ``In(stream.Signature(signed(W_in)))``
        Raw input x.
    o : ``Out(stream.Signature(unsigned(W_out)))``
        Raw output y.

    Raises
    ------
    TypeError, ValueError
        For a parameter that is wrong or cannot meet the bound; the message
        names it.
    """

    def __init__(self, input_format=None, output_bits=16, order=None, coefficients=None,
                 *, d_guard=None, acc_frac=None, coef_frac=None, budget=None,
                 register_product=False, rounding="faithful", params=None, target_mhz=None,
                 family="ecp5", reuse=1, multiplier_width=None, input_logic=0):
        if params is None:
            params = derive_params(input_format, output_bits, order, coefficients,
                                   d_guard=d_guard, acc_frac=acc_frac, coef_frac=coef_frac,
                                   budget=budget, register_product=register_product,
                                   rounding=rounding)
        elif not isinstance(params, PipelineParams):
            raise TypeError("params must be PipelineParams from sigmoid_hw.model.pipeline.derive_params, "
                            "not {!r}".format(params))
        self._params = params
        self._plan = plan = plan_for(params)
        self._reuse = reuse = check_int("reuse", reuse)
        self._multiplier_width = multiplier_width
        if multiplier_width is not None and reuse == 1:
            raise ValueError("multiplier_width is for reuse > 1 (the shared multipliers), "
                             "not {!r} with reuse 1".format(multiplier_width))
        check_int("reuse", reuse, 1, len(horner_passes(plan, multiplier_width)))
        if reuse > 1 and params.register_product:
            raise ValueError("reuse must be 1 with register_product (the shared evaluator "
                             "registers no product), not {!r}".format(reuse))
        if reuse > 1 and target_mhz is not None:
            raise ValueError("reuse must be 1 with target_mhz (the shared multipliers are not "
                             "split for a frequency), not {!r}".format(reuse))
        super().__init__({
            "i": In(stream.Signature(signed(params.input_format.width))),
            "o": Out(stream.Signature(unsigned(params.output_bits))),
        })
        # The stages are made here, not in elaborate, so that the register map exists
        # before elaboration. They are used exactly when the pipeline is: the line at the
        # top of this file keeps Amaranth from warning about them separately when a
        # pipeline is made only to be inspected (the pipeline's own warning still fires).
        # One stall for every register of every stage: the output holds a word not taken.
        # With the credit handshake the datapath runs free: the stall is tied low and a
        # CreditBuffer ends the chain.
        self._schedule = sched = timing_schedule(plan, family, target_mhz, input_logic)
        self._stall = stall = Signal(name="stall")
        fmt = params.input_format
        # at a target, on a family that measured faster so, the tables bit by bit from n
        source = coefficient_source(plan, lookup=sched.target_mhz is not None
                                    and FAMILIES[family].lookup_tables)
        chain = [("fold", SignFold(fmt, plan.reduction, stall=stall, steps=sched.fold,
                                   carry=sched.fold_carry)),
                 ("reduce", RangeReducer(fmt, plan.reduction, stall=stall,
                                         offset_steps=sched.reduce_offset,
                                         compare_steps=sched.reduce_compare,
                                         compare_part=sched.compare_part,
                                         fix_steps=sched.reduce_fix,
                                         complement=sched.target_mhz is not None
                                         and FAMILIES[family].complement))]
        if plan.coefficients.kind == "derived":
            chain.append(("coefficients", DerivedCoefficients(plan, stall=stall)))
        horner = (SharedHornerEvaluator(plan, source, reuse, stall=stall,
                                        multiplier_width=multiplier_width) if reuse > 1 else
                  HornerEvaluator(plan, source, stall=stall, schedule=sched))
        chain += [("horner", horner),
                  ("output", OutputStage(plan.horner.acc_width[0], params.output_bits,
                                         stall=stall, steps=sched.output,
                                         carry=sched.output_carry))]
        if sched.free_running:
            depth = sum(stage.latency for _, stage in chain)
            chain.append(("buffer", CreditBuffer(unsigned(params.output_bits), depth,
                                                 level_ahead=FAMILIES[family].level_ahead,
                                                 lut_instance=family.startswith("ice40"))))
        self._chain = tuple(chain)

    @property
    def params(self):
        return self._params

    @property
    def plan(self):
        return self._plan

    @property
    def input_format(self):
        """The input's fixed-point format: x = raw * 2^-f_bits."""
        return self._params.input_format

    @property
    def output_format(self):
        """``UQ(0, F)``: y = raw * 2^-F."""
        return self._params.output_format

    @property
    def stages(self):
        """The stage components in pipeline order, as ``(name, component)``."""
        return self._chain

    @property
    def latency(self):
        """Clock cycles from an accepted input to its output when never stalled."""
        return sum(stage.latency for _, stage in self._chain)

    @property
    def reuse(self):
        """Multiply-adds per Horner multiplier."""
        return self._reuse

    @property
    def initiation_interval(self):
        """Clock cycles between accepted words at full rate: ``reuse``."""
        return self._reuse

    @property
    def multiplier_width(self):
        """The shared multipliers' signed port width (None: sized for the widest step)."""
        return self._multiplier_width

    @property
    def registers(self):
        """The register map of every stage, numbered 1 .. latency (``sigmoid_hw.hw.chain.Register``)."""
        return stage_registers(stage for _, stage in self._chain)

    @property
    def stall(self):
        """The one stall signal that enables every register (tied low with a target)."""
        return self._stall

    @property
    def schedule(self):
        """The ``sigmoid_hw.hw.timing.Schedule`` the registers follow."""
        return self._schedule

    @property
    def target_mhz(self):
        return self._schedule.target_mhz

    def elaborate(self, platform):
        m = Module()
        for name, stage in self._chain:
            m.submodules[name] = stage
        stages = [stage for _, stage in self._chain]
        if self._schedule.free_running:
            buffer = stages[-1]
            first = stages[0]
            m.d.comb += [self._stall.eq(0),
                         first.i.payload.eq(self.i.payload),
                         first.i.valid.eq(self.i.valid & buffer.credit),
                         self.i.ready.eq(buffer.credit),
                         buffer.accepted.eq(self.i.valid & buffer.credit)]
        elif self._reuse > 1:
            m.d.comb += self._stall.eq(self.o.valid & ~self.o.ready)
            # a word only when the first reuse - 1 registers are empty: words at least reuse
            # clocks apart, so no two meet in a shared multiplier
            busy = Cat(*(r.value for r in self.registers
                         if r.name == "valid" and r.stage < self._reuse)).any()
            m.d.comb += [stages[0].i.payload.eq(self.i.payload),
                         stages[0].i.valid.eq(self.i.valid & ~busy),
                         self.i.ready.eq(stages[0].i.ready & ~busy)]
        else:
            m.d.comb += self._stall.eq(self.o.valid & ~self.o.ready)
            wiring.connect(m, wiring.flipped(self.i), stages[0].i)
        for a, b in zip(stages, stages[1:]):
            wiring.connect(m, a.o, b.i)
        wiring.connect(m, stages[-1].o, wiring.flipped(self.o))
        return m
