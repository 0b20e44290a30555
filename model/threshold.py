"""The exact threshold limit: decide ``sigmoid(x) > t`` without computing the sigmoid.

Seed 000: sigmoid is strictly increasing, so ``sigmoid(x) > t`` holds exactly
when ``x > logit(t)``, ``logit(t) = ln(t / (1 - t))``. For a fixed-point input
``x = raw * 2**-f`` the whole decision is one integer comparison,
``raw >= L``, with the limit

    L = floor(logit(t) * 2**f) + 1       (clamped to [min, max + 1])

the smallest raw value strictly above the boundary. This module computes L
*exactly*: t is taken as the exact rational it denotes (a float is an exact
binary fraction), and ``logit(t) * 2**f`` is enclosed between two integers
scaled by ``2**prec``, computed with ``ln(a/b) = k ln 2 + 2 atanh(z)``,
``z = (m - 1)/(m + 1) < 1/3``, whose series terms are rounded down for the
lower bound, up for the upper bound, plus a bound on the tail. If the floor is
not yet decided the precision doubles. It always ends: ``logit(t)`` is
irrational for every rational t other than 1/2 (ln of a rational r != 1 is
transcendental, Lindemann), so it is never an exact multiple of ``2**-f``;
t = 1/2 (logit 0) is handled exactly on its own. Pure integer arithmetic, no
float and no mpmath, so the result never depends on a libm.

Limit semantics, for an input format with raw range ``[min, max]``:

* ``L = min``: every input passes (also for any ``t <= 0``, and ``t = -inf``).
* ``L = max + 1``: no input passes (also for any ``t >= 1``, and ``t = +inf``).
  It is one past the largest raw value, so the limit needs ``width + 1``
  bits (``limit_shape``); the hardware compares in that width.
* otherwise ``min < L <= max`` and exactly the inputs ``raw >= L`` pass.

Accepted forms of ``t`` (see ``exact_threshold``): ``int``, ``float``,
``fractions.Fraction`` (any ``numbers.Rational``), numpy integers and floats,
``decimal.Decimal``, all taken at their exact value; and a raw fixed-point
value as the pair ``(raw, fmt)``, e.g. ``(0x8000, UQ(0, 16))`` for 1/2, the
same as ``threshold_from_raw(0x8000, UQ(0, 16))``. NaN and complex numbers
raise ``ValueError``; ``bool``, strings and other types raise ``TypeError``.

``naive_limit`` is the seed's float formula ``-ln(1/t - 1)`` with the seed's
comparison ``x > logit``; ``naive_counterexamples`` finds thresholds where it
decides wrongly (for SQ(4, 12) they exist: see docs/threshold.md).
"""

import decimal
from fractions import Fraction
import math
import numbers

from sigmoid_hw.model.fixed import FixedFormat, SQ
from sigmoid_hw.model.validate import check_instance

__all__ = [
    "exact_threshold", "threshold_from_raw", "logit_bounds", "threshold_limit",
    "limit_shape", "naive_logit", "naive_limit", "naive_counterexamples",
]

DEFAULT_FORMAT = SQ(4, 12)


def _check_format(input_format):
    return check_instance("input_format", input_format, FixedFormat,
                          "a fixed-point format such as SQ(4, 12)")


def threshold_from_raw(raw, fmt):
    """The exact threshold ``raw * 2**-fmt.f_bits`` given as a fixed-point word.

    Parameters
    ----------
    raw : int
        The word, e.g. ``0x8000``.
    fmt : FixedFormat
        Its format, e.g. ``UQ(0, 16)`` (the pipeline's output format).

    Returns
    -------
    Fraction
    """
    if not isinstance(fmt, FixedFormat):
        raise TypeError("Threshold format must be a fixed-point format such as UQ(0, 16), not {!r}"
                        .format(fmt))
    if not isinstance(raw, numbers.Integral) or isinstance(raw, bool):
        raise TypeError("Threshold raw value must be an integer, not {!r}".format(raw))
    if not fmt.min <= raw <= fmt.max:
        raise ValueError("Threshold raw value {} is outside {} (raw range [{}, {}])"
                         .format(raw, fmt, fmt.min, fmt.max))
    return fmt.to_fraction(int(raw))


