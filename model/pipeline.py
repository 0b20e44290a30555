"""The bit-exact integer model of the sigmoid pipeline: the specification the RTL must equal.

Data path (seed 001's method; every stage is a register stage in ``hw/``)::

    x (SQ(i,f) raw)
    1 fold     a = min(|x|, A_clamp)         sign = x < 0        sigmoid(-x) = 1 - sigmoid(x)
    2 reduce   n = #{k : a >= T_k}           T_k = ceil((k - 1/2) ln2 2^f)  (exact: no multiplier)
    3 offset   d = a 2^G - C_n               C_n = round(n ln2 2^(f+G))     y0 = pattern(n)
      [derived only: J+2 stages computing c_k = P_k(y0)/k! from y0 with multipliers]
    4.. Horner acc_K = c_K;  acc_k = (d * acc_{k+1} + A_k(n)) >> s_k,   k = K-1 .. 0
    last out   r = clamp(acc_0, 0, 2^F);  y = min(sign ? 2^F - r : r, 2^F - 1)

``A_k(n)`` is the coefficient aligned to the product's scale plus half a unit
of the stage's result (so ``>>`` rounds to nearest); for k = 0 it is the
bit-pattern reference y0 plus a per-n constant, and acc_0 *is* the output
rounded to F bits.

Coefficients. ``coefficients="table"``: the order-K Taylor polynomial p_n(t)
of sigmoid about n ln2 is re-expanded about the representable point C_n
(exactly the same polynomial, another basis), so d needs no guard bits (G=0):
``c'_k = sum_{j>=k} c_j binom(j, k) e_n^(j-k)`` with e_n = C_n - n ln2.
c'_k (k >= 1) are per-n constants; c'_0 = y0 + delta_n where y0 is the bit
pattern and delta_n a per-n constant folded into the rounding constant.
``coefficients="minimax"``: like "table", but each segment's polynomial is the
degree-K fit of least maximum error over the segment's inputs (Lawson's
algorithm) instead of the Taylor polynomial: c'_0 is still y0 (bit pattern)
plus a per-n constant, and the hardware is the same. Usually one order lower.
``coefficients="derived"``: c_k = P_k(y0)/k! computed from y0 by multipliers,
as the seed describes: u = y0 (1 - y0), t = 1 - 2 y0, powers u^j, and
P_k = sum_j alpha_kj u^j (odd k) or t sum_j beta_kj u^j (even k); d keeps G
guard bits since the polynomial is centred on n ln2 itself.

Error budget (in units of the output's last place, ulp = 2^-F). The value
before the final rounding differs from sigmoid(|x|) by at most ``E``::

    E = max_n [ approx_n                      Taylor remainder, Lagrange bound
              + sum_{k=1}^{K-1} h^k 2^-(F_k+1)  rounding of each Horner accumulator
              + sum_k h^k |c_k,q - c_k|        coefficient quantization (exact per n)
              + 2^-(P_0+1) or 2^-P_0           y0 / delta_n at the last product's scale
              + max|p'| 2^-(f+G+1)           (derived) the rounding of C_n ]

where h is the largest |d| that occurs. Widths are derived so that
E <= budget (1/4 ulp by default), so |y - 2^F sigmoid(x)| < 1/2 + E < 1:
faithful rounding, by construction; the exhaustive comparison proves it.
"""

from dataclasses import dataclass, field
from fractions import Fraction
import functools
import math
import numbers

import numpy as np

from model.bitpattern import reference_raw
from model.constants import LN2, ln2_multiple_floor
from model.derivatives import derivative_poly, poly_eval
from model.fixed import SQ, FixedFormat

__all__ = ["PipelineParams", "derive_params", "sigmoid_fixed", "plan_for", "Plan",
           "COEFFICIENT_SOURCES", "trace_fixed"]

COEFFICIENT_SOURCES = ("table", "derived", "minimax")
_MAX_ORDER = 12
_MAX_INT64_BITS = 62
_DERIVED_GUARD = 3   # fraction bits of a derived c_k beyond its accumulator's F_k


# --------------------------------------------------------------------------- helpers

def _exact_round(q):
    """Round a Fraction to nearest, ties up."""
    return math.floor(q + Fraction(1, 2))


def _bits_signed(lo, hi):
    """Bits of a two's complement number holding every integer in [lo, hi]."""
    bits = 1
    while not (-(1 << (bits - 1)) <= lo and hi <= (1 << (bits - 1)) - 1):
        bits += 1
    return bits


