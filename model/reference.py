"""Float64 sigmoid, logit and tanh, numerically stable (seed 000, fixed).

``sigmoid(x) = 1 / (1 + e^-x)`` is evaluated as written down to x = -709,
and below that (where ``e^-x`` would overflow and ``1 + e^-x`` equals
``e^-x`` to far more than 53 bits) as ``e^x``: the exponential never
overflows, for any finite input (1e308 included), and the result is
monotonic in x (given a monotonic exp, each step rounds monotonically, and
the two pieces are joined so that they stay in order). Below about -745 the
value underflows quietly to the exact limit 0.

``logit(t) = ln(t / (1 - t))`` is the inverse, the seed's ``desigmoid`` (whose
code returned a function of an undefined ``y``). Since sigmoid is strictly
increasing, ``sigmoid(p) > t`` is decided by ``p > logit(t)`` without ever
computing a sigmoid. It is evaluated in three pieces so that no step loses
accuracy: ``2 atanh(2t - 1)`` in the middle (``2t - 1`` is exact there) and
``+-ln`` of a quotient below 0.25 and above 0.75 (``1 - t`` is exact above
0.5).

``tanh(x) = 2 sigmoid(2x) - 1 = (1 - e) / (1 + e)`` with ``e = exp(-2|x|)``,
the sign put back afterwards; for small |x| the numerator is ``-expm1(-2|x|)``
so that nothing cancels.

Every function takes a real scalar (returns a Python ``float``) or an array
(returns a float64 ``ndarray`` of the same shape). Over all finite float64
inputs the error is a few units in the last place (tested against mpmath at
50 digits: within 4 ulp). NaN gives NaN and never a warning.

``sigmoid_mp`` and ``logit_mp`` are the same functions in mpmath at any
precision, for tests and for exact-enough constants; mpmath is imported only
when they are called (it is a test extra, not a runtime dependency).
"""

import numpy as np

__all__ = ["sigmoid", "logit", "tanh", "sigmoid_mp", "logit_mp"]

# Below this x, exp(-x) would overflow (it does from -709.78).
_X_LOW = -709.0
with np.errstate(under="ignore"):
    _Y_LOW = float((1.0 / (1.0 + np.exp(np.array([-_X_LOW]))))[0])

# Beyond this |x|, tanh(x) is +-1 in float64 (1 - tanh(x) ~ 2 e^-2x < 2^-54 from
# x ~ 19.4); clamping keeps 2|x| finite for |x| near the top of the float range.
_TANH_CLAMP = 40.0
# Below this |x|, 1 - e^-2|x| would cancel: use expm1 instead.
_TANH_SMALL = 0.5


def _as_float_array(value, name):
    """``value`` as a float64 array, and whether it was a scalar."""
    arr = np.asarray(value)
    if arr.dtype.kind == "O":
        try:
            arr = np.array([float(v) for v in arr.ravel()], dtype=np.float64).reshape(arr.shape)
        except OverflowError:
            raise ValueError("{} is too large for float64: {!r}".format(name, value)) from None
        except (TypeError, ValueError):
            raise TypeError("{} must be a real number or an array of real numbers, not {!r}"
                            .format(name, value)) from None
    elif arr.dtype.kind not in "biuf":
        raise TypeError("{} must be a real number or an array of real numbers, not {!r}"
                        .format(name, value))
    return arr.astype(np.float64, copy=False), arr.ndim == 0


def _result(out, scalar):
    return float(out) if scalar else out


def sigmoid(x):
    """The logistic function ``1 / (1 + exp(-x))``.

    Parameters
    ----------
    x : float or array_like of float

    Returns
    -------
    float or numpy.ndarray
        In [0, 1]; exactly 0 at -inf (and below about -745, where the value
        is under half the smallest subnormal), exactly 1 at +inf (and, by
        rounding, above about 37); NaN for NaN.

    Raises
    ------
    TypeError
        If ``x`` is not real.
    """
    x, scalar = _as_float_array(x, "x")
    with np.errstate(under="ignore"):  # a subnormal or zero result is the right one
        # One formula, increasing with x step by step (exp, the sum and the
        # reciprocal all round monotonically), wherever exp(-x) is finite ...
        out = 1.0 / (1.0 + np.exp(-np.maximum(x, _X_LOW)))
        # ... and below that, where sigmoid(x) = e^x to the last bit, e^x
        # capped at the value just above so that the joint stays monotonic.
        tail = np.minimum(np.exp(np.minimum(x, _X_LOW)), _Y_LOW)
    out = np.where(x < _X_LOW, tail, out)
    return _result(out, scalar)


