"""``sigmoid-hw compare`` without the toolchain, and its Pareto front and figure (``report``)."""

import json

import mpmath
import pytest
import numpy as np

from sigmoid_hw.hw.designs import DESIGNS
from sigmoid_hw.model import baselines
from sigmoid_hw.model.accuracy import error_metrics
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.report.compare_plot import write_plot
from sigmoid_hw.report.pareto import pareto_front
from sigmoid_hw.scripts.cli import main
from sigmoid_hw.scripts.commands.compare import (BLOCK_RAM_BITS, LIMITS, _hard_limit_precheck,
                                      _precheck, compare, inspect_designs)
import oracle

FMT = SQ(4, 12)
ALL_RAW = FMT.raw_range()


def test_compare_rows_without_implementation():
    rows = compare(["up5k", "ecp5-85f"], ["plan", "rom"], implement_designs=False)
    assert [(r["design"], r["device"]) for r in rows] == [
        ("plan", "up5k"), ("rom", "up5k"), ("dsp-limit", "up5k"), ("adder-limit", "up5k"),
        ("dsp-hard-limit", "up5k"), ("horner-step-limit", "up5k"),
        ("plan", "ecp5-85f"), ("rom", "ecp5-85f"), ("dsp-limit", "ecp5-85f"),
        ("adder-limit", "ecp5-85f"), ("dsp-hard-limit", "ecp5-85f"),
        ("horner-step-limit", "ecp5-85f")]
    plan = error_metrics(baselines.plan_sigmoid(ALL_RAW), ALL_RAW, FMT, 16)
    assert rows[0]["max_ulp"] == plan["max_ulp"] and rows[0]["mean_ulp"] == plan["mean_ulp"]
    assert rows[1]["correctly_rounded"] == 1.0
    assert rows[0]["latency"] == 3 and rows[1]["latency"] == 4
    assert rows[2]["latency"] == 3 and rows[3]["latency"] == 2
    assert rows[2]["max_ulp"] is None and rows[0]["luts"] is None
    # descriptions come from the registry; the limits are compare's own reference rows
    assert rows[0]["description"] == DESIGNS["plan"].description
    assert "native width" in rows[2]["description"] and "32-bit add" in rows[3]["description"]
    assert "all its registers" in rows[4]["description"]
    assert "Horner step" in rows[5]["description"]


def test_hard_limits_only_where_there_is_a_dsp_block():
    assert _hard_limit_precheck("dsp-hard-limit", "hx8k") == \
        "not built on hx8k: family 'ice40-hx' has no DSP block"
    assert _hard_limit_precheck("horner-step-limit", "hx8k") is None
    for device in ("up5k", "ecp5-85f"):
        assert _hard_limit_precheck("dsp-hard-limit", device) is None


def test_compare_sweep_rows_share_the_pipeline_accuracy():
    rows = compare(["ecp5-85f"], ["pipeline"], implement_designs=False, targets=("100", "max"),
                   show_progress=False)
    by_name = {r["design"]: r for r in rows}
    assert list(by_name) == ["pipeline", "pipeline@100", "pipeline@max", "dsp-limit",
                             "adder-limit", "dsp-hard-limit", "horner-step-limit"]
    assert by_name["pipeline@100"]["target_mhz"] == 100.0
    assert by_name["pipeline@max"]["target_mhz"] == 1000.0
    assert by_name["pipeline"]["target_mhz"] is None
    for name in ("pipeline@100", "pipeline@max"):
        assert by_name[name]["max_ulp"] == by_name["pipeline"]["max_ulp"]


def test_compare_accuracy_of_the_pipelines_is_their_model():
    found = inspect_designs(["pipeline-minimax", "comparator"])
    assert found["comparator"]["metrics"] is None and found["comparator"]["latency"] == 1
    worst = found["pipeline-minimax"]["metrics"]
    x = worst["worst_x"]
    from sigmoid_hw.model.pipeline import derive_params, sigmoid_fixed
    y = int(sigmoid_fixed(np.array([x]), derive_params(coefficients="minimax"))[0])
    with mpmath.workdps(40):
        exact = oracle.sigmoid_scaled(x, 12, 16)
    assert abs(float(y - exact) - worst["worst_error"]) < 1e-9


def test_compare_prechecks_block_ram():
    rom = inspect_designs(["rom"])["rom"]
    assert rom["memory_bits"] == 32768 * 15              # 2^15 words x >= 0, 15 bits each
    assert _precheck(rom["memory_bits"], "ecp5-85f") is None
    assert _precheck(rom["memory_bits"], "hx8k").startswith(
        "does not fit hx8k: needs 480 Kib of initialized block RAM, the device has 128 Kib")
    assert _precheck(None, "up5k") is None and BLOCK_RAM_BITS["up5k"] == 30 * 4096


def _row(design, device, max_ulp, luts, dsps=0, brams=0):
    return {"design": design, "device": device, "max_ulp": max_ulp, "luts": luts,
            "dsps": dsps, "brams": brams, "fmax_mhz": 50.0}


