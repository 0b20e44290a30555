"""The two tanh comparison models against their definitions (hls4ml's table, TFLite's int16 tanh)."""

from fractions import Fraction
import math

import mpmath
import numpy as np
import pytest

from sigmoid_hw.model import baselines
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.function_exact import function_error_metrics

FMT = SQ(4, 12)
OUT = SQ(1, 15)
ALL_RAW = FMT.raw_range()
DPS = 60


def mp_round(value):
    """Round to nearest, refusing to decide within 1e-30 of a midpoint."""
    floor = int(mpmath.floor(value))
    frac = value - floor
    assert abs(frac - mpmath.mpf(0.5)) > mpmath.mpf(10) ** -30
    return floor + (1 if frac > 0.5 else 0)


def mp_tanh_scaled(x):
    """2^15 tanh(x) for an exact rational x, at 60 digits."""
    with mpmath.workdps(DPS):
        return mpmath.mpf(2) ** 15 * mpmath.tanh(mpmath.mpf(x.numerator) / x.denominator)


def sample():
    """Every bin and knot edge with its neighbours, the extremes, and a stride."""
    points = {FMT.min, FMT.min + 1, -1, 0, 1, FMT.max - 1, FMT.max}
    for k in range(-512, 513):                       # hls4ml: bins of 1/128 = 32 raw
        points.update((32 * k - 1, 32 * k, 32 * k + 1))
    for h in range(0, 258):                          # TFLite tanh: first |raw| with 3|raw| >> 8 == h
        a = -(-256 * h // 3)
        points.update((a - 1, a, -a, -a + 1))
    points.update(range(FMT.min, FMT.max + 1, 53))
    return np.array(sorted(p for p in points if FMT.min <= p <= FMT.max), dtype=np.int64)


# --- hls4ml's 1024-entry tanh table -----------------------------------------

def test_tanh1024_entries_are_rounded_left_edges():
    """Entry ii = tanh(2 * 4.0 * (ii - N/2) / N), N = 1024 (hls4ml's init_tanh_table)."""
    entries = baselines.tanh1024_entries()
    assert entries.shape == (1024,)
    for i in range(1024):
        left_edge = Fraction(2 * 4 * (i - 512), 1024)
        assert entries[i] == mp_round(mp_tanh_scaled(left_edge)), i


def test_tanh1024_model_is_hls4mls_index():
    """index = int(x * 1024 / 8) + 4 * 1024 / 8 (int() truncates toward zero), clamped."""
    entries = [int(v) for v in baselines.tanh1024_entries()]

    def hls4ml(raw):
        index = math.trunc(Fraction(int(raw), 4096) * 1024 / 8) + 4 * 1024 // 8
        return entries[min(max(index, 0), 1023)]

    raw = sample()
    assert [int(v) for v in baselines.tanh1024_tanh(raw)] == [hls4ml(r) for r in raw]


def test_tanh1024_saturates_outside_the_table_and_is_odd_inside():
    y = baselines.tanh1024_tanh(ALL_RAW)
    entries = baselines.tanh1024_entries()
    assert np.all(y[ALL_RAW >= 4 * 4096] == entries[1023])      # tanh(4 - 1/128)
    assert np.all(y[ALL_RAW <= -4 * 4096] == entries[0])        # tanh(-4)
    inside = ALL_RAW[np.abs(ALL_RAW) < 4 * 4096]
    assert np.array_equal(baselines.tanh1024_tanh(-inside), -baselines.tanh1024_tanh(inside))
    # (-1/128, 1/128) all read tanh(0)
    assert set(baselines.tanh1024_tanh(np.arange(-31, 32)).tolist()) == {0}


def test_tanh1024_error_figures():
    """The worst input is x = -31/4096, the edge of the double-width bin round zero."""
    m = function_error_metrics("tanh", baselines.tanh1024_tanh(ALL_RAW), ALL_RAW, FMT, OUT)
    assert m["worst_x"] in (-31, 31) and m["count"] == 65536
    assert m["max_ulp"] == pytest.approx(float(mp_tanh_scaled(Fraction(31, 4096))), abs=1e-9)
    assert 247.99 < m["max_ulp"] < 248.0
    exact = 32768 * np.tanh(ALL_RAW / 4096)
    y = baselines.tanh1024_tanh(ALL_RAW)
    assert m["mean_ulp"] == pytest.approx(np.abs(y - exact).mean(), abs=1e-9)


# --- TFLite's int16 tanh: 256-entry sigmoid table, interpolated -------------

def test_tflite_table_is_the_shipped_one():
    table = baselines.tflite_sigmoid_table()
    assert table.shape == (256,)
    # published sigmoid_table_uint16 (TFLite / CMSIS-NN): head, and the last eleven entries
    assert [int(table[i]) for i in (0, 4, 8, 12, 14, 19)] == \
        [32768, 35493, 38180, 40794, 42064, 45102]
    assert table[-11:].tolist() == [65534] * 10 + [65535]
    assert np.array_equal(table[:255], baselines.interp256_entries()[:255])


def test_tanh_interp256_model_equals_exact_definition():
    """r = T[h] 2^8 + t (T[h+1] - T[h]) at 3|raw| = 256 h + t, tanh = 2 s - 1, rounded half up,
    and y(-x) = -y(x) by construction of TFLite's pair of roundings."""
    table = [int(v) for v in baselines.tflite_sigmoid_table()]

    def tflite(raw):
        position = Fraction(3 * abs(int(raw)), 256)     # knot units of 2|x| (spacing 1/24)
        h = math.floor(position)
        if h >= 255:
            two_s = Fraction(2 * 65535, 65536)
        else:
            two_s = 2 * (table[h] + (position - h) * (table[h + 1] - table[h])) / 65536
        magnitude = math.floor((two_s - 1) * 32768 + Fraction(1, 2))
        return magnitude if raw >= 0 else -magnitude

    raw = sample()
    assert [int(v) for v in baselines.tanh_interp256_tanh(raw)] == [tflite(r) for r in raw]


def test_tanh_interp256_range_oddness_and_saturation():
    y = baselines.tanh_interp256_tanh(ALL_RAW)
    assert y.min() == -32767 and y.max() == 32767
    body = ALL_RAW[ALL_RAW > FMT.min]
    assert np.array_equal(baselines.tanh_interp256_tanh(-body), -baselines.tanh_interp256_tanh(body))
    assert np.all(y[ALL_RAW >= 21760] == 32767)                # 3|raw| >> 8 >= 255: |x| >= 5.3125
    assert baselines.tanh_interp256_tanh([0]).tolist() == [0]


def test_tanh_interp256_error_figures():
    """Max 1.476 ulp at x = +-2987/4096, mean 0.468 ulp, 85.4 % correctly rounded."""
    y = baselines.tanh_interp256_tanh(ALL_RAW)
    m = function_error_metrics("tanh", y, ALL_RAW, FMT, OUT)
    # float64 suffices for the figures: its error is ~1e-11 ulp here
    exact = 32768 * np.tanh(ALL_RAW / 4096)
    err = np.abs(y - exact)
    assert m["max_ulp"] == pytest.approx(err.max(), abs=1e-9)
    assert m["mean_ulp"] == pytest.approx(err.mean(), abs=1e-9)
    assert abs(m["worst_x"]) == 2987
    worst = m["worst_x"]
    assert m["max_ulp"] == pytest.approx(
        abs(float(int(y[ALL_RAW == worst][0]) - mp_tanh_scaled(Fraction(worst, 4096)))), abs=1e-9)
    assert 1.47 < m["max_ulp"] < 1.48 and 0.46 < m["mean_ulp"] < 0.47
    rounded = np.clip(np.floor(exact + 0.5), -32767, 32767)
    assert m["correctly_rounded"] == np.mean(y == rounded)
    assert 0.85 < m["correctly_rounded"] < 0.86
