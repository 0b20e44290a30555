"""The tests' independent oracle for the comparator: exact decisions with mpmath at 60 digits.

``sigmoid(x) > t`` is monotonic in x, so for a threshold t the exact decision
over a format's inputs is one boundary B (the smallest passing raw value),
found here by bisection with mpmath, independently of ``model.threshold``.
"""

from fractions import Fraction

import mpmath

__all__ = ["DPS", "mp_threshold", "mp_passes", "mp_boundary"]

DPS = 60


def mp_threshold(t):
    """t as an mpmath number: a float, int, Fraction, or ``(raw, UQ format)``."""
    with mpmath.workdps(DPS):
        if isinstance(t, tuple):
            raw, fmt = t
            return mpmath.mpf(raw) / mpmath.mpf(2) ** fmt.f_bits
        if isinstance(t, Fraction):
            return mpmath.mpf(t.numerator) / mpmath.mpf(t.denominator)
        return mpmath.mpf(t)          # floats and ints are exact in mpmath


def mp_passes(raw, mt, f_bits):
    """The exact decision sigmoid(raw 2^-f_bits) > mt."""
    with mpmath.workdps(DPS):
        x = mpmath.mpf(raw) / mpmath.mpf(2) ** f_bits
        return 1 / (1 + mpmath.exp(-x)) > mt


def mp_boundary(t, fmt):
    """Smallest raw in [min, max + 1] whose exact decision passes (max + 1: none passes)."""
    mt = mp_threshold(t)
    lo, hi = fmt.min, fmt.max + 1
    while lo < hi:
        mid = (lo + hi) // 2
        if mp_passes(mid, mt, fmt.f_bits):
            hi = mid
        else:
            lo = mid + 1
    return lo
