"""The shared command-line options (``sigmoid_hw.scripts.options``) and the wording every command shares."""

import argparse
import math
from fractions import Fraction

import pytest

from sigmoid_hw.hw.designs import DESIGNS
from sigmoid_hw.model.fixed import UQ
from sigmoid_hw.model.params import COEFFICIENT_SOURCES
from sigmoid_hw.report.text import count, yes_no
from sigmoid_hw.scripts.cli import build_parser
from sigmoid_hw.scripts.options import parse_threshold, probability

PIPELINES = [name for name, record in DESIGNS.items() if record.kind == "pipeline"]


@pytest.mark.parametrize("text, value", [("0", 0.0), ("0.3", 0.3), ("0.999999", 0.999999)])
def test_probability_accepts_0_up_to_1(text, value):
    assert probability(text) == value


@pytest.mark.parametrize("text", ["1", "1.0", "2", "-0.1", "nan", "inf", "-inf", "x", ""])
def test_probability_refuses_the_rest_naming_the_value(text):
    with pytest.raises(argparse.ArgumentTypeError) as exc:
        probability(text)
    assert str(exc.value) == "must be a probability in [0, 1), not {!r}".format(text)


@pytest.mark.parametrize("text, value", [
    ("0.7", Fraction(7, 10)), (" 3/4 ", Fraction(3, 4)), ("1e-400", Fraction(1, 10**400)),
    ("inf", math.inf), ("-Infinity", -math.inf), ("runtime", "runtime")])
def test_parse_threshold_is_exact(text, value):
    assert parse_threshold(text) == value


def test_parse_threshold_raw_words_and_errors():
    assert parse_threshold("0x8000", UQ(0, 16)) == Fraction(1, 2)
    with pytest.raises(ValueError, match=r"^Threshold must be a real number other than NaN, not nan$"):
        parse_threshold("nan")
    with pytest.raises(ValueError, match=r"^Threshold must be a number such as 0\.5 or 3/4, "
                                         r"or 'runtime', not 'half'$"):
        parse_threshold("half")
    with pytest.raises(ValueError, match=r"^Threshold must be a number such as 0\.5 or 3/4, "
                                         r"not 'runtime'$"):
        parse_threshold("runtime", runtime=False)
    with pytest.raises(ValueError, match=r"^Threshold must be an integer raw word of UQ\(0, 16\), "
                                         r"not '0\.5'$"):
        parse_threshold("0.5", UQ(0, 16))


def _parses(argv):
    try:
        build_parser().parse_args(argv)
    except SystemExit:
        return False
    return True


@pytest.mark.parametrize("command", [["simulate"], ["plot"], ["accuracy"],
                                     ["synth", "--device", "up5k"]])
def test_every_coefficient_source_everywhere(command, capsys):
    """The --coefficients choices are sigmoid_hw.model.params.COEFFICIENT_SOURCES, minimax included."""
    assert all(_parses(command + ["--coefficients", c]) for c in COEFFICIENT_SOURCES)
    assert not _parses(command + ["--coefficients", "all"])


@pytest.mark.parametrize("command, kinds", [
    (["simulate"], ("pipeline", "function", "method")),
    (["build", "--board", "icebreaker"], ("pipeline", "function", "method")),
    (["synth", "--device", "up5k"], ("pipeline", "comparator", "baseline", "function", "unit",
                                     "method")),
])
def test_design_choices_come_from_the_registry(command, kinds, capsys):
    for name, record in DESIGNS.items():
        assert _parses(command + ["--design", name]) == (record.kind in kinds), name
    assert "pipeline-minimax" in PIPELINES


def test_build_takes_the_pipeline_options():
    args = build_parser().parse_args(["build", "--board", "icebreaker", "--design",
                                      "pipeline-minimax", "--output-bits", "12"])
    assert (args.design, args.output_bits, args.threshold) == ("pipeline-minimax", 12, "1/2")
    assert _parses(["build", "--board", "icebreaker", "--coefficients", "table"])   # issue 22


def test_one_wording():
    assert [count(1, "cycle"), count(0, "cycle"), count(10, "cycle")] == [
        "1 cycle", "0 cycles", "10 cycles"]
    assert (yes_no(True), yes_no(False)) == ("yes", "no")


def test_reports_say_1_cycle():
    from sigmoid_hw.scripts.commands import build, synth
    result = {"design": "comparator", "latency": 1, "device": "up5k", "part": "iCE40UP5K-SG48",
              "seed": 1, "toolchain": "yowasp", "luts": 20, "ffs": 18, "boundary_ffs": 17,
              "dsps": 0, "brams": 0, "fmax_mhz": 100.0, "target_mhz": 12.0, "seconds": 1.0}
    assert "\ndesign    comparator, latency 1 cycle\n" in "\n" + synth.format_report(result)
    board = {"board": "icebreaker", "part": "iCE40UP5K-SG48", "clock_mhz": 12.0, "baud": 115200,
             "design": "pipeline", "threshold": "1/2", "latency": 1, "luts": 1, "ffs": 1,
             "dsps": 0, "brams": 0, "fmax_mhz": 20.0, "bitstream": "b.bin", "seconds": 1.0,
             "program": []}
    assert "pipeline latency 1 cycle\n" in build.format_report(board)


@pytest.mark.parametrize("function, design", [("tanh", "tanh"), ("dsigmoid", "dsigmoid"),
                                              ("silu", "silu")])
def test_function_option_selects_the_design(function, design):
    import argparse
    from sigmoid_hw.scripts.options import add_design_arguments
    parser = argparse.ArgumentParser()
    add_design_arguments(parser)
    args = parser.parse_args(["--function", function])
    assert (args.design, args.function) == (design, function)
    assert parser.parse_args(["--function", "sigmoid", "--design", "pipeline-cr"]).design \
        == "pipeline-cr"
    # build puts a function pipeline on the board; a command without function designs
    # (the threshold command has no --design) refuses the option
    args = build_parser().parse_args(["build", "--board", "icebreaker", "--function", function])
    assert args.design == design
    assert not _parses(["threshold", "--function", function])
    only_comparators = argparse.ArgumentParser()
    add_design_arguments(only_comparators, kinds=("comparator",))
    with pytest.raises(SystemExit):
        only_comparators.parse_args(["--function", function])
