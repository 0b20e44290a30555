"""The derivative polynomials P_k against three independent routes.

1. mpmath's numerical derivative of sigmoid (``mpmath.diff``) at several points;
2. the tanh route of seed 001: sigmoid(x) = (1 + tanh(x/2)) / 2, with tanh's
   derivatives built here as exact polynomials in t = tanh (d/dx T(t) =
   T'(t) (1 - t^2)), themselves checked against ``mpmath.diff`` of tanh;
3. the closed form with Stirling numbers of the second kind,
   d^k sigmoid = sum_j (-1)^(j-1) (j-1)! S(k+1, j) y^j.
"""

from fractions import Fraction
import math

import mpmath
import numpy as np
import pytest

from sigmoid_hw.model.derivatives import derivative_poly, poly_eval, sigmoid_derivative, taylor_coefficients

K_MAX = 16
MP = mpmath.MPContext()
MP.dps = 40
POINTS = ["-6.5", "-3.7", "-0.9", "0", "0.3", "1.25", "4.5"]


def mp_sigmoid(x):
    return 1 / (1 + MP.exp(-x))


# -- exact polynomial helpers (lists of Fractions, lowest degree first) --------

def p_add(a, b):
    n = max(len(a), len(b))
    return [(a[i] if i < len(a) else 0) + (b[i] if i < len(b) else 0) for i in range(n)]


def p_mul(a, b):
    out = [Fraction(0)] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] += x * y
    return out


def p_deriv(a):
    return [i * c for i, c in enumerate(a)][1:] or [Fraction(0)]


def p_trim(a):
    a = [Fraction(c) for c in a]
    while len(a) > 1 and a[-1] == 0:
        a.pop()
    return a


def p_compose(a, b):
    """a(b(y))."""
    out = [Fraction(0)]
    for c in reversed(a):
        out = p_add(p_mul(out, b), [c])
    return p_trim(out)


def tanh_derivative_polys(k_max):
    """T_k(t) with d^k/dx^k tanh(x) = T_k(tanh x), by d/dx T(t) = T'(t) (1 - t^2)."""
    polys = [[Fraction(0), Fraction(1)]]
    for _ in range(k_max):
        polys.append(p_trim(p_mul(p_deriv(polys[-1]), [Fraction(1), Fraction(0), Fraction(-1)])))
    return polys


def stirling2(n, k):
    table = [[0] * (n + 1) for _ in range(n + 1)]
    table[0][0] = 1
    for i in range(1, n + 1):
        for j in range(1, i + 1):
            table[i][j] = j * table[i - 1][j] + table[i - 1][j - 1]
    return table[n][k]


# -- tests ------------------------------------------------------------------------

def test_first_polynomials_as_written_in_the_seeds():
    y, one_minus_y = [0, 1], [1, -1]
    base = p_mul(y, one_minus_y)  # y (1 - y)
    assert p_trim(derivative_poly(0)) == p_trim(y)
    assert p_trim(derivative_poly(1)) == p_trim(base)
    assert p_trim(derivative_poly(2)) == p_trim(p_mul(base, [1, -2]))
    assert p_trim(derivative_poly(3)) == p_trim(p_mul(base, [1, -6, 6]))
    assert derivative_poly(4) == [0, 1, -15, 50, -60, 24]


@pytest.mark.parametrize("k", range(1, K_MAX + 1))
def test_integer_coefficients_and_stirling_closed_form(k):
    coeffs = derivative_poly(k)
    assert all(type(c) is int for c in coeffs)
    expected = [0] + [(-1) ** (j - 1) * math.factorial(j - 1) * stirling2(k + 1, j)
                      for j in range(1, k + 2)]
    assert coeffs == expected
    assert poly_eval(coeffs, 0) == 0 and poly_eval(coeffs, 1) == 0  # flat at both ends


def test_against_mpmath_numerical_derivative():
    for x in POINTS:
        x = MP.mpf(x)
        y = mp_sigmoid(x)
        for k in range(1, K_MAX + 1):
            numeric = MP.diff(mp_sigmoid, x, k)
            value = poly_eval(derivative_poly(k), y)
            assert abs(value - numeric) <= MP.mpf(10) ** -20 * max(1, abs(numeric)), (x, k)


