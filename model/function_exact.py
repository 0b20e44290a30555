"""Certified exact references for every ``Function`` record, and errors in ulp against them.

Each function is written from the exact sigmoid of ``sigmoid_hw.model.accuracy``
(decimal ``exp``, integer arithmetic, a certified bound), never from the
pipeline's arithmetic. ``exact_scaled(function, raw_x, in_format,
out_format)`` returns ``f(x) * 2^f_out`` (f_out the output's fraction bits)
as ``numer / 2^shift`` within ``bound / 2^shift``:

* ``sigmoid``: the exact sigmoid at ``f_out`` bits, as it is;
* ``tanh(x) = 2 sigmoid(2x) - 1``: x in SQ(i, f) has the raw bits of 2x in
  SQ(i+1, f-1), so ``2^f_out tanh(x) = 2^(f_out+1) sigmoid(2x) - 2^f_out``,
  with the sigmoid's bound unchanged;
* ``dsigmoid = s (1 - s)``: with ``N`` within ``b`` of ``s M`` (M = 2^P),
  ``|N (M - N) - s M (M - s M)| <= b (M + b)``;
* ``silu = x s``: ``|raw N - raw s M| <= |raw| b``;
* GELU, ELU, tanh', SiLU' and GELU': ``sigmoid_hw.model.exact.mpref`` (mpmath at
  ``guard + f_out + 40`` bits and more, Ziv's strategy).

``correctly_rounded`` rounds to nearest (no ties: for a rational x != 0 each
value is irrational, since e^-x is transcendental; at x = 0 the value is 0,
1/2 or 1/4, representable) and recomputes with twice the guard bits any input
whose value lies within its bound of a midpoint. ``saturation_range`` is the
part of the output format a design may use: a correctly rounded value beyond
it counts as correct when the output is the saturated value (tanh saturates
symmetrically at +-(2^f_out - 1) to stay odd).

``rounded_reference`` and the error functions certify ``2^16`` inputs at a
time (each a Python int in an object array) and keep the whole range of a
format of up to 24 bits once it is asked for (256 MB at 24 bits; one format
above 16 bits at a time); a range above 20 bits, minutes to certify, is also
kept on disk (``sigmoid_hw.model.rounding.cache_dir()``), keyed by the
function, the formats and a digest of the reference's code.
"""

import hashlib
import os
import pathlib

import numpy as np

from sigmoid_hw.model.accuracy import GUARD_BITS, exact_sigmoid_scaled
from sigmoid_hw.model.exact.function import FUNCTION_NAMES, function as function_record
from sigmoid_hw.model.exact.mpref import mp_scaled
from sigmoid_hw.model.fixed import SQ, FixedFormat
from sigmoid_hw.model.rounding import cache_dir

__all__ = ["FUNCTIONS", "exact_scaled", "correctly_rounded", "rounded_reference",
           "saturation_range",
           "function_error_ulp", "function_error_metrics"]

FUNCTIONS = FUNCTION_NAMES


def saturation_range(function, out_format):
    """``(lo, hi)``: the raw outputs a design of ``function`` gives (tanh: symmetric)."""
    return function_record(function).saturation(out_format)


def exact_scaled(function, raw_x, in_format, out_format, guard_bits=GUARD_BITS):
    """``(numer, shift, bound)``: ``|numer / 2^shift - f(x) 2^f_out| <= bound / 2^shift``.

    ``numer`` (and ``bound`` for SiLU) are object arrays of Python ints.
    """
    function = function_record(function).name.value
    raw = np.asarray(in_format.check_raw(raw_x, "raw_x"), dtype=np.int64)
    fo = out_format.f_bits
    if function not in _INTEGER_CERTIFIED:
        return mp_scaled(function, raw, in_format, fo, guard_bits)
    if function == "sigmoid":
        e = exact_sigmoid_scaled(raw, in_format, fo, guard_bits=guard_bits)
        return e.numer, e.shift, e.bound
    if function == "tanh":
        doubled = SQ(in_format.i_bits + 1, in_format.f_bits - 1)
        e = exact_sigmoid_scaled(raw, doubled, fo + 1, guard_bits=guard_bits)
        return e.numer - (1 << (fo + e.shift)), e.shift, e.bound
    if function == "dsigmoid":
        e = exact_sigmoid_scaled(raw, in_format, fo, guard_bits=guard_bits)
        M = 1 << (fo + e.shift)
        return e.numer * (M - e.numer), fo + 2 * e.shift, e.bound * (M + e.bound)
    if function == "silu":
        e = exact_sigmoid_scaled(raw, in_format, fo, guard_bits=guard_bits)
        r = raw.astype(object)
        return r * e.numer, e.shift + in_format.f_bits, np.abs(r) * e.bound


