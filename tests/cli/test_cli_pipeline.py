"""`sigmoid-hw simulate` and `sigmoid-hw accuracy` through the command line."""

import io
import json
import os
import subprocess
import sys

import mpmath
import pytest

from sigmoid_hw.scripts.cli import main
import oracle

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _cli(*argv):
    """The command in a fresh interpreter (as a user runs it): ``(exit code, stdout, stderr)``."""
    done = subprocess.run([sys.executable, "-m", "sigmoid_hw.scripts.cli", *argv], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


def _saturated_count(in_bits, f_bits, out_bits):
    """Inputs of SQ(in_bits, f_bits) whose 2^F sigmoid(x) rounds to 2^F (mpmath, 50 digits)."""
    with mpmath.workdps(50):
        top = (1 << (in_bits + f_bits - 1)) - 1
        count = 0
        for raw in range(top, -1, -1):
            scaled = oracle.sigmoid_scaled(raw, f_bits, out_bits)
            if scaled < (1 << out_bits) - mpmath.mpf(1) / 2:
                return count
            count += 1
    return count


def test_simulate_random_json(capsys):
    assert main(["simulate", "--count", "300", "--seed", "4", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    for key in ("count", "max_ulp", "mean_ulp", "correctly_rounded", "monotonic", "latency",
                "seconds", "rtl_mismatches", "missing"):
        assert key in result
    assert result["rtl_mismatches"] == 0 and result["missing"] == 0 and result["latency"] == 10
    assert 0 <= result["correctly_rounded"] <= 1 and result["max_ulp"] < 1
    # the worst input's error, recomputed independently with mpmath
    from sigmoid_hw.model.pipeline import sigmoid_fixed
    x = result["worst_x"]
    exact = oracle.sigmoid_scaled(x, 12, 16)
    assert abs(float(sigmoid_fixed(x) - exact) - result["worst_error"]) < 1e-9


def test_simulate_text_output(capsys):
    assert main(["simulate", "--count", "50", "--output-bits", "12", "--input-format",
                 "SQ(4,8)", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("SQ(4, 8) -> UQ(0,12), order 4, table coefficients")
    lines = out.splitlines()
    assert "  RTL == model             yes   mismatches 0" in lines
    assert "  monotonic                yes" in lines
    assert ", latency 9 cycles" in lines[1]


def test_simulate_takes_every_pipeline_design(capsys):
    assert main(["simulate", "--design", "pipeline-minimax", "--count", "20", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["design"], result["coefficients"]) == ("pipeline-minimax", "minimax")
    assert result["rtl_mismatches"] == 0 and result["missing"] == 0


def test_simulate_under_heavy_stall_collects_every_word(capsys):
    """--stall 0.95 used to give up after latency + 16 idle cycles and print 'NO mismatches 65'."""
    assert main(["simulate", "--count", "10", "--stall", "0.95"]) == 0
    out = capsys.readouterr().out
    assert "  RTL == model             yes   mismatches 0" in out.splitlines()
    assert "  inputs simulated          65" in out.splitlines()


def test_simulate_reports_missing_words_not_mismatches(monkeypatch, capsys):
    """A run that gives up (forced: 3 idle cycles) reports the words missing, none mismatched."""
    import sigmoid_hw.hw.streamsim
    real = sigmoid_hw.hw.streamsim.run_stream
    monkeypatch.setattr(sigmoid_hw.hw.streamsim, "run_stream",
                        lambda *a, **k: real(*a, **dict(k, max_idle=3)))
    assert main(["simulate", "--count", "10", "--stall", "0.9", "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["missing"] > 0 and result["rtl_mismatches"] == 0
    assert result["rtl_outputs"] + result["missing"] == result["count"] == 65
    assert main(["simulate", "--count", "10", "--stall", "0.9"]) == 1
    line = [x for x in capsys.readouterr().out.splitlines() if "RTL == model" in x][0]
    assert line.startswith("  RTL == model              no   mismatches 0; missing {} (outputs "
                           "that never came".format(result["missing"]))


@pytest.mark.parametrize("value", ["1", "2", "nan", "-0.1", "inf", "half"])
def test_simulate_rejects_a_stall_that_is_no_probability(value, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "--count", "10", "--stall", value])
    assert exc.value.code == 2
    assert capsys.readouterr().err == ("sigmoid-hw simulate: error: argument --stall: must be a "
                                       "probability in [0, 1), not {!r}\n".format(value))


def test_simulate_explains_saturation(capsys):
    """SQ(4,8) -> UQ(0,8): near x = 8 the exact result rounds to 256, which 8 bits cannot hold."""
    assert main(["simulate", "--input-format", "SQ(4,8)", "--output-bits", "8", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["saturated"] == _saturated_count(4, 8, 8) == 451
    assert result["max_ulp"] > result["error_bound"] >= result["max_ulp_unsaturated"]
    assert main(["simulate", "--input-format", "SQ(4,8)", "--output-bits", "8"]) == 0
    out = capsys.readouterr().out
    assert ("  note: max error above the bound from saturation: 451 inputs (x >= 6.23828) have "
            "2^8 sigmoid(x) rounding to 2^8, which UQ(0,8) cannot hold") in out


def test_simulate_progress_bar_only_on_a_terminal(monkeypatch, capsys):
    assert main(["simulate", "--count", "2000", "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and json.loads(out)["count"] > 2000

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["simulate", "--count", "2000", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["count"] > 2000   # stdout: the JSON alone
    assert "simulate" in terminal.getvalue() and "word" in terminal.getvalue()
    terminal.truncate(0)
    assert main(["simulate", "--count", "2000", "--no-progress", "--json"]) == 0
    assert terminal.getvalue() == ""


@pytest.mark.parametrize("argv,pattern", [
    (["simulate", "--input-format", "UQ(4,12)"], "input_format must be an SQ format"),
    (["simulate", "--order", "0"], "order must be between 1 and 12, not 0"),
    (["simulate", "--count", "0"], "--count must be at least 1, not 0"),
    (["simulate", "--design", "pipeline-minimax", "--coefficients", "table"],
     "design 'pipeline-minimax' takes no option 'coefficients'"),
])
def test_simulate_bad_parameters_one_line_exit_2(argv, pattern):
    code, out, err = _cli(*argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and pattern in err


def test_accuracy_table_json(capsys):
    assert main(["accuracy", "--coefficients", "table", "--random", "20000", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 6
    assert all(r["max_ulp"] < 1 and r["monotonic"] for r in rows)
    assert all(r["correctly_rounded"] >= 0.95 for r in rows)
    assert [r["exhaustive"] for r in rows] == [True] * 5 + [False]
    # above the bound only where 2^F sigmoid(x) rounds to 2^F; below it without those inputs
    assert [r["saturated"] > 0 for r in rows] == [True, False, False, False, True, False]
    assert all(r["max_ulp_unsaturated"] <= r["bound_ulp"] for r in rows)
    assert all((r["notes"]["max_ulp"] is None) == (r["max_ulp"] <= r["bound_ulp"]) for r in rows)


def test_accuracy_one_configuration_with_a_note(capsys):
    assert main(["accuracy", "--input-format", "SQ(4,8)", "--output-bits", "8",
                 "--coefficients", "minimax"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5 and lines[2].startswith("| SQ(4, 8) | UQ(0,8) | minimax | ")
    assert "| 0.9138 [1] |" in lines[2] and "| yes |" in lines[2]
    assert lines[4].startswith("[1] max error above the bound from saturation: {} inputs "
                               "(x >= 6.23828)".format(_saturated_count(4, 8, 8)))


def test_accuracy_shares_the_pipeline_options(capsys):
    with pytest.raises(SystemExit):
        main(["accuracy", "--coefficients", "all"])
    assert "invalid choice: 'all'" in capsys.readouterr().err
    assert main(["accuracy", "--output-bits", "12", "--order", "0"]) == 2
    assert capsys.readouterr().err == ("sigmoid-hw accuracy: error: order must be between 1 "
                                       "and 12, not 0\n")


@pytest.mark.parametrize("extra", [[], ["--function", "tanh"], ["--method", "table"]])
def test_accuracy_out_writes_the_printed_table_under_its_command(tmp_path, capsys, extra):
    """``--out FILE``: the table printed, under a line naming the commit and the command
    (the README copies such files; ``sigmoid_hw.scripts.readme``)."""
    out = tmp_path / "acc.md"
    argv = ["accuracy", "--input-format", "SQ(4,6)", "--output-bits", "8",
            "--no-progress", "--out", str(out)] + extra
    main(argv)
    printed = capsys.readouterr().out
    head, blank, table = out.read_text().partition("\n\n")
    assert head.startswith("Measured at commit `") and head.endswith("`.")
    assert "--out {}".format(out) in head and table.strip() and table in printed
    rows = [line for line in table.splitlines() if line.startswith("| ") and "---" not in line]
    # a header, then the three coefficient sources, or the function's two roundings
    assert len(rows) == 1 + (3 if not extra else 2)
