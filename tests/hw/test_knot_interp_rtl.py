# amaranth: UnusedElaboratable=no
"""KnotInterpolation's gateware equals its model on every input, under random stalls and gaps,
on each of its folds (the ones' complement with the output flipped, even, none)."""

import pytest

from sigmoid_hw.hw.methods.knot_interp import KnotInterpolation
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.methods.knot_interp import evaluate_knot_interp
from method_checks import check_rtl


@pytest.mark.parametrize("name,budget,fold,kind", [
    ("sigmoid", None, None, "flip"),     # complement in UQ(0,8): (Y - 1) XOR 255
    ("tanh", 1.5, None, "flip"),         # odd: ~(Y - 1)
    ("dsigmoid", None, None, "even"),    # the input folded only
    ("tanh", 1.5, "none", "none"),       # offset binary
    ("elu", 2.0, None, "none"),          # no fold the unit builds: not folded
])
def test_knot_interp_rtl_equals_model_8_bit(name, budget, fold, kind):
    dut = KnotInterpolation(name, SQ(4, 8), 8, budget_ulp=budget, fold=fold)
    assert dut.fold_kind == kind and dut.latency == 6
    check_rtl(dut, evaluate_knot_interp, stall=0.3, gap=0.2, seed=17)


@pytest.mark.parametrize("name,budget,fold", [
    ("sigmoid", None, None), ("tanh", 1.5, None), ("tanh", 1.5, "none")])
def test_knot_interp_unsigned_product_rtl_equals_model(name, budget, fold):
    dut = KnotInterpolation(name, SQ(4, 8), 8, budget_ulp=budget, fold=fold, product="unsigned")
    assert dut.multiplier == (dut.plan.rise_bits, dut.plan.t_bits)
    check_rtl(dut, evaluate_knot_interp, stall=0.3, gap=0.2, seed=23)


def test_knot_interp_unsigned_product_needs_rising_knots():
    with pytest.raises(ValueError, match=r"^product must be 'signed' for knots that decrease"):
        KnotInterpolation("dsigmoid", SQ(4, 8), 8, product="unsigned")
    with pytest.raises(ValueError, match=r"^product must be one of"):
        KnotInterpolation("sigmoid", SQ(4, 8), 8, product="booth")


def test_knot_interp_guard_bits_and_padded():
    import numpy as np
    from sigmoid_hw.hw.designs import design, make_design
    from sigmoid_hw.hw.streamsim import run_stream
    dut = KnotInterpolation("tanh", SQ(4, 8), 8, budget_ulp=1.5, guard_bits=2, offset=0.25)
    assert dut.plan.guard_bits == 2
    check_rtl(dut, evaluate_knot_interp, stall=0.2, gap=0.3, seed=5)
    # 12 output bits, 4 of them not computed (generate's candidates at 2^4 ulp and more)
    padded = make_design("knot-interp", function="tanh", input_format="SQ(4,8)",
                         output_bits=12, drop_bits=4, budget_ulp=1.5)
    assert padded.output_format.width == 12
    x = padded.input_format.raw_range()
    out, _ = run_stream(padded, [int(v) for v in x], stall=0.3, gap=0.2, seed=29)
    assert (np.array(out, dtype=np.int64) == design("knot-interp").model(padded, x)).all()
