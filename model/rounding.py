"""Correct rounding: the few inputs a faithful evaluation rounds the wrong way, found exactly.

For ``rounding="correct"`` every output must be ``round(2^F sigmoid(x))``
(then saturated into [0, 2^F - 1]: at the top of the range the nearest value
2^F does not fit, and 2^F - 1 is what the format can hold; that output counts
as correctly rounded). No input is ever a tie: for a rational x != 0, e^-x is
irrational (Lindemann-Weierstrass), so sigmoid(x) is irrational and never a
dyadic midpoint; at x = 0 sigmoid is 1/2 exactly, which any output with at
least one fraction bit represents.

The pipeline computes, before its last rounding shift, a value ``sum_0`` that
is within the proven bound ``E`` (``plan.error_bound`` ulp) of the exact
``2^F sigmoid(|x|) + 1/2`` at its scale. Where ``sum_0`` is farther than
``E`` from a rounding boundary the shift already rounds correctly; only the
inputs within ``E`` of one (a share of about 2E of all) can round the wrong
way. ``find_corrections`` evaluates exactly those candidates against
certified exact arithmetic (``sigmoid_hw.model.accuracy``) and returns, for each one
that rounds wrongly, the correction (+1 or -1) the hardware adds to the last
accumulator. Since ``round(2^F - s) = 2^F - round(s)`` when there is no tie,
a correction keyed on the folded input ``a = |x|`` fixes both signs. So the
result is correctly rounded on every input *by construction*: proved by the
bound where it is far from a boundary, by exact evaluation where it is not.
"""

import functools
import hashlib
import json
import os
import pathlib

import numpy as np

from sigmoid_hw.model.accuracy import correctly_rounded_sigmoid
from sigmoid_hw.model.plan import plan_for
from sigmoid_hw.model.trace import trace_fixed

__all__ = ["find_corrections", "rounding_candidates", "cache_dir"]

# Inputs of more than this many bits take minutes to search (object arrays of Python
# ints): their corrections are cached on disk.
_CACHE_MIN_WIDTH = 21
# folded inputs traced at once
_BLOCK = 1 << 18
_MODEL_FILES = ("approx.py", "derived.py", "geometry.py", "plan.py", "trace.py", "rounding.py",
                "accuracy.py", "bitpattern.py", "constants.py")


def cache_dir():
    """Where corrections of wide inputs are cached: ``$SIGMOID_HW_CACHE`` or ~/.cache/sigmoid-hw."""
    return pathlib.Path(os.environ.get("SIGMOID_HW_CACHE")
                        or pathlib.Path.home() / ".cache" / "sigmoid-hw")


def _cache_key(params):
    """The parameters without corrections and a digest of the model's code: what fixes them."""
    here = pathlib.Path(__file__).parent
    code = hashlib.sha256()
    for name in _MODEL_FILES:
        code.update((here / name).read_bytes())
    return "{!r} model {}".format(params._replace_corrections(()), code.hexdigest()[:16])


def rounding_candidates(params):
    """Folded inputs ``a`` whose pre-rounding value lies within the bound of a boundary.

    Returns ``(a, acc_0)``: int64 arrays of the candidate inputs and of the
    value the uncorrected pipeline gives them.
    """
    plan = plan_for(params)
    fmt = params.input_format
    top = plan.reduction.a_clamp if plan.reduction.a_clamp is not None else -fmt.min
    plain = params._replace_corrections(()) if params.corrections else params
    s0 = plan.horner.shifts[0]
    unit = 1 << s0
    margin = int(plan.error_bound * unit) + 2
    found_a, found_acc = [], []
    # in blocks: a wide plan traces object arrays of Python ints, and 2^23 of them at once
    # take gigabytes
    for start in range(0, top + 1, _BLOCK):
        a = np.arange(start, min(start + _BLOCK, top + 1), dtype=np.int64)
        # a = 2^(W-1) (the fold of the most negative input) is not a positive input of the
        # format: trace -a, whose folded value is the same a
        tr = trace_fixed(-a, plain)
        near = _near_boundary(tr["sum_0"], unit, margin, plan.wide)
        found_a.append(a[near])
        found_acc.append(np.array([int(v) for v in np.asarray(tr["acc_0"])[near]],
                                  dtype=np.int64))
    return np.concatenate(found_a), np.concatenate(found_acc)

def _near_boundary(sum_0, unit, margin, wide):
    """Where ``sum_0`` lies within ``margin`` of a multiple of ``unit`` (bool array)."""
    if wide:
        # Python ints: with derived coefficients at 24 bits the unit is above 2^63
        return np.array([not margin < int(v) % unit < unit - margin for v in sum_0], dtype=bool)
    low = np.asarray(sum_0 % unit).astype(np.int64)
    return (low <= margin) | (low >= unit - margin)


@functools.lru_cache(maxsize=32)
def find_corrections(params):
    """``((a, delta), ...)``: every folded input the uncorrected pipeline rounds wrongly.

    For inputs of more than 20 bits the search takes minutes; its result is
    cached in ``cache_dir()``, in a file that records the parameters and a
    digest of the model's code, and is used only when both match.

    Raises
    ------
    ArithmeticError
        If a candidate is off by more than one unit (the bound would be wrong).
    """
    if params.input_format.width < _CACHE_MIN_WIDTH:
        return _search(params)
    key = _cache_key(params)
    path = cache_dir() / "corrections-{}.json".format(hashlib.sha256(key.encode()).hexdigest()[:20])
    try:
        stored = json.loads(path.read_text())
        if stored.get("key") == key:
            return tuple((int(a), int(d)) for a, d in stored["corrections"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    found = _search(params)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp{}".format(os.getpid()))
        tmp.write_text(json.dumps({"key": key, "corrections": found}))
        tmp.replace(path)
    except OSError:
        pass    # no cache: the next call searches again
    return found


def _search(params):
    fmt, F = params.input_format, params.output_bits
    a, acc0 = rounding_candidates(params)
    if not a.size:
        return ()
    # round(2^F sigmoid(a)) = 2^F - round(2^F sigmoid(-a)) (no ties); -a never saturates
    exact = (1 << F) - correctly_rounded_sigmoid(-a, fmt, F)
    delta = exact - acc0
    if np.any(np.abs(delta) > 1):
        bad = int(np.argmax(np.abs(delta)))
        raise ArithmeticError("input a={} is {} units from its correctly rounded value; the "
                              "error bound does not hold".format(int(a[bad]), int(delta[bad])))
    wrong = delta != 0
    return tuple((int(k), int(v)) for k, v in zip(a[wrong], delta[wrong]))
