"""sigmoid_hw.model.accuracy: the exact sigmoid reference and the ulp metrics, against mpmath at 50 digits."""

import random

import mpmath
import numpy as np
import pytest

from sigmoid_hw.model import accuracy
from sigmoid_hw.model.accuracy import (correctly_rounded_sigmoid, error_metrics, exact_sigmoid_scaled,
                            exhaustive_metrics, sigmoid_error_ulp)
from sigmoid_hw.model.fixed import SQ, UQ
import oracle

HARD_RAW = -12570  # x = -3.06884765625: sigmoid(x) * 2**16 = 2910.4999984... (SEEDS.md)


def mp_scaled(raw, in_format, out_bits):
    return oracle.sigmoid_scaled(raw, in_format.f_bits, out_bits)


def mp_rounded(raw, in_format, out_bits):
    with mpmath.workdps(50):
        value = mp_scaled(raw, in_format, out_bits)
        floor = int(mpmath.floor(value))
        assert abs(value - floor - mpmath.mpf(0.5)) > mpmath.mpf(10) ** -35
        return min(floor + (1 if value - floor > 0.5 else 0), (1 << out_bits) - 1)


def sample(in_format, count, seed):
    rng = random.Random(seed)
    raws = {in_format.min, in_format.max, 0, 1, -1 if in_format.signed else 2}
    raws.update(rng.randrange(in_format.min, in_format.max + 1) for _ in range(count))
    return np.array(sorted(raws), dtype=np.int64)


@pytest.mark.parametrize("in_format,out_bits", [
    (SQ(4, 12), 16), (SQ(5, 15), 24), (SQ(8, 8), 16), (SQ(2, 20), 40), (UQ(3, 9), 12),
])
def test_exact_value_within_certified_bound(in_format, out_bits):
    raws = sample(in_format, 300, seed=out_bits)
    exact = exact_sigmoid_scaled(raws, in_format, out_bits)
    with mpmath.workdps(50):
        for raw, numer in zip(raws, exact.numer):
            error = mpmath.mpf(int(numer)) / (1 << exact.shift) - mp_scaled(raw, in_format, out_bits)
            assert abs(error) <= mpmath.mpf(exact.bound) / (1 << exact.shift), raw


@pytest.mark.parametrize("in_format,out_bits", [
    (SQ(4, 12), 16), (SQ(5, 15), 24), (SQ(8, 8), 16), (SQ(4, 12), 8), (UQ(3, 9), 12),
])
def test_correctly_rounded_matches_mpmath(in_format, out_bits):
    raws = sample(in_format, 500, seed=7 * out_bits)
    got = correctly_rounded_sigmoid(raws, in_format, out_bits)
    assert [int(v) for v in got] == [mp_rounded(r, in_format, out_bits) for r in raws]


def test_saturates_at_largest_output():
    # sigmoid(8 - 2**-12) * 2**8 = 255.91...: the nearest representable output is 255.
    assert correctly_rounded_sigmoid([32767], SQ(4, 12), 8)[0] == 255
    assert mp_scaled(32767, SQ(4, 12), 8) > 255.5


def test_seeds_hard_case():
    fmt = SQ(4, 12)
    assert correctly_rounded_sigmoid([HARD_RAW], fmt, 16)[0] == 2910
    err = sigmoid_error_ulp(np.array([2910, 2911]), np.array([HARD_RAW, HARD_RAW]), fmt, 16)
    with mpmath.workdps(50):
        distance = float(mp_scaled(HARD_RAW, fmt, 16) - 2910)
    assert 0.4999983 < distance < 0.4999985
    assert err[0] == pytest.approx(-distance, abs=1e-12)
    assert err[1] == pytest.approx(1 - distance, abs=1e-12)
    metrics = error_metrics(np.array([2911]), np.array([HARD_RAW]), fmt, 16)
    assert metrics["correctly_rounded"] == 0.0 and metrics["faithful"] == 1.0


def test_retry_with_more_guard_bits(monkeypatch):
    # Four guard bits leave many values undecided; the retry must settle them all.
    fmt = SQ(5, 15)
    raws = sample(fmt, 400, seed=11)
    coarse = exact_sigmoid_scaled(raws, fmt, 20, guard_bits=4)
    rem = [int(v) % 16 for v in coarse.numer]
    assert sum(abs(v - 8) <= coarse.bound for v in rem) > 50  # undecided at 4 bits
    monkeypatch.setattr(accuracy, "GUARD_BITS", 4)
    rounded, frac = accuracy._rounded_and_frac(raws, fmt, 20)
    assert [min(int(v), (1 << 20) - 1) for v in rounded] == [mp_rounded(r, fmt, 20) for r in raws]
    with mpmath.workdps(50):
        for raw, r, f in zip(raws, rounded, frac):
            # Within the bound of the precision that decided it (4 guard bits or more).
            assert abs(f - float(mp_scaled(raw, fmt, 20) - int(r))) <= coarse.bound / 16