_INTEGER_CERTIFIED = ("sigmoid", "tanh", "dsigmoid", "silu")


def correctly_rounded(function, raw_x, in_format, out_format):
    """``(R, frac)``: the nearest raw output (int64, not saturated), and ``f 2^f_out - R``."""
    if not isinstance(in_format, FixedFormat) or not isinstance(out_format, FixedFormat):
        raise TypeError("in_format and out_format must be SQ or UQ formats, not {!r}, {!r}"
                        .format(in_format, out_format))
    raw = np.asarray(in_format.check_raw(raw_x, "raw_x"), dtype=np.int64).ravel()
    r = np.empty(raw.shape, dtype=np.int64)
    frac = np.empty(raw.shape, dtype=np.float64)
    todo = np.arange(raw.size)
    guard = GUARD_BITS
    while todo.size:
        numer, shift, bound = exact_scaled(function, raw[todo], in_format, out_format, guard)
        half = 1 << (shift - 1)
        rounded = (numer + half) >> shift
        rem = numer - (rounded << shift)           # in [-half, half)
        # a bound of 0 is an exact value (ELU's x): a tie there rounds up, as the adder does
        ambiguous = ((np.abs(np.abs(rem) - half) <= bound) & (bound != 0)).astype(bool)
        ok = ~ambiguous
        r[todo[ok]] = rounded[ok].astype(np.int64)
        frac[todo[ok]] = [float(v) / 2.0 ** shift for v in rem[ok]]
        todo = todo[ambiguous]
        guard *= 2
    shape = np.shape(raw_x)
    return r.reshape(shape), frac.reshape(shape)


_CACHE = {}
# inputs certified at once: each is a Python int in an object array (2^24 at once take
# gigabytes; 2^16 a few megabytes)
_BLOCK = 1 << 16
# the whole range is cached (R int64 and frac float64: 256 MB at 24 bits) up to this width,
# and at most one format wider than _SMALL_WIDTH at a time
_CACHE_MAX_WIDTH = 24
_SMALL_WIDTH = 16
_DISK_MIN_WIDTH = 21
_CODE_FILES = ("accuracy.py", "function_exact.py", "exact/function.py", "exact/mpref.py")


def _in_blocks(function, raw, in_format, out_format):
    """``correctly_rounded`` on ``raw`` (1-d) ``_BLOCK`` inputs at a time."""
    if raw.size <= _BLOCK:
        return correctly_rounded(function, raw, in_format, out_format)
    r = np.empty(raw.size, dtype=np.int64)
    frac = np.empty(raw.size, dtype=np.float64)
    for k in range(0, raw.size, _BLOCK):
        r[k:k + _BLOCK], frac[k:k + _BLOCK] = correctly_rounded(
            function, raw[k:k + _BLOCK], in_format, out_format)
    return r, frac


def _code_digest():
    here = pathlib.Path(__file__).parent
    code = hashlib.sha256()
    for name in _CODE_FILES:
        code.update((here / name).read_bytes())
    return code.hexdigest()[:16]