def exact_threshold(t):
    """The exact value of a threshold: a ``Fraction``, or ``±math.inf``.

    Raises
    ------
    TypeError
        If ``t`` is not a number (or is a ``bool``).
    ValueError
        If ``t`` is NaN or not real.
    """
    if isinstance(t, bool):
        raise TypeError("Threshold must be a real number, not {!r}".format(t))
    if isinstance(t, tuple):
        if len(t) != 2:
            raise TypeError("Threshold tuple must be (raw, format), not {!r}".format(t))
        return threshold_from_raw(*t)
    if isinstance(t, numbers.Rational):
        return Fraction(int(t.numerator), int(t.denominator))
    if isinstance(t, (numbers.Real, decimal.Decimal)):
        if t != t:
            raise ValueError("Threshold must be a real number other than NaN, not {!r}".format(t))
        if t in (math.inf, -math.inf):
            return math.inf if t > 0 else -math.inf
        if isinstance(t, decimal.Decimal) and t.is_infinite():
            return math.inf if t > 0 else -math.inf
        num, den = t.as_integer_ratio()
        return Fraction(int(num), int(den))
    if isinstance(t, numbers.Complex):
        raise ValueError("Threshold must be a real number, not {!r}".format(t))
    raise TypeError("Threshold must be a real number, not {!r}".format(t))


