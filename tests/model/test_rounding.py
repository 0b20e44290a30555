# amaranth: UnusedElaboratable=no
"""Correct rounding: every output the exact sigmoid rounded to nearest, on every input.

The oracle is certified exact arithmetic (``sigmoid_hw.model.accuracy``, integers only)
and, on samples, mpmath at 60 digits: never another approximation.
"""

import json

import mpmath
import numpy as np
import pytest

from sigmoid_hw.hw import SigmoidPipeline
from sigmoid_hw.model import rounding
from sigmoid_hw.model.accuracy import correctly_rounded_sigmoid
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.pipeline import derive_params, plan_for, sigmoid_fixed, trace_fixed
import oracle
from verilator_checks import check_every_input, needs_verilator

CONFIGS = [(SQ(4, 8), 8), (SQ(4, 8), 12), (SQ(4, 12), 12), (SQ(4, 12), 16)]


@pytest.mark.parametrize("fmt,F", CONFIGS, ids=[f"{f}->UQ(0,{b})" for f, b in CONFIGS])
@pytest.mark.parametrize("coefficients", [None, "table"])
def test_model_correctly_rounded_on_every_input(fmt, F, coefficients):
    params = derive_params(fmt, F, coefficients=coefficients, rounding="correct")
    xs = fmt.raw_range()
    y = sigmoid_fixed(xs, params)
    exact = correctly_rounded_sigmoid(xs, fmt, F)
    wrong = np.flatnonzero(y != exact)
    assert wrong.size == 0, "raw x {} gives {}, correctly rounded {}".format(
        int(xs[wrong[0]]), int(y[wrong[0]]), int(exact[wrong[0]]))
    # correct rounding is monotonic by construction
    assert np.all(np.diff(y) >= 0)


def test_against_mpmath_near_midpoints():
    # the inputs whose exact value is closest to a rounding midpoint, decided by mpmath
    params = derive_params(rounding="correct")
    fmt, F = params.input_format, params.output_bits
    a, _ = rounding.rounding_candidates(params)
    xs = np.concatenate([a[:200], -a[:200], [-12567]])  # -12567: SEEDS.md's hard case
    y = sigmoid_fixed(xs, params)
    for x, got in zip(xs, y):
        assert got == oracle.rounded(x, fmt.f_bits, F), int(x)


def test_faithful_bound_holds_outside_the_candidates():
    # the claim the method rests on: where the pre-rounding value is farther than the
    # proven bound from a rounding boundary, the uncorrected pipeline is already right
    params = derive_params()
    fmt, F = params.input_format, params.output_bits
    cand, _ = rounding.rounding_candidates(params)
    a = np.arange(0, -fmt.min + 1)
    others = np.setdiff1d(a, cand)
    y = sigmoid_fixed(-others, params)
    assert np.array_equal(y, correctly_rounded_sigmoid(-others, fmt, F))
    # and the faithful default does have inputs to correct: the table is not empty
    assert len(rounding.find_corrections(params)) > 50


def test_corrections_are_single_units_on_folded_inputs():
    params = derive_params(rounding="correct")
    top = plan_for(params).reduction.a_clamp or -params.input_format.min
    assert params.corrections
    for a, delta in params.corrections:
        assert 0 <= a <= top and delta in (-1, 1)
    # a correction fixes both signs: the raw of -x is 2^F minus the raw of x
    keys = np.array([a for a, _ in params.corrections])
    keys = keys[keys < 1 << 15]
    both = sigmoid_fixed(keys, params) + sigmoid_fixed(-keys, params)
    assert np.all(both == 1 << params.output_bits)


def test_zero_is_exact_and_no_input_is_a_tie():
    params = derive_params(rounding="correct")
    assert sigmoid_fixed(0, params) == 1 << (params.output_bits - 1)
    tr = trace_fixed(np.arange(1, 200), params)
    s0 = plan_for(params).horner.shifts[0]
    # nowhere is the discarded fraction exactly one half (sum_0 holds value + 1/2)
    assert np.all(np.asarray(tr["sum_0"]) % (1 << s0) != 0)


@pytest.mark.slow
@needs_verilator
def test_default_rtl_equals_model_on_every_input_under_stalls():
    check_every_input("pipeline", dict(rounding="correct"), seed=13, count=65536)


def test_default_model_is_correctly_rounded_on_every_input():
    params = SigmoidPipeline(rounding="correct").params
    xs = params.input_format.raw_range()
    assert np.array_equal(sigmoid_fixed(xs, params), correctly_rounded_sigmoid(xs, SQ(4, 12), 16))


@pytest.mark.parametrize("kwargs,exc,pattern", [
    (dict(rounding="exact"), ValueError,
     r"^rounding must be one of 'faithful', 'correct', not 'exact'$"),
    (dict(rounding=True), TypeError, r"^rounding must be one of 'faithful', 'correct', not True$"),
])
def test_bad_rounding(kwargs, exc, pattern):
    with pytest.raises(exc, match=pattern):
        derive_params(**kwargs)
    with pytest.raises(exc, match=pattern):
        SigmoidPipeline(**kwargs)


def test_cache_is_used_only_when_it_matches(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGMOID_HW_CACHE", str(tmp_path))
    monkeypatch.setattr(rounding, "_CACHE_MIN_WIDTH", 1)
    params = derive_params(SQ(4, 8), 12, rounding="correct")._replace_corrections(())
    rounding.find_corrections.cache_clear()
    first = rounding.find_corrections(params)
    files = list(tmp_path.glob("corrections-*.json"))
    assert len(files) == 1 and first
    # a file whose key does not match is ignored (and rewritten)
    stored = json.loads(files[0].read_text())
    files[0].write_text(json.dumps({"key": stored["key"] + " other", "corrections": [[1, 1]]}))
    rounding.find_corrections.cache_clear()
    assert rounding.find_corrections(params) == first
    # a matching file is what is returned
    files[0].write_text(json.dumps({"key": stored["key"], "corrections": [[3, -1]]}))
    rounding.find_corrections.cache_clear()
    assert rounding.find_corrections(params) == ((3, -1),)
    rounding.find_corrections.cache_clear()


def test_candidates_do_not_depend_on_the_block_size(monkeypatch):
    # the search runs in blocks (memory): any block size gives the same candidates
    params = derive_params(SQ(4, 8), 12, rounding="correct")
    whole = rounding.rounding_candidates(params)
    monkeypatch.setattr(rounding, "_BLOCK", 37)
    parts = rounding.rounding_candidates(params)
    assert whole[0].size > 0
    assert np.array_equal(whole[0], parts[0]) and np.array_equal(whole[1], parts[1])


def test_near_boundary_with_a_unit_above_int64():
    # derived coefficients at 24 bits, correctly rounded, put the rounding unit of sum_0 at
    # 2^64 and above: the search raised OverflowError there (found by verify --all)
    unit, margin = 1 << 70, 1 << 20
    sums = np.array([3 * unit + 5, 3 * unit - 5, 3 * unit + unit // 2, -unit + margin,
                     -unit + margin + 1, 7 * unit - margin - 1], dtype=object)
    near = rounding._near_boundary(sums, unit, margin, True)
    assert near.tolist() == [True, True, False, True, False, False]
    small = np.array([5, 1019, 512, 1024 + 3], dtype=np.int64)
    assert rounding._near_boundary(small, 1024, 5, False).tolist() == [True, True, False, True]
