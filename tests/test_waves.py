"""``sigmoid-hw waves``: the VCD and the GTKWave save file, against the model and mpmath."""

import math
import re
from fractions import Fraction

import mpmath
import pytest

from hw.designs import make_design
from model.pipeline import derive_params, sigmoid_fixed, trace_fixed
from scripts.cli import main
from scripts.commands.waves import (default_inputs, parse_inputs, range_inputs, read_vcd,
                                    write_waves)
from model.fixed import SQ

PIPE = "bench.top."
NUM = "bench.numbers."


def _exact_sigmoid(x):
    with mpmath.workdps(40):
        return mpmath.mpf(1) / (1 + mpmath.exp(-mpmath.mpf(x)))


def _gtkw(path):
    """(groups: [(title, [(alias, name, flags)])], marker) from a .gtkw file."""
    groups, current, flags, marker = [], None, 0, None
    for line in path.read_text().splitlines():
        if line.startswith("@"):
            flags = int(line[1:], 16)
        elif line.startswith("*"):
            marker = int(line.split()[1])
        elif line.startswith("-"):
            if flags & (1 << 23):       # group begin
                current = (line[1:], [])
                groups.append(current)
            elif flags & (1 << 24):     # group end
                current = None
        elif line.startswith("+{") or (line and line[0] not in "[#" and "." in line):
            m = re.fullmatch(r"\+\{(.*)\} (\S+)", line)
            alias, name = (m.group(1), m.group(2)) if m else (None, line)
            if current is not None:
                current[1].append((alias, name, flags))
    return groups, marker


def _vcd_name(gtkw_name):
    return re.sub(r"\[\d+:0\]$", "", gtkw_name).replace("\\", "")


def _handed_on(vcd, reg, edges):
    """Edges where a register passes its value on: it is valid and the pipeline's
    one stall signal is low (every register advances together)."""
    valid = vcd.sample(reg + "_valid", edges)
    stall = vcd.sample(PIPE + "stall", edges)
    return [t for t, v, s in zip(edges, valid, stall) if v == 1 and s == 0]


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("waves")
    assert main(["waves", "--out", str(out)]) == 0
    return out, read_vcd(str(out / "pipeline.vcd"))


def test_default_run_is_small_and_has_backpressure(default_run):
    out, vcd = default_run
    size = (out / "pipeline.vcd").stat().st_size
    assert 10_000 < size < 2_000_000
    edges = vcd.rising_edges()
    assert 256 < len(edges) < 1000          # a few hundred cycles
    valid = vcd.sample(PIPE + "output.o__valid", edges)
    ready = vcd.sample(PIPE + "output.o__ready", edges)
    stalled = [t for t, v, r in zip(edges, valid, ready) if v == 1 and r == 0]
    assert len(stalled) >= 20
    # the save file's marker is the first cycle of backpressure
    _, marker = _gtkw(out / "pipeline.gtkw")
    assert marker == stalled[0]


def test_save_file_groups_signals_by_stage(default_run):
    out, vcd = default_run
    groups, _ = _gtkw(out / "pipeline.gtkw")
    titles = [g[0] for g in groups]
    expected = [r"input x SQ4_12", r"1 fold: a", r"2 reduce: above", r"3 reduce: n, d",
                r"4 horner: acc5 \(load\)", r"5 horner: acc4", r"6 horner: acc3", r"7 horner: acc2",
                r"y0 bit-pattern reference \(comb\.\)", r"8 horner: acc1", r"9 horner: acc0",
                r"10 output y UQ0_16"]
    assert len(titles) == len(expected)
    for title, pattern in zip(titles, expected):
        assert re.fullmatch(pattern, title), (title, pattern)
    by_title = {title: traces for title, traces in groups}
    for title, traces in by_title.items():
        aliases = [a for a, _, _ in traces]
        for _, name, _ in traces:
            assert _vcd_name(name) in vcd.vars, name
        if title.startswith("input"):
            assert aliases[:4] == ["i.valid", "i.ready", "x", "x_SQ4_12"]
        elif title.startswith("10 output"):
            assert aliases == ["o.valid", "o.ready", "y", "y_UQ0_16"]
        elif not title.startswith("y0"):
            assert aliases[:2] == ["valid", "stall"]
    assert [a for a, _, _ in by_title["y0 bit-pattern reference (comb.)"]] == \
        ["n", "y0", "y0_UQ0_34"]


def test_save_file_display_formats(default_run):
    out, _ = default_run
    groups, _ = _gtkw(out / "pipeline.gtkw")
    flags = {alias: f for _, traces in groups for alias, _, f in traces}
    signed, dec, real = 1 << 10, 1 << 2, 1 << 18
    assert flags["x"] & signed and flags["d"] & signed and flags["acc3"] & signed
    assert flags["y"] & dec and not flags["y"] & signed
    for name in ("x_SQ4_12", "d_SQ0_12", "acc0_SQ1_16", "y_UQ0_16"):
        assert flags[name] & real


def test_vcd_output_equals_model_and_exact_sigmoid(default_run):
    _, vcd = default_run
    edges = vcd.rising_edges()
    taken = [t for t, v, r in zip(edges, vcd.sample(PIPE + "output.o__valid", edges),
                                  vcd.sample(PIPE + "output.o__ready", edges)) if v and r]
    raw_y = vcd.sample(PIPE + "output.o__payload", taken)
    xs = [Fraction(-8) + Fraction(k, 16) for k in range(256)]     # the default sweep
    assert raw_y == list(sigmoid_fixed([int(x * 4096) for x in xs]))
    y_view = vcd.sample(NUM + "y_UQ0_16", taken)
    assert y_view == [r / 65536 for r in raw_y]
    for x, y in zip(xs, y_view):
        assert abs(y - float(_exact_sigmoid(x))) < 2 ** -16


