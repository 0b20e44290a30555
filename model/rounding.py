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
certified exact arithmetic (``model.accuracy``) and returns, for each one
that rounds wrongly, the correction (+1 or -1) the hardware adds to the last
accumulator. Since ``round(2^F - s) = 2^F - round(s)`` when there is no tie,
a correction keyed on the folded input ``a = |x|`` fixes both signs. So the
result is correctly rounded on every input *by construction*: proved by the
bound where it is far from a boundary, by exact evaluation where it is not.
"""

import functools

import numpy as np

from model.accuracy import correctly_rounded_sigmoid
from model.plan import plan_for
from model.trace import trace_fixed

__all__ = ["find_corrections", "rounding_candidates"]


def rounding_candidates(params):
    """Folded inputs ``a`` whose pre-rounding value lies within the bound of a boundary.

    Returns ``(a, acc_0)``: int64 arrays of the candidate inputs and of the
    value the uncorrected pipeline gives them.
    """
    plan = plan_for(params)
    fmt = params.input_format
    top = plan.reduction.a_clamp if plan.reduction.a_clamp is not None else -fmt.min
    a = np.arange(0, top + 1, dtype=np.int64)
    # a = 2^(W-1) (the fold of the most negative input) is not a positive input of the
    # format: trace -a, whose folded value is the same a
    tr = trace_fixed(-a, params._replace_corrections(()) if params.corrections else params)
    s0 = plan.horner.shifts[0]
    unit = 1 << s0
    low = np.asarray(tr["sum_0"] % unit).astype(np.int64) if not plan.wide else \
        np.array([int(v) % unit for v in tr["sum_0"]], dtype=np.int64)
    margin = int(plan.error_bound * unit) + 2
    near = (low <= margin) | (low >= unit - margin)
    acc0 = np.asarray(tr["acc_0"])[near]
    return a[near], np.array([int(v) for v in acc0], dtype=np.int64)


@functools.lru_cache(maxsize=32)
def find_corrections(params):
    """``((a, delta), ...)``: every folded input the uncorrected pipeline rounds wrongly.

    Raises
    ------
    ArithmeticError
        If a candidate is off by more than one unit (the bound would be wrong).
    """
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
