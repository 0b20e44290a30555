"""The approximation on each segment and its error bound (before any fixed-point rounding).

Three coefficient sources, each giving per segment n the exact (rational)
coefficients of a polynomial in d:

* ``"table"``: the order-K Taylor polynomial of sigmoid about ``n ln2``,
  re-expanded about the representable point ``C_n`` (the same polynomial in
  another basis, ``c'_k = sum_j c_j binom(j, k) e_n^(j-k)``,
  ``e_n = C_n - n ln2``), so d needs no guard bits;
* ``"derived"``: the Taylor coefficients about ``n ln2`` themselves (the
  hardware computes them from y0, see ``sigmoid_hw.model.derived``);
* ``"minimax"``: per segment, the degree-K fit of least maximum error over the
  segment's representable inputs (Lawson's algorithm).

The Taylor bound is Lagrange's, ``max|P_(K+1)| h^(K+1) / (K+1)!``, with the
maximum of the derivative polynomial found at its critical points.
"""

import functools
import math
from fractions import Fraction

import numpy as np

from sigmoid_hw.model.constants import LN2
from sigmoid_hw.model.derivatives import derivative_poly, poly_eval
from sigmoid_hw.model.geometry import geometry

__all__ = ["approximation_error", "segment_coefficients", "taylor_coefficients_exact",
           "minimax_fit"]


def taylor_coefficients_exact(n, order):
    """``c_k = P_k(y0) / k!`` about ``n ln2``, exact, with ``y0 = 2^n / (2^n + 1)``."""
    y0 = Fraction(1 << n, (1 << n) + 1)
    return [poly_eval(derivative_poly(k), y0) / math.factorial(k) for k in range(order + 1)]


@functools.lru_cache(maxsize=None)
def _max_abs_poly(k, y_lo, y_hi):
    """max |P_k(y)| on [y_lo, y_hi]: at an end point or a real critical point."""
    coeffs = [float(c) for c in derivative_poly(k)]
    deriv = np.polynomial.polynomial.polyder(coeffs)
    candidates = [y_lo, y_hi]
    for r in np.polynomial.polynomial.polyroots(deriv):
        if abs(r.imag) < 1e-9 and y_lo <= r.real <= y_hi:
            candidates.append(r.real)
    vals = np.abs(np.polynomial.polynomial.polyval(np.array(candidates), coeffs))
    return float(vals.max())


@functools.lru_cache(maxsize=None)
def _taylor_bound(input_format, output_bits, order):
    """Lagrange bound of the Taylor remainder over every segment (absolute)."""
    geo = geometry(input_format, output_bits, 0)
    f = input_format.f_bits
    worst = Fraction(0)
    for n, (lo, hi) in enumerate(geo.segments):
        d_lo = Fraction(lo, 1 << f) - n * LN2
        d_hi = Fraction(hi, 1 << f) - n * LN2
        x_lo, x_hi = float(Fraction(lo, 1 << f)), float(Fraction(hi, 1 << f))
        y_lo, y_hi = 1 / (1 + math.exp(-x_lo)), 1 / (1 + math.exp(-x_hi))
        m = _max_abs_poly(order + 1, y_lo, y_hi) * 1.001  # float roots: keep a margin
        hh = max(abs(d_lo), abs(d_hi)) + Fraction(1, 1 << 40)
        bound = Fraction(m) * hh ** (order + 1) / math.factorial(order + 1)
        worst = max(worst, bound)
    return worst


def approximation_error(input_format, output_bits, order, coefficients):
    """Bound of the approximation error (absolute, not ulp) for a coefficient source."""
    if coefficients == "minimax":
        return minimax_fit(input_format, output_bits, order)[1]
    return _taylor_bound(input_format, output_bits, order)


@functools.lru_cache(maxsize=None)
def minimax_fit(input_format, output_bits, order, iterations=400):
    """Per segment, the degree-K polynomial in d (about C_n) of least maximum error.

    The maximum is taken over the segment's representable inputs (the points that
    matter), with Lawson's algorithm (iteratively reweighted least squares, which
    converges to the discrete minimax fit). sigmoid is evaluated in float64
    (relative error < 2^-52) and the fit's error is measured on every input,
    plus a margin of 2^-48 for that evaluation. Returns ``(coefficients per n as
    Fractions, bound)``.
    """
    geo = geometry(input_format, output_bits, 0)
    f = input_format.f_bits
    fits = []
    worst = 0.0
    for n, (lo, hi) in enumerate(geo.segments):
        a = np.arange(lo, hi + 1, dtype=np.float64)
        d = (a - geo.c[n]) * 2.0 ** -f
        y = 1.0 / (1.0 + np.exp(-a * 2.0 ** -f))
        domain = [float(d.min()), float(d.max())]
        if domain[1] - domain[0] < 2.0 ** -f:
            domain[1] = domain[0] + 2.0 ** -f
        t = (2 * d - domain[0] - domain[1]) / (domain[1] - domain[0])
        # Chebyshev basis on the segment mapped to [-1, 1]: well conditioned, so the
        # weighted normal equations (a (K+1)-square solve per iteration) are accurate
        basis = np.polynomial.chebyshev.chebvander(t, order)
        w = np.full(len(t), 1.0 / len(t))
        best, best_err, since = None, np.inf, 0
        for _ in range(iterations):
            bw = basis * w[:, None]
            b = np.linalg.lstsq(bw.T @ basis, bw.T @ y, rcond=None)[0]
            e = np.abs(basis @ b - y)
            m = float(e.max())
            if m < best_err * (1 - 1e-4):
                since = 0
            else:
                since += 1
                if since > 30:   # converged: no 0.01 % gain in 30 iterations
                    break
            if m < best_err:
                best, best_err = b, m
            w = w * e
            total = w.sum()
            if total == 0:
                break
            w /= total
        mono = np.polynomial.Chebyshev(best, domain=domain).convert(
            kind=np.polynomial.Polynomial).coef
        mono = np.concatenate([mono, np.zeros(order + 1 - len(mono))])
        coeffs = [Fraction(float(mono[k])) for k in range(order + 1)]
        # the error of the polynomial as stored (exact rationals), on every input
        c = np.array([float(v) for v in coeffs])
        err = float(np.abs(np.polynomial.polynomial.polyval(d, c) - y).max())
        worst = max(worst, err)
        fits.append(tuple(coeffs))
    return tuple(fits), Fraction(worst) + Fraction(1, 1 << 48)


def segment_coefficients(input_format, output_bits, order, coefficients, geo, d_frac):
    """Exact coefficients of each segment's polynomial in d, as lists of Fractions.

    ``geo`` is the geometry the reduction uses and ``d_frac`` the fraction bits
    of its d (``C_n`` is at that scale).
    """
    if coefficients == "minimax":
        return [list(c) for c in minimax_fit(input_format, output_bits, order)[0]]
    out = []
    for n in range(geo.n_max + 1):
        c = taylor_coefficients_exact(n, order)
        if coefficients == "table":
            e = Fraction(geo.c[n], 1 << d_frac) - n * LN2
            c = [sum(c[j] * math.comb(j, k) * e ** (j - k) for j in range(k, order + 1))
                 for k in range(order + 1)]
        out.append(c)
    return out
