"""sigmoid(n ln2) from its bit pattern, against the exact rational 2^n / (2^n + 1)."""

from fractions import Fraction
import math

import pytest
from hypothesis import given, settings, strategies as st

from sigmoid_hw.model.bitpattern import pattern_bit, pattern_string, reference_raw, reference_value


def exact(n):
    """sigmoid(n ln2) = 1 / (1 + 2^-n), exactly."""
    return 1 / (1 + Fraction(2) ** -n)


def floor_scaled(value, f_bits):
    return math.floor(value * 2 ** f_bits)


def test_exhaustive_truncation_and_nearest():
    # |n| <= 40 and F <= 64, every pair.
    for n in range(-40, 41):
        value = exact(n)
        for f in range(0, 65):
            scaled = value * 2 ** f
            assert reference_raw(n, f) == math.floor(scaled), (n, f)
            assert reference_raw(n, f, "truncate") == math.floor(scaled), (n, f)
            # round to nearest; the only tie is n = 0, F = 0 (0.5), rounded up
            nearest = reference_raw(n, f, "nearest")
            assert abs(nearest - scaled) <= Fraction(1, 2), (n, f)
            if scaled - math.floor(scaled) == Fraction(1, 2):
                assert (n, f) == (0, 0) and nearest == 1
            else:
                assert nearest == round(scaled), (n, f)


@settings(deadline=None, max_examples=200)
@given(st.integers(-300, 300), st.integers(0, 400))
def test_truncation_property(n, f_bits):
    value = exact(n)
    raw = reference_raw(n, f_bits)
    assert raw == floor_scaled(value, f_bits)
    assert reference_value(n, f_bits) == Fraction(raw, 2 ** f_bits)
    assert 0 <= value - reference_value(n, f_bits) < Fraction(1, 2 ** f_bits)
    assert abs(value - reference_value(n, f_bits, "nearest")) <= Fraction(1, 2 ** (f_bits + 1))


@settings(deadline=None, max_examples=200)
@given(st.integers(-100, 100), st.integers(1, 300))
def test_each_bit_is_the_binary_digit(n, j):
    assert pattern_bit(n, j) == floor_scaled(exact(n), j) % 2


@pytest.mark.parametrize("n,text", [
    (1, "0.1010101010"),
    (2, "0.1100110011"),
    (3, "0.1110001110"),
    (0, "0.1000000000"),
    (-1, "0.0101010101"),
    (-2, "0.0011001100"),
    (-3, "0.0001110001"),
])
def test_patterns_as_the_seed_describes(n, text):
    assert pattern_string(n, 10) == text


@pytest.mark.parametrize("n", [1, 2, 5, 7, -1, -4, -6])
def test_pattern_is_periodic_blocks(n):
    # |n| ones then |n| zeros for n > 0, the other way round for n < 0
    period = ("1" * n + "0" * n) if n > 0 else ("0" * -n + "1" * -n)
    f = 6 * abs(n) + 3
    assert pattern_string(n, f)[2:] == (period * 8)[:f]


def test_values_of_the_report():
    assert reference_raw(2, 8) == 0b11001100
    assert reference_raw(-2, 8, "nearest") == 0b00110011
    assert reference_raw(3, 6, "nearest") == 0b111001  # 0.111000|111... rounds up
    assert reference_value(0, 5) == Fraction(1, 2)
    assert reference_raw(7, 0) == 0 and reference_raw(7, 0, "nearest") == 1


def test_bad_parameters():
    with pytest.raises(TypeError, match=r"^n must be an integer, not 1\.5$"):
        reference_raw(1.5, 3)
    with pytest.raises(TypeError, match=r"^n must be an integer, not True$"):
        pattern_bit(True, 1)
    with pytest.raises(ValueError, match=r"^j must be at least 1, not 0$"):
        pattern_bit(1, 0)
    with pytest.raises(ValueError, match=r"^f_bits must be at least 0, not -1$"):
        reference_raw(1, -1)
    with pytest.raises(ValueError, match=r"^rounding must be 'truncate' or 'nearest', not 'up'$"):
        reference_raw(1, 4, "up")
