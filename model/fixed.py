"""Fixed-point number formats in the vocabulary of Amaranth RFC 41.

``SQ(i_bits, f_bits)`` is a signed two's complement number of
``i_bits + f_bits`` bits, ``i_bits`` counting the sign bit, whose value is
``raw * 2**-f_bits``. ``UQ(i_bits, f_bits)`` is the unsigned counterpart.
``SQ(4, 12)`` is the 16-bit input of the default pipeline (range [-8, 8));
``UQ(0, 16)`` its output (range [0, 1)).

This module is the one description of a number format that both ``model/``
and ``hw/`` use. It is pure Python and numpy. Conversions from float are
explicit, round to nearest even unless another mode is named, and an
out-of-range value either saturates or raises, as the caller says.
"""

import math
from fractions import Fraction
import numbers

import numpy as np

__all__ = ["FixedFormat", "SQ", "UQ", "ROUNDING_MODES", "parse_format"]

ROUNDING_MODES = ("nearest_even", "nearest_up", "floor", "ceil", "trunc")


def _check_bits(name, value, minimum):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError("{} must be an integer, not {!r}".format(name, value))
    if value < minimum:
        raise ValueError("{} must be at least {}, not {!r}".format(name, minimum, value))
    return int(value)


def _round_fraction(value, mode):
    """Round an exact rational to an integer with the named mode."""
    if mode == "floor":
        return math.floor(value)
    if mode == "ceil":
        return math.ceil(value)
    if mode == "trunc":
        return math.trunc(value)
    if mode == "nearest_up":
        return math.floor(value + Fraction(1, 2))
    if mode == "nearest_even":
        return round(value)  # Fraction.__round__ rounds half to even
    raise ValueError("Rounding mode must be one of {}, not {!r}".format(ROUNDING_MODES, mode))


