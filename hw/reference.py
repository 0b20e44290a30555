"""``BitPatternReference``: y0 = sigmoid(n ln2) = 2^n / (2^n + 1) from its periodic bit pattern."""

from amaranth import *
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from sigmoid_hw.model.bitpattern import pattern_bit
from sigmoid_hw.model.intmath import unsigned_bits
from sigmoid_hw.model.validate import check_int

__all__ = ["BitPatternReference"]


class BitPatternReference(wiring.Component):
    """y0 = sigmoid(n ln2) for n >= 0, ``f_bits`` fraction bits, from the periodic pattern.

    Fraction bit j is one exactly when ``(j - 1) // n`` is even (n > 0; n = 0
    gives 0.1), the rule of ``sigmoid_hw.model.bitpattern.pattern_bit``. Each bit is the
    OR of the decoded values of n for which the rule gives one: logic derived
    from the pattern rule, no stored value of y0. Combinational.

    Members
    -------
    n : ``In(unsigned)``
    y0 : ``Out(f_bits)``
        Truncated to ``f_bits`` fraction bits.
    """

    def __init__(self, n_max, f_bits):
        self._n_max = check_int("n_max", n_max, 0)
        self._f_bits = check_int("f_bits", f_bits, 1)
        super().__init__({"n": In(unsigned_bits(n_max)), "y0": Out(f_bits)})

    def elaborate(self, platform):
        m = Module()
        hot = [Signal(name="n_is_{}".format(k)) for k in range(self._n_max + 1)]
        for k, line in enumerate(hot):
            m.d.comb += line.eq(self.n == k)
        bits = []
        for j in range(1, self._f_bits + 1):   # weight 2^-j
            ones = [hot[k] for k in range(self._n_max + 1) if pattern_bit(k, j)]
            bits.append(Cat(*ones).any() if ones else Const(0))
        # bit j has weight 2^-j: the first fraction bit is the most significant
        m.d.comb += self.y0.eq(Cat(*reversed(bits)))
        return m
