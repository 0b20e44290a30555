"""The tests' one independent oracle: exact sigmoid with mpmath at 60 digits.

Nothing here uses the project's code, so a test that compares against it
compares against the mathematics, not against ``model/``. ``sigmoid(x) > t``
is monotonic in x, so for a threshold t the exact decision over a format's
inputs is one boundary B (the smallest passing raw value), found here by
bisection, independently of ``sigmoid_hw.model.threshold``.
"""

from fractions import Fraction

import mpmath

__all__ = ["DPS", "sigmoid", "sigmoid_raw", "sigmoid_scaled", "rounded", "limit",
           "mp_threshold", "mp_passes", "mp_boundary"]

DPS = 60


def sigmoid(x):
    """1 / (1 + e^-x) for an mpmath number (or anything mpmath takes exactly)."""
    with mpmath.workdps(DPS):
        return 1 / (1 + mpmath.exp(-mpmath.mpf(x)))


def sigmoid_raw(raw, f_bits):
    """sigmoid(raw 2^-f_bits), raw an integer."""
    with mpmath.workdps(DPS):
        return sigmoid(mpmath.mpf(int(raw)) / mpmath.mpf(2) ** f_bits)


def sigmoid_scaled(raw, f_bits, out_bits):
    """2^out_bits sigmoid(raw 2^-f_bits): the exact output in units of the last place."""
    with mpmath.workdps(DPS):
        return mpmath.mpf(2) ** out_bits * sigmoid_raw(raw, f_bits)


def rounded(raw, f_bits, out_bits, saturate=True):
    """The correctly rounded raw output (ties never occur), saturated at 2^out_bits - 1."""
    with mpmath.workdps(DPS):
        r = int(mpmath.floor(sigmoid_scaled(raw, f_bits, out_bits) + mpmath.mpf(1) / 2))
    return min(r, (1 << out_bits) - 1) if saturate else r


def limit(t, f_bits):
    """Smallest raw x with sigmoid(x 2^-f) > t: floor(2^f logit(t)) + 1 (0 < t < 1)."""
    with mpmath.workdps(DPS):
        t = mpmath.mpf(t)
        if t == mpmath.mpf(1) / 2:
            return 1   # logit(1/2) = 0 exactly; sigmoid(0) = 1/2 is not above t
        return int(mpmath.floor(mpmath.log(t / (1 - t)) * 2 ** f_bits)) + 1


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
        return sigmoid_raw(raw, f_bits) > mt


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
