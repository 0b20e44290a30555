# amaranth: UnusedElaboratable=no
"""``PiecewisePolynomial(reuse=R)``: the shared multiply-adds equal the model on every input
under stalls, a word every R clocks, fewer multipliers, the option on every layer."""

import numpy as np
import pytest

from sigmoid_hw.hw.designs import make_design
from sigmoid_hw.hw.methods.piecewise import PiecewisePolynomial
from sigmoid_hw.hw.streamsim import first_output
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.methods.piecewise import evaluate_piecewise
from sigmoid_hw.model.methods.spec import unit_model
from method_checks import check_rtl, offer_every_clock


# R = 2 and R = degree at degree 2 and 3; odd, complement and unfolded functions, both roundings
@pytest.mark.parametrize("name,rounding,degree,reuse", [
    ("sigmoid", "faithful", 2, 2),
    ("tanh", "correct", 3, 2),
    ("tanh", "correct", 3, 3),
    ("gelu", "faithful", 3, 3),
])
def test_reuse_rtl_equals_model_on_every_input(name, rounding, degree, reuse):
    dut = PiecewisePolynomial(name, SQ(4, 8), 8, rounding, degree=degree, reuse=reuse)
    assert dut.plan.degree == degree and dut.initiation_interval == reuse
    check_rtl(dut, evaluate_piecewise, stall=0.3, gap=0.2, seed=reuse)


def test_reuse_rtl_at_a_target():
    # the segment and offset registered before the memory: the passes one stage later
    dut = PiecewisePolynomial("tanh", SQ(4, 6), 10, degree=3, reuse=2, target_mhz=120,
                              family="ecp5")
    assert dut.core_latency == 2 + 3 + 1
    check_rtl(dut, evaluate_piecewise, stall=0.3, gap=0.2, seed=5)


@pytest.mark.parametrize("degree,reuse", [(2, 1), (2, 2), (3, 2), (3, 3)])
def test_one_word_every_reuse_clocks(degree, reuse):
    """A producer that always offers and a consumer always ready: i.ready in one clock of R,
    the outputs R clocks apart, ``latency`` clocks after their inputs, the model's values."""
    dut = PiecewisePolynomial("sigmoid", SQ(4, 8), 8, degree=degree, reuse=reuse)
    words = 9
    xs = [-2048 + 455 * k for k in range(words)]
    readies, taken, outs = offer_every_clock(dut, xs, reuse)
    assert readies == ([1] + [0] * (reuse - 1)) * (words - 1) + [1]
    assert taken == [reuse * k for k in range(words)]
    assert [c for c, _ in outs] == [t + dut.latency for t in taken]
    assert [y for _, y in outs] == [int(v) for v in
                                    unit_model(dut.plan, evaluate_piecewise, np.array(xs))]


def test_latency_is_measured():
    for reuse, latency in ((1, 4 + 2 + 2 * 3), (3, 4 + 2 + 3)):
        dut = PiecewisePolynomial("tanh", SQ(4, 8), 8, degree=3, reuse=reuse)
        measured, y = first_output(dut, 300, limit=40)
        assert measured == dut.latency == latency
        assert y == unit_model(dut.plan, evaluate_piecewise, np.array([300]))[0]


def test_multipliers_and_groups():
    dut = PiecewisePolynomial("tanh", SQ(4, 8), 8, "correct", degree=3, reuse=2)
    bits, t_bits = dut.plan.acc_bits, dut.plan.t_bits
    # steps acc_2, acc_1, acc_0: the first alone, the last two on one multiplier as wide as
    # the wider of acc_2 and acc_1
    assert dut.groups == (1, 2)
    assert dut.multipliers == ((bits[3], t_bits), (max(bits[2], bits[1]), t_bits))
    one = PiecewisePolynomial("tanh", SQ(4, 8), 8, "correct", degree=3, reuse=3)
    assert one.groups == (3,) and one.multipliers == ((max(bits[1:]), t_bits),)
    assert len(PiecewisePolynomial("tanh", SQ(4, 8), 8, "correct", degree=3).groups) == 3


def test_passes_through_a_narrow_multiplier():
    """multiplier_width=B: acc_(j+1) wider than B bits in unsigned low chunks of B - 1 bits
    and a signed top chunk; each group's multiplier as wide as its widest chunk."""
    dut = PiecewisePolynomial("tanh", SQ(4, 8), 10, "correct", degree=3, reuse=2,
                              multiplier_width=6)
    bits = dut.plan.acc_bits
    assert dut.plan.t_bits <= 6
    for j in range(3):
        chunks = [(p.lo, p.hi) for p in dut.passes if p.k == j]
        assert chunks[0][0] == 0 and chunks[-1][1] == bits[j + 1]
        assert all(a[1] == b[0] for a, b in zip(chunks, chunks[1:]))
        assert all(hi - lo == 5 for lo, hi in chunks[:-1]) and chunks[-1][1] - chunks[-1][0] <= 6
    assert [p.k for p in dut.passes] == sorted((p.k for p in dut.passes), reverse=True)
    assert sum(dut.groups) == len(dut.passes) and max(dut.groups) == 2
    assert all(a <= 6 for a, _ in dut.multipliers)
    assert dut.core_latency == 2 + len(dut.passes)


