"""``sigmoid-hw model``: the seed reproduction report, as text and as JSON."""

from fractions import Fraction
import json
import math
import re

import mpmath
import pytest

from sigmoid_hw.scripts.cli import main
import oracle

# Copied by hand from ../shared/SEEDS.md.
SEEDS_MAX_ERROR = [5.75e-3, 8.57e-4, 7.57e-5, 1.03e-5, 9.77e-7, 1.25e-7, 1.10e-8, 1.52e-9]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def report_json():
    import io
    import contextlib
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["model", "--json", "--points", "20001"]) == 0
    return json.loads(buf.getvalue())


def test_text_report(capsys):
    code, out, err = run(capsys, "model", "--points", "20001")
    assert code == 0 and err == ""
    # the polynomials, written out as in SEEDS.md
    assert re.search(r"^  P1  = y - y\^2$", out, re.M)
    assert re.search(r"^  P3  = y - 7y\^2 \+ 12y\^3 - 6y\^4$", out, re.M)
    assert re.search(r"^  P6  = ", out, re.M) and not re.search(r"^  P7 ", out, re.M)
    # bit patterns: 0.(n ones, n zeros)... with the exact value
    assert re.search(r"^    2  0\.110011001100110011001100 +4/5 ", out, re.M)
    assert re.search(r"^   -3  0\.000111000111000111000111 +1/9 ", out, re.M)
    assert re.search(r"^    0  0\.100000000000000000000000 +1/2 ", out, re.M)
    # Taylor table with the seed's figures next to ours
    assert re.search(r"^   5   9\.7\d\de-07 +20\.0 +-?\d+\.\d+ +9\.77e-07 +20\.0 +[01]\.\d{4}$",
                     out, re.M)
    # threshold example: every decision agrees
    lines = [line for line in out.splitlines() if re.match(r"^ +[\d.]+ +\S+ +\d+ +\d+ +\d+/\d+$",
                                                             line)]
    assert len(lines) == 8
    for line in lines:
        agree, total = line.split()[-1].split("/")
        assert agree == total


def test_json_polynomials(report_json):
    polys = report_json["derivative_polynomials"]
    assert [p["k"] for p in polys] == [1, 2, 3, 4, 5, 6]
    assert polys[0]["coefficients"] == [0, 1, -1]
    assert polys[1]["coefficients"] == [0, 1, -3, 2]  # y(1-y)(1-2y)
    assert polys[3]["text"] == "y - 15y^2 + 50y^3 - 60y^4 + 24y^5"


def test_json_bit_patterns(report_json):
    bp = report_json["bit_patterns"]
    assert bp["f_bits"] == 24
    assert [r["n"] for r in bp["rows"]] == list(range(-4, 5))
    for row in bp["rows"]:
        n = row["n"]
        exact = 1 / (1 + Fraction(2) ** -n)
        assert Fraction(row["exact"]) == exact
        assert row["truncated_raw"] == math.floor(exact * 2 ** 24)
        assert int(row["pattern"][2:], 2) == row["truncated_raw"]
        assert row["truncation_error"] == pytest.approx(float(exact - Fraction(
            row["truncated_raw"], 2 ** 24)), rel=1e-12, abs=0)


def test_json_taylor_table(report_json):
    rows = report_json["taylor_error"]["rows"]
    assert [r["order"] for r in rows] == list(range(1, 9))
    for row, seed in zip(rows, SEEDS_MAX_ERROR):
        assert row["seed_max_error"] == seed
        assert abs(row["max_error"] / seed - 1) <= 0.02
        assert row["ratio"] == pytest.approx(row["max_error"] / seed)


def test_json_threshold(report_json):
    th = report_json["threshold"]
    rows = th["rows"]
    assert [r["t"] for r in rows] == [0.0, 0.05, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0]
    count = round((th["p_max"] - th["p_min"]) / th["p_step"]) + 1
    with mpmath.workdps(30):
        for row in rows:
            assert row["total"] == count and row["agree"] == count
            assert row["accepted_by_sigmoid"] == row["accepted_by_logit"]
            t = mpmath.mpf(row["t"])
            if t == 0:
                assert row["logit"] == "-inf" and row["accepted_by_logit"] == count
                continue
            if t == 1:
                assert row["logit"] == "inf" and row["accepted_by_logit"] == 0
                continue
            exact_logit = mpmath.log(t / (1 - t))
            assert abs(row["logit"] - exact_logit) < 1e-15
            # sigmoid(p) > t exactly, counted over p = p_min + i p_step
            accepted = sum(1 for i in range(count)
                           if oracle.sigmoid(th["p_min"] + i * mpmath.mpf(th["p_step"]))
                           > t)
            assert row["accepted_by_sigmoid"] == accepted


def test_json_is_strict(capsys):
    code, out, err = run(capsys, "model", "--json", "--points", "101", "--derivatives", "16",
                         "--pattern-bits", "8")
    assert code == 0
    data = json.loads(out, parse_constant=lambda name: pytest.fail("non-standard JSON " + name))
    assert len(data["derivative_polynomials"]) == 16
    assert data["derivative_polynomials"][15]["coefficients"][-1] == math.factorial(16)
    assert data["bit_patterns"]["rows"][6]["pattern"] == "0.11001100"


def test_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["model", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: sigmoid-hw model")
    assert "--json" in out


def test_unknown_option(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["model", "--bogus"])
    assert exc.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert re.fullmatch(r"sigmoid-hw( model)?: error: unrecognized arguments: --bogus\n",
                        captured.err)


@pytest.mark.parametrize("argv,message", [
    (["--pattern-bits", "0"], r"Pattern bits must be an integer in \[1, 64\], not 0"),
    (["--derivatives", "17"], r"Derivatives must be an integer in \[1, 16\], not 17"),
    (["--points", "1"], r"Points must be an integer in \[2, inf\], not 1"),
])
def test_bad_values_give_one_line(capsys, argv, message):
    code, out, err = run(capsys, "model", *argv)
    assert code == 2 and out == ""
    assert re.fullmatch(r"sigmoid-hw model: error: " + message + r"\n", err)
