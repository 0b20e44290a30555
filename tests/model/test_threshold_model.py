"""sigmoid_hw.model.threshold: the exact limit L against mpmath at 60 digits.

For a threshold t the exact decision ``sigmoid(x) > t`` is monotonic in x,
so it is one boundary B (the smallest passing raw value). B is found here
by bisection with mpmath, independently of the model's integer series; then
``raw >= L`` equals ``raw >= B`` on all 65,536 inputs exactly when L == B,
which the test checks as arrays, and a subset is checked raw by raw.
"""

from decimal import Decimal
from fractions import Fraction
import math
import random

import mpmath
import numpy as np
import pytest

from oracle import DPS, mp_boundary as _mp_boundary, \
    mp_passes as _mp_passes, mp_threshold as _mp_threshold
from sigmoid_hw.model.fixed import SQ, UQ
from sigmoid_hw.model.threshold import (threshold_limit, threshold_from_raw, exact_threshold,
                             naive_limit, naive_logit, naive_counterexamples, logit_bounds,
                             limit_shape)
import oracle

FMT = SQ(4, 12)


def _near_sigmoid_thresholds(rng, count):
    """Thresholds within 1e-12 of sigmoid of a representable input."""
    out = []
    with mpmath.workdps(DPS):
        for _ in range(count):
            raw = rng.randrange(FMT.min, FMT.max + 1)
            s = oracle.sigmoid_raw(raw, 12)
            sf = float(s)
            kind = rng.randrange(4)
            if kind == 0:
                out.append(sf)                                          # nearest float
            elif kind == 1:
                out.append(math.nextafter(sf, rng.choice((0.0, 1.0))))  # one ulp beside
            elif kind == 2:
                out.append(sf + rng.uniform(-1e-12, 1e-12))
            else:
                # A rational 1e-40 from the exact value: far beyond float64.
                side = rng.choice((-1, 1))
                q = Fraction(mpmath.nstr(s, 55, min_fixed=-100, max_fixed=100))
                out.append(q + side * Fraction(1, 10 ** 40))
    return out


def _thresholds():
    rng = random.Random(4)
    ts = [rng.random() for _ in range(60)]                       # random in (0, 1)
    ts += [10.0 ** -k for k in range(1, 16)] + [2.0 ** -k for k in (11, 12, 13, 20, 52)]
    ts += [5e-324, 1e-300, 3.3535013046647811e-4, 3.3535e-4]     # near 0; sigmoid(-8) ~ 3.35e-4
    ts += [1 - 10.0 ** -k for k in range(1, 16)] + [math.nextafter(1.0, 0.0), 0.99966, 0.9996646]
    ts += [0.5, math.nextafter(0.5, 0.0), math.nextafter(0.5, 1.0), Fraction(1, 2)]
    ts += [Fraction(k, 16) for k in range(1, 16)]                 # exact binary fractions
    ts += [(raw, UQ(0, 16)) for raw in (1, 0x4000, 0x8000, 0xC000, 0xFFFF, 12345)]
    ts += [Fraction(1, 3), Fraction(2, 3), Fraction(7, 10)]
    ts += _near_sigmoid_thresholds(rng, 80)
    ts += [1 / (1 + math.exp(1)), 1 / (1 + math.exp(-0.75))]     # the documented counterexamples
    return ts


THRESHOLDS = _thresholds()


def test_enough_thresholds():
    assert len(THRESHOLDS) >= 200


def test_all_inputs_all_thresholds_equal_exact_decision():
    raws = FMT.raw_range()
    checked = 0
    for t in THRESHOLDS:
        limit = threshold_limit(t, FMT)
        boundary = _mp_boundary(t, FMT)
        assert np.array_equal(raws >= limit, raws >= boundary), (t, limit, boundary)
        checked += raws.size
    assert checked >= 200 * 65536


def test_decisions_raw_by_raw():
    # Directly with mpmath, at the limit and beside it, and at random inputs.
    rng = random.Random(7)
    for t in THRESHOLDS:
        limit = threshold_limit(t, FMT)
        mt = _mp_threshold(t)
        raws = {limit - 2, limit - 1, limit, limit + 1}
        raws.update(rng.randrange(FMT.min, FMT.max + 1) for _ in range(6))
        for raw in sorted(r for r in raws if FMT.min <= r <= FMT.max):
            assert (raw >= limit) == _mp_passes(raw, mt, 12), (t, raw, limit)


@pytest.mark.parametrize("fmt", [SQ(2, 6), SQ(8, 20), UQ(4, 4), SQ(1, 15), SQ(12, 4)])
def test_other_formats(fmt):
    rng = random.Random(fmt.width)
    ts = [rng.random() for _ in range(12)] + [0.5, 1e-9, 1 - 1e-9, Fraction(1, 5)]
    with mpmath.workdps(DPS):
        for raw in [rng.randrange(fmt.min, fmt.max + 1) for _ in range(6)]:
            s = oracle.sigmoid_raw(raw, fmt.f_bits)
            ts.append(float(s))
    for t in ts:
        assert threshold_limit(t, fmt) == _mp_boundary(t, fmt), (fmt, t)