def _full_range(function, in_format, out_format):
    """``(R, frac)`` on every input; above ``_DISK_MIN_WIDTH`` bits (minutes to certify)
    kept in ``cache_dir()`` in a file naming the function, the formats and a digest of the
    reference's code, and read back only when all of them match."""
    raw = in_format.raw_range()
    if in_format.width < _DISK_MIN_WIDTH:
        return _in_blocks(function, raw, in_format, out_format)
    key = "{} {!r} -> {!r} code {}".format(function, in_format, out_format, _code_digest())
    path = cache_dir() / "reference-{}.npz".format(
        hashlib.sha256(key.encode()).hexdigest()[:20])
    try:
        with np.load(path) as stored:
            if str(stored["key"]) == key:
                return stored["r"], stored["frac"]
    except (OSError, ValueError, KeyError):
        pass
    r, frac = _in_blocks(function, raw, in_format, out_format)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.stem + ".tmp{}.npz".format(os.getpid()))
        np.savez(tmp, key=np.array(key), r=r, frac=frac)
        tmp.replace(path)
    except OSError:
        pass    # no cache: the next process certifies again
    return r, frac


def _reference(function, raw_x, in_format, out_format):
    function = function_record(function).name.value
    raw = np.asarray(in_format.check_raw(raw_x, "raw_x"), dtype=np.int64)
    key = (function, in_format, out_format)
    if in_format.width <= _CACHE_MAX_WIDTH and 8 * raw.size >= (1 << in_format.width):
        if key not in _CACHE:
            if in_format.width > _SMALL_WIDTH:
                for old in [k for k in _CACHE if k[1].width > _SMALL_WIDTH]:
                    del _CACHE[old]
            _CACHE[key] = _full_range(function, in_format, out_format)
        r, frac = _CACHE[key]
        index = raw - in_format.min
        return raw, r[index], frac[index]
    r, frac = _in_blocks(function, raw.ravel(), in_format, out_format)
    return raw, r.reshape(raw.shape), frac.reshape(raw.shape)


def rounded_reference(function, raw_x, in_format, out_format):
    """``(R, frac)`` as ``correctly_rounded``, from a per-format cache of every input
    (inputs of up to 24 bits, asked for many at a time; certified ``2^16`` inputs at a
    time): each function is evaluated once."""
    _, r, frac = _reference(function, raw_x, in_format, out_format)
    return r, frac


def function_error_ulp(function, raw_y, raw_x, in_format, out_format):
    """Signed error ``raw_y - f(x) 2^f_out`` per input, float64, in ulp of ``out_format``."""
    raw, r, frac = _reference(function, raw_x, in_format, out_format)
    y = np.asarray(raw_y).astype(np.int64)
    if y.shape != raw.shape:
        raise ValueError("raw_y has shape {} but raw_x has shape {}".format(y.shape, raw.shape))
    return (y - r).astype(np.float64) - frac


def function_error_metrics(function, raw_y, raw_x, in_format, out_format):
    """Errors of raw outputs against the exact ``function``, in ulp of ``out_format``.

    Returns the fields of ``sigmoid_hw.model.accuracy.error_metrics``: ``max_ulp``,
    ``mean_ulp``, ``correctly_rounded`` and ``faithful`` (shares), ``count``,
    ``worst_x``, ``worst_error``; ``correctly_rounded`` compares with the
    rounded value saturated into ``saturation_range``.
    """
    raw, r, frac = _reference(function, raw_x, in_format, out_format)
    y = np.asarray(raw_y).astype(np.int64)
    if y.shape != raw.shape:
        raise ValueError("raw_y has shape {} but raw_x has shape {}".format(y.shape, raw.shape))
    if raw.size == 0:
        raise ValueError("raw_x must hold at least one input")
    err = ((y - r).astype(np.float64) - frac).ravel()
    abs_err = np.abs(err)
    worst = int(np.argmax(abs_err))
    lo, hi = saturation_range(function, out_format)
    return {
        "max_ulp": float(abs_err[worst]),
        "mean_ulp": float(abs_err.mean()),
        "correctly_rounded": float(np.mean(y == np.clip(r, lo, hi))),
        "faithful": float(np.mean(abs_err < 1.0)),
        "count": int(raw.size),
        "worst_x": int(raw.ravel()[worst]),
        "worst_error": float(err[worst]),
    }