def test_tanh_route_is_itself_right():
    polys = tanh_derivative_polys(10)
    assert polys[1] == [1, 0, -1]  # 1 - t^2
    assert polys[2] == [0, -2, 0, 2]  # -2t (1 - t^2)
    for x in ["-1.7", "0.2", "0.9"]:
        x = MP.mpf(x)
        t = MP.tanh(x)
        for k in range(1, 11):
            numeric = MP.diff(MP.tanh, x, k)
            value = poly_eval([MP.mpf(c.numerator) / c.denominator for c in polys[k]], t)
            assert abs(value - numeric) <= MP.mpf(10) ** -20 * max(1, abs(numeric)), (x, k)


def test_equal_to_tanh_route_exactly():
    # sigmoid(x) = (1 + tanh(x/2)) / 2, so d^k sigmoid = 2^-(k+1) T_k(tanh(x/2)),
    # and tanh(x/2) = 2y - 1: P_k(y) = 2^-(k+1) T_k(2y - 1) as polynomials.
    polys = tanh_derivative_polys(K_MAX)
    for k in range(1, K_MAX + 1):
        via_tanh = [c / 2 ** (k + 1) for c in p_compose(polys[k], [Fraction(-1), Fraction(2)])]
        assert p_trim(derivative_poly(k)) == p_trim(via_tanh), k


def test_sigmoid_derivative_in_float():
    for x in [float(p) for p in POINTS] + [-30.0, 30.0]:
        y_mp = mp_sigmoid(MP.mpf(x))
        for k in range(0, K_MAX + 1):
            value = sigmoid_derivative(x, k)
            exact = MP.diff(mp_sigmoid, MP.mpf(x), k) if k else y_mp
            # float Horner on P_k loses to cancellation about eps * sum |c_j| y^j
            y = float(y_mp)
            size = sum(abs(c) * y ** j for j, c in enumerate(derivative_poly(k)))
            assert abs(value - float(exact)) <= 64 * np.finfo(float).eps * size, (x, k)


@pytest.mark.parametrize("n", [-5, -1, 0, 1, 3])
def test_taylor_coefficients_exact(n):
    y0 = Fraction(2) ** n / (Fraction(2) ** n + 1)
    coeffs = taylor_coefficients(y0, 12)
    assert coeffs[0] == y0 and all(isinstance(c, Fraction) for c in coeffs)
    x0 = n * MP.log(2)
    numeric = MP.taylor(mp_sigmoid, x0, 12)
    for c, expected in zip(coeffs, numeric):
        assert abs(MP.mpf(c.numerator) / c.denominator - expected) <= MP.mpf(10) ** -20


def test_taylor_coefficients_float_and_mpmath():
    floats = taylor_coefficients(0.8, 5)
    exact = taylor_coefficients(Fraction(4, 5), 5)
    assert all(type(c) is float for c in floats)
    # float Horner on P_k cancels: a few eps of sum |c_j| y^j / k!
    for k, (c, e) in enumerate(zip(floats, exact)):
        size = sum(abs(a) * 0.8 ** j for j, a in enumerate(derivative_poly(k))) / math.factorial(k)
        assert abs(c - float(e)) <= 16 * np.finfo(float).eps * size
    with MP.workdps(30):
        mp_coeffs = taylor_coefficients(MP.mpf(4) / 5, 5)
        assert all(abs(a - MP.mpf(b.numerator) / b.denominator) < MP.mpf(10) ** -25
                   for a, b in zip(mp_coeffs, exact))


def test_poly_eval_on_arrays():
    y = np.linspace(0, 1, 11)
    got = poly_eval(derivative_poly(2), y)
    np.testing.assert_allclose(got, y * (1 - y) * (1 - 2 * y), atol=1e-15)


def test_bad_parameters():
    with pytest.raises(ValueError, match=r"^k must be at least 0, not -1$"):
        derivative_poly(-1)
    with pytest.raises(TypeError, match=r"^k must be an integer, not 1\.5$"):
        derivative_poly(1.5)
    with pytest.raises(TypeError, match=r"^k must be an integer, not True$"):
        derivative_poly(True)
    with pytest.raises(ValueError, match=r"^order must be at least 0, not -2$"):
        taylor_coefficients(Fraction(1, 2), -2)
