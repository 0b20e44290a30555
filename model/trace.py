"""The bit-exact integer model: what every register of the pipeline holds, for any inputs.

``trace_fixed(raw_x, params)`` runs the data path of ``sigmoid_hw.model.plan`` on numpy
arrays (object arrays of Python ints where a product would not fit int64)
and returns every intermediate; ``sigmoid_fixed`` returns the output alone.
The gateware in ``hw/`` is compared with these values bit for bit.
"""

import numbers

import numpy as np

from sigmoid_hw.model.plan import plan_for

__all__ = ["trace_fixed", "sigmoid_fixed", "corrections_for"]


def corrections_for(a, corrections):
    """The correction (-1, 0 or +1) of each folded input ``a`` from ``(a, delta)`` pairs."""
    a = np.asarray(a)
    fix = np.zeros(a.shape, dtype=np.int64)
    if corrections:
        keys = np.array([k for k, _ in corrections], dtype=np.int64)
        deltas = np.array([v for _, v in corrections], dtype=np.int64)
        order = np.argsort(keys)
        keys, deltas = keys[order], deltas[order]
        flat = a.astype(np.int64)
        where = np.clip(np.searchsorted(keys, flat), 0, len(keys) - 1)
        fix = np.where(keys[where] == flat, deltas[where], 0)
    return fix


def _as_array(raw_x, plan):
    fmt = plan.params.input_format
    arr = np.asarray(raw_x)
    if arr.dtype.kind not in "iu":
        if arr.dtype == object and all(isinstance(v, numbers.Integral) for v in arr.ravel()):
            arr = arr.astype(np.int64)
        else:
            raise TypeError("raw_x must be integers (raw {} values), not {!r}".format(
                fmt, arr.dtype))
    if arr.size and (arr.min() < fmt.min or arr.max() > fmt.max):
        bad = int(arr.ravel()[np.argmax((arr.ravel() < fmt.min) | (arr.ravel() > fmt.max))])
        raise ValueError("raw_x value {} is outside {} (raw range [{}, {}])".format(
            bad, fmt, fmt.min, fmt.max))
    arr = arr.astype(np.int64)
    return arr.astype(object) if plan.wide else arr


def trace_fixed(raw_x, params):
    """Run the model and return every intermediate signal (dict of arrays).

    Keys: ``sign``, ``a``, ``n``, ``d``, ``y0``, ``acc_K`` .. ``acc_0``, ``y``;
    ``sum_0``, the last multiply-add before its rounding shift (its low
    ``shifts[0]`` bits are the discarded fraction); ``fix``, the correction
    added for correct rounding (0 where there is none); for derived
    coefficients also ``c_1`` .. ``c_K``. The hardware registers hold exactly
    these values; tests and waveforms compare against them.
    """
    plan = plan_for(params)
    red, horner, coefs = plan.reduction, plan.horner, plan.coefficients
    K, F = params.order, params.output_bits
    dtype = object if plan.wide else np.int64
    x = _as_array(raw_x, plan)
    sign = x < 0
    a = np.where(sign, -x, x)
    if red.a_clamp is not None:
        a = np.minimum(a, red.a_clamp)
    n = np.zeros(np.shape(a), dtype=np.int64)
    for t in red.thresholds:
        n += (a >= t)
    d = (a << red.d_guard) - np.array(red.c_raw, dtype=dtype)[n]
    out = {"sign": sign, "a": a, "n": n, "d": d}
    y0 = np.array(horner.y0_raw, dtype=dtype)[n]
    if coefs.kind == "table":
        acc = np.array(coefs.acc_k_const, dtype=dtype)[n]
        addends = [np.array(row, dtype=dtype)[n] for row in coefs.addend]
        addends[0] = addends[0] + y0
    else:
        values = coefs.recipe.run(np.array(coefs.y0_raw, dtype=dtype)[n])
        cs = [None] + [values["c{}".format(k)] for k in range(1, K + 1)]
        for k in range(1, K + 1):
            out["c_{}".format(k)] = cs[k]
        acc = cs[K]
        addends = [y0 + (1 << (horner.shifts[0] - 1))]
        for k in range(1, K):
            addends.append((cs[k] << coefs.align[k]) + (1 << (horner.shifts[k] - 1)))
    fix = corrections_for(a, params.corrections)
    out["fix"] = fix
    addends[0] = addends[0] + (fix.astype(dtype) << horner.shifts[0])
    out["y0"] = y0
    out["acc_{}".format(K)] = acc
    for k in range(K - 1, -1, -1):
        total = d * acc + addends[k]
        acc = total >> horner.shifts[k]
        out["acc_{}".format(k)] = acc
    out["sum_0"] = total
    r = np.minimum(np.maximum(acc, 0), 1 << F)
    y = np.minimum(np.where(sign, (1 << F) - r, r), (1 << F) - 1)
    out["y"] = np.asarray(y).astype(np.int64)
    return out


def sigmoid_fixed(raw_x, params):
    """The pipeline's output for raw inputs, bit for bit (vectorized).

    Parameters
    ----------
    raw_x : int or array_like of int
        Raw values of ``params.input_format``.
    params : PipelineParams

    Returns
    -------
    numpy.ndarray of int64 (or an int for a scalar input)
        Raw UQ(0, output_bits) values.
    """
    y = trace_fixed(raw_x, params)["y"]
    return int(y) if np.ndim(raw_x) == 0 else y
