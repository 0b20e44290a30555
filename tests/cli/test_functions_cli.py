"""--function on the command line: simulate, accuracy and export of tanh, sigmoid' and SiLU."""

import json

from sigmoid_hw.scripts.cli import main


def test_simulate_function(capsys):
    assert main(["simulate", "--function", "tanh", "--count", "300", "--stall", "0.2",
                 "--json", "--no-progress"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["design"] == "tanh" and r["rtl_mismatches"] == 0 and r["missing"] == 0
    assert r["max_ulp"] < 1 and r["monotonic"] and r["odd"]


def test_accuracy_function(capsys):
    assert main(["accuracy", "--function", "dsigmoid", "--rounding", "correct", "--json",
                 "--no-progress"]) == 0
    row, = json.loads(capsys.readouterr().out)
    assert row["function"] == "dsigmoid" and row["output_format"] == "UQ(-1, 17)"
    assert row["count"] == 65536 and row["correctly_rounded"] == 1.0


def test_export_function(tmp_path, capsys):
    out = tmp_path / "silu.v"
    assert main(["export", "--function", "silu", "-o", str(out), "--no-testbench"]) == 0
    text = out.read_text()
    assert "y = silu(x), raw SQ(4, 12) two's complement" in text
    assert "module sigmoid_silu" in text
