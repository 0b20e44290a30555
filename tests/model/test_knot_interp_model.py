"""KnotInterpolation's model against exact mathematics: the two-bank reads equal the plain
interpolation formula, the error the plan reports is the one measured against the certified
function on every input, each knot is its rounded value, and the refusals."""

import mpmath
import numpy as np
import pytest

from sigmoid_hw.hw.designs import design, make_design
from sigmoid_hw.hw.methods.knot_interp import knot_interp_plan
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.function_exact import function_error_metrics
from sigmoid_hw.model.methods.knot_interp import (derive_knot_interp, evaluate_knot_interp,
                                                  knot_interp_options)
from sigmoid_hw.model.methods.spec import FunctionSpec, exact_folds, problem

CASES = [  # function, input, output bits, budget (None: faithful)
    ("sigmoid", SQ(4, 8), 8, None), ("tanh", SQ(4, 8), 8, 1.5), ("dsigmoid", SQ(4, 8), 8, None),
    ("gelu", SQ(4, 8), 8, None), ("sigmoid", SQ(4, 12), 16, 1.4761833294580466),
    ("tanh", SQ(4, 12), 16, 1.4761833294580466),
]


def _plain(plan, u):
    """``floor((K[s] 2^m + (K[s+1] - K[s]) t + 2^(m+g-1)) / 2^(m+g))``, the last segment flat
    at ``K[S-1]``: the formula of the module docstring, one knot pair per segment, in
    Python integers."""
    k, m, g = plan.segment_bits, plan.offset_bits, plan.guard_bits
    K = [int(v) for v in plan.knots]
    out = []
    for v in u:
        s = min(int(v) >> m, (1 << k) - 1)
        if s == (1 << k) - 1:
            lo, hi, t = K[s], K[s], 0
        else:
            lo, hi, t = K[s], K[s + 1], int(v) - (s << m)
        out.append((lo * 2 ** m + (hi - lo) * t + 2 ** (m + g) // 2) // 2 ** (m + g))
    return np.array(out, dtype=np.int64)


@pytest.mark.parametrize("name,fmt,bits,budget", CASES)
def test_two_banks_equal_the_plain_formula_and_the_error_is_measured(name, fmt, bits, budget):
    plan = knot_interp_plan(name, fmt, bits, budget_ulp=budget)
    prob = plan.problem
    u = prob.points - prob.lo
    if fmt.width > 8:
        u = u[::7]
    assert (evaluate_knot_interp(plan, u + prob.lo) == _plain(plan, u)).all()
    # the unit's outputs on every input against the certified function (not the plan's figure)
    x = fmt.raw_range()
    y = design("knot-interp").model(make_design("knot-interp", function=name,
                                                input_format=str(fmt).replace(" ", ""),
                                                output_bits=bits, budget_ulp=budget), x)
    out = prob.spec.output_format
    metrics = function_error_metrics(name, y, x, fmt, out)
    assert abs(metrics["max_ulp"] - plan.max_error) < 1e-6
    assert metrics["max_ulp"] < 1 if budget is None else metrics["max_ulp"] <= budget
    lo, hi = prob.spec.function.saturation(out)
    assert y.min() >= lo and y.max() <= hi


def test_each_knot_is_the_offset_function_rounded_to_its_guard_bits():
    # tanh SQ(4,8) -> SQ(1,7): K[h] = round((tanh(h 2^m / 256) 128 + c) 2^g), in mpmath
    plan = knot_interp_plan("tanh", SQ(4, 8), 8, budget_ulp=1.5)
    m, g, c = plan.offset_bits, plan.guard_bits, plan.offset
    mpmath.mp.prec = 80
    for h, K in enumerate(plan.knots):
        exact = mpmath.tanh(mpmath.mpf(h << m) / 256) * 128
        want = int(mpmath.nint((exact + mpmath.mpf(c)) * 2 ** g))
        assert K == min(want, 127 << g), h


def test_tanh_16_bit_at_the_peers_error_fits_two_256_word_banks():
    # TFLite's tanh errs 1.476 ulp: 512 knots of 15 bits, two 256 x 15 banks
    plan = knot_interp_plan("tanh", SQ(4, 12), 16, budget_ulp=1.4761833294580466)
    assert (plan.segments, plan.bank_depth, plan.width) == (512, 256, 15)
    assert plan.max_error <= 1.4761833294580466
    fewer = FunctionSpec.make("tanh", SQ(4, 12), 16)
    with pytest.raises(ValueError, match="no knot interpolation on 256 knots"):
        derive_knot_interp(problem(fewer, exact_folds(fewer)[0]), 1.4761833294580466, 256)


def test_options_list_each_knot_count_that_meets_the_accuracy():
    opts = knot_interp_options("sigmoid", SQ(4, 8), 8, 1.5)
    assert opts and all(o["budget_ulp"] == 1.5 for o in opts)
    assert [o["segments"] for o in opts] == sorted(o["segments"] for o in opts)
    assert knot_interp_options("sigmoid", SQ(4, 8), 8, "correct") == []
    assert knot_interp_options("sigmoid", SQ(4, 8), 8, 0.75) == []


def test_refusals_name_the_parameter():
    spec = FunctionSpec.make("sigmoid", SQ(4, 8), 8)
    prob = problem(spec, exact_folds(spec)[0])
    with pytest.raises(ValueError, match=r"^budget_ulp must be a finite number of ulp of at "
                                         r"least 1, not 0.5$"):
        derive_knot_interp(prob, 0.5)
    with pytest.raises(TypeError, match=r"^budget_ulp must be a number of ulp or 'faithful'"):
        derive_knot_interp(prob, "2")
    with pytest.raises(ValueError, match=r"^segments must be a power of two, not 12$"):
        derive_knot_interp(prob, 2.0, 12)
    with pytest.raises(ValueError, match=r"^rounding must be 'faithful'"):
        knot_interp_plan("sigmoid", SQ(4, 8), 8, "correct")
    with pytest.raises(ValueError, match=r"^fold must be one the knot unit builds"):
        knot_interp_plan("silu", SQ(4, 12), 16, fold="delta_relu")
