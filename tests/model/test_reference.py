"""sigmoid_hw.model.reference against mpmath at 50 digits, and its edge cases."""

import math
import os
import subprocess
import sys
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from sigmoid_hw.model.reference import logit, logit_mp, sigmoid, sigmoid_mp, tanh

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MP = mpmath.MPContext()
MP.dps = 50
TINY = MP.mpf(2) ** -1074  # the smallest subnormal: the ulp of everything below 2^-1022
ULP_LIMIT = 4

finite = st.floats(allow_nan=False, allow_infinity=False)


def ulp_error(value, exact):
    """|value - exact| in units of the float64 ulp at ``exact`` (exact is an mpf)."""
    exact = MP.mpf(exact)
    if exact == 0:
        ulp = TINY
    else:
        _, exponent = MP.frexp(exact)  # |exact| = m 2^e, 1/2 <= m < 1
        ulp = max(MP.mpf(2) ** (exponent - 53), TINY)
    return float(abs(MP.mpf(value) - exact) / ulp)


def mp_sigmoid(x):
    return 1 / (1 + MP.exp(-MP.mpf(x)))


def mp_logit(t):
    t = MP.mpf(t)
    return MP.log(t / (1 - t))


def sweep():
    """|x| log-spaced from 1e-300 to 745, then beyond, both signs."""
    mags = np.concatenate([np.logspace(-300, math.log10(745.0), 700),
                           [709.0, 709.78, 710.0, 744.0, 745.0, 745.2, 746.0, 800.0,
                            1e3, 1e10, 1e100, 1e300, 1e308, 5e-324, 1e-310]])
    return np.concatenate([mags, -mags, [0.0]])


def test_sigmoid_ulp_sweep():
    x = sweep()
    y = sigmoid(x)
    worst = max(ulp_error(v, mp_sigmoid(a)) for a, v in zip(x, y))
    assert worst <= ULP_LIMIT


def test_tanh_ulp_sweep():
    x = sweep()
    y = tanh(x)
    worst = max(ulp_error(v, MP.tanh(MP.mpf(a))) for a, v in zip(x, y))
    assert worst <= ULP_LIMIT


def test_logit_ulp_sweep():
    rng = np.random.default_rng(2)
    below = np.logspace(-323, math.log10(0.5), 500)
    above = 1.0 - np.logspace(-16, math.log10(0.5), 500)  # 1 - that is exact
    t = np.concatenate([below, above, rng.uniform(0, 1, 500),
                        [0.25, 0.75, np.nextafter(0.25, 0), np.nextafter(0.75, 1), 1 / 3, 2 / 3,
                         np.nextafter(0.5, 0), np.nextafter(0.5, 1), np.nextafter(1.0, 0)]])
    y = logit(t)
    worst = max(ulp_error(v, mp_logit(a)) for a, v in zip(t, y))
    assert worst <= ULP_LIMIT


@pytest.mark.parametrize("f", [sigmoid, tanh, logit])
def test_scalar_and_array_alike(f):
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 1, 200) if f is logit else rng.uniform(-50, 50, 200)
    arr = f(x.reshape(10, 20))
    assert isinstance(arr, np.ndarray) and arr.shape == (10, 20) and arr.dtype == np.float64
    for a, v in zip(x, arr.ravel()):
        s = f(float(a))
        assert type(s) is float and s == v
    assert type(f(np.float64(0.5))) is float
    assert f(np.array([])).shape == (0,)


def test_integers_and_lists():
    assert sigmoid(0) == 0.5
    assert tanh(0) == 0.0
    assert logit(1) == math.inf
    assert list(sigmoid([0, 0])) == [0.5, 0.5]