def test_pareto_front_and_plot(tmp_path):
    rows = [_row("a", "up5k", 0.5, 100, dsps=4), _row("b", "up5k", 0.6, 120, dsps=4),
            _row("c", "up5k", 100.0, 10, brams=4), _row("d", "up5k", 0.5, 100, dsps=5),
            _row("e", "hx8k", 0.6, 120, dsps=4),
            dict(_row("f", "hx8k", 0.5, None), fmax_mhz=None)]
    assert [r["design"] for r in pareto_front(rows)] == ["a", "c", "e"]
    path = tmp_path / "pareto.png"
    write_plot(rows, str(path), ("up5k", "hx8k"))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_command_json_and_errors(capsys):
    assert main(["compare", "--accuracy-only", "--devices", "hx8k", "--designs", "table1024",
                 "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["design"] for r in rows] == ["table1024", "dsp-limit", "adder-limit",
                                           "dsp-hard-limit", "horner-step-limit"]
    for key in ("design", "device", "max_ulp", "mean_ulp", "correctly_rounded", "luts", "ffs",
                "dsps", "brams", "fmax_mhz", "latency"):
        assert key in rows[0]
    with pytest.raises(SystemExit, match="2"):
        main(["compare", "--accuracy-only", "--jobs", "0"])
    assert capsys.readouterr().err == "sigmoid-hw compare: error: argument --jobs: must be an " \
                                      "integer of at least 1, not '0'\n"


def test_accuracy_only_prints_the_table_once(capsys):
    """Accuracy is the same on every device: one table, one line per design, no limit rows."""
    assert main(["compare", "--accuracy-only", "--devices", "up5k", "hx8k", "ecp5-85f",
                 "--designs", "rom", "plan", "comparator"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines[3:-1]]
    assert names == ["comparator", "plan", "rom"]
    assert not any(limit in line for limit in LIMITS for line in lines)
    assert not any("up5k" in line for line in lines)
    # the correctly rounded ROM: within 1/2 ulp, worst at the SEEDS.md hard case
    rom = [line for line in lines if line.startswith("rom ")][0].split()
    assert rom[1] == "0.500" and rom[3:6] == ["100.00%", "100.00%", "-3.06884765625"]


# --- compare --function and --sharing -----------------------------------------

def test_function_rows_by_default():
    from sigmoid_hw.scripts.compare_functions import function_rows
    assert function_rows("tanh") == ["tanh", "tanh-cr", "activation", "tanh1024",
                                      "tanh-interp256"]
    assert function_rows("dsigmoid") == ["dsigmoid", "dsigmoid-cr"]
    assert function_rows("silu") == ["silu", "silu-cr"]
    sigmoid = function_rows("sigmoid")          # the sigmoid table of old: no function, no unit
    assert "tanh" not in sigmoid and "activation" not in sigmoid and "tanh1024" not in sigmoid
    assert sigmoid[:2] == ["pipeline", "pipeline-minimax"] and "rom" in sigmoid


def test_compare_tanh_accuracy_is_against_exact_tanh(capsys):
    assert main(["compare", "--accuracy-only", "--function", "tanh", "--designs", "tanh1024",
                 "tanh-interp256", "tanh-cr", "activation", "--json"]) == 0
    rows = {r["design"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["tanh1024"]["function"] == "tanh" and rows["dsp-limit"]["function"] is None
    # worst errors recomputed with mpmath's tanh at the reported inputs, in SQ(1,15) ulp
    for name, model in (("tanh1024", baselines.tanh1024_tanh),
                        ("tanh-interp256", baselines.tanh_interp256_tanh)):
        raw = round(rows[name]["worst_x"] * 4096)
        y = int(model([raw])[0])
        with mpmath.workdps(40):
            exact = 32768 * mpmath.tanh(mpmath.mpf(raw) / 4096)
        assert rows[name]["max_ulp"] == pytest.approx(abs(float(y - exact)), abs=1e-9)
    assert rows["tanh-cr"]["correctly_rounded"] == 1.0
    assert rows["tanh-cr"]["description"].endswith("(rounding=correct)")
    # the unit's row scores its tanh outputs (its sigmoid outputs would be hundreds of ulp off)
    assert rows["activation"]["faithful"] == 1.0 and rows["activation"]["max_ulp"] < 1


def test_compare_function_refuses_other_designs(capsys):
    assert main(["compare", "--accuracy-only", "--function", "silu", "--designs", "plan"]) == 2
    assert capsys.readouterr().err.startswith(
        "sigmoid-hw compare: error: design 'plan' does not compute silu; --function silu takes "
        "silu, silu-cr")


def test_sharing_rows_sum_and_difference():
    from sigmoid_hw.scripts.compare_functions import format_sharing_table, sharing_rows

    def row(design, luts, ffs, dsps, brams, fmax, device="up5k"):
        return {"design": design, "device": device, "luts": luts, "core_ffs": ffs,
                "dsps": dsps, "brams": brams, "fmax_mhz": fmax, "latency": 10}

    rows = [row("pipeline", 500, 300, 4, 0, 40.0), row("tanh", 600, 320, 4, 0, 38.5),
            row("activation", 700, 350, 4, 0, 36.0), row("pipeline", 1, 1, 0, 0, 1.0, "hx8k")]
    table = sharing_rows(rows)
    assert [r["design"] for r in table] == ["pipeline", "tanh", "activation", "pipeline+tanh",
                                            "shared-sum"]     # hx8k lacks rows: left out
    total, diff = table[3], table[4]
    assert (total["luts"], total["core_ffs"], total["dsps"], total["fmax_mhz"]) == \
        (1100, 620, 8, 38.5)
    assert (diff["luts"], diff["core_ffs"], diff["dsps"], diff["fmax_mhz"]) == \
        (-400, -270, -4, -2.5)
    text = format_sharing_table(table)
    assert "-400" in text and "pipeline+tanh" in text


def test_registry_functions_field():
    from sigmoid_hw.hw.designs import Design, register
    assert DESIGNS["tanh1024"].functions == ("tanh",) and DESIGNS["plan"].functions == ("sigmoid",)
    assert DESIGNS["activation"].functions == ("sigmoid", "tanh")
    bad = Design("bad-functions", "x", lambda: None, "baseline", lambda c, raw: raw, "tanh")
    with pytest.raises(TypeError, match=r"^functions must be a non-empty tuple of function "
                                        r"names, not 'tanh'$"):
        register(bad)
    assert "bad-functions" not in DESIGNS
