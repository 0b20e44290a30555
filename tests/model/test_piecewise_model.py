"""The piecewise-polynomial model against the exact functions on every input, its plan, its errors."""

from fractions import Fraction

import numpy as np
import pytest

from sigmoid_hw.model.exact import FUNCTION_NAMES
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.methods.piecewise import (MAX_CORRECTIONS, PiecewisePlan, derive_piecewise,
                                     evaluate_piecewise)
from sigmoid_hw.model.methods.spec import FunctionSpec, problem, unit_model
from method_checks import check_unit

FORMATS = [(SQ(4, 8), 8), pytest.param(SQ(4, 12), 16, marks=pytest.mark.slow)]
IDS = ["SQ48-8", "SQ412-16"]


def _problem(name, fmt=SQ(4, 12), bits=16, rounding="faithful"):
    spec = FunctionSpec.make(name, fmt, bits, rounding)
    return problem(spec, spec.function.folds_for(spec.input_format, spec.output_format)[0])


def _check_against_exact(plan, name, fmt, rounding):
    """The unit on every input against the certified exact function (method_checks), and y_h
    on every domain point against h 2^f_out (the problem's certified R and fraction)."""
    spec = plan.problem.spec
    y = unit_model(plan, evaluate_piecewise, fmt.raw_range())
    metrics = check_unit(name, fmt, spec.output_format, y, rounding)
    prob = plan.problem
    raw = evaluate_piecewise(plan, prob.points)
    y_h = evaluate_piecewise(plan, prob.points, corrected=True)
    assert np.abs((y_h - prob.rounded) - prob.frac).max() < 1
    # the written bound holds for y_h before corrections, and is below one ulp
    assert np.abs((raw - prob.rounded) - prob.frac).max() <= plan.error_bound
    if rounding == "correct":
        assert np.array_equal(y_h, prob.rounded)
    else:
        assert plan.error_bound < 1
    return metrics


@pytest.mark.parametrize("name", FUNCTION_NAMES)
@pytest.mark.parametrize("fmt,bits", FORMATS, ids=IDS)
def test_faithful_on_every_input(name, fmt, bits):
    plan = derive_piecewise(_problem(name, fmt, bits), family="ice40-up")
    metrics = _check_against_exact(plan, name, fmt, "faithful")
    assert metrics["max_ulp"] < 1


@pytest.mark.parametrize("name", FUNCTION_NAMES)
@pytest.mark.parametrize("fmt,bits", FORMATS, ids=IDS)
def test_correctly_rounded_on_every_input(name, fmt, bits):
    plan = derive_piecewise(_problem(name, fmt, bits, "correct"), family="ice40-up")
    metrics = _check_against_exact(plan, name, fmt, "correct")
    assert metrics["correctly_rounded"] == 1.0
    assert len(plan.corrections) <= MAX_CORRECTIONS
    assert all(abs(d) == 1 for _, d in plan.corrections)


def test_error_terms_are_the_written_sum():
    plan = derive_piecewise(_problem("sigmoid"), degree=2, segments=64)
    terms = plan.error_terms
    assert list(terms) == ["approximation", "coefficient rounding", "product truncation",
                           "final rounding"]
    F = plan.frac_bits
    assert terms["final rounding"] == 0.5
    assert terms["coefficient rounding"] == sum(Fraction(1, 2 ** (F[j] + 1 + j)) for j in range(3))
    assert terms["product truncation"] == sum(Fraction(1, 2 ** (F[j] + 1 + j)) for j in range(2))
    assert plan.error_bound >= sum(terms.values())
    assert plan.max_error <= plan.error_bound < 1
    assert plan.degree == 2 and plan.segments == 64