def test_metrics_of_exact_and_shifted_outputs():
    fmt = SQ(4, 12)
    raws = fmt.raw_range()
    best = correctly_rounded_sigmoid(raws, fmt, 16)
    metrics = exhaustive_metrics(lambda raw: correctly_rounded_sigmoid(raw, fmt, 16), fmt, 16)
    assert metrics["correctly_rounded"] == 1.0 and metrics["faithful"] == 1.0
    assert metrics["count"] == 65536
    assert metrics["worst_x"] == HARD_RAW
    assert 0.49 < metrics["max_ulp"] < 0.5
    shifted = error_metrics(np.minimum(best + 1, 65535), raws, fmt, 16)
    assert shifted["correctly_rounded"] < 1e-3
    assert 1.49 < shifted["max_ulp"] <= 1.5
    # The mean absolute error of a correctly rounded output, mpmath on a sample.
    picks = sample(fmt, 200, seed=3)
    with mpmath.workdps(50):
        errors = [abs(int(best[r - fmt.min]) - mp_scaled(r, fmt, 16)) for r in picks]
    got = sigmoid_error_ulp(best[picks - fmt.min], picks, fmt, 16)
    assert np.abs(got) == pytest.approx([float(e) for e in errors], abs=1e-12)


def test_validation():
    fmt = SQ(4, 12)
    with pytest.raises(TypeError, match=r"^in_format must be an SQ or UQ format, not 'SQ\(4,12\)'$"):
        correctly_rounded_sigmoid([0], "SQ(4,12)", 16)
    with pytest.raises(ValueError, match=r"^out_bits must be between 1 and 62, not 0$"):
        correctly_rounded_sigmoid([0], fmt, 0)
    with pytest.raises(ValueError, match=r"^out_bits must be between 1 and 62, not 63$"):
        correctly_rounded_sigmoid([0], fmt, 63)
    with pytest.raises(ValueError, match=r"^raw_x value -32769 is outside SQ\(4, 12\)"):
        correctly_rounded_sigmoid([-32769], fmt, 16)
    with pytest.raises(ValueError, match=r"^raw_y value 65536 is outside UQ\(0, 16\)"):
        error_metrics(np.array([65536]), np.array([0]), fmt, 16)
    with pytest.raises(ValueError, match=r"^raw_y has shape \(2,\) but raw_x has shape \(1,\)$"):
        error_metrics(np.array([1, 2]), np.array([0]), fmt, 16)
    with pytest.raises(TypeError, match=r"^raw_y must be an integer array, not dtype\('float64'\)$"):
        error_metrics(np.array([0.5]), np.array([0]), fmt, 16)


def test_monotonic_violations_lists_every_step_down():
    from sigmoid_hw.model.accuracy import monotonic_violations
    # in any order, with a repeated input; steps down between neighbours 2 -> 3 and 5 -> 7
    x = np.array([5, 1, 3, 2, 7, 3, 0])
    y = np.array([9, 1, 4, 6, 8, 4, 0])
    assert monotonic_violations(x, y) == [(2, 3), (5, 7)]
    assert monotonic_violations(np.arange(10), np.arange(10) // 3) == []
    assert monotonic_violations([], []) == []
    with pytest.raises(ValueError, match=r"^raw_y has 2 values but raw_x has 3$"):
        monotonic_violations([1, 2, 3], [1, 2])


def test_monotonic_note_names_the_steps():
    from sigmoid_hw.report.accuracy import accuracy_figures, monotonic_note
    fmt = SQ(4, 4)
    x = fmt.raw_range()
    y = correctly_rounded_sigmoid(x, fmt, 8)
    assert accuracy_figures(y, x, fmt, 8)["steps_down"] == 0
    y = y.copy()
    y[x == 5] = y[x == 6] + 1                     # one step down, from x = 5 to 6
    figures = accuracy_figures(y, x, fmt, 8)
    assert (figures["monotonic"], figures["steps_down"]) == (False, 1)
    assert monotonic_note(figures).startswith(
        "not monotonic: 1 step down (raw x 5 -> 6: y {} -> {})".format(
            int(y[x == 5][0]), int(y[x == 6][0])))
