"""The seed's float Taylor method, ``sigmoid_hw`` (seed 001), and its error table.

For an input x:

1. take the nearest ``x0 = n ln2`` (``n = round(x / ln2)``), so
   ``d = x - n ln2`` and ``|d| <= ln2 / 2``;
2. ``y0 = sigmoid(x0) = 2^n / (2^n + 1)`` comes from the periodic bit pattern
   (``sigmoid_hw.model.bitpattern``), or exactly;
3. the Taylor coefficients are ``c_k = P_k(y0) / k!`` (``sigmoid_hw.model.derivatives``);
4. ``sigmoid(x) ~ sum_k c_k d^k``, by Horner's rule.

This is the floating-point reading of the method, the one the seed's MATLAB
``test.m`` measures; the fixed-point pipeline is ``sigmoid_hw.model.pipeline``. The
coefficients are computed exactly (``Fraction``) from ``y0`` and rounded to
float64 once; everything after that is float64.
"""

from fractions import Fraction
import functools
import math

import numpy as np

from sigmoid_hw.model.bitpattern import reference_value
from sigmoid_hw.model.derivatives import taylor_coefficients
from sigmoid_hw.model.reference import sigmoid
from sigmoid_hw.model.validate import check_choice, check_int, check_real

__all__ = ["LN2", "MAX_ABS_X", "SEED_MAX_ERROR", "nearest_n", "coefficients",
           "sigmoid_hw", "sigmoid_taylor", "error_table"]

LN2 = math.log(2.0)

#: Inputs beyond this are refused: sigmoid is 0 or 1 in float64 long before,
#: and 2**n stays a reasonable integer.
MAX_ABS_X = 1100.0

#: Worst error of the float Taylor method for |x| < 12, by order K, as printed
#: in the project's SEEDS.md (the figures ``error_table`` reproduces).
SEED_MAX_ERROR = {1: 5.75e-3, 2: 8.57e-4, 3: 7.57e-5, 4: 1.03e-5,
                  5: 9.77e-7, 6: 1.25e-7, 7: 1.10e-8, 8: 1.52e-9}


def _check_order(order):
    return check_int("order", order, 0)


def _check_pattern(pattern_bits, rounding):
    if pattern_bits is not None:
        pattern_bits = check_int("pattern_bits", pattern_bits, 1)
    check_choice("rounding", rounding, ("truncate", "nearest"))
    return pattern_bits


def _check_x(x):
    arr = np.asarray(x, dtype=np.float64)
    bad = ~(np.abs(arr) <= MAX_ABS_X)  # also catches NaN and inf
    if np.any(bad):
        raise ValueError("x must be finite with |x| <= {}, not {!r}".format(
            MAX_ABS_X, float(arr.ravel()[np.argmax(bad.ravel())])))
    return arr


def nearest_n(x):
    """``round(x / ln2)`` (ties to even) as an int64 array, or an int for a scalar."""
    arr = _check_x(x)
    n = np.rint(arr / LN2).astype(np.int64)
    return int(n) if n.ndim == 0 else n


def _y0(n, pattern_bits, rounding):
    """sigmoid(n ln2) exactly, or from ``pattern_bits`` bits of its pattern."""
    if pattern_bits is None:
        return Fraction(1 << n, (1 << n) + 1) if n >= 0 else Fraction(1, 1 + (1 << -n))
    return reference_value(n, pattern_bits, rounding)


@functools.lru_cache(maxsize=4096)
def _coefficients(n, order, pattern_bits, rounding):
    return tuple(float(c) for c in taylor_coefficients(_y0(n, pattern_bits, rounding), order))


