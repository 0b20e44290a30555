"""Correct rounding of a post-multiplied function: the inputs near a rounding boundary, checked exactly.

The method of ``sigmoid_hw.model.rounding`` (which corrects the sigmoid core itself),
applied to the final rounding of ``sigmoid_hw.model.function_params``: before it, ``V``
is within a proven bound of the exact ``2^shift f(x) 2^f_out`` (per input, in
units of V: ``E_core = 1`` for sigmoid and tanh, ``|2^Fc - 2S| + 1`` for
sigmoid', ``|x_raw|`` for SiLU, from the bounds written there). Where ``V``
is farther than that from a rounding boundary the shift rounds correctly;
the inputs within it are candidates, evaluated against the certified
reference (``sigmoid_hw.model.function_exact``); each wrong one gets a correction (+1 or
-1) keyed on the input, added before the final rounding. Correct on every
input by construction: by the bound far from a boundary, by exact
evaluation near one.
"""

import numpy as np

from sigmoid_hw.model.function_exact import correctly_rounded
from sigmoid_hw.model.function_model import trace_unit

__all__ = ["post_candidates", "find_post_corrections"]


def post_candidates(params, k):
    """Raw inputs of function ``k`` whose ``V`` lies within its bound of a rounding boundary."""
    fm = params.maps[k]
    plain = params.maps[:k] + (fm.with_corrections(()),) + params.maps[k + 1:]
    uncorrected = type(params)(params.input_format, plain, params.core, params.rounding)
    xs, ys = [], []
    # in blocks: a wide core traces object arrays of Python ints
    for x in _blocks(params.input_format.raw_range()):
        tr = trace_unit(x, np.full(x.shape, k), uncorrected)
        unit = 1 << fm.shift
        low = (tr["v"] + (unit >> 1)) & (unit - 1)
        distance = np.minimum(low, unit - low)
        if fm.multiplier == "complement":
            margin = np.abs((1 << params.core_bits) - 2 * tr["s"]) + 1
        elif fm.multiplier == "x":
            margin = np.abs(x)
        else:
            margin = np.ones(x.shape, dtype=np.int64)
        near = distance <= margin
        xs.append(x[near])
        ys.append(tr["y"][near])
    return np.concatenate(xs), np.concatenate(ys)


def _blocks(x, size=1 << 18):
    return [x[k:k + size] for k in range(0, max(x.size, 1), size)]

def find_post_corrections(params, k):
    """``((x_raw, delta), ...)`` for every input function ``k`` rounds the wrong way.

    Raises
    ------
    ArithmeticError
        If a candidate is more than one unit off (the bound would be wrong).
    """
    fm = params.maps[k]
    if fm.shift == 0:
        raise ValueError("function {!r} has no final rounding of its own (the core's is "
                         "final)".format(fm.function))
    x, y = post_candidates(params, k)
    if not x.size:
        return ()
    r, _ = correctly_rounded(fm.function, x, params.input_format, fm.output_format)
    delta = np.clip(r, fm.lo, fm.hi) - y
    if np.any(np.abs(delta) > 1):
        bad = int(np.argmax(np.abs(delta)))
        raise ArithmeticError("{} input x={} is {} units from its correctly rounded value; "
                              "the error bound does not hold".format(
                                  fm.function, int(x[bad]), int(delta[bad])))
    wrong = delta != 0
    return tuple((int(a), int(d)) for a, d in zip(x[wrong], delta[wrong]))
