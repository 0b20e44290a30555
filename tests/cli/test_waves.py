"""``sigmoid-hw waves`` and ``sigmoid_hw.report.waves``: the VCD and the GTKWave save file, against the
model and mpmath; ``sigmoid_hw.report.vcd`` on hand-written dumps."""

import math
import re
from fractions import Fraction

import mpmath
import pytest

from sigmoid_hw.hw.designs import make_design
from sigmoid_hw.hw.pipeline import SigmoidPipeline
from sigmoid_hw.model.baselines import BASELINES
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.pipeline import derive_params, plan_for, sigmoid_fixed, trace_fixed
from sigmoid_hw.report.vcd import read_vcd, write_with_views
from sigmoid_hw.report.waves import write_waves
from sigmoid_hw.scripts.cli import main
from sigmoid_hw.scripts.commands.waves import default_inputs, parse_inputs, range_inputs
import oracle

PIPE = "bench.top."
NUM = "bench.numbers."


def _exact_sigmoid(x):
    return oracle.sigmoid(x)


def _same(got, want):
    """Number views are written with 16 significant digits (pyvcd's format for reals)."""
    return len(got) == len(want) and all(abs(g - w) <= 1e-15 * abs(w) for g, w in zip(got, want))


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


def _view(vcd, label):
    """The one number view called ``label_<format>``, and its fraction bits."""
    pattern = re.escape(NUM + label) + r"_[SU]Q-?\d+_(\d+)"
    found = [(n, int(re.fullmatch(pattern, n).group(1))) for n in vcd.vars
             if re.fullmatch(pattern, n)]
    assert len(found) == 1, (label, found)
    return found[0]


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
    assert titles == ["input x SQ4_12", "1 fold: sign, a", "2 reduce: above", "3 reduce: n, d",
                      "4 horner: acc5, addend4", "5 horner: acc4, addend3",
                      "6 horner: acc3, addend2", "7 horner: acc2, addend1",
                      "8 horner: acc1, addend0", "9 horner: acc0", "10 output y UQ0_16"]
    for title, traces in groups:
        aliases = [a for a, _, _ in traces]
        for _, name, _ in traces:
            assert _vcd_name(name) in vcd.vars, name
        if title.startswith("input"):
            assert aliases == ["i.valid", "i.ready", "x", "x_SQ4_12"]
        elif title.startswith("10 output"):
            assert aliases == ["o.valid", "o.ready", "y", "y_UQ0_16"]
        else:
            assert aliases[:2] == ["valid", "stall"]
    by_title = dict(groups)
    assert [a for a, _, _ in by_title["3 reduce: n, d"]] == ["valid", "stall", "n", "d",
                                                             "d_SQ0_12"]
    # a struct field is named as Amaranth declares it, escaped
    assert ("d", "bench.top.reduce.\\s2.d[11:0]") in [(a, n) for a, n, _ in
                                                       by_title["3 reduce: n, d"]]


def test_save_file_display_formats(default_run):
    out, _ = default_run
    groups, _ = _gtkw(out / "pipeline.gtkw")
    flags = {alias: f for _, traces in groups for alias, _, f in traces}
    signed, dec, binary, real = 1 << 10, 1 << 2, 1 << 3, 1 << 18
    assert flags["x"] & signed and flags["d"] & signed and flags["acc3"] & signed
    for unsigned in ("y", "a", "n", "above"):
        assert flags[unsigned] & dec and not flags[unsigned] & signed, unsigned
    assert flags["sign"] & binary and flags["valid"] & binary
    for name in ("x_SQ4_12", "a_UQ4_12", "d_SQ0_12", "acc0_SQ1_16", "y_UQ0_16"):
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
    assert _same(y_view, [r / 65536 for r in raw_y])
    for x, y in zip(xs, y_view):
        assert abs(y - float(_exact_sigmoid(x))) < 2 ** -16


def test_vcd_registers_equal_the_model_trace(default_run):
    _, vcd = default_run
    edges = vcd.rising_edges()
    params = derive_params()
    raw_x = default_inputs(SQ(4, 12))
    trace = trace_fixed(raw_x, params)
    # input and |x|: numbers, independent of the model
    x_in = [t for t, v, r in zip(edges, vcd.sample(PIPE + "fold.i__valid", edges),
                                 vcd.sample(PIPE + "fold.i__ready", edges)) if v and r]
    xs = [-8 + k / 16 for k in range(256)]
    assert vcd.sample(NUM + "x_SQ4_12", x_in) == xs
    folded = _handed_on(vcd, PIPE + "fold.s1", edges)
    assert len(folded) == 256
    assert vcd.sample(NUM + "a_UQ4_12", folded) == [abs(x) for x in xs]
    d = vcd.sample(NUM + "d_SQ0_12", _handed_on(vcd, PIPE + "reduce.s2", edges))
    assert d == [v / 4096 for v in trace["d"]]
    K = params.order
    for reg in range(1, K + 2):
        k = K - reg + 1
        times = _handed_on(vcd, PIPE + "horner.s{}".format(reg), edges)
        name, frac = _view(vcd, "acc{}".format(k))
        assert frac == params.acc_frac[k]
        assert _same(vcd.sample(name, times),
                     [math.ldexp(int(v), -frac) for v in trace["acc_{}".format(k)]]), k


