"""``derive_piecewise_operand``: correctly rounded piecewise plans whose products' accumulator
operands fit a DSP port, made correct by the coefficient search; checked on every input
against the certified exact function (``method_checks.check_unit``), not the plan's own list."""

import numpy as np
import pytest

from sigmoid_hw.hw.methods.piecewise import piecewise_plan
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.methods.piecewise import evaluate_piecewise
from sigmoid_hw.model.methods.piecewise_search import (
    SearchedPlan, derive_piecewise_operand, search_coefficients)
from sigmoid_hw.model.methods.polyfit import split
from sigmoid_hw.model.methods.spec import FunctionSpec, exact_folds, problem, unit_model
from method_checks import check_unit


def _problem(name, fmt, bits):
    spec = FunctionSpec.make(name, fmt, bits, "correct")
    return spec, problem(spec, exact_folds(spec)[0])


@pytest.mark.parametrize("name,fmt,bits,operand,degree", [
    ("sigmoid", SQ(4, 8), 10, 8, 2),
    ("tanh", SQ(4, 8), 10, 8, 2),
    ("gelu", SQ(4, 8), 10, 7, None),
])
def test_correct_on_every_input_with_narrow_operands(name, fmt, bits, operand, degree):
    spec, prob = _problem(name, fmt, bits)
    plan = derive_piecewise_operand(prob, operand, degree=degree)
    assert isinstance(plan, SearchedPlan) and plan.operand_bits == operand
    # every product's accumulator operand (and t) fits the port
    assert all(a <= operand and b <= operand for a, b in plan.product_bits)
    y = unit_model(plan, evaluate_piecewise, fmt.raw_range())
    check_unit(name, fmt, spec.output_format, y, "correct")
    assert plan.max_error <= plan.error_bound


def test_the_search_moves_coefficients_the_guard_bits_would_need():
    # the same F without the search rounds more points the wrong way; the search fixes
    # them by moving coefficients, within its bound term
    spec, prob = _problem("sigmoid", SQ(4, 8), 10)
    plan = derive_piecewise_operand(prob, 8, degree=2)
    from sigmoid_hw.model.methods.piecewise import _plan, _approximation
    n = plan.domain_bits
    fit = _approximation(prob, 2, plan.segment_bits, n, {})
    plain = _plan(prob, 2, plan.segment_bits, n, plan.extra, fit, plan.frac_bits, None)
    assert len(plain.corrections) > len(plan.corrections)
    moved = [np.abs(np.subtract(a, b)) for a, b in zip(plan.coefficients, plain.coefficients)]
    assert any(m.any() for m in moved)
    bound = max(sum(int(moved[j][s]) * 2.0 ** -(plan.frac_bits[j] + j) for j in range(3))
                for s in range(plan.segments))
    assert plan.search_error == pytest.approx(bound)


def test_c0_interval_is_exact():
    """With no move allowed the search only picks ``C_0``; a segment is fixed exactly when
    some ``C_0`` rounds all its points right, found here by brute force."""
    from sigmoid_hw.model.methods.piecewise import _plan, _approximation
    spec, prob = _problem("tanh", SQ(3, 6), 8)
    n = (prob.hi - prob.lo).bit_length() - 1
    extra = prob.hi - prob.lo + 1 > 1 << n
    plain = _plan(prob, 1, 4, n, extra, _approximation(prob, 1, 4, n, {}), (3, 1), None)
    assert plain.corrections       # something for the search to fix
    searched = search_coefficients(plain, step=0)
    assert searched.coefficients[1] == plain.coefficients[1]
    seg, t = split(plain.segment_bits, plain.domain_bits, prob.points - prob.lo)
    F0 = plain.frac_bits[0]
    for s in range(plain.segments):
        sel = seg == s
        p = (np.asarray(plain.coefficients[1])[s] * t[sel]) >> plain.shifts[0]
        base = plain.coefficients[0][s]
        ok = [c for c in range(base - 4 * (1 << F0), base + 4 * (1 << F0))
              if (((c + p) >> F0) == prob.rounded[sel]).all()]
        wrong = [a for a, _ in searched.corrections if seg[a - prob.lo] == s]
        assert bool(ok) == (not wrong)
    assert len(searched.corrections) < len(plain.corrections)


def test_operand_bits_rejects_bad_values():
    with pytest.raises(ValueError, match="operand_bits"):
        piecewise_plan("sigmoid", SQ(4, 8), 8, "faithful", operand_bits=8)
    with pytest.raises(TypeError, match="operand_bits"):
        piecewise_plan("sigmoid", SQ(4, 8), 8, "correct", operand_bits="8")
    with pytest.raises(ValueError, match="operand_bits"):
        piecewise_plan("sigmoid", SQ(4, 8), 8, "correct", operand_bits=2)
    _, prob = _problem("sigmoid", SQ(4, 8), 8)
    with pytest.raises(ValueError, match="segments"):
        derive_piecewise_operand(prob, 8, segments=12)