def test_extremes_without_warnings():
    x = np.array([1e308, -1e308, np.finfo(float).max, -np.finfo(float).max, 5e-324, -5e-324,
                  709.78, -709.78, 745.2, -745.2, 1e4, -1e4, -0.0, 0.0])
    t = np.array([0.0, 5e-324, 1e-310, np.nextafter(1.0, 0), 1.0, 0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            ys, yt, yl = sigmoid(x), tanh(x), logit(t)
            scalars = [sigmoid(v) for v in x] + [tanh(v) for v in x] + [logit(v) for v in t]
    for arr in (ys, yt):
        assert np.all(np.isfinite(arr))
    assert np.all(~np.isnan(yl))
    assert all(not math.isnan(v) for v in scalars)
    assert ys[0] == 1.0 and ys[1] == 0.0 and yt[0] == 1.0 and yt[1] == -1.0
    assert math.copysign(1.0, tanh(-0.0)) == -1.0


def test_limits_and_nan():
    assert sigmoid(math.inf) == 1.0 and sigmoid(-math.inf) == 0.0
    assert tanh(math.inf) == 1.0 and tanh(-math.inf) == -1.0
    assert logit(0.0) == -math.inf and logit(1.0) == math.inf
    assert logit(-0.0) == -math.inf
    for f in (sigmoid, tanh, logit):
        assert math.isnan(f(math.nan))
        out = f(np.array([np.nan, 0.5]))
        assert math.isnan(out[0]) and not math.isnan(out[1])
    np.testing.assert_array_equal(sigmoid(np.array([-np.inf, np.inf])), [0.0, 1.0])


def test_logit_outside_unit_interval():
    with pytest.raises(ValueError, match=r"^t must be in \[0, 1\], not 1\.5$"):
        logit(1.5)
    with pytest.raises(ValueError, match=r"^t must be in \[0, 1\], not -1e-300$"):
        logit(-1e-300)
    with pytest.raises(ValueError, match=r"^t must be in \[0, 1\], not inf$"):
        logit(math.inf)
    out = logit(np.array([-0.5, 0.5, 1.5, np.inf, -np.inf]))  # documented: NaN, no warning
    assert np.isnan(out[[0, 2, 3, 4]]).all() and out[1] == 0.0


def test_bad_types():
    with pytest.raises(TypeError, match=r"^x must be a real number or an array of real numbers, "
                                        r"not 'abc'$"):
        sigmoid("abc")
    with pytest.raises(TypeError, match=r"^x must be a real number or an array of real numbers, "
                                        r"not 1j$"):
        tanh(1j)
    with pytest.raises(TypeError, match=r"^t must be a real number or an array of real numbers, "
                                        r"not \[None\]$"):
        logit([None])
    with pytest.raises(ValueError, match=r"^x is too large for float64: \[10{400}\]$"):
        sigmoid([10 ** 400])


def test_seed_rounding_example():
    # SEEDS.md: x = -3.06884765625 gives sigmoid(x) * 2^16 = 2910.4999984...
    x = -3.06884765625
    exact = mp_sigmoid(x) * 2 ** 16
    assert abs(exact - MP.mpf("2910.4999984")) < 1e-7
    assert abs(sigmoid(x) * 2 ** 16 - float(exact)) < 1e-9


@settings(deadline=None, max_examples=300)
@given(finite)
def test_symmetry(x):
    assert abs(sigmoid(-x) - (1.0 - sigmoid(x))) <= 2.0 ** -52
    assert tanh(-x) == -tanh(x)


@settings(deadline=None, max_examples=300)
@given(finite, finite)
def test_monotonic(a, b):
    a, b = min(a, b), max(a, b)
    assert sigmoid(a) <= sigmoid(b)
    assert tanh(a) <= tanh(b)


@settings(deadline=None, max_examples=200)
@given(st.floats(0, 1), st.floats(0, 1))
def test_logit_monotonic(a, b):
    a, b = min(a, b), max(a, b)
    assert logit(a) <= logit(b)


@settings(deadline=None, max_examples=300)
@given(st.floats(-700, 35))
def test_logit_inverts_sigmoid(x):
    y = sigmoid(x)
    # logit'(y) = 1 / (y (1 - y)): a few ulp of y become this much in x
    tolerance = 8 * np.spacing(y) / (y * (1 - y)) + 4 * np.spacing(abs(x))
    assert abs(logit(y) - x) <= tolerance


@settings(deadline=None, max_examples=300)
@given(st.floats(-30, 30))
def test_tanh_is_twice_sigmoid_minus_one(x):
    assert abs(tanh(x) - (2 * sigmoid(2 * x) - 1)) <= 2.0 ** -51


@pytest.mark.parametrize("center,f", [(0.5, tanh), (-0.5, tanh), (40.0, tanh),
                                      (-709.0, sigmoid), (0.0, sigmoid),
                                      (0.25, logit), (0.75, logit)])
def test_monotonic_across_formula_joints(center, f):
    # Consecutive floats across the points where the formulas switch.
    x = np.array([center])
    for _ in range(3000):
        x = np.concatenate([[np.nextafter(x[0], -np.inf)], x, [np.nextafter(x[-1], np.inf)]])
    assert np.all(np.diff(f(x)) >= 0)


@pytest.mark.parametrize("f", [sigmoid, tanh])
def test_monotonic_on_consecutive_floats(f):
    # Hypothesis rarely lands one ulp apart; walk runs of consecutive floats.
    for center in [-744.5, -700.0, -100.0, -30.0, -5.0, -1.6, -1.08, -0.3, 0.3, 2.0, 30.0]:
        x = center + np.arange(-2000, 2000) * np.spacing(abs(center))
        assert np.all(np.diff(f(x)) >= 0), center


def test_mp_variants():
    y = sigmoid_mp(-3.5)
    z = sigmoid_mp("1e-30", dps=60)
    with mpmath.workdps(70):  # compare at more digits than either result carries
        assert abs(y - 1 / (1 + mpmath.exp(mpmath.mpf(3.5)))) < mpmath.mpf(10) ** -48
        assert abs(z - (mpmath.mpf(1) / 2 + mpmath.mpf("2.5e-31"))) < mpmath.mpf(10) ** -58
        assert abs(logit_mp(0.75) - mpmath.log(3)) < mpmath.mpf(10) ** -48
    assert logit_mp(0) == -mpmath.inf and logit_mp(1) == mpmath.inf
    with pytest.raises(ValueError, match=r"^t must be in \[0, 1\], not 2\.0$"):
        logit_mp(2)


def test_model_needs_neither_mpmath_nor_amaranth():
    code = ("import sys; sys.modules['mpmath'] = None; sys.modules['amaranth'] = None\n"
            "import sigmoid_hw.model.reference, sigmoid_hw.model.taylor, sigmoid_hw.model.derivatives, sigmoid_hw.model.bitpattern, sigmoid_hw.model.fixed\n"
            "assert sigmoid_hw.model.reference.sigmoid(0.0) == 0.5\n"
            "try:\n    sigmoid_hw.model.reference.sigmoid_mp(0.0)\nexcept ImportError:\n    print('lazy')\n")
    out = subprocess.run([sys.executable, "-W", "error", "-c", code], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "lazy"