def test_comparator_waves(tmp_path):
    dut = make_design("comparator")
    raw = [-4096, -1, 0, 1, 2, 4095, -32768, 32767] * 4
    result = write_waves("comparator", dut, raw, str(tmp_path), "comparator", stall=0.4, seed=3)
    # sigmoid(x) > 1/2 exactly when x > 0, i.e. raw >= 1
    assert result.outputs == [int(r >= 1) for r in raw]
    assert result.stall_cycles > 0
    assert [t for t, _ in result.groups] == ["input x SQ4_12", "1 decision x >= L"]
    assert set(result.views) == {"x_SQ4_12"}
    text = (tmp_path / "comparator.gtkw").read_text()
    assert text.count("bench.top.o__ready") == 1
    assert "bench.top.limit" not in text      # a compile-time limit has no port


def test_programmable_comparator_waves_show_the_limit(tmp_path):
    dut = make_design("comparator", threshold="runtime")
    raw = [-2, -1, 0, 1, 2, 100] * 3
    result = write_waves("comparator", dut, raw, str(tmp_path), "runtime", stall=0.3, seed=4)
    assert result.outputs == [int(r >= 1) for r in raw]   # programmed for t = 1/2: L = 1
    assert "bench.top.limit" in result.groups[1][1]
    vcd = read_vcd(result.vcd)
    assert set(v for _, v in vcd.history("bench.top.limit")) == {1}   # set from the start


def test_derived_pipeline_waves_show_coefficients(tmp_path):
    dut = make_design("pipeline-derived")
    raw = list(range(-9000, 9000, 750))
    result = write_waves("pipeline-derived", dut, raw, str(tmp_path), "derived", stall=0.2,
                         seed=2)
    assert result.outputs == list(sigmoid_fixed(raw, dut.params))
    stages = dict(plan_for(dut.params).stages)
    last = 3 + stages["coefficients"]       # fold 1, reduce 2, then the coefficients
    titles = [t for t, _ in result.groups]
    assert "4 coefficients: u, t" in titles
    assert "{} coefficients: c1, c2, c3, c4, c5".format(last) in titles
    vcd = read_vcd(result.vcd)
    trace = trace_fixed(raw, dut.params)
    times = _handed_on(vcd, PIPE + "coefficients.s{}".format(stages["coefficients"]),
                       vcd.rising_edges())
    targets = plan_for(dut.params).coefficients.recipe.targets
    for k in range(1, dut.params.order + 1):
        name, frac = _view(vcd, "c{}".format(k))
        assert frac == targets[k]
        assert _same(vcd.sample(name, times),
                     [math.ldexp(int(v), -frac) for v in trace["c_{}".format(k)]]), k


def test_registered_product_waves_number_the_horner_registers(tmp_path):
    dut = SigmoidPipeline(register_product=True)
    raw = list(range(-30000, 30000, 2500))
    result = write_waves("pipeline", dut, raw, str(tmp_path), "product", stall=0.2, seed=6)
    assert result.outputs == list(sigmoid_fixed(raw, dut.params))
    K = dut.params.order
    titles = [t for t, _ in result.groups]
    # load acc_K, then per k = K-1 .. 0: the product d acc_(k+1), then acc_k (and its addend)
    horner = ["4 horner: acc{}, addend{}".format(K, K - 1)]
    for k in range(K - 1, -1, -1):
        stage = 4 + 2 * (K - k)
        horner.append("{} horner: prod{}".format(stage - 1, k))
        horner.append("{} horner: acc{}".format(stage, k) +
                      (", addend{}".format(k - 1) if k else ""))
    assert titles[4:-1] == horner
    vcd = read_vcd(result.vcd)
    for k in range(K + 1):
        assert _view(vcd, "acc{}".format(k))[1] == dut.params.acc_frac[k]


def test_baseline_waves(tmp_path):
    dut = make_design("plan")
    raw = list(range(-32768, 32768, 1111))
    result = write_waves("plan", dut, raw, str(tmp_path), "plan", stall=0.3, seed=1)
    assert result.outputs == [int(v) for v in BASELINES["plan"](raw)]
    assert [t for t, _ in result.groups] == ["input x SQ4_12",
                                             "{} output y UQ0_16".format(dut.latency)]
    assert set(result.views) == {"x_SQ4_12", "y_UQ0_16"}


def test_write_waves_checks_its_arguments(tmp_path):
    with pytest.raises(ValueError, match=r"^stall must be in \[0, 1\), not 1$"):
        write_waves("comparator", None, [0], str(tmp_path), "x", stall=1)
    with pytest.raises(ValueError, match=r"^gap must be in \[0, 1\), not -0\.1$"):
        write_waves("comparator", None, [0], str(tmp_path), "x", gap=-0.1)
    with pytest.raises(TypeError, match=r"^design must be a design name, not 42$"):
        write_waves(42, None, [0], str(tmp_path), "x")
    assert not list(tmp_path.iterdir())


