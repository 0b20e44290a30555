"""`sigmoid-hw simulate` and `sigmoid-hw accuracy` through the command line."""

import json

import mpmath
import pytest

from scripts.cli import main


def test_simulate_random_json(capsys):
    assert main(["simulate", "--count", "300", "--seed", "4", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    for key in ("count", "max_ulp", "mean_ulp", "correctly_rounded", "monotonic", "latency",
                "seconds", "rtl_mismatches"):
        assert key in result
    assert result["rtl_mismatches"] == 0 and result["latency"] == 10
    assert 0 <= result["correctly_rounded"] <= 1 and result["max_ulp"] < 1
    # the worst input's error, recomputed independently with mpmath
    from model.pipeline import sigmoid_fixed
    x = result["worst_x"]
    exact = 65536 / (1 + mpmath.exp(-mpmath.mpf(x) / 4096))
    assert abs(float(sigmoid_fixed(x) - exact) - result["worst_error"]) < 1e-9


def test_simulate_text_output(capsys):
    assert main(["simulate", "--count", "50", "--output-bits", "12", "--input-format",
                 "SQ(4,8)", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("SQ(4, 8) -> UQ(0,12), order 4, table coefficients")
    assert "RTL == model             yes" in out


@pytest.mark.parametrize("argv,pattern", [
    (["simulate", "--input-format", "UQ(4,12)"], "input_format must be an SQ format"),
    (["simulate", "--order", "0"], "order must be between 1 and 12, not 0"),
    (["simulate", "--count", "0"], "--count must be at least 1, not 0"),
])
def test_simulate_bad_parameters_one_line_exit_2(argv, pattern, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and pattern in err


def test_accuracy_table_json(capsys):
    assert main(["accuracy", "--coefficients", "table", "--random", "20000", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 6
    assert all(r["max_ulp"] < 1 and r["monotonic"] for r in rows)
    assert all(r["correctly_rounded"] >= 0.95 for r in rows)
    assert [r["exhaustive"] for r in rows] == [True] * 5 + [False]
