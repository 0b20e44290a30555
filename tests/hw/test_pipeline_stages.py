# amaranth: UnusedElaboratable=no
"""Each pipeline stage alone, against the values the integer model says its register holds."""

from fractions import Fraction
import random

import numpy as np
import pytest
from amaranth.sim import Simulator

from sigmoid_hw.hw.coefficients import DerivedCoefficients, coefficient_source
from sigmoid_hw.hw.horner import HornerEvaluator
from sigmoid_hw.hw.output import OutputStage
from sigmoid_hw.hw.reduction import SignFold, RangeReducer
from sigmoid_hw.hw.reference import BitPatternReference
from sigmoid_hw.hw.streamsim import run_stream
from sigmoid_hw.model.constants import LN2
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.pipeline import derive_params, plan_for, trace_fixed

DEFAULT = derive_params()
DERIVED = derive_params(coefficients="derived")


def _sample(params, count=1500, seed=7):
    fmt = params.input_format
    plan = plan_for(params)
    rng = random.Random(seed)
    xs = {fmt.min, fmt.min + 1, -1, 0, 1, fmt.max}
    for t in plan.reduction.thresholds:
        xs.update({t - 1, t, -t, 1 - t})
    xs.update(rng.randrange(fmt.min, fmt.max + 1) for _ in range(count))
    return np.array(sorted(x for x in xs if fmt.min <= x <= fmt.max), dtype=np.int64)


def test_sign_fold_matches_definition():
    plan = plan_for(DEFAULT)
    xs = _sample(DEFAULT)
    out, _ = run_stream(SignFold(DEFAULT.input_format, plan.reduction), [int(x) for x in xs], stall=0.2, seed=1)
    for x, o in zip(xs, out):
        assert o == {"sign": int(x < 0), "a": abs(int(x))}, x
    # the most negative input folds to +8.0 without wrapping
    assert out[0] == {"sign": 1, "a": 32768}


def test_range_reducer_n_is_nearest_integer_and_d_exact():
    params = DEFAULT
    plan = plan_for(params)
    xs = _sample(params)
    a = np.abs(xs)
    inputs = [{"sign": int(x < 0), "a": int(v)} for x, v in zip(xs, a)]
    out, _ = run_stream(RangeReducer(params.input_format, plan.reduction), inputs, gap=0.2, stall=0.2, seed=2)
    f = params.input_format.f_bits
    for v, o in zip(a, out):
        value = Fraction(int(v), 1 << f)
        # nearest integer to a / ln2, decided with exact rationals (ln2 to 2^-300)
        n = int(value / LN2 + Fraction(1, 2))
        assert o["n"] == n, v
        # d = a - C_n, with C_n = n ln2 rounded to the input grid (table coefficients: G = 0)
        c = round(n * LN2 * (1 << f))
        assert o["d"] == int(v) - c
        assert abs(Fraction(o["d"], 1 << f)) <= LN2 / 2 + Fraction(1, 1 << (f + 1))


def test_range_reducer_derived_guard_bits():
    plan = plan_for(DERIVED)
    xs = _sample(DERIVED, count=600)
    trace = trace_fixed(xs, DERIVED)
    inputs = [{"sign": int(s), "a": int(a)} for s, a in zip(trace["sign"], trace["a"])]
    out, _ = run_stream(RangeReducer(DERIVED.input_format, plan.reduction), inputs)
    assert [o["d"] for o in out] == [int(v) for v in trace["d"]]
    assert DERIVED.d_guard > 0


@pytest.mark.parametrize("n_max,f_bits", [(12, 33), (23, 64), (3, 5)])
def test_bit_pattern_reference_equals_exact_truncation(n_max, f_bits):
    dut = BitPatternReference(n_max, f_bits)
    seen = {}

    async def bench(ctx):
        for n in range(n_max + 1):
            ctx.set(dut.n, n)
            seen[n] = ctx.get(dut.y0)

    sim = Simulator(dut)
    sim.add_testbench(bench)
    sim.run()
    for n in range(n_max + 1):
        exact = Fraction(1 << n, (1 << n) + 1)
        assert seen[n] == int(exact * (1 << f_bits)), n   # floor: truncation


