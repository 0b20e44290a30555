"""The devices the piecewise method's cost model weighs: one reference device per family.

``Device.blocks`` counts the block RAMs of a ``depth x width`` table in the
best of the RAM's read shapes, ``Device.multiplier`` the DSP blocks of a
signed product (operands cut into chunks of the native width, low chunks
unsigned, as ``sigmoid_hw.hw.timing.chunks`` does) or, without DSPs, its LUTs. A plan's
cost (``sigmoid_hw.model.methods.piecewise.PiecewisePlan.cost``) is the sum of its
shares of the budget a unit has on the device (``Device.budget``): a LUT
weighs 1/150 of a DSP on the UP5K, an EBR a quarter of it.
"""

from dataclasses import dataclass
import math

__all__ = ["Device", "DEVICES"]


@dataclass(frozen=True)
class Device:
    """A family's reference device and the budget a unit has on it, for the cost model.

    Members
    -------
    name : str
    budget : tuple of (int, int, int)
        The LUT, DSP and block RAM a 16-bit unit may take (issue 19's targets
        for the sigmoid: UP5K 150 LUT, 1 SB_MAC16, 4 EBR; HX8K 300 LUT, 4 EBR;
        ECP5 150 LUT, 1 MULT18X18D, 1 DP16KD; Gowin as ECP5). A plan's cost
        is the sum of its shares of it.
    native : int or None
        Signed bits of a DSP multiplier's operands (None: multipliers in logic).
    bram_shapes : tuple of (depth, width)
        The block RAM's read shapes.
    """
    name: str
    budget: tuple
    native: object
    bram_shapes: tuple

    def blocks(self, depth, width):
        return min(math.ceil(depth / d) * math.ceil(width / w) for d, w in self.bram_shapes)

    def multiplier(self, a_bits, b_bits):
        """``(dsps, luts)`` of one signed ``a_bits x b_bits`` product (in logic: about two
        LUTs per partial-product bit, as Yosys builds it on an HX8K)."""
        if self.native is None:
            return 0, 2 * a_bits * b_bits

        def parts(bits):
            return 1 if bits <= self.native else 1 + math.ceil((bits - self.native)
                                                               / (self.native - 1))
        return parts(a_bits) * parts(b_bits), 0

    def cost(self, luts, dsps, brams):
        """The shares of the budget; a DSP where the family has none is impossible."""
        lut_budget, dsp_budget, bram_budget = self.budget
        if dsps and not dsp_budget:
            return math.inf
        return luts / lut_budget + (dsps / dsp_budget if dsps else 0) + brams / bram_budget


_EBR = ((256, 16), (512, 8), (1024, 4), (2048, 2))
# ECP5 DP16KD and Gowin BSRAM: 18 Kib, 36 bits wide as a simple dual port
_BRAM18K = ((512, 36), (1024, 18), (2048, 9), (4096, 4), (8192, 2), (16384, 1))
DEVICES = {
    "ice40-up": Device("iCE40 UP5K", (150, 1, 4), 16, _EBR),
    "ice40-hx": Device("iCE40 HX8K", (300, 0, 4), None, _EBR),
    "ecp5": Device("ECP5 LFE5U-85F", (150, 1, 1), 18, _BRAM18K),
    # Gowin (sigmoid_hw.flow.gowin): MULT18X18 blocks and 18 Kib BSRAM, as nextpnr-himbaechel counts them
    "gowin-gw1n": Device("Gowin GW1NR-9", (150, 1, 1), 18, _BRAM18K),
    "gowin-gw2a": Device("Gowin GW2A-18", (150, 1, 1), 18, _BRAM18K),
}
