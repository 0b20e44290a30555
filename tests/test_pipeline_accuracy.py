"""The integer model against exact sigmoid (model/accuracy.py: certified, no floats)."""

import numpy as np
import pytest

from model.accuracy import error_metrics, sigmoid_error_ulp
from model.fixed import SQ
from model.pipeline import derive_params, sigmoid_fixed, plan_for


def _check(params, xs):
    y = sigmoid_fixed(xs, params)
    m = error_metrics(y, xs, params.input_format, params.output_bits)
    bound = 0.5 + float(plan_for(params).error_bound)
    assert m["max_ulp"] < 1.0, m                  # faithful rounding
    # the written budget holds, except where saturation at 2^F - 1 forbids it
    err = np.abs(sigmoid_error_ulp(y, xs, params.input_format, params.output_bits))
    unsaturated = y < (1 << params.output_bits) - 1
    assert err[unsaturated].max() <= bound, (err[unsaturated].max(), bound)
    consecutive = np.diff(xs) == 1
    assert np.all(np.diff(y)[consecutive] >= 0), "not monotonic"
    full = 1 << params.output_bits
    lookup = dict(zip(xs.tolist(), y.tolist()))
    for x in xs[:: max(1, len(xs) // 5000)]:
        if -x in lookup:
            assert abs(lookup[int(x)] + lookup[int(-x)] - full) <= 1
    return m


@pytest.mark.parametrize("coefficients", ["table", "derived"])
def test_default_exhaustive(coefficients):
    params = derive_params(coefficients=coefficients)
    m = _check(params, params.input_format.raw_range())
    assert m["count"] == 65536
    assert m["correctly_rounded"] >= 0.95


@pytest.mark.parametrize("fmt,bits", [(SQ(4, 8), 8), (SQ(4, 8), 12), (SQ(4, 12), 12),
                                      (SQ(3, 9), 8), (SQ(5, 15), 20)])
def test_other_widths_exhaustive(fmt, bits):
    params = derive_params(fmt, bits)
    m = _check(params, fmt.raw_range())
    assert m["correctly_rounded"] >= 0.95


@pytest.mark.slow
def test_24_bit_output_random_and_boundaries():
    fmt = SQ(5, 19)
    params = derive_params(fmt, 24)
    plan = plan_for(params)
    rng = np.random.default_rng(24)
    parts = [rng.integers(fmt.min, fmt.max + 1, 10**6),
             np.array([fmt.min, fmt.min + 1, -1, 0, 1, fmt.max - 1, fmt.max])]
    parts += [np.arange(s * t - 3, s * t + 3) for t in plan.thresholds for s in (1, -1)]
    xs = np.unique(np.concatenate(parts))
    m = _check(params, xs)
    assert m["correctly_rounded"] >= 0.95


def test_order_is_smallest_meeting_the_budget():
    # a lower order than the default cannot meet the budget of the default format
    with pytest.raises(ValueError, match=r"^order=4 leaves a Taylor remainder of"):
        derive_params(order=4)