def test_vcd_registers_equal_the_model_trace(default_run):
    _, vcd = default_run
    edges = vcd.rising_edges()
    params = derive_params()
    raw_x = default_inputs(SQ(4, 12))
    trace = trace_fixed(raw_x, params)
    # input: x as a number, independent of the model
    taken = _handed_on(vcd, PIPE + "fold.s1", edges)
    x_in = [t for t, v, r in zip(edges, vcd.sample(PIPE + "fold.i__valid", edges),
                                 vcd.sample(PIPE + "fold.i__ready", edges)) if v and r]
    assert vcd.sample(NUM + "x_SQ4_12", x_in) == [-8 + k / 16 for k in range(256)]
    assert len(taken) == 256
    d = vcd.sample(NUM + "d_SQ0_12", _handed_on(vcd, PIPE + "reduce.s2", edges))
    assert d == [v / 4096 for v in trace["d"]]
    K = params.order
    for reg in range(1, K + 2):
        k = K - reg + 1
        times = _handed_on(vcd, PIPE + "horner.s{}".format(reg), edges)
        pattern = re.escape(NUM) + r"acc{}_SQ-?\d+_\d+".format(k)
        views = [n for n in vcd.vars if re.fullmatch(pattern, n)]
        assert len(views) == 1
        frac = int(views[0].rsplit("_", 1)[1])
        assert frac == params.acc_frac[k]
        got = vcd.sample(views[0], times)
        assert got == [math.ldexp(int(v), -frac) for v in trace["acc_{}".format(k)]], k


def test_comparator_waves(tmp_path):
    dut = make_design("comparator")
    raw = [-4096, -1, 0, 1, 2, 4095, -32768, 32767] * 4
    result = write_waves(dut, raw, str(tmp_path), "comparator", stall=0.4, seed=3)
    # sigmoid(x) > 1/2 exactly when x > 0, i.e. raw >= 1
    assert result.outputs == [int(r >= 1) for r in raw]
    assert result.stall_cycles > 0
    titles = [t for t, _ in result.groups]
    assert titles == ["input x SQ4_12", "1 decision x >= L"]
    assert set(result.views) == {"x_SQ4_12"}
    assert (tmp_path / "comparator.gtkw").read_text().count("bench.top.o__ready") == 1


def test_derived_pipeline_waves_show_coefficients(tmp_path):
    dut = make_design("pipeline-derived")
    raw = list(range(-9000, 9000, 750))
    result = write_waves(dut, raw, str(tmp_path), "derived", stall=0.2, seed=2)
    assert result.outputs == list(sigmoid_fixed(raw, dut.params))
    names = set(result.views)
    for k in range(1, dut.params.order + 1):
        assert any(re.fullmatch(r"c{}_SQ-?\d+_\d+".format(k), n) for n in names), k
    assert any(t.startswith("{} coefficients".format(4)) for t, _ in result.groups)


def test_read_vcd_on_a_hand_written_file(tmp_path):
    path = tmp_path / "tiny.vcd"
    path.write_text("$timescale 1 ns $end\n$scope module bench $end\n$scope module top $end\n"
                    "$var wire 1 ! clk $end\n$var wire 4 # s1 $end\n$var wire 2 $ \\s1.n $end\n"
                    "$upscope $end\n$var real 64 % v $end\n$upscope $end\n$enddefinitions $end\n"
                    "#0\n$dumpvars\n0!\nb0 #\nb0 $\nr0 %\n$end\n#5\n1!\nb1011 #\nb11 $\n"
                    "r-1.25 %\n#10\n0!\n#15\n1!\nbx1 #\n")
    vcd = read_vcd(str(path))
    assert set(vcd.vars) == {"bench.top.clk", "bench.top.s1", "bench.top.s1.n", "bench.v"}
    assert vcd.children("bench.top") == ["clk", "s1", "s1.n"]
    assert vcd.rising_edges() == [5, 15]
    # a register's value at an edge is the one held just before it
    assert vcd.sample("bench.top.s1", [5, 15, 16]) == [0, 11, None]
    assert vcd.sample("bench.top.s1.n", [15]) == [3]
    assert vcd.sample("bench.v", [5, 6]) == [0.0, -1.25]


def test_input_options():
    fmt = SQ(4, 12)
    assert parse_inputs("-1, 0,0.5", fmt) == [-4096, 0, 2048]
    assert range_inputs("-1", "1", "0.5", fmt) == [-4096, -2048, 0, 2048]
    assert default_inputs(SQ(3, 5)) == list(range(-128, 128))
    with pytest.raises(ValueError, match=r"^Input 9 is outside SQ\(4, 12\) \[-8\.0, 7\.99975"):
        parse_inputs("0,9", fmt)
    with pytest.raises(ValueError, match=r"^Inputs must be numbers separated by commas, not 'a'$"):
        parse_inputs("1,a", fmt)
    with pytest.raises(ValueError, match=r"^Range step must be positive, not -1$"):
        range_inputs("0", "1", "-1", fmt)


def test_cli_error_is_one_line(tmp_path, capsys):
    assert main(["waves", "--out", str(tmp_path), "--inputs=0,100"]) == 2
    err = capsys.readouterr().err
    assert re.fullmatch(r"sigmoid-hw waves: error: Input 100 is outside SQ\(4, 12\) .*\n", err)
