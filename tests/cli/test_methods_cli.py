"""The method designs from the command line: simulate, methods, and the --design/--function rules."""

import json

import pytest

from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.function_exact import rounded_reference
from sigmoid_hw.scripts.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_simulate_table_any_function(capsys):
    code, out, err = run(capsys, "simulate", "--design", "table", "--function", "gelu",
                         "--input-format", "SQ(4,5)", "--output-bits", "9", "--stall", "0.2",
                         "--json")
    assert code == 0, err
    r = json.loads(out)
    assert r["function"] == "gelu" and r["output_format"] == "SQ(4, 5)"
    assert r["rtl_mismatches"] == 0 and r["missing"] == 0 and r["count"] == 512
    assert r["correctly_rounded"] == 1.0 and r["max_ulp"] < 0.5


def test_function_after_design_is_the_option(capsys):
    # --design table then --function tanh: the table of tanh, not the tanh design
    code, out, err = run(capsys, "simulate", "--function", "tanh", "--design", "table",
                         "--input-format", "SQ(3,4)", "--output-bits", "8", "--json")
    assert code == 0, err
    assert json.loads(out)["function"] == "tanh"


def test_function_no_design_computes_is_refused(capsys):
    with pytest.raises(SystemExit):
        main(["simulate", "--design", "pipeline", "--function", "gelu"])
    err = capsys.readouterr().err
    assert "--function gelu is computed by the methods table, multipartite, piecewise, " \
           "reduced-table, knot-interp, not by " \
           "--design pipeline" in err


def test_methods_matrix_writes_json_and_markdown(capsys, tmp_path):
    out_json, out_md = tmp_path / "m.json", tmp_path / "m.md"
    code, out, err = run(capsys, "methods", "--method", "table", "--function", "elu",
                         "--function", "dtanh", "--rounding", "correct", "--input-format",
                         "SQ(3,4)", "--output-bits", "8", "-o", str(out_json), "--markdown",
                         str(out_md), "--no-progress")
    assert code == 0, err
    data = json.loads(out_json.read_text())
    assert [r["function"] for r in data["rows"]] == ["elu", "dtanh"]
    assert all(r["correctly_rounded"] == 1.0 for r in data["rows"])
    md = out_md.read_text()
    assert md.startswith("Measured at commit `") and "| elu | table | correct |" in md
    # the row's maximum error is the exact function's, from the certified reference
    fmt = SQ(3, 4)
    r, frac = rounded_reference("elu", fmt.raw_range(), fmt, SQ(3, 5))
    assert abs(data["rows"][0]["max_ulp"] - float(abs(frac).max())) < 1e-9


def test_methods_rejects_wide_input(capsys):
    code = main(["methods", "--input-format", "SQ(5,14)", "--no-progress"])
    err = capsys.readouterr().err
    assert code != 0 and "--input-format must have at most 16 bits here" in err


@pytest.mark.parametrize("method", ["table", "multipartite", "piecewise"])
def test_export_and_waves_of_a_method(method, capsys, tmp_path):
    common = ["--design", method, "--function", "tanh", "--input-format", "SQ(3,5)",
              "--output-bits", "8"]
    code, out, err = run(capsys, "export", *common, "-o", str(tmp_path / "t.v"),
                         "--no-testbench")
    assert code == 0, err
    text = (tmp_path / "t.v").read_text()
    assert "// Function   y = tanh(x), x in SQ(3, 5), y in SQ(1, 7)" in text
    assert "100.00% correctly rounded" in text or "max 0." in text
    code, out, err = run(capsys, "waves", *common, "--out", str(tmp_path / "w"))
    assert code == 0, err
    assert (tmp_path / "w" / (method + ".vcd")).stat().st_size > 1000


def test_accuracy_with_a_method(capsys):
    code, out, err = run(capsys, "accuracy", "--function", "dsilu", "--method", "table",
                         "--input-format", "SQ(3,4)", "--output-bits", "8", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["rounding"] for r in rows] == ["faithful", "correct"]
    assert all(r["correctly_rounded"] == 1.0 for r in rows)


def test_accuracy_of_a_function_the_pipeline_does_not_compute(capsys):
    code = main(["accuracy", "--function", "gelu"])
    err = capsys.readouterr().err
    assert code != 0 and err.strip().endswith(
        "--function gelu is computed by the methods: give --method table, multipartite or "
        "piecewise")


def test_plot_of_a_method(capsys, tmp_path):
    code, out, err = run(capsys, "plot", "--method", "table", "--function", "dgelu",
                         "--input-format", "SQ(3,5)", "--output-bits", "8", "--out",
                         str(tmp_path))
    assert code == 0, err
    assert "correctly rounded 100.00%" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dgelu.png", "error_hist.png",
                                                         "error_ulp.png"]


def test_simulate_reduced_table_takes_its_input_drop(capsys):
    code, out, err = run(capsys, "simulate", "--design", "reduced-table", "--function", "tanh",
                         "--input-format", "SQ(4,8)", "--output-bits", "8", "--input-drop", "2",
                         "--fold", "ones", "--stall", "0.2", "--json")
    r = json.loads(out)
    assert r["plan"] == "fold ones, input_drop 2, 3,584 table bits"    # 512 entries x 7 bits
    assert r["rtl_mismatches"] == 0 and r["missing"] == 0 and r["latency"] == 2
    # 4 inputs a bin: not faithful, so the command says no (exit 1)
    assert code == 1 and r["max_ulp"] >= 1


def test_table_segments_rows_and_table():
    # the segmented table's report: per S the memory's shape, the fields, the model proof; a
    # build is taken from a fit that holds it with the same features (no build here)
    from sigmoid_hw.flow.cost import build_key, features
    from sigmoid_hw.hw.designs import make_design
    from sigmoid_hw.scripts.table_segments import markdown, rows
    options = dict(function="sigmoid", input_format="SQ(4,6)", output_bits=10,
                   rounding="correct", segments=4)
    fake = {"builds": [{"device": "up5k", "key": build_key("table", options),
                        "features": features(make_design("table", **options)), "luts": 94,
                        "ffs": 119, "dsps": 0, "brams": 2, "fmax_mhz": 44.82, "seconds": 1.0}]}
    out = rows(["sigmoid"], [4], ["up5k"], "SQ(4,6)", 10, say=None, fit=fake)
    (row,) = out
    assert (row["depth"], row["widths"]) == (128, [9, 7, 4, 2])
    assert row["bits"] == 128 * 22 and row["correctly_rounded"] == 1.0
    assert row["devices"]["up5k"]["source"] == "fit"
    text = markdown({"command": "cmd", "commit": "abc", "rows": out})
    assert "| sigmoid | 4 | 128 x 22 | 9 + 7 + 4 + 2 | 2,816 | 7 | {:.4f} | 100.000% |".format(
        row["max_ulp"]) in text
    assert "94 / 119 / 0 / 2 / 44.82" in text and "1 of the builds are the cost fit's" in text