def coefficients(n, order, pattern_bits=None, rounding="truncate"):
    """Taylor coefficients ``[c_0, ..., c_order]`` about ``n ln2`` as floats.

    Parameters
    ----------
    n : int
    order : int
        The Taylor order K (>= 0).
    pattern_bits : int or None
        ``None``: ``y0`` is the exact ``2^n / (2^n + 1)``. An integer: ``y0``
        is that many fraction bits of the pattern (the seed's ``byteNum``).
    rounding : ``"truncate"`` or ``"nearest"``
        How the pattern is cut (only with ``pattern_bits``).
    """
    n = check_int("n", n)
    order = _check_order(order)
    pattern_bits = _check_pattern(pattern_bits, rounding)
    return list(_coefficients(int(n), order, pattern_bits, rounding))


def sigmoid_hw(x, order=5, pattern_bits=None, rounding="truncate"):
    """The seed's ``sigmoid_hw`` for one input: ``(val, taylorSeries)``.

    Parameters
    ----------
    x : float
        |x| <= ``MAX_ABS_X``.
    order, pattern_bits, rounding
        As for ``coefficients``.

    Returns
    -------
    val : float
        ``sum_k c_k d^k`` by Horner's rule, ``d = x - n ln2``.
    taylor_series : list of float
        ``[c_0, ..., c_order]`` about the nearest ``n ln2``.

    Raises
    ------
    TypeError, ValueError
        For a bad order, pattern length or rounding, or x out of range.
    """
    if np.ndim(x) != 0:
        raise TypeError("x must be a scalar, not {!r}; use sigmoid_taylor for arrays".format(x))
    n = nearest_n(x)
    c = coefficients(n, order, pattern_bits, rounding)
    d = float(x) - n * LN2
    acc = 0.0
    for ck in reversed(c):
        acc = acc * d + ck
    return acc, c


def sigmoid_taylor(x, order=5, pattern_bits=None, rounding="truncate"):
    """``sigmoid_hw``'s value for a scalar or an array of inputs (vectorized).

    Same arithmetic, element by element, as ``sigmoid_hw``; returns a float
    for a scalar and a float64 array otherwise.
    """
    order = _check_order(order)
    pattern_bits = _check_pattern(pattern_bits, rounding)
    arr = _check_x(x)
    n = np.rint(arr / LN2).astype(np.int64)
    d = arr - n * LN2
    ns, index = np.unique(n, return_inverse=True)
    table = np.array([_coefficients(int(k), order, pattern_bits, rounding) for k in ns])
    table = table.reshape(len(ns), order + 1)
    acc = np.zeros(arr.shape)
    for k in range(order, -1, -1):
        acc = acc * d + table[index.reshape(arr.shape), k]
    return float(acc) if acc.ndim == 0 else acc


def error_table(orders=range(1, 9), limit=12.0, points=240001, pattern_bits=None,
                rounding="truncate"):
    """Worst absolute error of the float Taylor method on ``|x| < limit``.

    The grid is ``points`` evenly spaced inputs on [-limit, limit] (the ends
    left out), plus the interval edges ``(n +- 1/2) ln2`` inside it, where
    ``|d|`` is largest; the error is against ``sigmoid_hw.model.reference.sigmoid``.

    Returns
    -------
    list of dict
        One per order: ``order``, ``max_error``, ``bits`` (``-log2`` of the
        error) and ``x_at_max``.
    """
    points = check_int("points", points, 2)
    limit = float(check_real("limit", limit, 0, MAX_ABS_X, open_lo=True))
    grid = np.linspace(-limit, limit, int(points))[1:-1]
    k_max = int(limit / LN2) + 1
    edges = (np.arange(-k_max, k_max + 1) + 0.5) * LN2
    # just inside each edge on both sides, so the nearest n is unambiguous
    edges = np.concatenate([np.nextafter(edges, -np.inf), np.nextafter(edges, np.inf)])
    x = np.concatenate([grid, edges[np.abs(edges) < limit]])
    exact = sigmoid(x)
    rows = []
    for order in orders:
        err = np.abs(sigmoid_taylor(x, order, pattern_bits, rounding) - exact)
        i = int(np.argmax(err))
        rows.append({"order": int(order), "max_error": float(err[i]),
                     "bits": float(-math.log2(err[i])), "x_at_max": float(x[i])})
    return rows