@functools.lru_cache(maxsize=None)
def _uv_basis(k):
    """P_k(y) = sum_j coef_j u^j (odd k) or t * sum_j coef_j u^j (even k).

    u = y(1-y), t = 1-2y. Returns the integer list ``coef`` (index j = 0..).
    Found by exact polynomial division; checked by expanding back.
    """
    p = list(derivative_poly(k))  # in y, lowest first

    def mul(a, b):
        out = [0] * (len(a) + len(b) - 1)
        for i, x in enumerate(a):
            for j, y in enumerate(b):
                out[i + j] += x * y
        return out

    def trim(a):
        a = list(a)
        while len(a) > 1 and a[-1] == 0:
            a.pop()
        return a

    u = [0, 1, -1]
    if k % 2 == 0:
        # divide by t = 1 - 2y exactly (Fractions), then express in u
        q = [Fraction(0)] * (len(p) - 1)
        rem = [Fraction(c) for c in p]
        for deg in range(len(p) - 1, 0, -1):
            coef = rem[deg] / -2
            q[deg - 1] = coef
            rem[deg] -= coef * -2
            rem[deg - 1] -= coef * 1
        assert all(r == 0 for r in rem), "P_k not divisible by 1-2y"
        p = q
    # express p(y) (symmetric about 1/2) in powers of u: repeatedly peel the top power
    p = trim([Fraction(c) for c in p])
    coefs = []
    powers = [[1]]
    while len(powers[-1]) <= len(p):
        powers.append(mul(powers[-1], u))
    degree_u = (len(p) - 1) // 2
    coefs = [Fraction(0)] * (degree_u + 1)
    rest = list(p)
    for j in range(degree_u, -1, -1):
        lead = rest[2 * j] / powers[j][2 * j] if 2 * j < len(rest) else Fraction(0)
        coefs[j] = lead
        for i, c in enumerate(powers[j]):
            rest[i] -= lead * c
    assert all(r == 0 for r in rest), "P_k is not a polynomial in u"
    assert all(c.denominator == 1 for c in coefs)
    return tuple(int(c) for c in coefs)


# --------------------------------------------------------------------------- parameters

