"""``FunctionTable``: every output stored (``sigmoid_hw.model.methods.table``), on the ``FoldedUnit`` frame.

The core is one ``amaranth.lib.memory.Memory`` with a synchronous read port
(block RAM where Yosys finds one that fits: iCE40 EBR, ECP5 DP16KD; logic
when small) addressed by ``min(a - lo, depth - 1)``, registered; a read past
the last entry returns the tail constant instead. Core latency 2.
"""

from amaranth import *
from amaranth.lib.memory import Memory

from sigmoid_hw.hw.methods.folded import FoldedUnit
from sigmoid_hw.model.methods.spec import FunctionSpec, exact_folds, problem
from sigmoid_hw.model.methods.table import derive_table, evaluate_table

__all__ = ["FunctionTable", "table_plan"]


def table_plan(function, input_format=None, output_bits=16, rounding="faithful", fold=None):
    """The ``TablePlan`` with the fewest stored bits over the folds that are exact.

    ``fold`` (a name from ``Function.folds``) forces one.
    """
    spec = FunctionSpec.make(function, input_format, output_bits, rounding)
    plans = [derive_table(problem(spec, f)) for f in exact_folds(spec, fold)]
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
    target_mhz, family
        As ``FoldedUnit``.
    """

    evaluate = staticmethod(evaluate_table)

    def __init__(self, function="sigmoid", input_format=None, output_bits=16,
                 rounding="faithful", *, fold=None, target_mhz=None, family=None):
        super().__init__(table_plan(function, input_format, output_bits, rounding, fold),
                         target_mhz=target_mhz, family=family)

    @property
    def core_latency(self):
        return 2

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