def test_limit_semantics_at_the_ends():
    for t in (0, 0.0, -0.0, -1, -math.inf, Fraction(-1, 3), -1e300):
        assert threshold_limit(t, FMT) == FMT.min == -32768
    for t in (1, 1.0, 2, math.inf, Fraction(3, 2), 1e300):
        assert threshold_limit(t, FMT) == FMT.max + 1 == 32768
    # t = 1/2: logit is 0 exactly, sigmoid(0) = 1/2 is not > 1/2, so raw 0 fails.
    assert threshold_limit(0.5, FMT) == 1
    assert threshold_limit(Fraction(1, 2), SQ(2, 3)) == 1
    assert limit_shape(FMT) == (17, True)
    assert threshold_limit(0.5, UQ(4, 4)) == 1
    assert threshold_limit(0.25, UQ(4, 4)) == 0          # every unsigned input passes


def test_accepted_forms_are_exact():
    assert threshold_limit(Decimal("0.7"), FMT) == threshold_limit(Fraction(7, 10), FMT)
    f32 = np.float32(0.7)
    assert threshold_limit(f32, FMT) == threshold_limit(float(f32), FMT)
    assert threshold_limit(np.float64(0.25), FMT) == threshold_limit(0.25, FMT)
    assert threshold_limit(np.int64(1), FMT) == FMT.max + 1
    assert threshold_limit((0x8000, UQ(0, 16)), FMT) == threshold_limit(0.5, FMT)
    assert threshold_from_raw(0xC000, UQ(0, 16)) == Fraction(3, 4)
    assert exact_threshold(0.1) == Fraction(3602879701896397, 36028797018963968)
    assert exact_threshold(Decimal("-inf")) == -math.inf


@pytest.mark.parametrize("t", [math.nan, np.nan, Decimal("NaN"), np.float32("nan")])
def test_nan_is_a_value_error(t):
    with pytest.raises(ValueError, match=r"^Threshold must be a real number other than NaN, not "):
        threshold_limit(t, FMT)


@pytest.mark.parametrize("t", [0.5 + 0j, 1j, np.complex128(0.5)])
def test_complex_is_a_value_error(t):
    with pytest.raises(ValueError, match=r"^Threshold must be a real number, not "):
        threshold_limit(t, FMT)


@pytest.mark.parametrize("t", ["0.5", None, True, [0.5], object()])
def test_wrong_type_is_a_type_error(t):
    with pytest.raises(TypeError, match=r"^Threshold must be a real number, not "):
        threshold_limit(t, FMT)


def test_bad_raw_threshold_and_format():
    with pytest.raises(ValueError, match=r"^Threshold raw value 65536 is outside UQ\(0, 16\)"):
        threshold_limit((65536, UQ(0, 16)), FMT)
    with pytest.raises(TypeError, match=r"^Threshold tuple must be \(raw, format\), not "):
        threshold_limit((1, 2, 3), FMT)
    with pytest.raises(TypeError, match=r"^Threshold raw value must be an integer, not 0\.5$"):
        threshold_from_raw(0.5, UQ(0, 16))
    with pytest.raises(TypeError, match=r"^Threshold format must be a fixed-point format"):
        threshold_from_raw(1, "UQ(0,16)")
    with pytest.raises(TypeError, match=r"^input_format must be a fixed-point format .*'SQ\(4,12\)'$"):
        threshold_limit(0.5, "SQ(4,12)")


def test_logit_bounds_enclose_mpmath():
    for t in THRESHOLDS[:40] + [Fraction(1, 10 ** 30), 1 - 2.0 ** -52]:
        lo, hi = logit_bounds(t, 80)
        with mpmath.workdps(DPS):
            mt = _mp_threshold(t)
            exact = mpmath.log(mt / (1 - mt))
            assert mpmath.mpf(lo.numerator) / lo.denominator <= exact
            assert exact <= mpmath.mpf(hi.numerator) / hi.denominator
        assert hi - lo < Fraction(1, 2 ** 66)
    with pytest.raises(ValueError, match=r"^logit is finite only for 0 < t < 1, not 1$"):
        logit_bounds(1)


def test_naive_limit_is_the_seed_float_formula():
    # Recomputed here with numpy: the smallest raw with x > -ln(1/t - 1) in float64.
    raws = FMT.raw_range()
    xs = raws / 4096.0
    for t in [tt for tt in THRESHOLDS if isinstance(tt, float) and 0 < tt < 1][:80]:
        logit = -math.log(1 / t - 1)
        passing = np.nonzero(xs > logit)[0]
        expected = int(raws[passing[0]]) if passing.size else FMT.max + 1
        assert naive_limit(t, FMT) == expected
        assert naive_logit(t) == logit
    assert naive_limit(0.0, FMT) == FMT.min and naive_limit(1.0, FMT) == FMT.max + 1


def test_documented_counterexample():
    # t is the seed's own float sigmoid(-1); it lies 1.7e-17 below the exact value.
    t = 1 / (1 + math.exp(1))
    assert t == 0.2689414213699951
    assert _mp_passes(-4096, _mp_threshold(t), 12)        # x = -1 passes, exactly
    assert naive_logit(t) == -1.0                          # so the seed's x > -1.0 rejects it
    assert naive_limit(t, FMT) == -4095
    assert threshold_limit(t, FMT) == -4096
    # And the other way round: a float t just above sigmoid(0.75).
    t = 1 / (1 + math.exp(-0.75))
    assert not _mp_passes(3072, _mp_threshold(t), 12)
    assert (naive_limit(t, FMT), threshold_limit(t, FMT)) == (3072, 3073)


@pytest.mark.parametrize("fmt, count", [(SQ(3, 5), None), (SQ(4, 12), 6)])
def test_counterexample_search_reports_only_real_disagreements(fmt, count):
    found = naive_counterexamples(fmt, limit=count)
    assert found
    for t, naive, exact in found:
        assert naive != exact
        assert exact == _mp_boundary(t, fmt)
