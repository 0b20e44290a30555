"""Exact-enough constants for elaboration: ln 2 as a rational with a certified error.

``LN2`` is ln 2 to within 2**-300, from ln 2 = sum_{k>=1} 1 / (k 2^k) summed
in integer arithmetic with every term truncated (each truncation loses < 1
unit of 2**-320) and the tail bounded by 2**-(K-1) / K. Decisions such as
``a >= (k - 1/2) ln 2`` for a rational ``a`` of a few dozen bits are exact,
because (k - 1/2) ln 2 is irrational and we never need it closer than 2**-64.
"""

from fractions import Fraction

__all__ = ["LN2", "LN2_ERROR", "ln2_multiple_floor"]

_SCALE_BITS = 320


def _ln2_scaled():
    one = 1 << _SCALE_BITS
    total = 0
    k = 1
    while True:
        term = one // (k << k)
        if term == 0:
            break
        total += term
        k += 1
    return total, k


_LN2_RAW, _TERMS = _ln2_scaled()
LN2 = Fraction(_LN2_RAW, 1 << _SCALE_BITS)
LN2_ERROR = Fraction(_TERMS + 1, 1 << _SCALE_BITS) + Fraction(1, 1 << 300)


def ln2_multiple_floor(numerator, denominator, f_bits):
    """``floor(numerator/denominator * ln2 * 2**f_bits)``, exactly.

    Raises
    ------
    ArithmeticError
        If the certified interval cannot decide (never for f_bits <= 200).
    """
    q = Fraction(numerator, denominator) * (1 << f_bits)
    lo = (LN2 - LN2_ERROR) * q
    hi = (LN2 + LN2_ERROR) * q
    if q < 0:
        lo, hi = hi, lo
    lo_i, hi_i = lo.numerator // lo.denominator, hi.numerator // hi.denominator
    if lo_i != hi_i:
        raise ArithmeticError("ln2 is not precise enough for this floor")
    return lo_i
