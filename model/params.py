"""``PipelineParams``: every choice that fixes the pipeline's arithmetic (frozen).

``sigmoid_hw.model.widths.derive_params`` fills in the widths from the error budget and
checks the user's overrides; ``sigmoid_hw.model.plan.plan_for`` turns a parameter set
into the plan that the model and the gateware build from.
"""

import dataclasses
from dataclasses import dataclass
from fractions import Fraction

from sigmoid_hw.model.fixed import FixedFormat, UQ

__all__ = ["PipelineParams", "COEFFICIENT_SOURCES", "ROUNDING_MODES"]

COEFFICIENT_SOURCES = ("table", "derived", "minimax")
ROUNDING_MODES = ("faithful", "correct")


@dataclass(frozen=True)
class PipelineParams:
    """Every choice that fixes the pipeline's arithmetic; ``derive_params`` fills the defaults.

    Members
    -------
    input_format : SQ
    output_bits : int
        Output is UQ(0, output_bits).
    order : int
        Polynomial order K (K multiply-add stages).
    coefficients : ``"table"``, ``"derived"`` or ``"minimax"``
    d_guard : int
        Guard bits G of the reduced argument d (0 with table coefficients).
    acc_frac : tuple of int
        Fraction bits F_0 .. F_K of the Horner accumulators (F_0 = output_bits).
    coef_frac : int
        Working fraction bits of the derived-coefficient unit (0 for table).
    budget : Fraction
        The bound, in output ulp, that the value before the final rounding meets.
    register_product : bool
        Register each Horner product before its addition (two cycles per
        multiply-add: higher Fmax, K more cycles of latency, same arithmetic).
    rounding : ``"faithful"`` or ``"correct"``
        ``"correct"``: every output is the exact result rounded to nearest
        (``sigmoid_hw.model.rounding``).
    corrections : tuple of (int, int)
        ``(a, delta)``: for the folded input ``a = |x|`` the last accumulator
        gets ``delta`` (+1 or -1) units more; found by ``sigmoid_hw.model.rounding`` for
        ``rounding="correct"``, empty otherwise.
    """
    input_format: FixedFormat
    output_bits: int
    order: int
    coefficients: str
    d_guard: int
    acc_frac: tuple
    coef_frac: int
    budget: Fraction = Fraction(1, 4)
    register_product: bool = False
    rounding: str = "faithful"
    corrections: tuple = ()

    @property
    def output_format(self):
        """``UQ(0, output_bits)``: y = raw / 2^output_bits."""
        return UQ(0, self.output_bits)

    def _replace_corrections(self, corrections):
        """The same parameters with another correction table."""
        return dataclasses.replace(self, corrections=tuple(corrections))

    def describe(self):
        """One line naming the configuration."""
        return "{} -> UQ(0,{}), order {}, {} coefficients, {} rounding{}".format(
            self.input_format, self.output_bits, self.order, self.coefficients, self.rounding,
            ", registered products" if self.register_product else "")
