"""tanh, sigmoid' and SiLU models: faithful, monotonic, correctly rounded, on every input."""

from fractions import Fraction

import mpmath
import numpy as np
import pytest

from sigmoid_hw.model.accuracy import monotonic_violations
from sigmoid_hw.model.fixed import SQ, UQ, parse_format
from sigmoid_hw.model.function_exact import correctly_rounded, function_error_metrics
from sigmoid_hw.model.function_model import function_fixed, unit_fixed
from sigmoid_hw.model.functions import derive_function, derive_unit, error_bound

FMT = SQ(4, 12)
X = FMT.raw_range()
SILU_MIN = mpmath.findroot(lambda t: mpmath.exp(t) + 1 + t, -1.3)  # silu'(t) = 0


def exact(function, x):
    t = mpmath.mpf(int(x)) / 4096
    s = 1 / (1 + mpmath.exp(-t))
    return {"sigmoid": s, "tanh": mpmath.tanh(t), "dsigmoid": s * (1 - s),
            "silu": t * s}[function]


@pytest.mark.parametrize("function,fmt", [("sigmoid", UQ(0, 16)), ("tanh", SQ(1, 15)),
                                          ("dsigmoid", UQ(-1, 17)), ("silu", SQ(4, 12))])
def test_reference_against_mpmath(function, fmt):
    mpmath.mp.dps = 50
    xs = np.array([FMT.min, -12345, -5236, -4096, -1, 0, 1, 3, 2048, 4097, 30000, FMT.max])
    r, frac = correctly_rounded(function, xs, FMT, fmt)
    for x, rr, ff in zip(xs, r, frac):
        value = exact(function, x) * 2 ** fmt.f_bits
        assert abs(value - rr - ff) < 1e-12
        assert abs(ff) <= 0.5


@pytest.mark.parametrize("rounding", ["faithful", "correct"])
@pytest.mark.parametrize("function", ["tanh", "dsigmoid", "silu"])
def test_exhaustive(function, rounding):
    p = derive_function(function, rounding=rounding)
    y = function_fixed(X, p)
    m = function_error_metrics(function, y, X, FMT, p.output_formats[0])
    assert m["faithful"] == 1.0 and m["max_ulp"] < 1
    if rounding == "correct":
        assert m["correctly_rounded"] == 1.0
    # the bound holds wherever the output does not saturate
    lo, hi = p.maps[0].lo, p.maps[0].hi
    inside = (y > lo) & (y < hi)
    mi = function_error_metrics(function, y[inside], X[inside], FMT, p.output_formats[0])
    assert mi["max_ulp"] <= error_bound(p, function)
    if function == "tanh":
        assert np.array_equal(y[1:], -y[1:][::-1])           # odd but at the most negative x
        assert not monotonic_violations(X, y)
    elif function == "dsigmoid":
        assert not monotonic_violations(X[X <= 0], y[X <= 0])
        assert not monotonic_violations(X[X >= 0], -y[X >= 0])
    else:
        above = X >= int(mpmath.ceil(SILU_MIN * 4096))
        assert not monotonic_violations(X[above], y[above])


def test_default_formats_and_bounds():
    assert derive_function("tanh").output_formats == (SQ(1, 15),)
    assert derive_function("dsigmoid").output_formats == (UQ(-1, 17),)
    assert derive_function("silu").output_formats == (SQ(4, 12),)
    p = derive_function("dsigmoid")
    assert p.core_bits == 19 and p.maps[0].bound == Fraction(1, 4)
    p = derive_function("tanh")
    # tanh is the sigmoid core on SQ(5, 11), its error bound unchanged
    assert p.core.input_format == SQ(5, 11) and p.maps[0].shift == 0
    assert parse_format("UQ(-1,17)") == UQ(-1, 17)


@pytest.mark.parametrize("rounding", ["faithful", "correct"])
def test_unit_equals_single_functions(rounding):
    functions = ("sigmoid", "tanh", "dsigmoid", "silu")
    unit = derive_unit(functions, rounding=rounding)
    rng = np.random.default_rng(5)
    fn = rng.integers(0, 4, X.size)
    y = unit_fixed(X, fn, unit)
    for k, name in enumerate(functions):
        single = derive_function(name, rounding=rounding, core=unit.core)
        sel = fn == k
        assert np.array_equal(y[sel], function_fixed(X[sel], single))
        m = function_error_metrics(name, y[sel], X[sel], FMT, unit.output_formats[k])
        assert m["faithful"] == 1.0
        if rounding == "correct":
            assert m["correctly_rounded"] == 1.0
            # correctly rounded: the same words as the default single pipelines
            assert np.array_equal(y[sel], function_fixed(X[sel], derive_function(
                name, rounding="correct")))


def test_errors():
    with pytest.raises(ValueError, match=r"^functions must be one of 'sigmoid', 'tanh', "
                                         r"'dsigmoid', 'silu', not 'cos'$"):
        derive_unit(("sigmoid", "cos"))
    with pytest.raises(TypeError, match=r"^functions must be a non-empty tuple"):
        derive_unit("tanh")
    with pytest.raises(ValueError, match=r"^functions must not repeat a name"):
        derive_unit(("tanh", "tanh"))
    with pytest.raises(TypeError, match=r"^output_bits must be"):
        derive_function("tanh", output_bits=1.5)
    with pytest.raises(ValueError, match=r"^rounding must be one of"):
        derive_function("silu", rounding="up")
    with pytest.raises(ValueError, match=r"^input_format SQ\(4, 1\) must have at least 2 "
                                         r"fraction bits for tanh"):
        derive_function("tanh", input_format=SQ(4, 1))
    with pytest.raises(ValueError, match=r"^core .* cannot compute tanh"):
        derive_function("tanh", core=derive_function("sigmoid").core)
