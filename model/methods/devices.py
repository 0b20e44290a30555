"""The devices the piecewise method's cost model weighs: one reference device per family.

``Device.blocks`` counts the block RAMs of a ``depth x width`` table in the
best of the RAM's read shapes, ``Device.multiplier`` the DSP blocks of a
signed product (operands cut into chunks of the native width, low chunks
unsigned, as ``hw.timing.chunks`` does) or, without DSPs, its ``a x b``
array of LUTs. The totals are the reference device's; a plan's cost is its
share of them (``model.methods.piecewise.PiecewisePlan.cost``).
"""

from dataclasses import dataclass
import math

__all__ = ["Device", "DEVICES"]


@dataclass(frozen=True)
class Device:
    """The resources of a family's reference device, for the cost model.

    Members
    -------
    name : str
    luts, dsps, brams : int
    native : int or None
        Signed bits of a DSP multiplier's operands (None: multipliers in logic).
    bram_shapes : tuple of (depth, width)
        The block RAM's read shapes.
    """
    name: str
    luts: int
    dsps: int
    brams: int
    native: object
    bram_shapes: tuple

    def blocks(self, depth, width):
        return min(math.ceil(depth / d) * math.ceil(width / w) for d, w in self.bram_shapes)

    def multiplier(self, a_bits, b_bits):
        """``(dsps, luts)`` of one signed ``a_bits x b_bits`` product."""
        if self.native is None:
            return 0, a_bits * b_bits

        def parts(bits):
            return 1 if bits <= self.native else 1 + math.ceil((bits - self.native)
                                                               / (self.native - 1))
        return parts(a_bits) * parts(b_bits), 0


_EBR = ((256, 16), (512, 8), (1024, 4), (2048, 2))
DEVICES = {
    "ice40-up": Device("iCE40 UP5K", 5280, 8, 30, 16, _EBR),
    "ice40-hx": Device("iCE40 HX8K", 7680, 0, 32, None, _EBR),
    "ecp5": Device("ECP5 LFE5U-85F", 83640, 156, 208, 18,
                   ((512, 36), (1024, 18), (2048, 9), (4096, 4), (8192, 2), (16384, 1))),
    # Gowin (flow.gowin): MULT18X18 blocks and 18 Kib BSRAM, as nextpnr-himbaechel counts them
    "gowin-gw1n": Device("Gowin GW1NR-9", 8640, 20, 26, 18,
                         ((512, 36), (1024, 18), (2048, 9), (4096, 4), (8192, 2), (16384, 1))),
    "gowin-gw2a": Device("Gowin GW2A-18", 20736, 48, 46, 18,
                         ((512, 36), (1024, 18), (2048, 9), (4096, 4), (8192, 2), (16384, 1))),
}