class FixedFormat:
    """A binary fixed-point format: ``raw * 2**-f_bits`` with ``width`` bits.

    Parameters
    ----------
    i_bits : int
        Integer bits, counting the sign bit for a signed format. An unsigned
        format may have a negative count: ``UQ(-1, 17)`` holds [0, 1/2) in 16 bits.
    f_bits : int
        Fraction bits.

    Members
    -------
    signed : bool
    width : int
        ``i_bits + f_bits``.
    min, max : int
        The smallest and largest raw value.
    resolution : Fraction
        The value of one unit in the last place, ``2**-f_bits``.

    Raises
    ------
    TypeError
        For bit counts that are not integers.
    ValueError
        For a width below 1 bit or above ``MAX_WIDTH``.
    """

    signed = None  # set by subclasses
    #: The widest format: far beyond any FPGA datapath, and it bounds run time (the
    #: threshold search on SQ(4,100000) ran for minutes; at 1024 bits it takes a second).
    MAX_WIDTH = 1024

    def __init__(self, i_bits, f_bits):
        # An unsigned format may have fewer integer bits than none (RFC 41 allows it):
        # UQ(-1, 17) is 16 bits for values in [0, 1/2); the width check below bounds it.
        # the messages name the format as written (SQ(0, 8): ...): from an option such as
        # --input-format the bare "i_bits must be at least 1" did not say where it came from
        try:
            if self.signed or not isinstance(i_bits, numbers.Integral) or i_bits >= 0:
                self._i_bits = _check_bits("i_bits", i_bits, 1 if self.signed else 0)
            else:
                self._i_bits = int(i_bits)
            self._f_bits = _check_bits("f_bits", f_bits, 0)
        except (TypeError, ValueError) as exc:
            raise type(exc)("{}({!r}, {!r}): {}".format(type(self).__name__, i_bits, f_bits,
                                                        exc)) from None
        if self._i_bits + self._f_bits < 1:
            raise ValueError("{}: width must be at least 1 bit, not {}".format(
                type(self).__name__, self._i_bits + self._f_bits))
        if self._i_bits + self._f_bits > self.MAX_WIDTH:
            raise ValueError("{}({}, {}): width must be at most {} bits, not {}".format(
                type(self).__name__, self._i_bits, self._f_bits, self.MAX_WIDTH,
                self._i_bits + self._f_bits))

    @property
    def i_bits(self):
        return self._i_bits

    @property
    def f_bits(self):
        return self._f_bits

    @property
    def width(self):
        return self._i_bits + self._f_bits

    @property
    def min(self):
        return -(1 << (self.width - 1)) if self.signed else 0

    @property
    def max(self):
        return (1 << (self.width - 1)) - 1 if self.signed else (1 << self.width) - 1

    @property
    def resolution(self):
        return Fraction(1, 1 << self._f_bits)

    @property
    def min_value(self):
        """The smallest representable value, exactly."""
        return Fraction(self.min, 1 << self._f_bits)

    @property
    def max_value(self):
        """The largest representable value, exactly."""
        return Fraction(self.max, 1 << self._f_bits)

    def raw_range(self):
        """All raw values of the format, in increasing order, as an int64 array."""
        return np.arange(self.min, self.max + 1, dtype=np.int64)

    def contains(self, raw):
        """Whether every raw integer in ``raw`` fits the format."""
        arr = np.asarray(raw)
        return bool(np.all((arr >= self.min) & (arr <= self.max)))

    def check_raw(self, raw, name="raw"):
        """Raise ValueError unless every value of ``raw`` is an integer in range."""
        arr = np.asarray(raw)
        if arr.dtype.kind not in "iu" and not (arr.dtype == object and all(
                isinstance(v, numbers.Integral) for v in arr.ravel())):
            raise TypeError("{} must be integers of {}, not {!r}".format(name, self, arr.dtype))
        if not self.contains(arr):
            bad = arr.ravel()[np.argmax((arr.ravel() < self.min) | (arr.ravel() > self.max))]
            raise ValueError("{} value {} is outside {} (raw range [{}, {}])".format(
                name, int(bad), self, self.min, self.max))
        return arr

    def from_float(self, value, *, rounding="nearest_even", overflow="raise"):
        """Convert a float, a ``Fraction`` or an array of floats to raw integers.

        Parameters
        ----------
        value : float, Fraction, int or array_like of float
        rounding : str
            One of ``ROUNDING_MODES``; round to nearest, ties to even, by default.
        overflow : ``"raise"`` or ``"saturate"``
            What to do with a value outside the format's range.

        Raises
        ------
        ValueError
            For NaN, for an out-of-range value with ``overflow="raise"``, or an
            unknown mode.
        """
        if rounding not in ROUNDING_MODES:
            raise ValueError("Rounding mode must be one of {}, not {!r}".format(
                ROUNDING_MODES, rounding))
        if overflow not in ("raise", "saturate"):
            raise ValueError("Overflow must be 'raise' or 'saturate', not {!r}".format(overflow))
        scalar = np.ndim(value) == 0
        values = [value] if scalar else list(np.asarray(value, dtype=object).ravel())
        out = []
        for v in values:
            if isinstance(v, (Fraction, numbers.Integral)) and not isinstance(v, bool):
                exact = Fraction(v)
            elif isinstance(v, numbers.Real) and not isinstance(v, bool):
                if math.isnan(v):
                    raise ValueError("Cannot convert NaN to {}".format(self))
                if math.isinf(v):
                    exact = None
                else:
                    exact = Fraction(float(v))
            else:
                raise TypeError("Value must be a real number, not {!r}".format(v))
            if exact is None:
                raw = self.max + 1 if v > 0 else self.min - 1
            else:
                raw = _round_fraction(exact * (1 << self._f_bits), rounding)
            if raw < self.min or raw > self.max:
                if overflow == "raise":
                    raise ValueError("Value {!r} is outside the range of {} [{}, {}]".format(
                        v, self, float(self.min_value), float(self.max_value)))
                raw = min(max(raw, self.min), self.max)
            out.append(raw)
        if scalar:
            return out[0]
        # formats wider than int64 keep Python ints (object arrays)
        dtype = np.int64 if self.width <= 63 else object
        return np.array(out, dtype=dtype).reshape(np.shape(value))

    def to_float(self, raw):
        """Raw integer(s) to float64 (exact for widths up to 53 bits)."""
        arr = np.asarray(raw)
        result = arr.astype(np.float64) * (2.0 ** -self._f_bits)
        return float(result) if np.ndim(raw) == 0 else result

    def to_fraction(self, raw):
        """One raw integer to its exact value."""
        return Fraction(int(raw), 1 << self._f_bits)

    def __eq__(self, other):
        return (type(self) is type(other) and self._i_bits == other._i_bits
                and self._f_bits == other._f_bits)

    def __hash__(self):
        return hash((type(self).__name__, self._i_bits, self._f_bits))

    def __repr__(self):
        return "{}({}, {})".format(type(self).__name__, self._i_bits, self._f_bits)


class SQ(FixedFormat):
    """Signed fixed point: ``i_bits`` (with the sign) integer and ``f_bits`` fraction bits."""
    signed = True


class UQ(FixedFormat):
    """Unsigned fixed point: ``i_bits`` integer and ``f_bits`` fraction bits."""
    signed = False


def parse_format(text):
    """Parse ``"SQ(4,12)"``, ``"sq4.12"``, ``"UQ(0,16)"`` or ``"UQ(-1,17)"`` into a format.

    Raises
    ------
    ValueError
        If the text names no format.
    """
    import re
    if not isinstance(text, str):
        raise TypeError("Format must be a string like 'SQ(4,12)', not {!r}".format(text))
    m = re.fullmatch(r"\s*([SsUu][Qq])\s*(?:\(\s*(-?\d+)\s*,\s*(\d+)\s*\)|(\d+)\.(\d+))\s*", text)
    if not m:
        raise ValueError("Format must look like 'SQ(4,12)' or 'UQ(0,16)', not {!r}".format(text))
    kind = SQ if m.group(1).upper() == "SQ" else UQ
    i_bits = int(m.group(2) if m.group(2) is not None else m.group(4))
    f_bits = int(m.group(3) if m.group(3) is not None else m.group(5))
    return kind(i_bits, f_bits)
