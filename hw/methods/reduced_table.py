"""``ReducedTable``: a table addressed by the input's top bits (``sigmoid_hw.model.methods.reduced_table``).

No ``FoldedUnit`` frame: the index is wiring (``"none"``: the input's top
bits; ``"ones"``: one XOR with the sign per index bit), so the input goes
straight to the memory's address as in a plain lookup table::

    x ──(top bits, XOR sign)──> memory (synchronous read) ──(XOR sign, high bits)──reg──> o
    sign, valid ──reg──────────────────────────────────────┘

Latency 2: the memory's read register, then the output register. One result
per clock; the read port (``en``) and every register hold while
``o.valid & ~o.ready`` (the shared stall of ``sigmoid_hw.hw.baselines.interface``),
so ``i.ready`` is its complement.
"""

from amaranth import *
from amaranth.lib import wiring, stream
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from sigmoid_hw.hw.chain import Register
from sigmoid_hw.model.methods.reduced_table import (derive_reduced_table, largest_input_drop,
                                                    meets_rounding, reduced_table_folds)
from sigmoid_hw.model.methods.spec import FunctionSpec

__all__ = ["ReducedTable", "reduced_table_plan"]


def reduced_table_plan(function, input_format=None, output_bits=16, rounding="faithful",
                       input_drop=None, fold=None):
    """The plan: ``input_drop`` bits dropped on ``fold``; ``input_drop=None`` the largest
    that keeps the unit ``rounding`` (faithful or correctly rounded); ``fold=None`` the fold
    with the fewest stored bits."""
    spec = FunctionSpec.make(function, input_format, output_bits, rounding)
    folds = reduced_table_folds(spec) if fold is None else (fold,)
    plans = []
    for f in folds:
        k = input_drop
        if k is None:
            k = largest_input_drop(spec, f, meets_rounding(spec))
            if k is None:
                continue
        plans.append(derive_reduced_table(spec, k, f))
    if not plans:
        raise ValueError("no reduced table of {} is {} on fold {}".format(
            spec.describe(), spec.rounding, ", ".join(folds)))
    return min(plans, key=lambda p: p.bits)


class ReducedTable(wiring.Component):
    """A function by a table of its input's top bits (module docstring).

    Parameters
    ----------
    function : str
        A name of ``sigmoid_hw.model.exact.FUNCTION_NAMES``.
    input_format : SQ
        Default SQ(4, 12).
    output_bits : int
        The output's width W; its format is the function's default.
    rounding : ``"faithful"`` or ``"correct"``
        What ``input_drop=None`` keeps (the largest drop that does).
    input_drop : int or None
        Input bits dropped below the index (``K``); given, the table's error is its plan's
        ``error_bound``, whatever ``rounding`` says.
    fold : ``"none"``, ``"ones"`` or None
        None: the fold with the fewest stored bits.
    target_mhz, family
        Taken for the method designs' common options; the unit has one structure.
    """

    def __init__(self, function="sigmoid", input_format=None, output_bits=16,
                 rounding="faithful", *, input_drop=None, fold=None, target_mhz=None,
                 family=None):
        self._plan = reduced_table_plan(function, input_format, output_bits, rounding,
                                        input_drop, fold)
        spec = self._plan.spec
        out = spec.output_format
        self._valids = [Signal(name="valid{}".format(n)) for n in (1, 2)]
        super().__init__({
            "i": In(stream.Signature(signed(spec.input_format.width))),
            "o": Out(stream.Signature((signed if out.signed else unsigned)(out.width))),
        })

    plan = property(lambda self: self._plan)
    input_format = property(lambda self: self._plan.spec.input_format)
    output_format = property(lambda self: self._plan.spec.output_format)
    function = property(lambda self: self._plan.spec.function)
    rounding = property(lambda self: self._plan.spec.rounding)
    latency = 2
    initiation_interval = 1

    @property
    def registers(self):
        """The valid bits as ``sigmoid_hw.hw.chain.Register`` records, stage 1 .. latency."""
        return tuple(Register(stage, "table", "valid", v, v, False, None)
                     for stage, v in enumerate(self._valids, 1))

    def elaborate(self, platform):
        m = Module()
        plan = self._plan
        stall = self.o.valid & ~self.o.ready
        m.d.comb += self.i.ready.eq(~stall)

        x = self.i.payload
        w = len(x)
        sign = x[-1]
        if plan.fold == "none":
            index = x[plan.input_drop:]
        else:
            index = (x[:-1] ^ sign.replicate(w - 1))[plan.input_drop:]
        m.submodules.table = table = Memory(shape=unsigned(plan.width), depth=plan.depth,
                                            init=list(plan.entries))
        read = table.read_port()
        m.d.comb += [read.addr.eq(index), read.en.eq(~stall)]

        out_width = len(self.o.payload)
        sign1 = Signal()
        valid1, valid2 = self._valids
        raw = Signal(out_width)
        m.d.comb += raw.eq(read.data | plan.high)
        if plan.flip_output:
            raw = raw ^ sign1.replicate(out_width)
        result = Signal(out_width)
        with m.If(~stall):
            m.d.sync += [sign1.eq(sign), valid1.eq(self.i.valid), valid2.eq(valid1),
                         result.eq(raw)]
        m.d.comb += [self.o.valid.eq(valid2), self.o.payload.eq(result)]
        return m
