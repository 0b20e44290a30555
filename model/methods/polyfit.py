"""Numerics of the piecewise method: the segment grid, a discrete minimax fit per segment, the
coefficients' LSBs and their storage (``sigmoid_hw.model.methods.piecewise``).

Floats are fine here: the fit only has to be good; the plan's proof is the
exhaustive integer evaluation.
"""

import math

import numpy as np

__all__ = ["split", "segment_grid", "minimax_fit", "choose_lsbs", "quantize", "signed_bits",
           "field", "horner_wide", "problem_fit"]


def split(segment_bits, domain_bits, u):
    """``(segment, t)`` of ``u``: the top bits (the extra point in the last segment) and the
    centred offset."""
    m = domain_bits - segment_bits
    seg = np.minimum(u >> m, (1 << segment_bits) - 1)
    t = u - (seg << m) - (1 << (m - 1))
    return seg, t


def signed_bits(lo, hi):
    """Bits of a two's complement number holding ``lo .. hi``."""
    return max((v if v >= 0 else ~v).bit_length() + 1 for v in (int(lo), int(hi)))


def field(values):
    """``(bits, prefix)``: how one coefficient is stored.

    Values of one sign share ``prefix`` above their ``bits`` low bits: the
    word holds ``C - prefix 2^bits`` unsigned and the gateware appends the
    constant. Values of both signs are stored as ``bits``-bit two's
    complement (``prefix`` None).
    """
    lo, hi = min(values), max(values)
    if lo < 0 <= hi:
        return signed_bits(lo, hi), None
    low = 0
    while (lo >> low) != (hi >> low):
        low += 1
    return low, lo >> low


def segment_grid(problem, segment_bits, domain_bits):
    """Per segment its points' ``z`` and ``h 2^f_out`` (``S x P``), and the mask of real points."""
    S, m = 1 << segment_bits, domain_bits - segment_bits
    P = (1 << m) + 1
    u = np.arange(problem.hi - problem.lo + 1, dtype=np.int64)
    seg, t = split(segment_bits, domain_bits, u)
    col = t + (1 << (m - 1))
    z = np.zeros((S, P))
    h = np.zeros((S, P))
    mask = np.zeros((S, P), dtype=bool)
    z[seg, col] = t / float(1 << m)
    h[seg, col] = problem.exact
    mask[seg, col] = True
    return z, h, mask


# a grid of more points than this (inputs above 21 bits) is fitted on every stride-th point
# of each segment (FIT_POINTS + 1, or fewer to keep about FIT_GRID in all, at least
# FIT_MIN_POINTS + 1) and measured on all of them
FIT_GRID = 1 << 20
FIT_POINTS = 1 << 10
FIT_MIN_POINTS = 1 << 4


