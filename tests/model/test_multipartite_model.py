"""The multipartite method's model: every function, faithful and correctly rounded on every input.

Judged against the certified exact function (``method_checks.check_unit``,
``Problem.rounded``/``frac``), never against the method's own arithmetic.
"""

import numpy as np
import pytest

from method_checks import check_unit
from sigmoid_hw.model.exact import FUNCTION_NAMES
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.methods.multipartite import (MAX_TABLES, MultipartiteSplit, derive_multipartite,
                                        evaluate_multipartite, multipartite_plan)
from sigmoid_hw.model.methods.spec import FunctionSpec, problem, unit_model

FORMATS = [(SQ(4, 8), 8), (SQ(4, 12), 16)]


def _core_error(plan):
    """``y_h - h 2^f_out`` of the core (no corrections) on every domain point."""
    pb = plan.problem
    return evaluate_multipartite(plan, pb.points) - pb.exact


@pytest.mark.parametrize("rounding", ["faithful", "correct"])
@pytest.mark.parametrize("name", FUNCTION_NAMES)
@pytest.mark.parametrize("fmt,bits", FORMATS, ids=["SQ48-8", "SQ412-16"])
def test_multipartite_on_every_input(name, fmt, bits, rounding):
    plan = multipartite_plan(name, fmt, bits, rounding)
    out_fmt = plan.problem.spec.output_format
    y = unit_model(plan, evaluate_multipartite, fmt.raw_range())
    metrics = check_unit(name, fmt, out_fmt, y, rounding)
    # the named bound holds on every point, and a faithful plan's is below 1 ulp
    err = np.abs(_core_error(plan))
    assert err.max() <= plan.error_bound + 1e-9
    assert abs(err.max() - plan.max_error) < 1e-9
    if rounding == "faithful":
        assert plan.error_bound < 1 and metrics["max_ulp"] < 1
    else:
        assert metrics["correctly_rounded"] == 1.0
    # every correction is a point where the core is not R
    pb = plan.problem
    for a, delta in plan.corrections:
        assert delta != 0 and pb.lo <= a <= pb.hi


def test_terms_and_tables_have_the_papers_shape():
    plan = multipartite_plan("sigmoid", SQ(4, 12), 16)
    split = plan.split
    assert set(plan.error_terms) - {"tiv nudge"} == {"method", "tiv rounding",
                                                     "offset rounding", "final rounding"}
    g = split.guard_bits
    assert plan.error_terms.get("tiv nudge", 0) <= 16 * 2.0 ** -g
    assert plan.error_terms["final rounding"] == 0.5
    assert plan.error_terms["tiv rounding"] == 2.0 ** -(g + 1)
    assert plan.error_terms["offset rounding"] == split.tables * 2.0 ** -(g + 1)
    assert split.alpha + sum(split.betas) == plan.input_bits == 15
    assert len(plan.tiv) == 2 ** split.alpha
    for table, b, c in zip(plan.offsets, split.betas, split.gammas):
        assert len(table) == 2 ** (c + b - 1)        # halved by the sign trick
        assert 0 <= c <= split.alpha
    assert plan.table_bits == len(plan.tiv) * plan.tiv_shape[0] + sum(
        len(t) * w for t, (w, _) in zip(plan.offsets, plan.offset_shapes))


def test_tables_none_is_the_cheapest_count():
    spec = FunctionSpec.make("tanh", SQ(4, 8), 8)
    pb = problem(spec, spec.function.folds_for(spec.input_format, spec.output_format)[0])
    best = derive_multipartite(pb)
    each = [derive_multipartite(pb, tables=m) for m in range(1, MAX_TABLES + 1)]
    assert [p.split.tables for p in each] == [1, 2, 3]
    cost = lambda p: p.table_bits + 128 * len(p.corrections)
    assert cost(best) == min(cost(p) for p in each)


def test_a_forced_bipartite_split():
    spec = FunctionSpec.make("sigmoid", SQ(4, 8), 8)
    pb = problem(spec, spec.function.folds_for(spec.input_format, spec.output_format)[0])
    plan = derive_multipartite(pb, split=MultipartiteSplit(6, (5,), (4,), 4))
    assert plan.split == MultipartiteSplit(6, (5,), (4,), 4)
    assert len(plan.tiv) == 64 and len(plan.offsets[0]) == 2 ** 8
    err = np.abs(_core_error(plan))
    assert err.max() <= plan.error_bound + 1e-9


def _problem():
    spec = FunctionSpec.make("sigmoid", SQ(4, 8), 8)
    return problem(spec, spec.function.folds_for(spec.input_format, spec.output_format)[0])


@pytest.mark.parametrize("kwargs,error,message", [
    (dict(tables=0), ValueError, r"^tables must be between 1 and 3, not 0$"),
    (dict(tables=4), ValueError, r"^tables must be between 1 and 3, not 4$"),
    (dict(tables=1.5), TypeError, r"^tables must be an integer, not 1\.5$"),
    (dict(split=(6, (5,), (4,), 4)), TypeError,
     r"^split must be a MultipartiteSplit, not \(6, \(5,\), \(4,\), 4\)$"),
    (dict(split=MultipartiteSplit(11, (1,), (0,), 4)), ValueError,
     r"^split\.alpha must be between 1 and 10, not 11$"),
    (dict(split=MultipartiteSplit(6, (4,), (4,), 4)), ValueError,
     r"^split\.betas must add up to n - alpha = 5, not \(4,\)$"),
    (dict(split=MultipartiteSplit(6, (5,), (7,), 4)), ValueError,
     r"^split\.gammas must be between 0 and 6, not 7$"),
    (dict(split=MultipartiteSplit(6, (5,), (4, 4), 4)), TypeError,
     r"^split\.gammas must be a tuple of 1 integers, not \(4, 4\)$"),
    (dict(split=MultipartiteSplit(6, (5,), (4,), 13)), ValueError,
     r"^split\.guard_bits must be between 0 and 12, not 13$"),
    (dict(split=MultipartiteSplit(6, (5,), (4,), 4), tables=2), ValueError,
     r"^tables=2 but split has 1 offset tables$"),
])
def test_bad_parameters(kwargs, error, message):
    with pytest.raises(error, match=message):
        derive_multipartite(_problem(), **kwargs)


def test_bad_problem_and_fold():
    with pytest.raises(TypeError, match=r"^problem must be a Problem from "
                                        r"sigmoid_hw\.model\.methods\.spec\.problem, not 'sigmoid'$"):
        derive_multipartite("sigmoid")
    with pytest.raises(ValueError, match=r"^fold must be one of 'complement', 'none' for "
                                         r"sigmoid SQ\(4, 8\) -> UQ\(0, 8\) faithful, "
                                         r"not 'odd'$"):
        multipartite_plan("sigmoid", SQ(4, 8), 8, fold="odd")


def test_evaluate_refuses_points_outside_the_domain():
    plan = derive_multipartite(_problem(), split=MultipartiteSplit(6, (5,), (4,), 4))
    with pytest.raises(ValueError, match=r"^a must lie in the domain 0 \.\. 2048, "
                                         r"not -1 \.\. 3$"):
        evaluate_multipartite(plan, np.array([-1, 3]))