def test_bit_pattern_reference_rejects_negative_n_max():
    with pytest.raises(ValueError, match=r"^n_max must be at least 0, not -1$"):
        BitPatternReference(-1, 8)


@pytest.mark.parametrize("params,lookup", [(DEFAULT, False), (DEFAULT, True), (DERIVED, False)],
                         ids=["table", "table-lookup", "derived"])
def test_horner_evaluator_matches_model(params, lookup):
    plan = plan_for(params)
    xs = _sample(params, count=800, seed=3)
    tr = trace_fixed(xs, params)
    K = params.order
    if params.coefficients == "derived":
        inputs = [{"sign": int(s), "n": int(n), "d": int(d),
                   "c": {"c{}".format(k): int(tr["c_{}".format(k)][i]) for k in range(1, K + 1)}}
                  for i, (s, n, d) in enumerate(zip(tr["sign"], tr["n"], tr["d"]))]
    else:
        inputs = [{"sign": int(s), "n": int(n), "d": int(d)}
                  for s, n, d in zip(tr["sign"], tr["n"], tr["d"])]
    dut = HornerEvaluator(plan, coefficient_source(plan, lookup))
    assert dut.latency == K + 1
    out, _ = run_stream(dut, inputs, stall=0.3, seed=4)
    assert [o["acc"] for o in out] == [int(v) for v in tr["acc_0"]]


def test_derived_coefficients_match_model():
    plan = plan_for(DERIVED)
    xs = _sample(DERIVED, count=300, seed=5)
    tr = trace_fixed(xs, DERIVED)
    dut = DerivedCoefficients(plan)
    inputs = [{"sign": int(s), "n": int(n), "d": int(d)}
              for s, n, d in zip(tr["sign"], tr["n"], tr["d"])]
    out, _ = run_stream(dut, inputs, gap=0.3, seed=6)
    for i, o in enumerate(out):
        for k in range(1, DERIVED.order + 1):
            assert o["c"]["c{}".format(k)] == int(tr["c_{}".format(k)][i])


def test_derived_coefficients_are_close_to_exact_taylor_coefficients():
    # Independent oracle: c_k = P_k(y0)/k! at y0 = 2^n/(2^n+1), exact rationals.
    from math import factorial
    from sigmoid_hw.model.derivatives import derivative_poly, poly_eval
    plan = plan_for(DERIVED)
    tr_n = np.arange(plan.reduction.n_max + 1)
    dut = DerivedCoefficients(plan)
    inputs = [{"sign": 0, "n": int(n), "d": 0} for n in tr_n]
    out, _ = run_stream(dut, inputs)
    targets = plan.coefficients.recipe.targets
    ulp = Fraction(1, 1 << DERIVED.output_bits)
    for n, o in zip(tr_n, out):
        y0 = Fraction(1 << int(n), (1 << int(n)) + 1)
        weighted = Fraction(0)
        for k in range(1, DERIVED.order + 1):
            exact = poly_eval(derivative_poly(k), y0) / factorial(k)
            got = Fraction(o["c"]["c{}".format(k)], 1 << targets[k])
            # within one unit of the coefficient's own resolution ...
            assert abs(got - exact) <= Fraction(1, 1 << targets[k]), (n, k)
            weighted += plan.reduction.h ** k * abs(got - exact)
        # ... and all together they move the output by less than 1/16 ulp
        assert weighted < ulp / 16, (n, float(weighted / ulp))


