"""``sigmoid-hw threshold``: limit, boundary and sigmoids checked with mpmath."""

import json
import math
import re
from fractions import Fraction

import mpmath
import pytest

from sigmoid_hw.scripts.cli import main
import oracle


def _run(capsys, *argv):
    code = main(["threshold", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _mp_sigmoid(x):
    return oracle.sigmoid(x)


def _check_boundary(info, t, f_bits):
    """sigmoid below the boundary <= t < sigmoid at it, in mpmath; the limit is that boundary."""
    limit = info["limit"]
    with mpmath.workdps(50):
        assert _mp_sigmoid(mpmath.mpf(limit - 1) / 2 ** f_bits) <= t
        assert _mp_sigmoid(mpmath.mpf(limit) / 2 ** f_bits) > t
        assert info["boundary_x"] == limit / 2 ** f_bits
        assert abs(info["sigmoid_below"] - float(_mp_sigmoid(mpmath.mpf(limit - 1) / 2 ** f_bits))) \
            <= 1e-16
        assert abs(info["sigmoid_at"] - float(_mp_sigmoid(mpmath.mpf(limit) / 2 ** f_bits))) <= 1e-16
        # 40 significant digits
        exact = _mp_sigmoid(mpmath.mpf(limit) / 2 ** f_bits)
        assert abs(mpmath.mpf(info["sigmoid_at_digits"]) - exact) < mpmath.mpf(10) ** -40


def test_json_for_a_decimal_threshold(capsys):
    code, out, _ = _run(capsys, "0.7", "--json")
    assert code == 0
    info = json.loads(out)
    with mpmath.workdps(50):
        _check_boundary(info, mpmath.mpf(7) / 10, 12)
    assert info["passes"] == "raw >= limit"
    assert info["seed_logit"] == pytest.approx(math.log(0.7 / 0.3), abs=1e-15)


def test_json_counterexample_and_other_format(capsys):
    code, out, _ = _run(capsys, "0.2689414213699951", "--json")
    info = json.loads(out)
    with mpmath.workdps(50):
        _check_boundary(info, mpmath.mpf("0.2689414213699951"), 12)
    assert info["limit"] == -4096 and info["seed_limit"] == -4095 and not info["seed_agrees"]

    code, out, _ = _run(capsys, "9/10", "--input-format", "SQ(8,20)", "--json")
    info = json.loads(out)
    with mpmath.workdps(50):
        _check_boundary(info, mpmath.mpf(9) / 10, 20)


def test_raw_threshold_and_text_output(capsys):
    code, out, _ = _run(capsys, "0x8000", "--raw-format", "UQ(0,16)")
    assert code == 0
    assert out.splitlines()[0] == "threshold T        = 0x8000 (1/2, 0.5 as float)"
    assert "limit L            = 1 (17 bits; passes: raw >= limit)" in out.splitlines()
    assert "sigmoid(x - 2^-12) = 0.5  (<= T: fails)" in out.splitlines()


@pytest.mark.parametrize("text, limit, passes", [
    ("0", -32768, "all"), ("-3", -32768, "all"), ("1", 32768, "none"), ("inf", 32768, "none"),
    ("1e-300", -32768, "all"),
])
def test_ends(capsys, text, limit, passes):
    code, out, _ = _run(capsys, text, "--json")
    info = json.loads(out)
    assert (code, info["limit"], info["passes"]) == (0, limit, passes)


@pytest.mark.parametrize("argv, message", [
    (["nan"], r"^sigmoid-hw threshold: error: Threshold must be a real number other than NaN, not nan$"),
    (["abc"], r"^sigmoid-hw threshold: error: Threshold must be a number such as 0\.5 or "
              r"3/4, not 'abc'$"),
    (["runtime"], r"^sigmoid-hw threshold: error: Threshold must be a number such as 0\.5 or "
                  r"3/4, not 'runtime'$"),
    (["0.5", "--input-format", "foo"],
     r"^sigmoid-hw threshold: error: Format must look like 'SQ\(4,12\)' or 'UQ\(0,16\)', not 'foo'$"),
    (["0.5", "--raw-format", "UQ(0,16)"],
     r"^sigmoid-hw threshold: error: Threshold must be an integer raw word of UQ\(0, 16\), "
     r"not '0\.5'$"),
    (["70000", "--raw-format", "UQ(0,16)"],
     r"^sigmoid-hw threshold: error: Threshold raw value 70000 is outside UQ\(0, 16\)"),
])
def test_errors_exit_2(capsys, argv, message):
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1
    assert re.match(message, err.strip()), err


@pytest.mark.parametrize("text, sign, as_float, limit", [
    ("1e-400", "-inf", 0.0, -32768),                    # exactly > 0, but 0.0 as a float
    ("0.99999999999999999999", "+inf", 1.0, 32768),     # exactly < 1, but 1.0 as a float
])
def test_seed_formula_on_a_float_that_underflows(capsys, text, sign, as_float, limit):
    """float(T) is 0.0 (or 1.0): the seed's -ln(1/T - 1) is -inf (+inf), and the line says why."""
    code, out, _ = _run(capsys, text)
    assert code == 0
    assert float(text) == as_float and 0 < Fraction(text) < 1
    line = [x for x in out.splitlines() if x.startswith("seed ")][0]
    assert line == ("seed -ln(1/T - 1)  = {} (T is {!r} as a float, so 1/T - 1 is {}) -> L = {} "
                    "(agrees)".format(sign, as_float, "+inf" if sign == "-inf" else "0", limit))
    exact = [x for x in out.splitlines() if x.startswith("exact logit")][0]
    with mpmath.workdps(60):
        t = mpmath.mpf(Fraction(text).numerator) / Fraction(text).denominator
        assert abs(mpmath.mpf(exact.split("= ")[1]) - mpmath.log(t / (1 - t))) < 1e-20
    code, out, _ = _run(capsys, text, "--json")
    info = json.loads(out)
    assert info["seed_logit"] == sign.lstrip("+") and info["threshold_float"] == as_float
    assert info["limit"] == info["seed_limit"] == limit


def test_seed_formula_at_the_ends(capsys):
    code, out, _ = _run(capsys, "0", "--json")
    info = json.loads(out)
    assert (info["exact_logit"], info["seed_logit"]) == ("-inf", "-inf")
    code, out, _ = _run(capsys, "1")
    assert "exact logit(T)     = +inf" in out.splitlines()
    assert "seed -ln(1/T - 1)  = +inf -> L = 32768 (agrees)" in out.splitlines()
