"""Errors of a fixed-point sigmoid against the exact function, in units in the last place.

Every design in this project (the pipeline, the comparison designs) is judged
by the same yardstick: for each input ``x = raw * 2**-f`` of its input format
and each output ``y = raw_y * 2**-out_bits``, the error ``raw_y -
sigmoid(x) * 2**out_bits`` in units of the output's last place (ulp), with
``sigmoid`` the exact function, not a float approximation of it.

How the exact value is obtained (no float, no mpmath)
-----------------------------------------------------
``sigmoid(x)`` for ``x >= 0`` is ``1 / (1 + t)`` with ``t = exp(-x)``; for
``x < 0`` it is ``1 - sigmoid(-x)``. With ``m = |raw|`` split into 8-bit
chunks ``m = sum_j c_j 2**(8j)``, ``t = prod_j exp(-c_j 2**(8j - f))``.
Each factor is a table entry: an integer at scale ``2**-P``
(``P = out_bits + guard_bits``) rounded from ``decimal``'s ``exp``, which
Python documents as correctly rounded, evaluated with ``0.3 P + 12`` digits
on an exactly represented argument; each entry is within 1 unit of
``2**-P``. The product of ``k`` factors in [0, 1], each truncated to ``P``
bits, is then within ``2k - 1`` units; ``S = floor(2**(2P) / (2**P + T))``
adds one more and, since ``|d(1/(1+t))/dt| <= 1``, keeps the bound: ``S`` is
within ``E = 2k`` units of ``sigmoid(x) * 2**P``. All of it is Python integer
arithmetic on numpy object arrays (vectorized, 2**20 inputs in a few
seconds).

The correctly rounded output ``R`` (round to nearest; ties cannot occur
because ``exp`` of a nonzero rational is irrational, Lindemann) is certified:
if ``S`` is within ``E`` of a rounding midpoint the input is recomputed with
twice the guard bits. The SEEDS.md hard case, ``x = -3.06884765625`` with
``sigmoid(x) * 2**16 = 2910.4999984...``, is 1.6e-6 ulp from a midpoint,
far above ``E * 2**-64``. A correctly rounded value beyond the largest
representable output (``2**out_bits``) is saturated to ``2**out_bits - 1``,
the nearest representable value.

What is reported
----------------
The cached form is, per input, ``R`` (exact, int64) and ``frac = sigmoid(x) *
2**out_bits - R`` as a float64 (|frac| <= 1/2). The signed error of an
output is ``(raw_y - R) - frac``: an exact integer minus a float whose own
error is at most ``2**-53 |frac| + E 2**-guard_bits`` ulp, so every reported
error is good to about ``2**-52`` ulp. Whether an output is correctly
rounded is decided on the integers, never on floats.
"""

import decimal
import functools

import numpy as np

from sigmoid_hw.model.fixed import FixedFormat
from sigmoid_hw.model.validate import check_instance, check_int

__all__ = [
    "GUARD_BITS", "ExactScaled", "exact_sigmoid_scaled", "correctly_rounded_sigmoid",
    "sigmoid_error_ulp", "error_metrics", "exhaustive_metrics", "monotonic_violations",
]

GUARD_BITS = 64
_CHUNK = 8
_CACHE_MAX_WIDTH = 20  # full-range reference cached for input formats up to this width


def _check_format(in_format):
    return check_instance("in_format", in_format, FixedFormat, "an SQ or UQ format")


def _check_out_bits(out_bits):
    # raw outputs and their rounded reference are int64
    return check_int("out_bits", out_bits, 1, 62)


@functools.lru_cache(maxsize=64)
def _exp_table(f_bits, chunk, scale_bits):
    """``round(exp(-c * 2**(8 chunk - f_bits)) * 2**scale_bits)`` for c in 0..255, object array."""
    shift = _CHUNK * chunk - f_bits
    digits = int(scale_bits * 0.30103) + 12
    arg_digits = int(max(0, -shift) * 0.7) + 12
    entries = []
    with decimal.localcontext() as ctx:
        for c in range(1 << _CHUNK):
            ctx.prec = arg_digits + 8
            ctx.traps[decimal.Inexact] = True
            if shift >= 0:
                arg = -decimal.Decimal(c << shift)
            else:
                arg = -decimal.Decimal(c) / (decimal.Decimal(2) ** -shift)  # exact: traps Inexact
            ctx.traps[decimal.Inexact] = False
            ctx.prec = digits
            value = arg.exp() * (decimal.Decimal(2) ** scale_bits)
            entries.append(int(value.to_integral_value(rounding=decimal.ROUND_HALF_EVEN)))
    table = np.empty(len(entries), dtype=object)
    table[:] = entries
    return table


