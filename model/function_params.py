"""``UnitParams``: how tanh, sigmoid', SiLU (and the sigmoid) are computed from one sigmoid core.

Every function is the same three steps around ``sigmoid_hw.model.trace.sigmoid_fixed``
(the core, ``core`` parameters), FloPoCo-style: an input map, one
post-operation, a final rounding.

* input map: the core's raw input is ``x << input_shift`` (the sigmoid of x,
  or of 2x for tanh: x in SQ(i, f) has the raw bits of 2x in SQ(i+1, f-1));
* post-operation, on the core's raw output S (UQ(0, Fc)):
  ``P = S * b`` with ``b`` = 1 (sigmoid, tanh), ``2^Fc - S`` (sigmoid') or
  the raw x (SiLU), one multiplier shared by every function; ``V = P +
  offset`` (``-2^(Fc-1)`` for tanh, 0 otherwise);
* final rounding: ``y = clip((V + fix 2^shift + half) >> shift, lo, hi)``
  (``half`` = 2^(shift-1), none when shift is 0: then the core's own rounding is
  the last, and so is its correct rounding); ``fix`` is +-1 for the few inputs of
  ``corrections`` (correct rounding), 0 otherwise.

The error before the final rounding, in output ulp, with ``|S - 2^Fc s| < 1``
(the core is faithful; at the top it saturates to 2^Fc - 1, still < 1 ulp
from s < 1) and ``E_core`` that bound::

    sigmoid, tanh : E_core 2^-shift            (V - 2^Fc s (+ offset) = S - 2^Fc s)
    sigmoid'      : E_core 2^(F_out - Fc)      (|S(M-S) - s(M-s)| = |S-s| |M-S-s| <= M |S-s|)
    SiLU          : |x_raw| E_core 2^-shift    (|x S - x s| = |x| |S - s|)

with ``shift = 0`` the core's ``plan.error_bound`` instead (its rounding is
final). ``sigmoid_hw.model.functions.function_bound`` evaluates these.
"""

from dataclasses import dataclass

from sigmoid_hw.model.fixed import FixedFormat
from sigmoid_hw.model.params import PipelineParams

__all__ = ["FunctionMap", "UnitParams"]


@dataclass(frozen=True)
class FunctionMap:
    """One function of a unit: its input map, post-operation and final rounding.

    Members
    -------
    function : ``"sigmoid"``, ``"tanh"``, ``"dsigmoid"`` or ``"silu"``
    output_format : SQ or UQ
    input_shift : int
        The core's raw input is ``x << input_shift``.
    multiplier : ``"one"``, ``"complement"`` or ``"x"``
        The post-multiplier's second operand b: 1, ``2^Fc - S`` or x.
    offset : int
        Added to the product (``-2^(Fc-1)`` for tanh).
    shift : int
        Bits dropped by the final rounding (0: the core's rounding is final).
    lo, hi : int
        Saturation range of the raw output (``sigmoid_hw.model.function_exact.saturation_range``).
    corrections : tuple of (int, int)
        ``(x_raw, delta)``: inputs whose final rounding gets ``delta`` more
        units (correct rounding, ``sigmoid_hw.model.function_rounding``).
    bound : Fraction
        Proven error before the final rounding, output ulp.
    """
    function: str
    output_format: FixedFormat
    input_shift: int
    multiplier: str
    offset: int
    shift: int
    lo: int
    hi: int
    corrections: tuple
    bound: object

    def with_corrections(self, corrections):
        """The same map with another correction table."""
        return FunctionMap(self.function, self.output_format, self.input_shift,
                           self.multiplier, self.offset, self.shift, self.lo, self.hi,
                           tuple(corrections), self.bound)


@dataclass(frozen=True)
class UnitParams:
    """Every choice that fixes a unit's arithmetic: the core and one map per function.

    Members
    -------
    input_format : SQ
        Format of x.
    maps : tuple of FunctionMap
        In the order of ``functions``; the word's ``function`` field indexes it.
    core : PipelineParams
        The sigmoid core (input format wide enough for every map).
    rounding : ``"faithful"`` or ``"correct"``
    """
    input_format: FixedFormat
    maps: tuple
    core: PipelineParams
    rounding: str

    @property
    def functions(self):
        return tuple(m.function for m in self.maps)

    @property
    def output_formats(self):
        return tuple(m.output_format for m in self.maps)

    @property
    def core_bits(self):
        """Fc, the core's output fraction bits."""
        return self.core.output_bits

    def describe(self):
        """One line naming the configuration."""
        return "{} -> {}, {} rounding; core {}".format(
            self.input_format, ", ".join("{} {}".format(m.function, m.output_format)
                                         for m in self.maps), self.rounding,
            self.core.describe())
