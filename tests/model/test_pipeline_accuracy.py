"""The integer model against exact sigmoid (model/accuracy.py: certified, no floats)."""

import numpy as np
import pytest

from sigmoid_hw.model.accuracy import error_metrics, sigmoid_error_ulp
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.pipeline import derive_params, sigmoid_fixed, plan_for
import oracle


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


@pytest.mark.parametrize("coefficients", ["table", "derived", "minimax"])
def test_default_exhaustive(coefficients):
    params = derive_params(coefficients=coefficients)
    m = _check(params, params.input_format.raw_range())
    assert m["count"] == 65536
    assert m["correctly_rounded"] >= 0.95


@pytest.mark.parametrize("coefficients", ["table", "minimax"])
@pytest.mark.parametrize("fmt,bits", [(SQ(4, 8), 8), (SQ(4, 8), 12), (SQ(4, 12), 12),
                                      (SQ(3, 9), 8), (SQ(5, 15), 20)])
def test_other_widths_exhaustive(fmt, bits, coefficients):
    params = derive_params(fmt, bits, coefficients=coefficients)
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
    parts += [np.arange(s * t - 3, s * t + 3) for t in plan.reduction.thresholds for s in (1, -1)]
    xs = np.unique(np.concatenate(parts))
    m = _check(params, xs)
    assert m["correctly_rounded"] >= 0.95


def test_order_is_smallest_meeting_the_budget():
    # a lower order than the default cannot meet the budget of the default format
    with pytest.raises(ValueError, match=r"^order=4 leaves an approximation error of"):
        derive_params(order=4)


def test_minimax_needs_one_order_less_than_taylor_for_the_default():
    assert derive_params(coefficients="minimax").order == derive_params().order - 1


def test_minimax_fit_error_is_measured_against_exact_sigmoid():
    # independent oracle: the stored polynomial's error on every input, vs mpmath
    import mpmath
    from fractions import Fraction
    from sigmoid_hw.model.approx import minimax_fit
    from sigmoid_hw.model.geometry import geometry
    fmt = SQ(4, 12)
    fits, bound = minimax_fit(fmt, 16, 4)
    geo = geometry(fmt, 16, 0)
    mpmath.mp.dps = 30
    rng = np.random.default_rng(0)
    worst = 0
    for n, (lo, hi) in enumerate(geo.segments):
        for a in list(rng.integers(lo, hi + 1, 40)) + [lo, hi]:
            d = Fraction(int(a) - geo.c[n], 1 << 12)
            p = sum(c * d ** k for k, c in enumerate(fits[n]))
            exact = oracle.sigmoid_raw(a, 12)
            worst = max(worst, abs(mpmath.mpf(p.numerator) / p.denominator - exact))
    assert worst <= bound
