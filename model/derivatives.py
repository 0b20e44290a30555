"""Every derivative of sigmoid is a polynomial in y = sigmoid(x) alone (seed 001, property 3).

``P_1(y) = y (1 - y)`` and ``P_{k+1}(y) = P_k'(y) * y (1 - y)``, so
``d^k/dx^k sigmoid(x) = P_k(sigmoid(x))``. The coefficients are integers and
are kept exactly (Python ints, lowest degree first)::

    P_1 = y - y^2
    P_2 = y - 3y^2 + 2y^3                 = y(1-y)(1-2y)
    P_3 = y - 7y^2 + 12y^3 - 6y^4         = y(1-y)(1-6y+6y^2)
    P_4 = y - 15y^2 + 50y^3 - 60y^4 + 24y^5

The Taylor coefficients of sigmoid about a point where it equals ``y0`` are
``c_k = P_k(y0) / k!`` (``c_0 = y0``).
"""

from fractions import Fraction
import functools
import math
import numbers
from sigmoid_hw.model.validate import check_int

__all__ = ["derivative_poly", "poly_eval", "taylor_coefficients", "sigmoid_derivative"]


def _check_order(k, name="k", minimum=1):
    return check_int(name, k, minimum)


@functools.lru_cache(maxsize=None)
def _poly(k):
    if k == 0:
        return (0, 1)  # y
    prev = _poly(k - 1)
    deriv = [i * c for i, c in enumerate(prev)][1:]  # P'
    # multiply by y - y^2
    out = [0] * (len(deriv) + 2)
    for i, c in enumerate(deriv):
        out[i + 1] += c
        out[i + 2] -= c
    while len(out) > 1 and out[-1] == 0:
        out.pop()
    return tuple(out)


def derivative_poly(k):
    """Integer coefficients of ``P_k`` (lowest degree first); ``P_0(y) = y``.

    Raises
    ------
    TypeError, ValueError
        If ``k`` is not an integer >= 0.
    """
    return list(_poly(_check_order(k, minimum=0)))


def poly_eval(coeffs, y):
    """Evaluate a polynomial (lowest degree first) by Horner's rule.

    Works for ints, Fractions, floats, mpmath numbers and numpy arrays.
    """
    acc = 0
    for c in reversed(coeffs):
        acc = acc * y + c
    return acc


def taylor_coefficients(y0, order):
    """``[c_0, ..., c_order]`` with ``c_k = P_k(y0) / k!``.

    Exact if ``y0`` is a ``Fraction`` (or int), otherwise in ``y0``'s arithmetic.
    """
    order = _check_order(order, "order", minimum=0)
    out = []
    for k in range(order + 1):
        value = poly_eval(derivative_poly(k), y0)
        if isinstance(value, (numbers.Rational, Fraction)):
            out.append(Fraction(value) / math.factorial(k))
        else:
            out.append(value / math.factorial(k))
    return out


def sigmoid_derivative(x, k):
    """The ``k``-th derivative of sigmoid at ``x`` (float64), via ``P_k(sigmoid(x))``."""
    from sigmoid_hw.model.reference import sigmoid
    return poly_eval(derivative_poly(k), sigmoid(x))