def _atanh_scaled(num, den, prec):
    """Integers ``lo <= atanh(num/den) * 2**prec <= hi`` for ``0 <= num/den < 1/3``."""
    zlo = (num << prec) // den
    zhi = zlo + (1 if (num << prec) % den else 0)
    z2lo, z2hi = zlo * zlo, zhi * zhi
    plo, phi = zlo, zhi      # bounds of z**(2j+1) * 2**prec
    slo = shi = 0
    j = 0
    while phi > 1:
        slo += plo // (2 * j + 1)
        shi += -(-phi // (2 * j + 1))
        j += 1
        plo = (plo * z2lo) >> (2 * prec)
        phi = -((-phi * z2hi) >> (2 * prec))
    # Tail sum_{i>=j} z^(2i+1)/(2i+1) <= z^(2j+1)/(2j+1) / (1 - z^2), z^2 < 1/9.
    shi += -(-phi * 9 // (8 * (2 * j + 1)))
    return slo, shi


def _ln_scaled(a, b, prec):
    """Integers ``lo <= ln(a/b) * 2**prec <= hi`` for positive integers a, b."""
    k = a.bit_length() - b.bit_length()
    if (a if k >= 0 else a << -k) < (b << k if k >= 0 else b):
        k -= 1
    big_a, big_b = (a, b << k) if k >= 0 else (a << -k, b)   # a/b = 2**k * A/B, A/B in [1, 2)
    mlo, mhi = _atanh_scaled(big_a - big_b, big_a + big_b, prec)
    l2lo, l2hi = _atanh_scaled(1, 3, prec)                   # ln 2 = 2 atanh(1/3)
    if k >= 0:
        return 2 * (mlo + k * l2lo), 2 * (mhi + k * l2hi)
    return 2 * (mlo + k * l2hi), 2 * (mhi + k * l2lo)


def logit_bounds(t, prec=64):
    """Rationals ``lo <= logit(t) <= hi`` with ``hi - lo`` about ``2**-prec``, for 0 < t < 1.

    Parameters
    ----------
    t : threshold in any accepted form (see ``exact_threshold``)
    prec : int
        Bits after the binary point.

    Returns
    -------
    (Fraction, Fraction)
    """
    q = exact_threshold(t)
    if not (isinstance(q, Fraction) and 0 < q < 1):
        raise ValueError("logit is finite only for 0 < t < 1, not {!r}".format(t))
    lo, hi = _ln_scaled(q.numerator, q.denominator - q.numerator, prec)
    return Fraction(lo, 1 << prec), Fraction(hi, 1 << prec)


def threshold_limit(t, input_format=DEFAULT_FORMAT):
    """The limit L such that ``raw >= L`` exactly when ``sigmoid(raw * 2**-f) > t``.

    Parameters
    ----------
    t : int, float, Fraction, Decimal or (raw, format)
        The threshold, taken at its exact value (see ``exact_threshold``).
    input_format : FixedFormat
        The format of the compared input, ``SQ(4, 12)`` by default.

    Returns
    -------
    int
        In ``[input_format.min, input_format.max + 1]``: ``min`` means every
        input passes, ``max + 1`` that none does.

    Raises
    ------
    TypeError
        For a threshold or format of the wrong type.
    ValueError
        For a NaN or complex threshold.
    """
    fmt = _check_format(input_format)
    q = exact_threshold(t)
    if q <= 0:
        return fmt.min
    if q >= 1:
        return fmt.max + 1
    if q == Fraction(1, 2):
        boundary_floor = 0                   # logit(1/2) = 0 exactly; raw 0 does not pass
    else:
        f = fmt.f_bits
        prec = f + 64
        while True:
            lo, hi = _ln_scaled(q.numerator, q.denominator - q.numerator, prec)
            # floor(logit * 2**f) is decided once both bounds give the same one.
            if lo >> (prec - f) == hi >> (prec - f):
                boundary_floor = lo >> (prec - f)
                break
            prec *= 2
    return min(max(boundary_floor + 1, fmt.min), fmt.max + 1)


def limit_shape(input_format=DEFAULT_FORMAT):
    """``(width, signed)`` of a limit: one bit wider than the input, to hold ``max + 1``."""
    fmt = _check_format(input_format)
    return fmt.width + 1, fmt.signed


def naive_logit(t):
    """The seed's float formula ``-ln(1/t - 1)`` in float64 (``±inf`` outside (0, 1))."""
    tf = float(exact_threshold(t))
    if tf <= 0:
        return -math.inf
    if tf >= 1:
        return math.inf
    return -math.log(1.0 / tf - 1.0)


def naive_limit(t, input_format=DEFAULT_FORMAT):
    """The limit the seed's float code implies: ``raw >= L`` exactly when ``x > naive_logit(t)``.

    The float logit is compared with the exact input value (the seed's
    ``P[4] > desigmoid(threshold)``); only the float formula differs from
    ``threshold_limit``, which may differ by one where the float logit lands
    on or next to a representable input.
    """
    fmt = _check_format(input_format)
    logit = naive_logit(t)
    if logit == -math.inf:
        return fmt.min
    if logit == math.inf:
        return fmt.max + 1
    return min(max(math.floor(Fraction(logit) * (1 << fmt.f_bits)) + 1, fmt.min), fmt.max + 1)


def naive_counterexamples(input_format=DEFAULT_FORMAT, ulps=2, limit=None):
    """Float thresholds where ``naive_limit`` differs from ``threshold_limit``.

    The only candidates are thresholds next to sigmoid of a representable
    input (elsewhere the float logit is far from every input): for each raw
    value x, the float64 values within ``ulps`` units of ``sigmoid(x)``.

    Returns
    -------
    list of (t, naive L, exact L)
        In increasing t; at most ``limit`` entries if given.
    """
    fmt = _check_format(input_format)
    found = []
    for raw in range(fmt.min, fmt.max + 1):
        x = float(fmt.to_fraction(raw))
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        candidates = {s}
        up = down = s
        for _ in range(ulps):
            up, down = math.nextafter(up, 1.0), math.nextafter(down, 0.0)
            candidates.update((up, down))
        for t in sorted(candidates):
            if not 0.0 < t < 1.0:
                continue
            naive, exact = naive_limit(t, fmt), threshold_limit(t, fmt)
            if exact != naive:
                found.append((t, naive, exact))
                if limit is not None and len(found) >= limit:
                    return found
    return found