# a step split across two groups (its running sum carried into the next group's register)
@pytest.mark.parametrize("reuse", [2, 4])
def test_narrow_multiplier_rtl_equals_model_on_every_input(reuse):
    dut = PiecewisePolynomial("tanh", SQ(4, 8), 10, "correct", degree=3, reuse=reuse,
                              multiplier_width=6)
    starts = [sum(dut.groups[:g]) for g in range(1, len(dut.groups))]
    assert any(not dut.passes[s - 1].last for s in starts)
    check_rtl(dut, evaluate_piecewise, stall=0.3, gap=0.2, seed=reuse)


def test_multiplier_width_needs_reuse():
    with pytest.raises(ValueError, match=r"^multiplier_width is for reuse > 1 \(the shared "
                                         r"multipliers\), not 16 with reuse 1$"):
        PiecewisePolynomial("sigmoid", SQ(4, 8), 8, degree=2, multiplier_width=16)
    with pytest.raises(ValueError, match=r"^multiplier_width must be at least 2, not 1$"):
        PiecewisePolynomial("sigmoid", SQ(4, 8), 8, degree=2, reuse=2, multiplier_width=1)


@pytest.mark.parametrize("reuse,error,message", [
    (0, ValueError, r"^reuse must be at least 1, not 0$"),
    (3, ValueError, r"^reuse must be between 1 and 2, not 3$"),
    (2.0, TypeError, r"^reuse must be an integer, not 2\.0$"),
    ("2", TypeError, r"^reuse must be an integer, not '2'$"),
])
def test_reuse_is_checked(reuse, error, message):
    with pytest.raises(error, match=message):
        PiecewisePolynomial("sigmoid", SQ(4, 8), 8, degree=2, reuse=reuse)


def test_design_option_and_cost():
    from sigmoid_hw.flow.cost import _structural, features
    options = dict(function="sigmoid", input_format="SQ(4,12)", output_bits=16,
                   rounding="correct", degree=2)
    plain, shared = make_design("piecewise", **options), \
        make_design("piecewise", reuse=2, **options)
    assert plain.initiation_interval == 1 and shared.initiation_interval == 2
    assert make_design("piecewise", reuse=2, drop_bits=2, **options).initiation_interval == 2
    # the cost model counts one product per multiplier: the widest, acc_1 x t
    bits = plain.plan.acc_bits
    assert features(shared)["products"] == [[bits[1], plain.plan.t_bits]]
    assert len(features(plain)["products"]) == 2
    assert _structural(features(shared), "up5k")[1] < _structural(features(plain), "up5k")[1]
    # one SB_MAC16: acc_1 (19 bits) in two passes of a 16-bit port, 3 in all
    one = make_design("piecewise", reuse=3, multiplier_width=16, **options)
    assert bits[1] > 16 >= bits[2] and len(one.passes) == 3
    assert features(one)["products"] == [[16, plain.plan.t_bits]]
    assert _structural(features(one), "up5k")[1] == 1


def test_candidates_with_reuse():
    from sigmoid_hw.scripts.generate import Spec, candidates
    found = candidates(Spec("sigmoid", SQ(4, 12), 16, "correct", "up5k", method="piecewise"))
    got = {(o["degree"], o.get("reuse", 1), o.get("multiplier_width")) for _, o in found}
    expected = set()
    for degree in (1, 2, 3):
        expected |= {(degree, r, None) for r in range(1, degree + 1)}
        # passes through a 16-bit port: one per step, two for a step of 17 .. 31 bits
        plan = make_design("piecewise", function="sigmoid", rounding="correct",
                           degree=degree).plan
        passes = sum(1 if w <= 16 else 2 for w in plan.acc_bits[1:])
        if passes > degree:
            expected.add((degree, passes, 16))
    assert got == expected and any(w for _, _, w in got)


def test_command_line_option():
    import argparse
    from sigmoid_hw.scripts.options import add_design_arguments, design_options_from_args
    parser = argparse.ArgumentParser()
    add_design_arguments(parser)
    args = parser.parse_args(["--design", "piecewise", "--function", "tanh", "--degree", "3",
                              "--input-format", "SQ(4,8)", "--output-bits", "8",
                              "--reuse", "3"])
    dut = make_design(args.design, **design_options_from_args(args))
    assert isinstance(dut, PiecewisePolynomial) and dut.initiation_interval == 3


def test_synth_report_says_the_interval():
    from sigmoid_hw.scripts.commands import synth
    result = {"design": "piecewise", "latency": 8, "interval": 2, "device": "up5k",
              "part": "iCE40UP5K-SG48", "seed": 1, "toolchain": "yowasp", "luts": 20, "ffs": 18,
              "boundary_ffs": 17, "dsps": 2, "brams": 4, "fmax_mhz": 48.0, "target_mhz": 48.0,
              "seconds": 1.0}
    text = "\n" + synth.format_report(result)
    assert "\ndesign    piecewise, latency 8 cycles, a word every 2 clocks\n" in text
    assert "\ndesign    piecewise, latency 8 cycles\n" in "\n" + synth.format_report(
        dict(result, interval=1))
