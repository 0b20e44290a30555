"""The range reduction's geometry: thresholds, constants C_n and the range of d, exactly.

``a = |x|`` (clamped where every output rounds to 1) is split into segments
``n = round(a / ln2)``: n is the number of thresholds
``T_k = ceil((k - 1/2) ln2 2^f)`` that a reaches (never equal, since
``(k - 1/2) ln2`` is irrational), and ``d = a 2^G - C_n`` with
``C_n = round(n ln2 2^(f+G))``.
"""

import functools
from dataclasses import dataclass
from fractions import Fraction

from sigmoid_hw.model.constants import LN2, ln2_multiple_floor
from sigmoid_hw.model.intmath import round_half_up

__all__ = ["Geometry", "geometry"]


@dataclass(frozen=True)
class Geometry:
    """Members
    -------
    a_max : int
        |most negative raw input|.
    a_clamp : int or None
        ``a`` is clamped to this raw value (None: no clamp needed).
    a_top : int
        The largest ``a`` after the clamp.
    thresholds : tuple of int
        Raw ``T_1 .. T_nmax``.
    n_max : int
    c : tuple of int
        ``C_n`` at ``f + G`` fraction bits, n = 0 .. n_max.
    d_lo, d_hi : int
        The smallest and largest raw d (``f + G`` fraction bits).
    h : Fraction
        The largest |d| as a value.
    segments : tuple of (int, int)
        The raw range of ``a`` of every segment n.
    """
    a_max: int
    a_clamp: object
    a_top: int
    thresholds: tuple
    n_max: int
    c: tuple
    d_lo: int
    d_hi: int
    h: Fraction
    segments: tuple


@functools.lru_cache(maxsize=None)
def geometry(input_format, output_bits, d_guard):
    """The ``Geometry`` of an input format, output width and guard bits of d."""
    f = input_format.f_bits
    a_max = -input_format.min
    # Beyond (F+3) ln2, 1 - sigmoid < 2^-(F+3): every output rounds to 1 (or 0): clamp there.
    clamp = ln2_multiple_floor(output_bits + 3, 1, f) + 1
    a_clamp = clamp if clamp < a_max else None
    a_top = a_max if a_clamp is None else a_clamp
    thresholds = []
    k = 1
    while True:
        t = ln2_multiple_floor(2 * k - 1, 2, f) + 1   # ceil((k - 1/2) ln2 2^f), never exact
        if t > a_top:
            break
        thresholds.append(t)
        k += 1
    n_max = len(thresholds)
    c = tuple(round_half_up(n * LN2 * (1 << (f + d_guard))) for n in range(n_max + 1))
    bounds = [0] + thresholds + [a_top + 1]
    d_lo = min((bounds[n] << d_guard) - c[n] for n in range(n_max + 1))
    d_hi = max(((bounds[n + 1] - 1) << d_guard) - c[n] for n in range(n_max + 1))
    h = Fraction(max(-d_lo, d_hi), 1 << (f + d_guard))
    return Geometry(a_max, a_clamp, a_top, tuple(thresholds), n_max, c, d_lo, d_hi, h,
                    tuple((bounds[n], bounds[n + 1] - 1) for n in range(n_max + 1)))
