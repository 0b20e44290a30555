"""The bit-exact integer model of tanh, sigmoid', SiLU and of ``ActivationUnit``.

``trace_unit(raw_x, function, params)`` runs ``sigmoid_hw.model.function_params``'s
three steps (input map, ``sigmoid_hw.model.trace.sigmoid_fixed`` as the core,
post-multiplier and final rounding) on numpy arrays and returns every
intermediate; ``unit_fixed`` returns the outputs alone and ``function_fixed``
those of a one-function unit. The gateware (``sigmoid_hw.hw.activation``) equals it bit
for bit.
"""

import numpy as np

from sigmoid_hw.model.trace import corrections_for, sigmoid_fixed

__all__ = ["trace_unit", "unit_fixed", "function_fixed", "function_index"]


def function_index(params, function):
    """The index of ``function`` (a name or an index) in the unit's functions."""
    if isinstance(function, str):
        if function not in params.functions:
            raise ValueError("function must be one of {}, not {!r}".format(
                params.functions, function))
        return params.functions.index(function)
    raise TypeError("function must be a function name, not {!r}".format(function))


def _indices(params, function, shape):
    if isinstance(function, str):
        return np.full(shape, function_index(params, function), dtype=np.int64)
    fn = np.asarray(function)
    if fn.dtype.kind not in "iu":
        raise TypeError("function must be a name or integer indices, not {!r}".format(fn.dtype))
    fn = np.broadcast_to(fn.astype(np.int64), shape)
    if fn.size and (fn.min() < 0 or fn.max() >= len(params.maps)):
        raise ValueError("function indices must be in [0, {}], not {}".format(
            len(params.maps) - 1, int(fn.max() if fn.max() >= len(params.maps) else fn.min())))
    return fn


def trace_unit(raw_x, function, params):
    """Every intermediate of the unit for raw inputs and their function indices.

    Parameters
    ----------
    raw_x : array_like of int
        Raw values of ``params.input_format``.
    function : str, int or array_like of int
        A function name (every word), or an index into ``params.functions``
        per word.

    Returns
    -------
    dict of int64 arrays
        ``function``, ``core_x`` (the core's raw input), ``s`` (its output),
        ``b`` (the post-multiplier's second operand), ``p`` (the product),
        ``v`` (product plus offset), ``fix`` and ``y`` (the raw output in
        ``params.output_formats[function]``).
    """
    x = np.asarray(params.input_format.check_raw(raw_x, "raw_x"), dtype=np.int64)
    fn = _indices(params, function, x.shape)
    Fc = params.core_bits
    core_x = np.zeros(x.shape, dtype=np.int64)
    for k, fm in enumerate(params.maps):
        core_x = np.where(fn == k, x << fm.input_shift, core_x)
    s = np.asarray(sigmoid_fixed(core_x, params.core), dtype=np.int64)
    b = np.ones(x.shape, dtype=np.int64)
    offset = np.zeros(x.shape, dtype=np.int64)
    shift = np.zeros(x.shape, dtype=np.int64)
    lo = np.zeros(x.shape, dtype=np.int64)
    hi = np.zeros(x.shape, dtype=np.int64)
    fix = np.zeros(x.shape, dtype=np.int64)
    for k, fm in enumerate(params.maps):
        sel = fn == k
        if fm.multiplier == "complement":
            b = np.where(sel, (1 << Fc) - s, b)
        elif fm.multiplier == "x":
            b = np.where(sel, x, b)
        offset = np.where(sel, fm.offset, offset)
        shift = np.where(sel, fm.shift, shift)
        lo = np.where(sel, fm.lo, lo)
        hi = np.where(sel, fm.hi, hi)
        fix = np.where(sel, corrections_for(x, fm.corrections), fix)
    p = s * b
    v = p + offset
    half = np.where(shift > 0, np.left_shift(1, np.maximum(shift - 1, 0)), 0)
    y = np.clip((v + (fix << shift) + half) >> shift, lo, hi)
    return {"function": fn, "core_x": core_x, "s": s, "b": b, "p": p, "v": v, "fix": fix,
            "y": y}


def unit_fixed(raw_x, function, params):
    """The unit's raw outputs, bit for bit (an int for a scalar input)."""
    y = trace_unit(raw_x, function, params)["y"]
    return int(y) if np.ndim(raw_x) == 0 else y


def function_fixed(raw_x, params):
    """The outputs of a one-function unit (``TanhPipeline`` and the like)."""
    if len(params.maps) != 1:
        raise ValueError("function_fixed needs a one-function unit, not {!r}".format(
            params.functions))
    return unit_fixed(raw_x, params.functions[0], params)

