"""Piecewise plans within a number of ulp (sigmoid_hw.model.methods.piecewise_budget): on every
input against the exact function (mpmath at 8 bits, float64 at 16), within the budget and the
plan's bound, and narrower than the faithful plan."""

import mpmath
import numpy as np
import pytest

from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.methods.piecewise import derive_piecewise, evaluate_piecewise
from sigmoid_hw.model.methods.piecewise_budget import (CappedPlan, derive_piecewise_budget,
                                                       piecewise_budget_options)
from sigmoid_hw.model.methods.spec import FunctionSpec, problem, unit_model

EXACT = {"sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)), "tanh": mpmath.tanh}
FLOAT = {"sigmoid": lambda x: 1 / (1 + np.exp(-x)), "tanh": np.tanh}


def _problem(name, fmt, bits):
    spec = FunctionSpec.make(name, fmt, bits, "faithful")
    return problem(spec, spec.function.folds_for(spec.input_format, spec.output_format)[0])


def _max_error_mpmath(name, fmt, out_fmt, y):
    """max |y - f(x) 2^f_out| over every input, in output ulp, from mpmath (40 digits)."""
    with mpmath.workdps(40):
        return max(abs(int(v) - EXACT[name](mpmath.mpf(int(r)) / 2 ** fmt.f_bits)
                       * 2 ** out_fmt.f_bits) for r, v in zip(fmt.raw_range(), y))


@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
@pytest.mark.parametrize("budget", [1, 1.476, 3])
def test_within_budget_on_every_input(name, budget):
    fmt = SQ(4, 8)
    plan = derive_piecewise_budget(_problem(name, fmt, 8), budget, family="ice40-up")
    assert plan.corrections == ()
    y = unit_model(plan, evaluate_piecewise, fmt.raw_range())
    err = _max_error_mpmath(name, fmt, plan.problem.spec.output_format, y)
    assert err <= budget
    assert err <= plan.error_bound + 1e-9
    assert plan.max_error <= budget


@pytest.mark.parametrize("name,degree", [("sigmoid", 1), ("tanh", 2)])
def test_16_bit_budget_plan_is_narrower(name, degree):
    """At TFLite's 1.476 ulp: 256 segments whose word fits two 16-bit iCE40 block RAMs (32
    bits), the faithful plan's does not; float64 sigmoid/tanh on every input."""
    fmt = SQ(4, 12)
    prob = _problem(name, fmt, 16)
    plan = derive_piecewise_budget(prob, 1.476, degree=degree, segments=256)
    assert plan.word_bits <= 32 and plan.resources("ice40-up")["brams"] == 2
    faithful = derive_piecewise(prob, degree=degree, segments=256)
    assert faithful.word_bits > 32
    x = fmt.raw_range()
    y = unit_model(plan, evaluate_piecewise, x)
    out = plan.problem.spec.output_format
    err = np.abs(y - FLOAT[name](x / 2.0 ** fmt.f_bits) * 2.0 ** out.f_bits).max()
    assert 1 < err <= 1.476
    assert err <= plan.error_bound


def test_segments_past_the_output_range_are_capped():
    """tanh in SQ(1,15): round(tanh(x) 2^15) reaches 2^15 near x = 8, beyond the format; the
    segments that would give it hold the constant 2^15 - 1, so y_h (and its rebuild -y_h)
    never needs saturating, within the budget (float64 tanh on every domain point)."""
    prob = _problem("tanh", SQ(4, 12), 16)
    plan = derive_piecewise_budget(prob, 1.476, degree=1, segments=512)
    assert isinstance(plan, CappedPlan)
    y = evaluate_piecewise(plan, prob.points)
    assert y.max() == (1 << 15) - 1 and y.min() >= -((1 << 15) - 1)
    exact = np.tanh(prob.points / 2.0 ** 12) * 2.0 ** 15
    err = np.abs(y - exact)
    assert err.max() <= 1.476 and plan.cap_error <= plan.max_error <= plan.error_bound
    capped = y == (1 << 15) - 1
    assert err[capped].max() < 1


def test_options():
    assert piecewise_budget_options("sigmoid", SQ(4, 8), 8, "faithful") == []
    assert piecewise_budget_options("sigmoid", SQ(4, 8), 8, 0.9) == []
    options = piecewise_budget_options("tanh", SQ(4, 8), 8, 2.5)
    assert options and {o["degree"] for o in options} <= {1, 2, 3}
    prob = _problem("tanh", SQ(4, 8), 8)
    for o in options:
        assert o["rounding"] == "faithful" and o["budget_ulp"] == 2.5
        plan = derive_piecewise_budget(prob, 2.5, o["degree"], o["segments"])
        assert plan.max_error <= 2.5 and plan.segments == o["segments"]


def test_errors():
    prob = _problem("sigmoid", SQ(4, 8), 8)
    with pytest.raises(ValueError, match=r"^budget_ulp must be a finite number of ulp of at "
                                         r"least 1, not 0\.9$"):
        derive_piecewise_budget(prob, 0.9)
    with pytest.raises(TypeError, match=r"^budget_ulp must be a number of ulp, not True$"):
        derive_piecewise_budget(prob, True)
    with pytest.raises(TypeError, match=r"^problem must be a Problem"):
        derive_piecewise_budget(None, 2)
    with pytest.raises(ValueError, match=r"^segments must be a power of two, not 3$"):
        derive_piecewise_budget(prob, 2, segments=3)
    with pytest.raises(ValueError, match=r"^no piecewise plan of degree 1 on 1 segments is "
                                         r"within 1\.0 ulp for sigmoid"):
        derive_piecewise_budget(prob, 1, degree=1, segments=1)