_TINY = ("$timescale 1 ns $end\n$scope module bench $end\n$scope module top $end\n"
         "$var wire 1 ! clk $end\n$var wire 4 # s1 $end\n$var wire 2 $ \\s1.n $end\n"
         "$upscope $end\n$var real 64 % v $end\n$upscope $end\n$enddefinitions $end\n"
         "#0\n$dumpvars\n0!\nb0 #\nb0 $\nr0 %\n$end\n#5\n1!\nb1011 #\nb11 $\n"
         "r-1.25 %\n#10\n0!\n#15\n1!\nbx1 #\n")


def test_read_vcd_on_a_hand_written_file(tmp_path):
    path = tmp_path / "tiny.vcd"
    path.write_text(_TINY)
    vcd = read_vcd(str(path))
    assert set(vcd.vars) == {"bench.top.clk", "bench.top.s1", "bench.top.s1.n", "bench.v"}
    assert vcd.scopes == {"bench", "bench.top"}
    assert vcd.timescale == "1 ns"
    assert vcd.children("bench.top") == ["clk", "s1", "s1.n"]
    assert vcd.vars["bench.top.s1.n"].gtkw_name == "bench.top.\\s1.n[1:0]"
    assert vcd.vars["bench.top.clk"].gtkw_name == "bench.top.clk"
    assert vcd.rising_edges() == [5, 15]
    # a register's value at an edge is the one held just before it
    assert vcd.sample("bench.top.s1", [5, 15, 16]) == [0, 11, None]
    assert vcd.sample("bench.top.s1.n", [15]) == [3]
    assert vcd.sample("bench.v", [5, 6]) == [0.0, -1.25]
    with pytest.raises(KeyError, match=r"no variable 'bench\.top\.s2' in the VCD"):
        vcd.history("bench.top.s2")
    (tmp_path / "not.vcd").write_text("hello\n")
    with pytest.raises(ValueError, match=r"not\.vcd is not a valid VCD file: 1:1: "):
        read_vcd(str(tmp_path / "not.vcd"))
    (tmp_path / "head.vcd").write_text("$timescale 1 ns $end\n")
    with pytest.raises(ValueError, match=r"head\.vcd is not a VCD file \(no \$enddefinitions\)$"):
        read_vcd(str(tmp_path / "head.vcd"))


class _SQ2_2:
    """A view of the 4-bit register s1 as SQ(2, 2), written the way sigmoid_hw.report.waves does."""
    name = "s1_SQ2_2"
    source = "bench.top.s1"

    def value(self, raw):
        return None if raw is None else (raw - 16 * (raw >> 3)) / 4


def test_write_with_views_adds_reals_and_keeps_everything_else(tmp_path):
    src, dst = tmp_path / "tiny.vcd", tmp_path / "out.vcd"
    src.write_text(_TINY)
    write_with_views(str(src), str(dst), [_SQ2_2()])
    before, after = read_vcd(str(src)), read_vcd(str(dst))
    assert set(after.vars) == set(before.vars) | {"bench.numbers.s1_SQ2_2"}
    for name in before.vars:
        assert after.history(name) == before.history(name), name
        assert after.vars[name].reference == before.vars[name].reference
    # 0b1011 is -5 in 4 bits: -5/4; the x value leaves the view as it was
    assert after.history("bench.numbers.s1_SQ2_2") == [(0, 0.0), (5, -1.25)]
    missing = type("Missing", (_SQ2_2,), {"source": "bench.top.s9"})()
    with pytest.raises(KeyError, match=r"no variable 'bench\.top\.s9' in .* for the view"):
        write_with_views(str(src), str(tmp_path / "bad.vcd"), [missing])


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


@pytest.mark.parametrize("option, text", [("--stall", "1"), ("--gap", "-0.5"),
                                          ("--stall", "often")])
def test_cli_probabilities(tmp_path, capsys, option, text):
    with pytest.raises(SystemExit) as exit_:
        main(["waves", "--out", str(tmp_path), option, text])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert re.fullmatch(r"sigmoid-hw waves: error: argument {}: must be a probability in "
                        r"\[0, 1\).*, not '{}'\n".format(option, re.escape(text)), err)
    assert not list(tmp_path.iterdir())


def test_cli_baseline_and_programmable_comparator(tmp_path, capsys):
    assert main(["waves", "--design", "rom", "--out", str(tmp_path), "--inputs=-1,0,1"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^outputs +3 collected in \d+ cycles, all equal the model \(3/3\)$", out,
                     re.M)
    assert main(["waves", "--design", "comparator", "--threshold", "runtime", "--out",
                 str(tmp_path), "--range", "-1", "1", "0.25"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^design +comparator: SQ\(4, 12\) input, runtime limit L = 1 "
                     r"\(programmed for t = 1/2\), latency 1 cycle$", out, re.M)
    assert (tmp_path / "rom.gtkw").exists() and (tmp_path / "comparator.vcd").exists()
