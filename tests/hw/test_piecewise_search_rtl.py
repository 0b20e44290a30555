# amaranth: UnusedElaboratable=no
"""``PiecewisePolynomial(operand_bits=B)``: the searched plan's gateware equals its model on
every input under stalls, its shared multiplier one B-bit port at ``reuse=2``."""

import pytest

from sigmoid_hw.hw.designs import make_design
from sigmoid_hw.hw.methods.piecewise import PiecewisePolynomial
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.methods.piecewise import evaluate_piecewise
from method_checks import check_rtl


@pytest.mark.parametrize("name,reuse", [("sigmoid", 2), ("tanh", 1)])
def test_rtl_equals_model_on_every_input(name, reuse):
    dut = PiecewisePolynomial(name, SQ(4, 8), 10, "correct", degree=2, operand_bits=8,
                              reuse=reuse)
    assert all(a <= 8 for a, _ in dut.multipliers)
    check_rtl(dut, evaluate_piecewise, stall=0.3, gap=0.2, seed=reuse)


def test_the_registry_builds_it():
    dut = make_design("piecewise", function="tanh", input_format="SQ(4,8)", output_bits=10,
                      rounding="correct", degree=2, operand_bits=8, reuse=2)
    assert dut.plan.operand_bits == 8 and len(dut.multipliers) == 1
    assert max(dut.multipliers[0]) <= 8


def test_command_line_option():
    import argparse
    from sigmoid_hw.scripts.options import add_design_arguments, design_options_from_args
    parser = argparse.ArgumentParser()
    add_design_arguments(parser)
    args = parser.parse_args(["--design", "piecewise", "--function", "sigmoid", "--degree", "2",
                              "--input-format", "SQ(4,8)", "--output-bits", "10",
                              "--rounding", "correct", "--operand-bits", "8", "--reuse", "2"])
    dut = make_design(args.design, **design_options_from_args(args))
    assert isinstance(dut, PiecewisePolynomial) and dut.plan.operand_bits == 8