def logit(t):
    """The inverse of sigmoid, ``ln(t / (1 - t))`` (the seed's ``desigmoid``).

    Parameters
    ----------
    t : float or array_like of float
        A probability in [0, 1].

    Returns
    -------
    float or numpy.ndarray
        ``-inf`` at 0, ``+inf`` at 1, NaN for NaN. For an array, elements
        outside [0, 1] give NaN (like ``numpy.log`` of a negative number,
        but without a warning).

    Raises
    ------
    ValueError
        If a scalar ``t`` is outside [0, 1]: a threshold there is a mistake
        the caller should hear about, not a NaN to propagate.
    TypeError
        If ``t`` is not real.
    """
    t, scalar = _as_float_array(t, "t")
    if scalar and not (np.isnan(t) or 0.0 <= t <= 1.0):
        raise ValueError("t must be in [0, 1], not {!r}".format(float(t)))
    out = np.full(t.shape, np.nan)
    out[t == 0.0] = -np.inf
    out[t == 1.0] = np.inf
    low = (t > 0.0) & (t < 0.25)
    mid = (t >= 0.25) & (t <= 0.75)
    high = (t > 0.75) & (t < 1.0)
    tl, tm, th = t[low], t[mid], t[high]
    with np.errstate(under="ignore"):  # a subnormal quotient is still right
        out[low] = np.log(tl / (1.0 - tl))
        out[mid] = 2.0 * np.arctanh(2.0 * tm - 1.0)  # 2t - 1 exact for t >= 1/4
        out[high] = -np.log((1.0 - th) / th)  # 1 - t exact for t >= 1/2
    return _result(out, scalar)


def tanh(x):
    """The hyperbolic tangent through sigmoid: ``tanh(x) = 2 sigmoid(2x) - 1``.

    Parameters
    ----------
    x : float or array_like of float

    Returns
    -------
    float or numpy.ndarray
        In [-1, 1]; exactly +-1 at +-inf; NaN for NaN.

    Raises
    ------
    TypeError
        If ``x`` is not real.
    """
    x, scalar = _as_float_array(x, "x")
    a = np.minimum(np.abs(x), _TANH_CLAMP)  # NaN stays NaN
    small = a < _TANH_SMALL
    # 2 sigmoid(2a) - 1 = (1 - e) / (1 + e), e = exp(-2a); with m = expm1(-2a)
    # = e - 1 that is -m / (2 + m), free of cancellation for small a.
    # Underflow (for subnormal x) rounds to the right answer: not an error.
    with np.errstate(under="ignore"):
        m = np.expm1(-2.0 * np.where(small, a, 0.0))
        e = np.exp(-2.0 * np.where(small, 0.0, a))
        mag = np.where(small, -m / (2.0 + m), (1.0 - e) / (1.0 + e))
    out = np.copysign(mag, x)
    return _result(out, scalar)


def sigmoid_mp(x, dps=50):
    """Sigmoid in mpmath at ``dps`` decimal digits (``mpmath`` imported lazily).

    ``x`` may be anything ``mpmath.mpf`` accepts (float, int, str, mpf); a
    float is taken exactly.
    """
    import mpmath
    with mpmath.workdps(dps):
        x = mpmath.mpf(x)
        return 1 / (1 + mpmath.exp(-x))


def logit_mp(t, dps=50):
    """Logit in mpmath at ``dps`` decimal digits (``mpmath`` imported lazily).

    Raises
    ------
    ValueError
        If ``t`` is outside [0, 1].
    """
    import mpmath
    with mpmath.workdps(dps):
        t = mpmath.mpf(t)
        if not 0 <= t <= 1:
            raise ValueError("t must be in [0, 1], not {}".format(t))
        if t == 0:
            return mpmath.ninf
        if t == 1:
            return mpmath.inf
        return mpmath.log(t / (1 - t))
