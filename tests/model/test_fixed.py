"""sigmoid_hw.model.fixed: SQ / UQ formats against exact Fraction arithmetic."""

from fractions import Fraction
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from sigmoid_hw.model.fixed import ROUNDING_MODES, SQ, UQ, parse_format


def oracle_round(value, mode):
    """Round an exact Fraction to an integer, from first principles."""
    lo = value.numerator // value.denominator  # the integer at or below
    hi = lo if lo == value else lo + 1
    if mode == "floor":
        return lo
    if mode == "ceil":
        return hi
    if mode == "trunc":
        return lo if value >= 0 else hi
    below, above = value - lo, hi - value
    if below != above or lo == hi:
        return lo if below < above else hi
    if mode == "nearest_even":
        return lo if lo % 2 == 0 else hi
    assert mode == "nearest_up"
    return hi  # ties toward +inf


def oracle_raw(fmt, value, mode, overflow):
    raw = oracle_round(Fraction(value) * 2 ** fmt.f_bits, mode)
    low, high = (-2 ** (fmt.width - 1), 2 ** (fmt.width - 1) - 1) if isinstance(fmt, SQ) \
        else (0, 2 ** fmt.width - 1)
    if low <= raw <= high:
        return raw
    if overflow == "raise":
        return None
    return min(max(raw, low), high)


formats = st.one_of(
    st.builds(SQ, st.integers(1, 12), st.integers(0, 20)),
    st.builds(UQ, st.integers(0, 12), st.integers(1, 20)),
)


@settings(deadline=None, max_examples=250)
@given(formats, st.floats(-5000, 5000), st.sampled_from(ROUNDING_MODES),
       st.sampled_from(["raise", "saturate"]))
def test_from_float_against_fractions(fmt, value, mode, overflow):
    expected = oracle_raw(fmt, value, mode, overflow)
    if expected is None:
        with pytest.raises(ValueError, match=r"^Value .* is outside the range of [SU]Q\(\d+, \d+\) "):
            fmt.from_float(value, rounding=mode, overflow=overflow)
    else:
        got = fmt.from_float(value, rounding=mode, overflow=overflow)
        assert type(got) is int and got == expected


@settings(deadline=None, max_examples=100)
@given(formats, st.lists(st.floats(-20, 20), min_size=1, max_size=12),
       st.sampled_from(ROUNDING_MODES))
def test_from_float_vectorized(fmt, values, mode):
    arr = np.array(values).reshape(len(values), 1)
    got = fmt.from_float(arr, rounding=mode, overflow="saturate")
    assert got.dtype == np.int64 and got.shape == arr.shape
    assert list(got.ravel()) == [oracle_raw(fmt, v, mode, "saturate") for v in values]


@pytest.mark.parametrize("value,expected", [
    # (value in units of 2^-f): nearest_even, nearest_up, floor, ceil, trunc
    (2.5, (2, 3, 2, 3, 2)),
    (3.5, (4, 4, 3, 4, 3)),
    (-2.5, (-2, -2, -3, -2, -2)),
    (-3.5, (-4, -3, -4, -3, -3)),
    (2.25, (2, 2, 2, 3, 2)),
    (-2.75, (-3, -3, -3, -2, -2)),
])
def test_rounding_modes_by_hand(value, expected):
    fmt = SQ(8, 4)
    for mode, raw in zip(ROUNDING_MODES, expected):
        assert fmt.from_float(value / 16, rounding=mode) == raw, mode


def test_fractions_and_infinities():
    fmt = SQ(4, 12)
    assert fmt.from_float(Fraction(1, 3)) == 1365  # 4096 / 3 = 1365.33
    assert fmt.from_float(Fraction(-1, 3), rounding="floor") == -1366
    assert fmt.from_float(3) == 3 * 4096
    assert fmt.from_float(math.inf, overflow="saturate") == 32767
    assert fmt.from_float(-math.inf, overflow="saturate") == -32768
    # rounds up to 8.0, just out of range
    assert fmt.from_float(8 - 2 ** -14, overflow="saturate") == 32767
    with pytest.raises(ValueError, match=r"^Value 7\.99993896484375 is outside the range of "
                                         r"SQ\(4, 12\) \[-8\.0, 7\.999755859375\]$"):
        fmt.from_float(8 - 2 ** -14)
    with pytest.raises(ValueError, match=r"^Value inf is outside the range of SQ\(4, 12\) "):
        fmt.from_float(math.inf)
    assert fmt.from_float(8 - 2 ** -14, rounding="floor") == 32767