class ExactScaled:
    """``sigmoid(x) * 2**out_bits`` as ``numer / 2**shift``, within ``bound / 2**shift``.

    Members
    -------
    numer : ndarray of Python int (object)
    shift : int
    bound : int
        Certified bound on ``|numer - sigmoid(x) * 2**(out_bits + shift)|``
        (units of ``2**-shift`` ulp).
    """

    def __init__(self, numer, shift, bound):
        self.numer = numer
        self.shift = shift
        self.bound = bound


def exact_sigmoid_scaled(raw_x, in_format, out_bits, *, guard_bits=GUARD_BITS):
    """The exact ``sigmoid(raw_x * 2**-f) * 2**out_bits`` to ``guard_bits`` bits below the ulp.

    Parameters
    ----------
    raw_x : array_like of int
        Raw inputs of ``in_format``.
    in_format : SQ or UQ
    out_bits : int
    guard_bits : int
        Bits kept below the output's last place (the bound is ``2k`` units of
        ``2**-guard_bits`` ulp, ``k`` the number of 8-bit chunks of ``|raw|``).

    Returns
    -------
    ExactScaled
    """
    in_format = _check_format(in_format)
    out_bits = _check_out_bits(out_bits)
    raw = np.asarray(in_format.check_raw(raw_x, "raw_x"), dtype=np.int64)
    scale = out_bits + guard_bits
    mag = np.abs(raw)
    max_mag = int(mag.max()) if mag.size else 0
    chunks = max(1, -(-max_mag.bit_length() // _CHUNK))
    t = None
    for j in range(chunks):
        table = _exp_table(in_format.f_bits, j, scale)
        factor = table[(mag >> (_CHUNK * j)) & ((1 << _CHUNK) - 1)]
        t = factor if t is None else (t * factor) >> scale
    one = 1 << scale
    s = (1 << (2 * scale)) // (one + t)
    s = np.where(raw < 0, one - s, s)
    return ExactScaled(s, guard_bits, 2 * chunks)


def _rounded_and_frac(raw, in_format, out_bits):
    """Certified round-to-nearest ``R`` (int64, not saturated) and float64 ``frac``."""
    guard = GUARD_BITS
    r = np.empty(raw.shape, dtype=np.int64)
    frac = np.empty(raw.shape, dtype=np.float64)
    todo = np.arange(raw.size)
    flat = raw.ravel()
    while todo.size:
        exact = exact_sigmoid_scaled(flat[todo], in_format, out_bits, guard_bits=guard)
        half = 1 << (guard - 1)
        rounded = (exact.numer + half) >> guard
        rem = exact.numer - (rounded << guard)  # in [-half, half)
        ambiguous = (np.abs(np.abs(rem) - half) <= exact.bound).astype(bool)
        ok = ~ambiguous
        r.ravel()[todo[ok]] = rounded[ok].astype(np.int64)
        frac.ravel()[todo[ok]] = rem[ok].astype(np.float64) * (2.0 ** -guard)
        todo = todo[ambiguous]
        guard *= 2
    return r, frac


_FULL_RANGE = {}  # (in_format, out_bits) -> (R, frac) over in_format.raw_range()


def _full_range(in_format, out_bits):
    key = (in_format, out_bits)
    if key not in _FULL_RANGE:
        if len(_FULL_RANGE) >= 16:
            _FULL_RANGE.pop(next(iter(_FULL_RANGE)))
        r, frac = _rounded_and_frac(in_format.raw_range(), in_format, out_bits)
        r.flags.writeable = False
        frac.flags.writeable = False
        _FULL_RANGE[key] = r, frac
    return _FULL_RANGE[key]


def _reference(raw_x, in_format, out_bits):
    in_format = _check_format(in_format)
    out_bits = _check_out_bits(out_bits)
    raw = np.asarray(in_format.check_raw(raw_x, "raw_x"), dtype=np.int64)
    # The whole range once (then indexed) when it is small and much of it is asked for.
    if in_format.width <= _CACHE_MAX_WIDTH and (
            (in_format, out_bits) in _FULL_RANGE or 8 * raw.size >= (1 << in_format.width)):
        r, frac = _full_range(in_format, out_bits)
        index = raw - in_format.min
        return raw, r[index], frac[index]
    unique, inverse = np.unique(raw, return_inverse=True)
    r, frac = _rounded_and_frac(unique, in_format, out_bits)
    return raw, r[inverse].reshape(raw.shape), frac[inverse].reshape(raw.shape)


def correctly_rounded_sigmoid(raw_x, in_format, out_bits):
    """The nearest ``UQ(0, out_bits)`` raw value to sigmoid(x), as int64 (certified).

    Saturates at ``2**out_bits - 1`` (the nearest representable value when
    sigmoid(x) rounds up to 1).
    """
    _, r, _ = _reference(raw_x, in_format, out_bits)
    return np.minimum(r, (1 << out_bits) - 1)


def _check_outputs(raw_y, out_bits, shape):
    y = np.asarray(raw_y)
    if y.dtype.kind not in "iu":
        raise TypeError("raw_y must be an integer array, not {!r}".format(y.dtype))
    if y.shape != shape:
        raise ValueError("raw_y has shape {} but raw_x has shape {}".format(y.shape, shape))
    y = y.astype(np.int64)
    if y.size and (y.min() < 0 or y.max() >= (1 << out_bits)):
        bad = y.ravel()[np.argmax((y.ravel() < 0) | (y.ravel() >= (1 << out_bits)))]
        raise ValueError("raw_y value {} is outside UQ(0, {}) (raw range [0, {}])".format(
            int(bad), out_bits, (1 << out_bits) - 1))
    return y


def sigmoid_error_ulp(raw_y, raw_x, in_format, out_bits):
    """Signed error ``raw_y - sigmoid(x) * 2**out_bits`` per input, float64, in ulps."""
    raw, r, frac = _reference(raw_x, in_format, out_bits)
    y = _check_outputs(raw_y, out_bits, raw.shape)
    return (y - r).astype(np.float64) - frac


def error_metrics(raw_y, raw_x, in_format, out_bits):
    """Error statistics of outputs ``raw_y`` for inputs ``raw_x`` against the exact sigmoid.

    Parameters
    ----------
    raw_y : array_like of int
        Raw ``UQ(0, out_bits)`` outputs, one per input.
    raw_x : array_like of int
        Raw inputs of ``in_format`` (pass ``in_format.raw_range()`` for the
        exhaustive figures).
    in_format : SQ or UQ
    out_bits : int

    Returns
    -------
    dict
        ``max_ulp`` (largest |error|), ``mean_ulp`` (mean |error|),
        ``correctly_rounded`` and ``faithful`` (shares in [0, 1] of outputs equal
        to the correctly rounded value and with |error| < 1 ulp), ``count``,
        ``worst_x`` (a raw input with the largest error) and ``worst_error``
        (its signed error, ulp).
    """
    raw, r, frac = _reference(raw_x, in_format, out_bits)
    y = _check_outputs(raw_y, out_bits, raw.shape)
    if raw.size == 0:
        raise ValueError("raw_x must hold at least one input")
    err = (y - r).astype(np.float64) - frac
    abs_err = np.abs(err).ravel()
    worst = int(np.argmax(abs_err))
    cr = np.minimum(r, (1 << out_bits) - 1)
    return {
        "max_ulp": float(abs_err[worst]),
        "mean_ulp": float(abs_err.mean()),
        "correctly_rounded": float(np.mean(y == cr)),
        "faithful": float(np.mean(abs_err < 1.0)),
        "count": int(raw.size),
        "worst_x": int(raw.ravel()[worst]),
        "worst_error": float(err.ravel()[worst]),
    }


def exhaustive_metrics(model, in_format, out_bits):
    """``error_metrics`` of ``model(raw_x)`` over every input of ``in_format``."""
    raw = in_format.raw_range()
    return error_metrics(model(raw), raw, in_format, out_bits)


def monotonic_violations(raw_x, raw_y):
    """Where the outputs step down: pairs of neighbouring inputs with ``y`` decreasing.

    The inputs are taken in increasing order (any order and repeats are
    allowed); for each pair of neighbours ``x_lo < x_hi`` among them (which
    are consecutive raw values when ``raw_x`` is a whole range),
    ``y(x_hi) < y(x_lo)`` is a step down. A monotonic sigmoid has none.

    Parameters
    ----------
    raw_x : array_like of int
    raw_y : array_like of int
        One output per input.

    Returns
    -------
    list of (int, int)
        ``(x_lo, x_hi)`` raw inputs of every step down, in increasing order;
        empty if the outputs are non-decreasing.
    """
    x = np.asarray(raw_x).ravel()
    y = np.asarray(raw_y).ravel()
    if x.shape != y.shape:
        raise ValueError("raw_y has {} values but raw_x has {}".format(y.size, x.size))
    x, first = np.unique(x, return_index=True)   # sorted, one output per input
    y = y[first]
    down = np.flatnonzero(y[1:] < y[:-1])
    return [(int(x[k]), int(x[k + 1])) for k in down]