def test_output_stage_clamps_unfolds_and_saturates():
    plan = plan_for(DEFAULT)
    F = DEFAULT.output_bits
    full = 1 << F
    w = plan.horner.acc_width[0]
    lo, hi = -(1 << (w - 1)), (1 << (w - 1)) - 1     # every value the port can hold
    accs = sorted({lo, lo + 1, -5, -1, 0, 1, full // 2, full - 1, min(full, hi), hi})
    inputs = [{"sign": s, "acc": a} for a in accs for s in (0, 1)]
    out, _ = run_stream(OutputStage(w, F), inputs, stall=0.5, seed=8)
    for p, y in zip(inputs, out):
        r = min(max(p["acc"], 0), full)                # clamp into [0, 2^F]
        expect = min(full - r if p["sign"] else r, full - 1)
        assert y == expect and 0 <= y < full, p


def test_stage_registers_are_numbered_in_pipeline_order():
    from sigmoid_hw.hw.pipeline import SigmoidPipeline
    for params in (DEFAULT, DERIVED):
        dut = SigmoidPipeline(params=params)
        valids = [r for r in dut.registers if r.name == "valid"]
        assert [r.stage for r in valids] == list(range(1, plan_for(params).latency + 1))
        assert dut.latency == plan_for(params).latency
        groups = [name for name, cycles in plan_for(params).stages for _ in range(cycles)]
        assert [r.group for r in valids] == groups
        # formats: d carries d_frac fraction bits, the output y F bits, acc its own F_k
        d = [r for r in dut.registers if r.name == "d"]
        assert d and all(r.signed and r.f_bits == plan_for(params).reduction.d_frac for r in d)
        y = [r for r in dut.registers if r.name == "y"]
        assert len(y) == 1 and y[0].f_bits == params.output_bits and not y[0].signed
        accs = [r.f_bits for r in dut.registers if r.name == "acc"]
        assert accs == list(reversed(params.acc_frac))


@pytest.mark.parametrize("carry", [((0, 15),), ((0, 7), (7, 15))])
def test_sign_fold_with_the_increment_alone_in_its_registers(carry):
    # |x| = (x ^ s) + s with + s in registered carry segments and the top bit beside it
    plan = plan_for(DEFAULT)
    xs = [int(x) for x in _sample(DEFAULT, count=600)] + [-16384, -16385, 16383, -32767]
    dut = SignFold(DEFAULT.input_format, plan.reduction, carry=carry)
    assert dut.latency == 1 + len(carry)
    out, _ = run_stream(dut, xs, stall=0.3, seed=4)
    assert out == [{"sign": int(x < 0), "a": abs(x)} for x in xs]
    with pytest.raises(ValueError, match=r"^carry must cover bits 0 \.\. 15 of \|x\|"):
        SignFold(DEFAULT.input_format, plan.reduction, carry=((0, 16),))


@pytest.mark.parametrize("carry", [((0, 16),), ((0, 5), (5, 11), (11, 16))])
def test_output_stage_with_the_increment_alone_in_its_registers(carry):
    F, w = DEFAULT.output_bits, 19          # acc wider than F + 1: the clamp at 2^F matters
    full = 1 << F
    rng = random.Random(9)
    accs = sorted({-(1 << 18), -1, 0, 1, 2, full - 1, full, full + 1, (1 << 18) - 1}
                  | {rng.randrange(-(1 << 18), 1 << 18) for _ in range(300)})
    inputs = [{"sign": s, "acc": a} for a in accs for s in (0, 1)]
    dut = OutputStage(w, F, carry=carry)
    assert dut.latency == 1 + len(carry)
    out, _ = run_stream(dut, inputs, stall=0.3, seed=8)
    for p, y in zip(inputs, out):
        r = min(max(p["acc"], 0), full)
        assert y == min(full - r if p["sign"] else r, full - 1), p


@pytest.mark.parametrize("kwargs", [dict(compare_steps=2, compare_part=4, offset_steps=3),
                                    dict(compare_steps=2, compare_part=3, offset_steps=2)])
def test_range_reducer_in_lookup_parts_and_one_hot_steps(kwargs):
    params = DEFAULT
    plan = plan_for(params)
    a = sorted({int(v) for v in np.abs(_sample(params, count=800))})
    inputs = [{"sign": 1, "a": v} for v in a]
    dut = RangeReducer(params.input_format, plan.reduction, **kwargs)
    assert dut.latency == kwargs["compare_steps"] + kwargs["offset_steps"]
    out, _ = run_stream(dut, inputs, stall=0.3, seed=5)
    f = params.input_format.f_bits
    for v, o in zip(a, out):
        n = int(Fraction(v, 1 << f) / LN2 + Fraction(1, 2))     # exact rationals
        assert (o["n"], o["d"]) == (n, v - round(n * LN2 * (1 << f))), v