def _horner(plan, a):
    """y_h of one domain point from the plan's memory words, in Python ints: the format the
    gateware reads, decoded independently of the plan's own evaluation."""
    u = a - plan.problem.lo
    n, k = plan.domain_bits, plan.segment_bits
    m = n - k
    seg = min(u >> m, (1 << k) - 1)
    t = u - (seg << m) - (1 << (m - 1))
    word, coeffs = plan.entries[seg], []
    for bits, prefix in plan.fields:
        stored = word & ((1 << bits) - 1)
        word >>= bits
        if prefix is None:
            coeffs.append(stored - (1 << bits) if stored >> (bits - 1) else stored)
        else:
            coeffs.append((prefix << bits) + stored)
    assert coeffs == [c[seg] for c in plan.coefficients]
    F = plan.frac_bits
    acc = coeffs[plan.degree]
    for j in range(plan.degree - 1, -1, -1):
        # floor of acc t 2^-(F_(j+1) + m - F_j), as an exact rational
        scaled = Fraction(acc * t, 1) / Fraction(2) ** (F[j + 1] + m - F[j])
        acc = coeffs[j] + (scaled.numerator // scaled.denominator)
    return acc >> F[0]


@pytest.mark.parametrize("name,degree", [("sigmoid", 1), ("tanh", 2), ("gelu", 3),
                                         ("elu", 2)])
def test_memory_words_and_horner_by_hand(name, degree):
    fmt, bits = SQ(4, 8), 8
    plan = derive_piecewise(_problem(name, fmt, bits), degree=degree)
    a = plan.problem.points
    sample = np.concatenate([a[:40], a[-40:], a[::37]])
    assert [_horner(plan, int(v)) for v in sample] == list(evaluate_piecewise(plan, sample))
    assert all(0 <= w < 1 << plan.word_bits for w in plan.entries)


def test_sigmoid_default_is_one_multiplier_per_device():
    prob = _problem("sigmoid")
    for family, brams in (("ice40-up", 4), ("ecp5", 1), ("ice40-hx", 4)):
        plan = derive_piecewise(prob, family=family)
        res = plan.resources(family)
        assert plan.degree == 1, family
        assert res["brams"] <= brams, (family, res)
        assert res["dsps"] == (0 if family == "ice40-hx" else 1), (family, res)
        assert plan.max_error < 1


def test_monotonic_where_the_record_says():
    # every monotonic function: y_h never steps backwards (corrections included)
    for name in ("sigmoid", "tanh", "elu"):
        plan = derive_piecewise(_problem(name), family="ice40-up")
        y = evaluate_piecewise(plan, plan.problem.points, corrected=True)
        d = np.diff(y)
        assert (d >= 0).all() or (d <= 0).all(), name


def test_explicit_segments_and_degree():
    plan = derive_piecewise(_problem("tanh", SQ(4, 8), 8), degree=1, segments=128)
    assert (plan.degree, plan.segments, plan.offset_bits) == (1, 128, 4)
    assert plan.t_bits == 5     # the folded domain's extra point 2^n: one more bit
    assert isinstance(plan, PiecewisePlan)


def test_errors():
    prob = _problem("sigmoid", SQ(4, 8), 8)
    with pytest.raises(TypeError, match=r"^problem must be a Problem from "
                                        r"sigmoid_hw\.model\.methods\.spec\.problem, not 'sigmoid'$"):
        derive_piecewise("sigmoid")
    with pytest.raises(ValueError, match=r"^degree must be between 1 and 3, not 4$"):
        derive_piecewise(prob, degree=4)
    with pytest.raises(TypeError, match=r"^degree must be an integer, not 1\.5$"):
        derive_piecewise(prob, degree=1.5)
    with pytest.raises(ValueError, match=r"^segments must be a power of two, not 48$"):
        derive_piecewise(prob, segments=48)
    with pytest.raises(ValueError, match=r"^segments must be between 1 and 512, not 1024$"):
        derive_piecewise(prob, segments=1024)
    with pytest.raises(TypeError, match=r"^segments must be an integer, not '64'$"):
        derive_piecewise(prob, segments="64")
    with pytest.raises(ValueError, match=r"^family must be one of 'ice40-up', 'ice40-hx', "
                                         r"'ecp5', 'gowin-gw1n', 'gowin-gw2a', not 'xilinx'$"):
        derive_piecewise(prob, family="xilinx")
    with pytest.raises(TypeError, match=r"^family must be one of .*, not 5$"):
        derive_piecewise(prob, family=5)
    with pytest.raises(ValueError, match=r"^1 segments of degree 1 do not meet the faithful "
                                         r"budget of sigmoid SQ\(4, 8\) -> UQ\(0, 8\) "
                                         r"faithful$"):
        derive_piecewise(prob, degree=1, segments=1)
    with pytest.raises(TypeError, match=r"^plan must be a PiecewisePlan, not None$"):
        evaluate_piecewise(None, [0])


def _horner_extremes(coefficients, t_bits, shifts):
    """The largest |acc_j| and product of the Horner scheme over every segment at the
    extremes of t (and -1, 0), in Python ints."""
    from itertools import product
    degree, top = len(coefficients) - 1, 0
    ts = (-(1 << (t_bits - 1)), -1, 0, (1 << (t_bits - 1)) - 1)
    for s, t in product(range(len(coefficients[0])), ts):
        acc = coefficients[degree][s]
        for j in range(degree - 1, -1, -1):
            prod = acc * t
            p = shifts[j]
            acc = coefficients[j][s] + (prod >> p if p >= 0 else prod << -p)
            top = max(top, abs(prod), abs(acc))
    return top


@pytest.mark.parametrize("bits, t_bits, shifts, wide", [
    ((30, 24, 20, 14), 14, (14, 14, 14), False),     # the 24-bit cubic: int64 is enough
    ((30, 24, 20, 52), 14, (14, 14, 14), True),      # a product of 65 bits
    ((30, 24, 20), 20, (-10, 20), False),            # a left shift to 53 bits
    ((30, 24, 20), 20, (-25, 20), True),             # a left shift to 68 bits
])
def test_horner_wide_is_a_bound(bits, t_bits, shifts, wide):
    from sigmoid_hw.model.methods.polyfit import horner_wide
    coefficients = tuple((-(1 << b) + 1, (1 << b) - 1, 1 << (b - 1)) for b in bits)
    assert horner_wide(coefficients, t_bits, shifts) is wide
    # int64 holds every value where it says so; where it does not, a value does leave it
    assert (_horner_extremes(coefficients, t_bits, shifts).bit_length() > 63) is wide


def test_fits_are_remembered_read_only():
    """generate derives the same minimax fit for several candidates: it is made once per
    process, and shared read-only (a plan that wrote into it would change another's)."""
    from sigmoid_hw.model.methods.polyfit import minimax_fit, problem_fit, segment_grid
    from sigmoid_hw.model.methods.spec import FunctionSpec, exact_folds, problem
    from sigmoid_hw.model.fixed import SQ
    spec = FunctionSpec.make("sigmoid", SQ(4, 6), 8, "faithful")
    prob = problem(spec, exact_folds(spec)[0])
    first = problem_fit(prob, 2, 3, 9)
    assert problem_fit(prob, 2, 3, 9) is first
    c, err = minimax_fit(*segment_grid(prob, 3, 9), 2)
    assert np.array_equal(first[0], c) and first[1] == err
    with pytest.raises(ValueError, match="read-only"):
        first[0][0, 0] = 0.0
