# amaranth: UnusedElaboratable=no
"""PiecewisePolynomial with budget_ulp: its gateware equals its model on every input under
stalls (8 bits), the registry rebuilds it, and the options are checked."""

import pytest

from sigmoid_hw.hw.designs import make_design
from sigmoid_hw.hw.methods.piecewise import PiecewisePolynomial
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.methods.piecewise import evaluate_piecewise
from method_checks import check_rtl


@pytest.mark.parametrize("name,degree,reuse", [("sigmoid", 1, 1), ("tanh", 2, 2)])
def test_budget_rtl_equals_model(name, degree, reuse):
    dut = PiecewisePolynomial(name, SQ(4, 8), 8, degree=degree, reuse=reuse, budget_ulp=1.476)
    assert dut.plan.degree == degree and dut.plan.corrections == ()
    assert 1 <= dut.plan.max_error <= 1.476
    # capped segments (piecewise_budget): the rebuild never leaves the output's range
    lo, hi = dut.plan.problem.spec.function.saturation(dut.plan.problem.spec.output_format)
    assert lo <= dut.rebuilt_range()[0] and dut.rebuilt_range()[1] <= hi
    check_rtl(dut, evaluate_piecewise, stall=0.3, gap=0.2, seed=7)


def test_registry_option():
    unit = make_design("piecewise", function="tanh", input_format="SQ(4,8)", output_bits=8,
                       rounding="faithful", budget_ulp=2.5, degree=1, segments=16)
    assert unit.plan.segments == 16 and unit.plan.max_error <= 2.5


def test_budget_errors():
    with pytest.raises(ValueError, match=r"^budget_ulp is for faithful rounding \(an error of "
                                         r"at most budget_ulp ulp\), not 'correct'$"):
        PiecewisePolynomial("sigmoid", SQ(4, 8), 8, "correct", budget_ulp=2)
    with pytest.raises(TypeError, match=r"^budget_ulp must be a number of ulp, not '2'$"):
        PiecewisePolynomial("sigmoid", SQ(4, 8), 8, budget_ulp="2")