def minimax_fit(z, h, mask, degree, iterations=40):
    """Discrete minimax coefficients per segment (Lawson), and their max error on every point.

    A grid of more than ``FIT_GRID`` points is fitted on ``FIT_POINTS + 1`` (or fewer, about
    ``FIT_GRID`` in all) evenly spaced points per segment (a 24-bit input's 2^23 points at 40
    iterations take minutes) and its error measured on all of them: the plan's bound uses
    that measured error.
    """
    P = z.shape[1]
    points = max(FIT_MIN_POINTS, min(FIT_POINTS, FIT_GRID // z.shape[0]))
    if z.size <= FIT_GRID or P <= points + 1:
        c = _lawson(z, h, mask, degree, iterations)
        # the error on the real points, with the coefficients as they are
        err = np.abs((z[..., None] ** np.arange(degree + 1) @ c[..., None])[..., 0] - h) * mask
        return c, float(err.max())
    cols = np.arange(0, P, (P - 1) // points)    # P - 1 and points powers of 2: the last is one
    c = _lawson(z[:, cols], h[:, cols], mask[:, cols], degree, iterations)
    p = np.repeat(c[:, degree:degree + 1], P, axis=1)   # Horner on every point
    for j in range(degree - 1, -1, -1):
        p = p * z + c[:, j:j + 1]
    return c, float((np.abs(p - h) * mask).max())


def _lawson(z, h, mask, degree, iterations):
    """The coefficients of ``minimax_fit`` (per segment, ``S x (degree + 1)``)."""
    V = z[..., None] ** np.arange(degree + 1)
    centre = (h * mask).sum(axis=1, keepdims=True) / mask.sum(axis=1, keepdims=True)
    target = (h - centre) * mask
    w = mask / mask.sum(axis=1, keepdims=True)
    best_c, best_e = None, None
    for _ in range(iterations):
        Vw = np.swapaxes(V * w[..., None], 1, 2)
        A = Vw @ V
        b = Vw @ target[..., None]
        # a tiny ridge: a segment the polynomial fits exactly leaves no weight
        ridge = 1e-13 * np.trace(A, axis1=1, axis2=2)[:, None, None] + 1e-300
        c = np.linalg.solve(A + ridge * np.eye(degree + 1), b)[..., 0]
        r = np.abs((V @ c[..., None])[..., 0] - target) * mask
        e = r.max(axis=1)
        if best_c is None:
            best_c, best_e = c.copy(), e.copy()
        else:
            better = e < best_e
            best_c[better], best_e[better] = c[better], e[better]
        w = w * r
        w = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-300)
        # keep every point in play a little (a singular system otherwise)
        w = np.maximum(w, 1e-9 * w.max(axis=1, keepdims=True)) * mask
    best_c[:, 0] += centre[:, 0]
    return best_c


def choose_lsbs(degree, budget, t_bits):
    """``F_0 .. F_d``: the cheapest whose rounding terms sum to at most ``budget``."""
    weights = [(1.0 if j < degree else 0.5) * 2.0 ** -j for j in range(degree + 1)]
    equal = [max(1 if j == 0 else -64,
                 math.ceil(math.log2((degree + 1) * weights[j] / budget)))
             for j in range(degree + 1)]
    best, best_cost = None, None
    ranges = [range(max(1 if j == 0 else -64, equal[j] - 3), equal[j] + 2)
              for j in range(degree + 1)]
    for F in _product(ranges):
        if sum(w * 2.0 ** -f for w, f in zip(weights, F)) > budget:
            continue
        cost = sum(f * (1 + (t_bits if j > 0 else 0)) for j, f in enumerate(F))
        if best is None or cost < best_cost:
            best, best_cost = tuple(F), cost
    return best


def _product(ranges):
    if not ranges:
        yield ()
        return
    for head in ranges[0]:
        for rest in _product(ranges[1:]):
            yield (head,) + rest


def quantize(c, F, degree):
    """``C_j = round(c_j 2^F_j + b_j)`` per segment (module docstring)."""
    out = []
    for j in range(degree + 1):
        bias = 0.5 if j < degree else 0.0
        if j == 0:
            bias += 2.0 ** (F[0] - 1)
        out.append(tuple(int(v) for v in np.round(c[:, j] * 2.0 ** F[j] + bias)))
    return tuple(out)


def horner_wide(coefficients, t_bits, shifts):
    """Whether a step of the piecewise Horner scheme may leave int64: ``|acc_j|`` bounded from
    the coefficients (``coefficients[j]`` per segment) and ``|t| <= 2^(t_bits - 1)``, with
    ``acc_j = C_j + floor(acc_(j+1) t / 2^shifts[j])`` (a floor adds at most 1)."""
    degree = len(coefficients) - 1
    acc = max(abs(int(v)) for v in coefficients[degree])
    for j in range(degree - 1, -1, -1):
        prod, p = acc << (t_bits - 1), shifts[j]
        shifted = (prod >> p) + 1 if p >= 0 else prod << -p
        acc = max(abs(int(v)) for v in coefficients[j]) + shifted
        if max(prod, shifted, acc).bit_length() > 62:
            return True
    return False


# Minimax fits shared by every plan of a process (generate derives the same fits for several
# candidates): keyed by what fixes the fitted values (the spec, the fold, the domain) and the
# grid, the coefficients read-only.
_FITS = {}
_FITS_KEPT = 512


def problem_fit(problem, degree, segment_bits, domain_bits):
    """``minimax_fit`` of ``problem`` on ``2^segment_bits`` segments, remembered."""
    key = (problem.spec, repr(problem.fold), problem.lo, problem.hi, degree, segment_bits,
           domain_bits)
    fit = _FITS.get(key)
    if fit is None:
        c, err = minimax_fit(*segment_grid(problem, segment_bits, domain_bits), degree)
        c.setflags(write=False)
        if len(_FITS) >= _FITS_KEPT:
            _FITS.pop(next(iter(_FITS)))
        fit = _FITS[key] = (c, err)
    return fit
