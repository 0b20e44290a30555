# amaranth: UnusedElaboratable=no
"""PiecewisePolynomial's gateware equals its model on every input, under random stalls and gaps."""

import pytest

from sigmoid_hw.hw.methods.piecewise import PiecewisePolynomial
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.methods.piecewise import evaluate_piecewise
from method_checks import check_rtl


def _check(dut, stall, gap, seed):
    check_rtl(dut, evaluate_piecewise, stall=stall, gap=gap, seed=seed)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sigmoid", "tanh", "gelu"])
def test_piecewise_rtl_equals_model_16_bit(name):
    dut = PiecewisePolynomial(name, family="ice40-up")
    _check(dut, stall=0.25, gap=0.1, seed=11)


# every degree, both roundings, the folds (complement, even, none, relu_left, delta_relu)
@pytest.mark.parametrize("name,degree,rounding", [
    ("dsigmoid", 1, "correct"),
    ("silu", 2, "correct"),          # 8 bits: no fold (f_out < f_in)
    ("elu", 3, "faithful"),
    ("dtanh", 2, "faithful"),
    ("dsilu", 3, "correct"),
    ("dgelu", 1, "faithful"),
])
def test_piecewise_rtl_equals_model_8_bit(name, degree, rounding):
    dut = PiecewisePolynomial(name, SQ(4, 8), 8, rounding, degree=degree)
    assert dut.plan.degree == degree
    assert dut.core_latency == 2 + 2 * degree
    _check(dut, stall=0.3, gap=0.2, seed=3)


def test_piecewise_rtl_with_delta_relu_fold():
    dut = PiecewisePolynomial("gelu", SQ(4, 6), 10, "correct", degree=2)
    assert dut.plan.problem.fold.name == "delta_relu"
    _check(dut, stall=0.3, gap=0.2, seed=4)


def test_piecewise_rtl_at_a_target():
    dut = PiecewisePolynomial("tanh", SQ(4, 6), 10, target_mhz=120, family="ecp5")
    plain = PiecewisePolynomial("tanh", SQ(4, 6), 10, family="ecp5")
    assert dut.core_latency == plain.core_latency + 1
    _check(dut, stall=0.3, gap=0.2, seed=5)


def test_piecewise_unit_errors():
    with pytest.raises(ValueError, match=r"^fold must be one of 'odd', 'none' for tanh "
                                         r"SQ\(4, 12\) -> SQ\(1, 15\) faithful, not 'even'$"):
        PiecewisePolynomial("tanh", fold="even")
    with pytest.raises(ValueError, match=r"^degree must be between 1 and 3, not 0$"):
        PiecewisePolynomial("sigmoid", SQ(4, 4), 6, degree=0)
    with pytest.raises(ValueError, match=r"^segments must be a power of two, not 3$"):
        PiecewisePolynomial("sigmoid", SQ(4, 4), 6, segments=3)
    with pytest.raises(ValueError, match=r"^function must be one of .*, not 'relu'$"):
        PiecewisePolynomial("relu")

