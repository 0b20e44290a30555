"""ReducedTable's model against the exact function on every input: each entry the best value
over its bin, the error its plan reports, the faithful and correct defaults, the refusals."""

import mpmath
import numpy as np
import pytest

from sigmoid_hw.hw.methods.reduced_table import reduced_table_plan
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.function_exact import function_error_metrics, rounded_reference
from sigmoid_hw.model.methods.reduced_table import (derive_reduced_table, evaluate_reduced_table,
                                                    largest_input_drop)
from sigmoid_hw.model.methods.spec import FunctionSpec
from method_checks import check_unit

CASES = [  # function, input, output bits, input drop, fold
    ("sigmoid", SQ(4, 8), 8, 2, "none"), ("sigmoid", SQ(4, 8), 8, 3, "ones"),
    ("tanh", SQ(4, 8), 8, 2, "ones"), ("dsigmoid", SQ(4, 8), 8, 3, "ones"),
    ("gelu", SQ(4, 8), 8, 1, "none"), ("sigmoid", SQ(4, 12), 16, 6, "none"),
    ("tanh", SQ(4, 12), 16, 5, "ones"), ("silu", SQ(4, 12), 16, 4, "none"),
]


def _bins(fold, k, x):
    if fold == "none":
        return x >> k
    return np.where(x < 0, ~x, x) >> k


@pytest.mark.parametrize("name,fmt,bits,k,fold", CASES)
def test_every_entry_is_the_best_value_of_its_bin(name, fmt, bits, k, fold):
    spec = FunctionSpec.make(name, fmt, bits)
    plan = derive_reduced_table(spec, k, fold)
    x = fmt.raw_range()
    y = evaluate_reduced_table(plan, x)
    out = spec.output_format
    lo, hi = spec.function.saturation(out)
    assert y.min() >= lo and y.max() <= hi
    r, frac = rounded_reference(name, x, fmt, out)
    exact = r + frac
    # every input of a bin reads one entry (the output is v or v XOR all ones by the sign)
    bins = _bins(fold, k, x)
    flip = plan.flip_output & (x < 0)
    mask = (1 << out.width) - 1
    v = np.where(flip, (-y - 1) if out.signed else mask - y, y)
    order = np.lexsort((v, bins))
    starts = np.flatnonzero(np.r_[True, np.diff(bins[order]) != 0])
    assert (np.minimum.reduceat(v[order], starts) == np.maximum.reduceat(v[order], starts)).all()
    # no other value of the entry lowers its bin's largest error (the values v +- 1 that stay
    # inside the output range, each rebuilt as the gateware does)
    err = np.abs(y - exact)
    worst = np.maximum.reduceat(err[order], starts)
    for step in (-1, 1):
        w = v + step
        yy = np.where(flip, (-w - 1) if out.signed else mask - w, w)
        inside = np.minimum.reduceat(((yy >= lo) & (yy <= hi))[order].astype(int), starts) == 1
        other = np.maximum.reduceat(np.abs(yy - exact)[order], starts)
        assert (worst[inside] <= other[inside] + 1e-9).all()
    # the plan's error is the proof's: the largest over every input
    m = function_error_metrics(name, y, x, fmt, out)
    assert abs(plan.error_bound - m["max_ulp"]) < 1e-9


def test_a_monotonic_bin_holds_the_rounded_midpoint_of_its_ends():
    # sigmoid, SQ(4,8) -> UQ(0,8), 4 inputs a bin: round(256 (s(x0) + s(x0 + 3/256)) / 2)
    spec = FunctionSpec.make("sigmoid", SQ(4, 8), 8)
    plan = derive_reduced_table(spec, 2, "none")
    mpmath.mp.prec = 80
    for start in range(-2048, 2048, 4):
        s = [1 / (1 + mpmath.exp(-mpmath.mpf(v) / 256)) for v in (start, start + 3)]
        want = min(255, int(mpmath.nint(128 * (s[0] + s[1]))))
        assert evaluate_reduced_table(plan, np.array([start]))[0] == want, start


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "dsigmoid", "elu"])
@pytest.mark.parametrize("fmt,bits", [(SQ(4, 8), 8), (SQ(4, 12), 16)], ids=["8", "16"])
def test_default_drop_is_the_largest_faithful_or_correct(name, fmt, bits):
    x = fmt.raw_range()
    for rounding in ("faithful", "correct"):
        plan = reduced_table_plan(name, fmt, bits, rounding)
        y = evaluate_reduced_table(plan, x)
        if rounding == "correct":
            check_unit(name, fmt, plan.spec.output_format, y, rounding)
        m = function_error_metrics(name, y, x, fmt, plan.spec.output_format)
        assert m["max_ulp"] < 1
        if rounding == "correct":
            r, _ = rounded_reference(name, x, fmt, plan.spec.output_format)
            assert (y == np.clip(r, *plan.spec.function.saturation(
                plan.spec.output_format))).all()
        # one more input bit dropped on the same fold breaks it
        if plan.input_drop + 1 <= fmt.width - 1 - (plan.fold == "ones"):
            wider = derive_reduced_table(plan.spec, plan.input_drop + 1, plan.fold)
            y2 = evaluate_reduced_table(wider, x)
            m2 = function_error_metrics(name, y2, x, fmt, plan.spec.output_format)
            r, _ = rounded_reference(name, x, fmt, plan.spec.output_format)
            assert m2["max_ulp"] >= 1 if rounding == "faithful" else \
                (y2 != np.clip(r, *plan.spec.function.saturation(
                    plan.spec.output_format))).any()


def test_largest_input_drop_meets_a_number_of_ulp():
    spec = FunctionSpec.make("sigmoid", SQ(4, 12), 9)
    k = largest_input_drop(spec, "none", lambda p: p.error_bound * 128 <= 252.14)
    assert k == 6
    x = SQ(4, 12).raw_range()
    y = evaluate_reduced_table(derive_reduced_table(spec, k, "none"), x) << 7
    wide = spec.function.output_format(SQ(4, 12), 16)
    assert function_error_metrics("sigmoid", y, x, SQ(4, 12), wide)["max_ulp"] <= 252.14


def test_refusals_name_the_parameter():
    spec = FunctionSpec.make("silu", SQ(4, 8), 8)
    with pytest.raises(ValueError, match=r"^fold must be one of 'none', not 'ones'$"):
        derive_reduced_table(spec, 1, "ones")
    with pytest.raises(ValueError, match=r"^input_drop must be between 0 and 11, not 12$"):
        derive_reduced_table(spec, 12, "none")
    with pytest.raises(TypeError, match=r"^input_drop must be an int"):
        derive_reduced_table(spec, 1.5, "none")
    with pytest.raises(ValueError, match=r"^no reduced table of sigmoid .* is faithful on fold "
                                         r"ones$"):
        reduced_table_plan("sigmoid", SQ(4, 6), 10, "faithful", fold="ones")
