"""``MultipartiteTable``: initial values plus offset tables and an adder tree, no multiplier.

The core of de Dinechin and Tisserand's multipartite method on the
``FoldedUnit`` frame, bit-exact with ``sigmoid_hw.model.methods.multipartite``
(``evaluate_multipartite(plan, a)``; the frame adds the plan's corrections)::

    a -> u = min(a - lo, 2^n - 1) -+- A ---------------> TIV ---------------+
                                   +- C_0, B_0 ^ ~b_0 -> TO_0 -> ^ ~b_0 ----+- adder tree
                                   +- ...                                   |   -> >> g -> y_h
         [address reg: target]       [table read: one register]    [sum: registered]

* every table is read through one register: an ``amaranth.lib.memory.Memory``
  read port (block RAM where Yosys finds one: iCE40 EBR, ECP5 DP16KD) when it
  holds more than ``LOGIC_BITS``, else a constant array in logic with its
  output registered;
* an offset table is stored for the upper half of its field only: the field's
  low bits are XORed with its inverted top bit ``b`` to address it, and its
  word is XORed again on the way out (``~v = -v - 1`` when ``b = 0``);
* the sum is one register (``target_mhz``: one per adder level, and the
  addresses registered in front of the tables); the final rounding is the
  plan's ``>> g`` (its half-ulp is in the TIV), wiring only.
"""

from amaranth import *
from amaranth.lib.memory import Memory

from sigmoid_hw.hw.methods.folded import FoldedUnit
from sigmoid_hw.model.methods.multipartite import evaluate_multipartite, multipartite_plan

__all__ = ["MultipartiteTable", "LOGIC_BITS"]

LOGIC_BITS = 512    # a table this small stays in logic (an iCE40 EBR holds 4 kbit)


class MultipartiteTable(FoldedUnit):
    """A function by the multipartite method: faithful, or correctly rounded with corrections.

    Parameters
    ----------
    function : str
        A name of ``sigmoid_hw.model.exact.FUNCTION_NAMES``.
    input_format : SQ
        Default SQ(4, 12).
    output_bits : int
        The output's width W; its format is the function's default.
    rounding : ``"faithful"`` or ``"correct"``
    tables : int or None
        Offset tables (1: bipartite .. 3); None picks the cheapest.
    fold : str or None
        Force a fold (default: the first of the function's record that is exact).
    target_mhz, family
        As ``FoldedUnit``.

    Members
    -------
    i : In(stream.Signature(signed(W_in)))
    o : Out(stream.Signature(...))
        The frame's (``FoldedUnit``).
    """

    evaluate = staticmethod(evaluate_multipartite)

    def __init__(self, function="sigmoid", input_format=None, output_bits=16,
                 rounding="faithful", *, tables=None, fold=None, target_mhz=None, family=None):
        plan = multipartite_plan(function, input_format, output_bits, rounding, tables, fold)
        super().__init__(plan, target_mhz=target_mhz, family=family)

    @property
    def _levels(self):
        """Adder levels: ``ceil(log2(m + 1))``."""
        return (self.plan.split.tables).bit_length()

    @property
    def core_latency(self):
        if self.target_mhz is None:
            return 2
        return 2 + self._levels

    def _table(self, m, name, values, shape, addr, stall):
        """``values[addr]`` one enabled cycle later (block RAM above ``LOGIC_BITS``, or logic)."""
        width, is_signed = shape
        shape = (signed if is_signed else unsigned)(width)
        if len(values) == 1:
            return C(values[0], shape)
        if len(values) * width > LOGIC_BITS:
            memory = Memory(shape=shape, depth=len(values), init=list(values))
            m.submodules[name] = memory
            read = memory.read_port()
            m.d.comb += [read.addr.eq(addr), read.en.eq(~stall)]
            return read.data
        data = Signal(shape, name=name)
        rom = Array(C(v, shape) for v in values)
        with m.If(~stall):
            m.d.sync += data.eq(rom[addr])
        return data

    def elaborate_core(self, m, a, stall):
        plan = self.plan
        split = plan.split
        n = plan.input_bits
        lo = plan.problem.lo

        def stage(value, name):
            reg = Signal.like(value, name=name)
            with m.If(~stall):
                m.d.sync += reg.eq(value)
            return reg

        diff = Signal(range(0, plan.problem.hi - lo + 1), name="u_wide")
        u = Signal(n, name="u")
        m.d.comb += [
            diff.eq(a - lo),
            u.eq(Mux(diff > (1 << n) - 1, (1 << n) - 1, diff)),
        ]
        # addresses: the TIV's A, and per offset table C_i and B_i's low bits XOR ~b_i
        addrs = [u[n - split.alpha:]]
        tops = []
        for p, b, c in zip(split.positions, split.betas, split.gammas):
            field = u[p:p + b]
            top = field[b - 1]
            low = field[:b - 1] ^ (~top).replicate(b - 1) if b > 1 else C(0, 0)
            addrs.append(Cat(low, u[n - c:] if c else C(0, 0)))
            tops.append(top)
        if self.target_mhz is not None:
            addrs = [stage(x, "addr{}".format(k)) for k, x in enumerate(addrs)]
            tops = [stage(t, "top{}".format(k)) for k, t in enumerate(tops)]

        tiv = self._table(m, "tiv", plan.tiv, plan.tiv_shape, addrs[0], stall)
        terms = [tiv.as_signed() if plan.tiv_shape[1] else tiv]
        for k, (values, shape) in enumerate(zip(plan.offsets, plan.offset_shapes)):
            v = self._table(m, "to{}".format(k), values, shape, addrs[k + 1], stall)
            top = stage(tops[k], "top{}_read".format(k))
            flipped = v.as_unsigned() ^ (~top).replicate(shape[0])
            if shape[1]:
                terms.append(flipped.as_signed())
            else:
                terms.append(Cat(flipped, ~top).as_signed())

        # wide enough for every partial sum of the tree, not only the total
        reach = max(abs(v) for v in plan.tiv) + sum(max(abs(min(t)) + 1, abs(max(t)) + 1)
                                                    for t in plan.offsets)
        width = reach.bit_length() + 1
        level = 0
        while len(terms) > 1:
            pairs = []
            for k in range(0, len(terms) - 1, 2):
                total = Signal(signed(width), name="sum{}_{}".format(level, k // 2))
                m.d.comb += total.eq(terms[k] + terms[k + 1])
                pairs.append(total)
            if len(terms) % 2:
                pairs.append(terms[-1])
            terms = pairs
            if self.target_mhz is not None:
                terms = [stage(t, "sum{}_{}_reg".format(level, k)) for k, t in enumerate(terms)]
            level += 1
        total = Signal(signed(width), name="sum")
        m.d.comb += total.eq(terms[0])
        if self.target_mhz is None:
            total = stage(total, "sum_reg")
        g = split.guard_bits
        y_h = Signal(signed(width - g), name="y_h")
        m.d.comb += y_h.eq(total[g:].as_signed())
        return y_h