@dataclass(frozen=True)
class PipelineParams:
    """Every choice that fixes the pipeline's arithmetic; ``derive_params`` fills the defaults.

    Members
    -------
    input_format : SQ
    output_bits : int
        Output is UQ(0, output_bits).
    order : int
        Taylor order K (K multiply-add stages).
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

    @property
    def plan(self):
        return plan_for(self)

    @property
    def latency(self):
        return self.plan.latency

    def describe(self):
        """One line naming the configuration."""
        return "{} -> UQ(0,{}), order {}, {} coefficients{}".format(
            self.input_format, self.output_bits, self.order, self.coefficients,
            ", registered products" if self.register_product else "")


def _check_int(name, value, lo, hi=None):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError("{} must be an integer, not {!r}".format(name, value))
    if value < lo or (hi is not None and value > hi):
        if hi is None:
            raise ValueError("{} must be at least {}, not {!r}".format(name, lo, value))
        raise ValueError("{} must be between {} and {}, not {!r}".format(name, lo, hi, value))
    return int(value)


def derive_params(input_format=None, output_bits=16, order=None, coefficients="table",
                  *, d_guard=None, acc_frac=None, coef_frac=None, budget=Fraction(1, 4),
                  register_product=False, _auto_order=False):
    """Choose every width from the error budget; validate the user's choices.

    Parameters
    ----------
    input_format : SQ
        Default ``SQ(4, 12)``. At most 8 integer and 24 fraction bits.
    output_bits : int
        F, 2 .. 32.
    order : int or None
        Taylor order 1 .. 12; ``None`` picks the smallest whose remainder is at
        most half the budget.
    coefficients : ``"table"``, ``"derived"`` or ``"minimax"``
        Taylor coefficients as per-n constants, Taylor coefficients computed
        from y0 by multipliers, or per-n minimax refits (same hardware as
        ``"table"``; not the seed's Taylor series, usually one order lower).
    d_guard, acc_frac, coef_frac : int, tuple of int, int, optional
        Override the derived widths (checked against the budget).
    budget : Fraction or float
        Bound on the error before the final rounding, in ulp; in (0, 1/2).
    register_product : bool
        Two cycles per Horner stage (product registered, then added).

    Raises
    ------
    TypeError, ValueError
        Naming the parameter and its value.
    """
    if input_format is None:
        input_format = SQ(4, 12)
    if not isinstance(input_format, SQ):
        raise TypeError("input_format must be an SQ format such as SQ(4, 12), not {!r}"
                        .format(input_format))
    if input_format.i_bits > 8:
        raise ValueError("input_format {!r} has more than 8 integer bits; sigmoid saturates "
                         "long before 2^7".format(input_format))
    if input_format.f_bits < 1 or input_format.f_bits > 24:
        raise ValueError("input_format {!r} must have between 1 and 24 fraction bits"
                         .format(input_format))
    output_bits = _check_int("output_bits", output_bits, 2, 32)
    if not isinstance(register_product, bool):
        raise TypeError("register_product must be a bool, not {!r}".format(register_product))
    if coefficients not in COEFFICIENT_SOURCES:
        raise ValueError("coefficients must be one of {}, not {!r}".format(
            COEFFICIENT_SOURCES, coefficients))
    if isinstance(budget, bool) or not isinstance(budget, (numbers.Real, Fraction)):
        raise TypeError("budget must be a number of ulp, not {!r}".format(budget))
    budget = Fraction(budget)
    if not (0 < budget < Fraction(1, 2)):
        raise ValueError("budget must be in (0, 1/2) ulp to guarantee faithful rounding, not {}"
                         .format(float(budget)))

    auto_order = order is None or _auto_order
    user_d_guard, user_acc_frac, user_coef_frac = d_guard, acc_frac, coef_frac
    ulp = Fraction(1, 1 << output_bits)
    geo = _geometry(input_format, output_bits, 0)
    h = geo["h"]

    if order is None:
        for k in range(1, _MAX_ORDER + 1):
            if _approx(input_format, output_bits, k, coefficients) <= budget / 2 * ulp:
                order = k
                break
        else:
            raise ValueError("no order up to {} meets the budget of {} ulp at output_bits={}"
                             .format(_MAX_ORDER, float(budget), output_bits))
    else:
        order = _check_int("order", order, 1, _MAX_ORDER)
    approx = _approx(input_format, output_bits, order, coefficients)
    if approx >= budget * ulp:
        raise ValueError("order={} leaves a Taylor remainder of {:.3g} ulp, above the budget of "
                         "{} ulp at output_bits={}; use a higher order".format(
                             order, float(approx / ulp), float(budget), output_bits))
    share = (budget * ulp - approx) / (order + 3)

    if d_guard is None:
        if coefficients != "derived":
            d_guard = 0
        else:
            d_guard = 0
            while Fraction(3, 10) / (1 << (input_format.f_bits + d_guard + 1)) > share:
                d_guard += 1
    else:
        d_guard = _check_int("d_guard", d_guard, 0, 24)

    if acc_frac is None:
        frac = [output_bits]
        for k in range(1, order + 1):
            f = 0
            while Fraction(h) ** k / (1 << (f + 1)) > share:
                f += 1
            if k == 1:
                f = max(f, _monotone_frac(input_format, output_bits, h))
            # the stage computing acc_(k-1) shifts its product right by
            # s = f + G + F_k - F_(k-1), which must be at least 1 (it rounds)
            f = max(f, frac[k - 1] - (input_format.f_bits + d_guard) + 1)
            frac.append(max(f, 1))
        acc_frac = tuple(frac)
    else:
        if not isinstance(acc_frac, (tuple, list)) or len(acc_frac) != order + 1:
            raise ValueError("acc_frac must be a tuple of order+1 = {} fraction widths "
                             "(F_0 .. F_K), not {!r}".format(order + 1, acc_frac))
        acc_frac = tuple(_check_int("acc_frac[{}]".format(k), v, 1, 60)
                         for k, v in enumerate(acc_frac))
        if acc_frac[0] != output_bits:
            raise ValueError("acc_frac[0] must equal output_bits={} (acc_0 is the output), "
                             "not {}".format(output_bits, acc_frac[0]))
        for k in range(order):
            product_frac = input_format.f_bits + d_guard + acc_frac[k + 1]
            if acc_frac[k] >= product_frac:
                raise ValueError("acc_frac[{}]={} must be less than the product's fraction bits "
                                 "{} (acc_frac[{}] + {} fraction bits of d)".format(
                                     k, acc_frac[k], product_frac, k + 1,
                                     input_format.f_bits + d_guard))

    if coefficients != "derived":
        if coef_frac not in (None, 0):
            raise ValueError("coef_frac applies only to coefficients='derived', not {!r}"
                             .format(coef_frac))
        coef_frac = 0
    elif coef_frac is None:
        # c_k is computed to F_k + 3 fraction bits (_plan_derived); 4 more for the products
        coef_frac = max(acc_frac) + _DERIVED_GUARD + 4
    else:
        coef_frac = _check_int("coef_frac", coef_frac, 4, 60)

    params = PipelineParams(input_format, output_bits, order, coefficients, d_guard,
                            tuple(acc_frac), coef_frac, budget, register_product)
    plan = plan_for(params)  # computes widths and the bound
    if plan.error_bound > budget:
        raise ValueError("these widths give an error bound of {:.4f} ulp before rounding, above "
                         "the budget of {} ulp (order={}, d_guard={}, acc_frac={}, coef_frac={})"
                         .format(float(plan.error_bound), float(budget), order, d_guard,
                                 acc_frac, coef_frac))
    if (auto_order and user_acc_frac is None and order < _MAX_ORDER
            and not _monotone_at_boundaries(params)):
        # The remainder changes sign across a segment boundary (d = +h to d = -h): where
        # that jump exceeds sigmoid's step, the output can step down. One more order.
        return derive_params(input_format, output_bits, order + 1, coefficients,
                             d_guard=user_d_guard, acc_frac=user_acc_frac,
                             coef_frac=user_coef_frac, budget=budget,
                             register_product=register_product, _auto_order=True)
    return params


def _monotone_at_boundaries(params, window=64):
    """The model is non-decreasing across every segment boundary (both signs)."""
    plan = plan_for(params)
    fmt = params.input_format
    xs = set()
    for t in plan.thresholds:
        for s in (1, -1):
            for v in range(s * t - window, s * t + window):
                if fmt.min <= v <= fmt.max:
                    xs.add(v)
    xs = np.array(sorted(xs), dtype=np.int64)
    y = trace_fixed(xs, params)["y"]
    consecutive = np.diff(xs) == 1
    return bool(np.all(np.diff(y)[consecutive] >= 0))


# --------------------------------------------------------------------------- geometry

@functools.lru_cache(maxsize=None)
def _geometry(input_format, output_bits, d_guard):
    """Thresholds, reduction constants and the range of d; exact."""
    f = input_format.f_bits
    a_max = -input_format.min  # |most negative input|
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
    c = [_exact_round(n * LN2 * (1 << (f + d_guard))) for n in range(n_max + 1)]
    bounds = [0] + thresholds + [a_top + 1]
    d_lo = min((bounds[n] << d_guard) - c[n] for n in range(n_max + 1))
    d_hi = max(((bounds[n + 1] - 1) << d_guard) - c[n] for n in range(n_max + 1))
    h = Fraction(max(-d_lo, d_hi), 1 << (f + d_guard))
    return {"a_max": a_max, "a_clamp": a_clamp, "a_top": a_top, "thresholds": tuple(thresholds),
            "n_max": n_max, "c": tuple(c), "d_lo": d_lo, "d_hi": d_hi, "h": h,
            "segments": tuple((bounds[n], bounds[n + 1] - 1) for n in range(n_max + 1))}


def _monotone_frac(input_format, output_bits, h):
    """Fraction bits of acc_1 that keep the output monotonic.

    acc_1's rounding error reaches the output multiplied by d alone, and it jumps
    from one input to the next (all other terms are smooth in d or far smaller).
    Where that jump, h 2^-(F_1+1), exceeds the increase of sigmoid between
    neighbouring inputs, sigmoid'(x) 2^-f, a rounding boundary between them can
    make the output step down. The smallest increase that matters is at the
    largest x before the output saturates, x = min(x_max, (F + 1) ln 2).
    """
    x_last = min(float(-input_format.min_value), (output_bits + 1) * math.log(2))
    y = 1 / (1 + math.exp(-x_last))
    step = y * (1 - y) * 2.0 ** -input_format.f_bits
    return max(0, math.ceil(math.log2(float(h) / step)) - 1)


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
def _approx_bound(input_format, output_bits, order):
    """Lagrange bound of the Taylor remainder over every segment (absolute)."""
    geo = _geometry(input_format, output_bits, 0)
    f = input_format.f_bits
    worst = Fraction(0)
    for n, (lo, hi) in enumerate(geo["segments"]):
        d_lo = Fraction(lo, 1 << f) - n * LN2
        d_hi = Fraction(hi, 1 << f) - n * LN2
        x_lo, x_hi = float(Fraction(lo, 1 << f)), float(Fraction(hi, 1 << f))
        y_lo, y_hi = 1 / (1 + math.exp(-x_lo)), 1 / (1 + math.exp(-x_hi))
        m = _max_abs_poly(order + 1, y_lo, y_hi) * 1.001  # float roots: keep a margin
        hh = max(abs(d_lo), abs(d_hi)) + Fraction(1, 1 << 40)
        bound = Fraction(m) * hh ** (order + 1) / math.factorial(order + 1)
        worst = max(worst, bound)
    return worst


def _approx(input_format, output_bits, order, coefficients):
    """Bound of the approximation error (absolute) for a coefficient source."""
    if coefficients == "minimax":
        return _minimax_fit(input_format, output_bits, order)[1]
    return _approx_bound(input_format, output_bits, order)


@functools.lru_cache(maxsize=None)
def _minimax_fit(input_format, output_bits, order, iterations=400):
    """Per segment, the degree-K polynomial in d (about C_n) of least maximum error.

    The maximum is taken over the segment's representable inputs (the points that
    matter), with Lawson's algorithm (iteratively reweighted least squares, which
    converges to the discrete minimax fit). sigmoid is evaluated in float64
    (relative error < 2^-52) and the fit's error is measured on every input,
    plus a margin of 2^-48 for that evaluation. Returns ``(coefficients per n as
    Fractions, bound)``.
    """
    geo = _geometry(input_format, output_bits, 0)
    f = input_format.f_bits
    fits = []
    worst = 0.0
    for n, (lo, hi) in enumerate(geo["segments"]):
        a = np.arange(lo, hi + 1, dtype=np.float64)
        d = (a - geo["c"][n]) * 2.0 ** -f
        y = 1.0 / (1.0 + np.exp(-a * 2.0 ** -f))
        scale = max(float(np.abs(d).max()), 2.0 ** -f)
        t = d / scale
        basis = np.vander(t, order + 1, increasing=True)
        w = np.full(len(t), 1.0 / len(t))
        best, best_err, since = None, np.inf, 0
        for _ in range(iterations):
            sw = np.sqrt(w)
            b, *_ = np.linalg.lstsq(basis * sw[:, None], y * sw, rcond=None)
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
        coeffs = [Fraction(float(best[k])) / Fraction(scale) ** k for k in range(order + 1)]
        # the error of the polynomial as stored (exact rationals), on every input
        c = np.array([float(v) for v in coeffs])
        err = float(np.abs(np.polynomial.polynomial.polyval(d, c) - y).max())
        worst = max(worst, err)
        fits.append(tuple(coeffs))
    return tuple(fits), Fraction(worst) + Fraction(1, 1 << 48)


# --------------------------------------------------------------------------- plan

@dataclass
class Plan:
    """Everything the model and the hardware build from ``PipelineParams``."""
    params: PipelineParams
    a_width: int = 0
    a_clamp: object = None
    thresholds: tuple = ()
    n_max: int = 0
    n_width: int = 1
    c_raw: tuple = ()
    d_frac: int = 0
    d_width: int = 0
    h: Fraction = Fraction(0)
    shifts: tuple = ()          # s_k for k = 0..K-1
    prod_frac: tuple = ()       # P_k = d_frac + F_{k+1}
    acc_width: tuple = ()       # signed widths of acc_0..acc_K
    acc_range: tuple = ()       # (lo, hi) raw of acc_0..acc_K
    addend: tuple = ()          # table: addend[k][n], k = 0..K-1 (k=0 excludes y0)
    acc_k_const: tuple = ()     # table: acc_K raw per n
    y0_frac: int = 0            # fraction bits of y0 in the last stage (= P_0)
    y0_raw: tuple = ()          # bit pattern of y0 per n at y0_frac bits
    derived: dict = field(default_factory=dict)
    coef_stages: int = 0
    latency: int = 0
    error_bound: Fraction = Fraction(0)   # ulp, before the final rounding
    error_terms: dict = field(default_factory=dict)
    wide: bool = False          # needs Python ints (object arrays) in the model


def _exact_taylor(n, order):
    y0 = Fraction(1 << n, (1 << n) + 1)
    return [poly_eval(derivative_poly(k), y0) / math.factorial(k) for k in range(order + 1)]


@functools.lru_cache(maxsize=None)
def plan_for(params):
    p = params
    fmt = p.input_format
    f = fmt.f_bits
    K = p.order
    F = p.acc_frac
    G = p.d_guard
    ulp = Fraction(1, 1 << p.output_bits)
    geo = _geometry(fmt, p.output_bits, G)
    plan = Plan(params=p)
    plan.a_clamp = geo["a_clamp"]
    plan.a_width = max(geo["a_top"].bit_length(), 1)
    plan.thresholds = geo["thresholds"]
    plan.n_max = geo["n_max"]
    plan.n_width = max(plan.n_max.bit_length(), 1)
    plan.c_raw = geo["c"]
    plan.d_frac = f + G
    plan.d_width = _bits_signed(geo["d_lo"], geo["d_hi"])
    plan.h = geo["h"]
    h = plan.h
    plan.prod_frac = tuple(plan.d_frac + F[k + 1] for k in range(K))
    plan.shifts = tuple(plan.prod_frac[k] - F[k] for k in range(K))
    plan.y0_frac = plan.prod_frac[0]
    plan.y0_raw = tuple(reference_raw(n, plan.y0_frac) for n in range(plan.n_max + 1))

    # exact (to 2^-290) coefficients, re-expanded about C_n for table mode
    coef_exact = []
    fits = _minimax_fit(fmt, p.output_bits, K)[0] if p.coefficients == "minimax" else None
    for n in range(plan.n_max + 1):
        if fits is not None:
            coef_exact.append(list(fits[n]))
            continue
        c = _exact_taylor(n, K)
        if p.coefficients == "table":
            e = Fraction(plan.c_raw[n], 1 << plan.d_frac) - n * LN2
            c = [sum(c[j] * math.comb(j, k) * e ** (j - k) for j in range(k, K + 1))
                 for k in range(K + 1)]
        coef_exact.append(c)

    terms = {"approximation": _approx(fmt, p.output_bits, K, p.coefficients) / ulp,
             "horner_rounding": sum(h ** k / (1 << (F[k] + 1)) for k in range(1, K)) / ulp}
    if p.coefficients in ("table", "minimax"):
        addend = []
        for k in range(K):
            row = []
            for n in range(plan.n_max + 1):
                if k == 0:
                    delta = coef_exact[n][0] - Fraction(plan.y0_raw[n], 1 << plan.y0_frac)
                    q = _exact_round(delta * (1 << plan.y0_frac))
                else:
                    q = _exact_round(coef_exact[n][k] * (1 << plan.prod_frac[k]))
                row.append(q + (1 << (plan.shifts[k] - 1)))
            addend.append(tuple(row))
        plan.addend = tuple(addend)
        plan.acc_k_const = tuple(_exact_round(coef_exact[n][K] * (1 << F[K]))
                                 for n in range(plan.n_max + 1))
        # each constant rounded at its product's scale; c_K at F_K; delta_n at y0's scale
        coef_err = (sum(h ** k / (1 << (plan.prod_frac[k] + 1)) for k in range(1, K))
                    + h ** K / (1 << (F[K] + 1)) + Fraction(1, 1 << (plan.y0_frac + 1)))
        terms["reduction"] = Fraction(0)
    else:
        _plan_derived(plan, coef_exact)
        coef_err = plan.derived["max_coef_error"]
        # d = a - C_n is off by |e_n| <= 2^-(f+G+1); sigmoid' <= 1/4, polynomial slope a bit more
        terms["reduction"] = Fraction(3, 10) / (1 << (plan.d_frac + 1)) / ulp
    terms["coefficients"] = coef_err / ulp

    # accumulator ranges: exact per n over the segment's d range, plus rounding slack
    ranges = [None] * (K + 1)
    for n, (lo, hi) in enumerate(geo["segments"]):
        dl = Fraction((lo << G) - plan.c_raw[n], 1 << plan.d_frac)
        dh = Fraction((hi << G) - plan.c_raw[n], 1 << plan.d_frac)
        c = coef_exact[n]
        for k in range(K + 1):
            # |acc_k| <= sum_{j>=k} |c_j| h^(j-k) about the centre; evaluate at both ends too
            vals = [sum(c[j] * dd ** (j - k) for j in range(k, K + 1)) for dd in (dl, dh)]
            bound = sum(abs(c[j]) * max(abs(dl), abs(dh)) ** (j - k) for j in range(k, K + 1))
            lo_v = min(vals + [-bound]) if any(v < 0 for v in vals) else min(vals)
            hi_v = max(vals + [bound])
            lo_r = math.floor(lo_v * (1 << F[k])) - 2
            hi_r = math.ceil(hi_v * (1 << F[k])) + 2
            if ranges[k] is None:
                ranges[k] = (lo_r, hi_r)
            else:
                ranges[k] = (min(ranges[k][0], lo_r), max(ranges[k][1], hi_r))
    plan.acc_range = tuple(ranges)
    plan.acc_width = tuple(_bits_signed(lo, hi) for lo, hi in ranges)
    plan.error_terms = {k: v for k, v in terms.items()}
    plan.error_bound = sum(terms.values())
    plan.coef_stages = plan.derived.get("stages", 0)
    # fold 1, reduce 2 (n, d), [derived coefficients], Horner K + 1 (load + K), output 1
    plan.latency = 1 + 2 + plan.coef_stages + (K + 1) + 1 + (K if p.register_product else 0)
    widest = max(plan.d_width + w for w in plan.acc_width) + 2
    widest = max([widest] + [plan.derived.get("widest", 0)])
    plan.wide = widest > _MAX_INT64_BITS
    return plan


def _plan_derived(plan, coef_exact):
    """Schedule and constants of the derived-coefficient unit; its exact errors per n."""
    p = plan.params
    K = p.order
    Fw = p.coef_frac
    Fa = Fw  # fraction bits of the constant multipliers alpha_kj / k!
    J = (K + 1) // 2
    # c_k needs only a little more precision than acc_k itself (its error reaches the
    # output multiplied by d^k, like acc_k's rounding); the addend aligns it to the
    # product's scale with zeros. Computing it to the product's scale instead would
    # need ~44-bit multipliers for the default.
    targets = [min(plan.prod_frac[k], p.acc_frac[k] + _DERIVED_GUARD) if k < K
               else p.acc_frac[K] for k in range(K + 1)]
    consts = {}
    for k in range(1, K + 1):
        basis = _uv_basis(k)
        consts[k] = tuple(_exact_round(Fraction(b, math.factorial(k)) * (1 << Fa))
                          for b in basis)
    y0_w = tuple(reference_raw(n, Fw) for n in range(plan.n_max + 1))
    plan.derived = {"Fw": Fw, "Fa": Fa, "J": J, "consts": consts, "targets": tuple(targets),
                    "align": tuple(plan.prod_frac[k] - targets[k] if k < K else 0
                                   for k in range(K + 1)),
                    "y0_raw": y0_w, "stages": J + 2}
    # exact error of each derived coefficient, per n, by running the integer recipe
    h = plan.h
    worst = Fraction(0)
    for n in range(plan.n_max + 1):
        cs = _derived_coeffs_int(plan, y0_w[n])
        err = Fraction(0)
        for k in range(1, K + 1):
            q = Fraction(cs[k], 1 << targets[k])
            err += h ** k * abs(q - coef_exact[n][k])
        y0q = Fraction(plan.y0_raw[n], 1 << plan.y0_frac)
        err += abs(y0q - coef_exact[n][0])
        worst = max(worst, err)
    plan.derived["max_coef_error"] = worst
    plan.derived["widest"] = 2 * (Fw + 2) + 4


def _rshift_round(v, s):
    return (v + (1 << (s - 1))) >> s if s > 0 else v << (-s)


def _derived_coeffs_int(plan, y0, xp=None):
    """The derived-coefficient recipe on integers (scalar ints or numpy arrays).

    Returns ``[None, c_1, ..., c_K]`` with c_k at ``targets[k]`` fraction bits.
    Exactly the hardware's operations, stage by stage.
    """
    d = plan.derived
    Fw, Fa, J, K = d["Fw"], d["Fa"], d["J"], plan.params.order
    one = 1 << Fw
    # stage 1
    u = _rshift_round(y0 * (one - y0), Fw)
    t = one - 2 * y0
    # stages 2 .. J: powers
    powers = [None, u]
    for j in range(2, J + 1):
        powers.append(_rshift_round(powers[j - 1] * u, Fw))
    # stage J+1: constant combinations (frac Fw + Fa), rounded to Fw for even k
    lin = {}
    for k in range(1, K + 1):
        acc = 0
        for j, a in enumerate(d["consts"][k]):
            if a:
                acc = acc + powers[j] * a if j > 0 else acc + a * one
        lin[k] = acc
    # stage J+2: multiply by t for even k; round every coefficient to its target
    out = [None]
    for k in range(1, K + 1):
        tgt = d["targets"][k]
        if k % 2 == 0:
            lk = _rshift_round(lin[k], Fa)
            out.append(_rshift_round(t * lk, 2 * Fw - tgt))
        else:
            out.append(_rshift_round(lin[k], Fw + Fa - tgt))
    return out


# --------------------------------------------------------------------------- the model

def _as_array(raw_x, plan):
    arr = np.asarray(raw_x)
    if arr.dtype.kind not in "iu":
        if arr.dtype == object and all(isinstance(v, numbers.Integral) for v in arr.ravel()):
            arr = arr.astype(np.int64)
        else:
            raise TypeError("raw_x must be integers (raw {} values), not {!r}".format(
                plan.params.input_format, arr.dtype))
    fmt = plan.params.input_format
    if arr.size and (arr.min() < fmt.min or arr.max() > fmt.max):
        bad = int(arr.ravel()[np.argmax((arr.ravel() < fmt.min) | (arr.ravel() > fmt.max))])
        raise ValueError("raw_x value {} is outside {} (raw range [{}, {}])".format(
            bad, fmt, fmt.min, fmt.max))
    arr = arr.astype(np.int64)
    return arr.astype(object) if plan.wide else arr


def trace_fixed(raw_x, params=None):
    """Run the model and return every intermediate signal (dict of arrays).

    Keys: ``sign``, ``a``, ``n``, ``d``, ``y0``, ``acc_K`` .. ``acc_0``, ``y``;
    for derived coefficients also ``c_1`` .. ``c_K``. The hardware registers
    hold exactly these values; tests and waveforms compare against them.
    """
    if params is None:
        params = derive_params()
    if not isinstance(params, PipelineParams):
        raise TypeError("params must be PipelineParams (from derive_params), not {!r}"
                        .format(params))
    plan = plan_for(params)
    p = params
    K = p.order
    F = p.output_bits
    x = _as_array(raw_x, plan)
    sign = x < 0
    a = np.where(sign, -x, x)
    if plan.a_clamp is not None:
        a = np.minimum(a, plan.a_clamp)
    n = np.zeros(np.shape(a), dtype=np.int64)
    for t in plan.thresholds:
        n += (a >= t)
    c_tab = np.array(plan.c_raw, dtype=object if plan.wide else np.int64)
    d = (a << p.d_guard) - c_tab[n]
    dtype = object if plan.wide else np.int64
    out = {"sign": sign, "a": a, "n": n, "d": d}
    if p.coefficients != "derived":
        y0 = np.array(plan.y0_raw, dtype=dtype)[n]
        acc = np.array(plan.acc_k_const, dtype=dtype)[n]
        addends = [np.array(row, dtype=dtype)[n] for row in plan.addend]
        addends[0] = addends[0] + y0
    else:
        y0w = np.array(plan.derived["y0_raw"], dtype=dtype)[n]
        cs = _derived_coeffs_int(plan, y0w)
        for k in range(1, K + 1):
            out["c_{}".format(k)] = cs[k]
        y0 = np.array(plan.y0_raw, dtype=dtype)[n]
        acc = cs[K]
        addends = [None] * K
        addends[0] = y0 + (1 << (plan.shifts[0] - 1))
        for k in range(1, K):
            addends[k] = (cs[k] << plan.derived["align"][k]) + (1 << (plan.shifts[k] - 1))
    out["y0"] = y0
    out["acc_{}".format(K)] = acc
    for k in range(K - 1, -1, -1):
        acc = (d * acc + addends[k]) >> plan.shifts[k]
        out["acc_{}".format(k)] = acc
    r = np.minimum(np.maximum(acc, 0), 1 << F)
    y = np.minimum(np.where(sign, (1 << F) - r, r), (1 << F) - 1)
    out["y"] = np.asarray(y).astype(np.int64)
    return out


def sigmoid_fixed(raw_x, params=None):
    """The pipeline's output for raw inputs, bit for bit (vectorized).

    Parameters
    ----------
    raw_x : int or array_like of int
        Raw values of ``params.input_format``.
    params : PipelineParams, optional
        Default ``derive_params()``.

    Returns
    -------
    numpy.ndarray of int64 (or an int for a scalar input)
        Raw UQ(0, output_bits) values.
    """
    y = trace_fixed(raw_x, params)["y"]
    return int(y) if np.ndim(raw_x) == 0 else y
