"""``FunctionTable``: every output stored (``sigmoid_hw.model.methods.table``), on the ``FoldedUnit`` frame.

The core is one ``amaranth.lib.memory.Memory`` with a synchronous read port
(block RAM where Yosys finds one that fits: iCE40 EBR, ECP5 DP16KD; logic
when small) addressed by ``min(a - lo, depth - 1)``, registered; a read past
the last entry returns the tail constant instead. Core latency 2.

A segmented plan (``segments=S`` > 1, ``sigmoid_hw.model.methods.table``) has
one memory of ``D`` words of ``sum(widths)`` bits: the index's low bits
address it, its top bits (the segment) go along; the word read is
registered, then the segment selects its field (a multiplexer) and its base
is added. No multiplexer between blocks: every block holds bits of every
word at the same address. Core latency 3.
"""

from amaranth import *
from amaranth.lib.memory import Memory
from amaranth.hdl import Array

from sigmoid_hw.hw.methods.folded import FoldedUnit
from sigmoid_hw.model.methods.spec import FunctionSpec, exact_folds, problem
from sigmoid_hw.model.methods.table import derive_table, evaluate_table

__all__ = ["FunctionTable", "table_plan"]


def table_plan(function, input_format=None, output_bits=16, rounding="faithful", fold=None,
               segments=1):
    """The ``TablePlan`` with the fewest stored bits over the folds that are exact, in
    ``segments`` segments (a power of two; 1: the plain table).

    ``fold`` (a name from ``Function.folds``) forces one.
    """
    spec = FunctionSpec.make(function, input_format, output_bits, rounding)
    plans = [derive_table(problem(spec, f), segments) for f in exact_folds(spec, fold)]
    return min(plans, key=lambda p: p.bits)


class FunctionTable(FoldedUnit):
    """A function by table lookup: correctly rounded on every input.

    Parameters
    ----------
    function : str
        A name of ``sigmoid_hw.model.exact.FUNCTION_NAMES``.
    input_format : SQ
        Default SQ(4, 12).
    output_bits : int
        The output's width W; its format is the function's default
        (``Function.output_format``).
    rounding : ``"faithful"`` or ``"correct"``
        Both give the correctly rounded table.
    fold : str or None
        Force a fold (default: the one with the fewest stored bits).
    segments : int
        A power of two: the index's top bits pick one of ``segments`` fields of
        one memory word, each with its own base and width (default 1, the plain
        table; module docstring).
    target_mhz, family
        As ``FoldedUnit``.
    """

    evaluate = staticmethod(evaluate_table)

    def __init__(self, function="sigmoid", input_format=None, output_bits=16,
                 rounding="faithful", *, fold=None, segments=1, target_mhz=None, family=None):
        super().__init__(table_plan(function, input_format, output_bits, rounding, fold,
                                    segments), target_mhz=target_mhz, family=family)

    @property
    def segmented(self):
        return len(self.plan.widths) > 1

    @property
    def core_latency(self):
        return 3 if self.segmented else 2

    def elaborate_core(self, m, a, stall):
        plan = self.plan
        lo = plan.problem.lo
        index = Signal(range(plan.depth), name="index")
        inside = Signal(name="inside")
        m.d.comb += [
            inside.eq(a - lo < plan.depth),
            index.eq(Mux(inside, a - lo, plan.depth - 1)),
        ]
        # the address from a register (a block RAM's setup, or a LUT table's depth)
        reg_index, reg_inside = Signal.like(index, name="index_reg"), Signal(name="inside_reg")
        with m.If(~stall):
            m.d.sync += [reg_index.eq(index), reg_inside.eq(inside)]
        index, inside = reg_index, reg_inside
        if self.segmented:
            return self._segmented(m, index, inside, stall)
        m.submodules.table = table = Memory(shape=unsigned(plan.width), depth=plan.depth,
                                            init=list(plan.entries))
        read = table.read_port()
        m.d.comb += [read.addr.eq(index), read.en.eq(~stall)]
        was_inside = Signal()
        with m.If(~stall):
            m.d.sync += was_inside.eq(inside)
        y_h = Signal(signed(max(plan.width + 2, plan.tail.bit_length() + 2,
                                plan.base.bit_length() + 2)), name="y_h")
        m.d.comb += y_h.eq(Mux(was_inside, read.data + plan.base, plan.tail))
        return y_h

    def _segmented(self, m, index, inside, stall):
        plan = self.plan
        low = plan.segment_depth.bit_length() - 1           # D = 2^low
        m.submodules.table = table = Memory(shape=unsigned(plan.word_bits),
                                            depth=plan.segment_depth, init=plan.words())
        read = table.read_port()
        m.d.comb += [read.addr.eq(index[:low]), read.en.eq(~stall)]
        segment = Signal(range(len(plan.widths)), name="segment")
        was_inside = Signal()
        with m.If(~stall):
            m.d.sync += [segment.eq(index[low:]), was_inside.eq(inside)]
        # the word registered (the block RAM's output to a flip-flop), the segment with it
        word = Signal(plan.word_bits, name="word")
        segment_reg, inside_reg = Signal.like(segment, name="segment_reg"), Signal()
        with m.If(~stall):
            m.d.sync += [word.eq(read.data), segment_reg.eq(segment),
                         inside_reg.eq(was_inside)]
        fields, shift = [], 0
        for w in plan.widths:
            fields.append(word[shift:shift + w])
            shift += w
        top = max(b + (1 << w) - 1 for b, w in zip(plan.bases, plan.widths))
        value = Signal(range(min(min(plan.bases), 0), top + 1), name="value")   # a base may be < 0
        m.d.comb += value.eq(Array(fields)[segment_reg] + Array(plan.bases)[segment_reg])
        y_h = Signal(signed(max(len(value), plan.tail.bit_length()) + 2), name="y_h")
        m.d.comb += y_h.eq(Mux(inside_reg, value, plan.tail))
        return y_h
