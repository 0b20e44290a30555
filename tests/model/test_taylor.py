"""The seed's float Taylor method: its figures (SEEDS.md) and its arithmetic (mpmath)."""

from fractions import Fraction
import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from sigmoid_hw.model.taylor import (SEED_MAX_ERROR, coefficients, error_table, nearest_n, sigmoid_hw,
                          sigmoid_taylor)

# Copied by hand from ../shared/SEEDS.md, "Figures worth knowing".
SEEDS_TABLE = {1: (5.75e-3, 7.4), 2: (8.57e-4, 10.2), 3: (7.57e-5, 13.7), 4: (1.03e-5, 16.6),
               5: (9.77e-7, 20.0), 6: (1.25e-7, 22.9), 7: (1.10e-8, 26.4), 8: (1.52e-9, 29.3)}

MP = mpmath.MPContext()
MP.dps = 40


def mp_sigmoid(x):
    return 1 / (1 + MP.exp(-x))


def test_error_table_reproduces_seeds():
    rows = error_table()
    assert [r["order"] for r in rows] == list(range(1, 9))
    for row in rows:
        seed_error, seed_bits = SEEDS_TABLE[row["order"]]
        assert abs(row["max_error"] / seed_error - 1) <= 0.02, row
        assert abs(row["bits"] - seed_bits) <= 0.06, row
        assert abs(row["x_at_max"]) < 12


def test_error_table_constant_is_the_seeds_figures():
    assert SEED_MAX_ERROR == {k: v[0] for k, v in SEEDS_TABLE.items()}


def test_worst_error_is_checked_by_mpmath():
    # Recompute the worst case of each order independently: the truncated
    # Taylor series about n ln2, in mpmath, at the point the table names.
    for row in error_table(points=2001):
        x = row["x_at_max"]
        n = round(x / math.log(2))
        x0 = n * MP.log(2)
        series = MP.taylor(mp_sigmoid, x0, row["order"])
        d = MP.mpf(x) - x0
        approx = sum(c * d ** k for k, c in enumerate(series))
        true_error = abs(approx - mp_sigmoid(MP.mpf(x)))
        assert abs(row["max_error"] - float(true_error)) <= 1e-15


def test_higher_orders_keep_improving():
    rows = error_table(orders=range(1, 16), points=2001)
    errors = [r["max_error"] for r in rows]
    assert all(b < a for a, b in zip(errors, errors[1:]))
    # by K = 15 the truncation is below the float64 rounding of a value < 1
    assert errors[-1] <= 2.0 ** -52


@pytest.mark.parametrize("x", [-11.9, -3.06884765625, -0.3465, 0.0, 0.1, 1.0, 2.2, 7.5])
def test_sigmoid_hw_value_and_coefficients(x):
    order = 6
    val, taylor_series = sigmoid_hw(x, order)
    n = round(x / math.log(2))
    assert nearest_n(x) == n
    x0 = n * MP.log(2)
    expected = MP.taylor(mp_sigmoid, x0, order)
    assert len(taylor_series) == order + 1
    for c, e in zip(taylor_series, expected):
        assert abs(c - float(e)) <= 2 * np.spacing(abs(float(e)))
    d = MP.mpf(x) - x0
    assert abs(d) <= MP.log(2) / 2
    assert abs(val - float(sum(c * d ** k for k, c in enumerate(expected)))) <= 4e-16


@settings(deadline=None, max_examples=100)
@given(st.floats(-30, 30), st.integers(0, 9))
def test_vectorized_equals_scalar(x, order):
    grid = np.array([x, -x, x / 3])
    values = sigmoid_taylor(grid, order)
    assert [sigmoid_hw(float(v), order)[0] for v in grid] == list(values)
    assert sigmoid_taylor(x, order) == sigmoid_hw(x, order)[0]


def test_pattern_bits_give_the_truncated_y0():
    for n in (-3, 1, 4):
        exact = Fraction(2) ** n / (Fraction(2) ** n + 1)
        c0 = coefficients(n, 3, pattern_bits=10)[0]
        assert c0 == math.floor(exact * 1024) / 1024
        c0 = coefficients(n, 3, pattern_bits=10, rounding="nearest")[0]
        assert c0 == round(exact * 1024) / 1024
    # a short pattern costs accuracy: about 2^-10 at the worst point
    rows = error_table(orders=[5], points=2001, pattern_bits=10)
    assert 2 ** -12 < rows[0]["max_error"] < 2 ** -9


def test_bad_parameters():
    with pytest.raises(ValueError, match=r"^order must be at least 0, not -1$"):
        sigmoid_hw(1.0, -1)
    with pytest.raises(TypeError, match=r"^order must be an integer, not 2\.0$"):
        sigmoid_taylor([1.0], 2.0)
    with pytest.raises(ValueError, match=r"^x must be finite with \|x\| <= 1100\.0, not nan$"):
        sigmoid_hw(math.nan)
    with pytest.raises(ValueError, match=r"^x must be finite with \|x\| <= 1100\.0, not -inf$"):
        sigmoid_taylor([0.0, -math.inf])
    with pytest.raises(TypeError, match=r"^x must be a scalar, not \[1\.0, 2\.0\]; "
                                        r"use sigmoid_taylor for arrays$"):
        sigmoid_hw([1.0, 2.0])
    with pytest.raises(ValueError, match=r"^pattern_bits must be at least 1, not 0$"):
        coefficients(1, 3, pattern_bits=0)
    with pytest.raises(ValueError, match=r"^rounding must be one of 'truncate', 'nearest', not 'up'$"):
        coefficients(1, 3, pattern_bits=4, rounding="up")
    with pytest.raises(ValueError, match=r"^points must be at least 2, not 1$"):
        error_table(points=1)
    with pytest.raises(ValueError, match=r"^limit must be in \(0, 1100\.0\], not -1$"):
        error_table(limit=-1)