def test_to_float_and_bounds():
    sq, uq = SQ(4, 12), UQ(0, 16)
    assert (sq.width, sq.min, sq.max) == (16, -32768, 32767)
    assert (uq.width, uq.min, uq.max) == (16, 0, 65535)
    assert sq.min_value == -8 and sq.max_value == Fraction(32767, 4096)
    assert uq.max_value == 1 - Fraction(1, 65536) and uq.resolution == Fraction(1, 65536)
    assert sq.to_float(-32768) == -8.0 and type(sq.to_float(5)) is float
    np.testing.assert_array_equal(uq.to_float(np.array([0, 32768, 65535])),
                                  [0.0, 0.5, 65535 / 65536])
    assert sq.to_fraction(-1) == Fraction(-1, 4096)
    rr = SQ(1, 1).raw_range()
    assert list(rr) == [-2, -1, 0, 1] and rr.dtype == np.int64
    assert UQ(3, 0).max == 7 and SQ(1, 0).min == -1 and SQ(1, 0).max == 0


@settings(deadline=None, max_examples=200)
@given(formats, st.data())
def test_round_trip(fmt, data):
    raw = data.draw(st.integers(fmt.min, fmt.max))
    assert fmt.from_float(fmt.to_float(raw)) == raw
    assert fmt.to_float(raw) == raw / 2 ** fmt.f_bits


def test_contains_and_check_raw():
    fmt = SQ(4, 12)
    assert fmt.contains([-32768, 32767]) and not fmt.contains([32768])
    assert fmt.check_raw(np.array([1, 2])).tolist() == [1, 2]
    with pytest.raises(ValueError, match=r"^raw value 40000 is outside SQ\(4, 12\) "
                                         r"\(raw range \[-32768, 32767\]\)$"):
        fmt.check_raw([1, 40000])
    with pytest.raises(TypeError, match=r"^raw must be integers of SQ\(4, 12\), "
                                        r"not dtype\('float64'\)$"):
        fmt.check_raw([1.0])


def test_equality_and_repr():
    assert SQ(4, 12) == SQ(4, 12) and SQ(4, 12) != UQ(4, 12) and SQ(4, 12) != SQ(4, 11)
    assert hash(SQ(4, 12)) == hash(SQ(4, 12))
    assert repr(SQ(4, 12)) == "SQ(4, 12)" and repr(UQ(0, 16)) == "UQ(0, 16)"


def test_bad_parameters():
    with pytest.raises(ValueError, match=r"^SQ\(0, 8\): i_bits must be at least 1, not 0$"):
        SQ(0, 8)
    with pytest.raises(ValueError, match=r"^UQ\(1, -1\): f_bits must be at least 0, not -1$"):
        UQ(1, -1)
    with pytest.raises(TypeError, match=r"^SQ\(4\.0, 12\): i_bits must be an integer, "
                                        r"not 4\.0$"):
        SQ(4.0, 12)
    with pytest.raises(TypeError, match=r"^UQ\(1, True\): f_bits must be an integer, "
                                        r"not True$"):
        UQ(1, True)
    with pytest.raises(ValueError, match=r"^UQ: width must be at least 1 bit, not 0$"):
        UQ(0, 0)
    fmt = SQ(4, 12)
    with pytest.raises(ValueError, match=r"^Rounding mode must be one of \('nearest_even', "
                                         r"'nearest_up', 'floor', 'ceil', 'trunc'\), not 'up'$"):
        fmt.from_float(1.0, rounding="up")
    with pytest.raises(ValueError, match=r"^Overflow must be 'raise' or 'saturate', not 'wrap'$"):
        fmt.from_float(1.0, overflow="wrap")
    with pytest.raises(ValueError, match=r"^Cannot convert NaN to SQ\(4, 12\)$"):
        fmt.from_float([0.0, math.nan])
    with pytest.raises(TypeError, match=r"^Value must be a real number, not True$"):
        fmt.from_float(True)
    with pytest.raises(TypeError, match=r"^Value must be a real number, not 'x'$"):
        fmt.from_float("x")


@pytest.mark.parametrize("text,expected", [
    ("SQ(4,12)", SQ(4, 12)), ("sq4.12", SQ(4, 12)), (" UQ( 0 , 16 ) ", UQ(0, 16)),
    ("uq1.15", UQ(1, 15)), ("Sq(1,0)", SQ(1, 0)),
])
def test_parse_format(text, expected):
    assert parse_format(text) == expected


def test_parse_format_errors():
    with pytest.raises(ValueError, match=r"^Format must look like 'SQ\(4,12\)' or 'UQ\(0,16\)', "
                                         r"not 'Q\(4,12\)'$"):
        parse_format("Q(4,12)")
    with pytest.raises(ValueError, match=r"^Format must look like 'SQ\(4,12\)' or 'UQ\(0,16\)', "
                                         r"not 'SQ\(4,-1\)'$"):
        parse_format("SQ(4,-1)")
    with pytest.raises(TypeError, match=r"^Format must be a string like 'SQ\(4,12\)', not 4$"):
        parse_format(4)
    with pytest.raises(ValueError, match=r"^SQ\(0, 8\): i_bits must be at least 1, not 0$"):
        parse_format("SQ(0,8)")
