# amaranth: UnusedElaboratable=no
"""``reuse=R``: the shared Horner multipliers equal the model, a word every R clocks, stream rules.

The exhaustive runs (every input of SQ(4,12) -> 16 at R = 2, and on one
16-bit multiplier, ``multiplier_width=16`` with R = 7 passes, under random
stalls and gaps, the stream rules checked on every clock) run the exported
Verilog in Verilator (``verilator_checks``): seconds, where Amaranth's
simulator took minutes at R clocks per word.
"""

import numpy as np
import pytest

from sigmoid_hw.hw import SigmoidPipeline, TanhPipeline, SiLUPipeline
from sigmoid_hw.hw.designs import make_design
from sigmoid_hw.hw.horner_shared import SharedHornerEvaluator, reuse_groups
from sigmoid_hw.hw.streamsim import first_output, run_stream
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.function_model import function_fixed
from sigmoid_hw.model.pipeline import derive_params, plan_for, sigmoid_fixed
from method_checks import offer_every_clock
from verilator_checks import check_every_input, needs_verilator


def _edges(params, count, seed):
    """The thresholds' neighbours, the ends, the corrected inputs and ``count`` random x."""
    fmt = params.input_format
    xs = [fmt.min, fmt.min + 1, -1, 0, 1, fmt.max]
    for t in plan_for(params).reduction.thresholds:
        xs += [t - 1, t, -t, 1 - t]
    for a, _ in params.corrections:
        xs += [a, -a]
    rng = np.random.default_rng(seed)
    xs = np.concatenate([np.array(xs), rng.integers(fmt.min, fmt.max + 1, count)])
    return xs[(xs >= fmt.min) & (xs <= fmt.max)]


@needs_verilator
@pytest.mark.parametrize("reuse,width", [(2, None), (7, 16)], ids=["R2", "R7-one-multiplier"])
def test_exhaustive_equals_model_under_stalls(reuse, width):
    """Every input under random stalls and gaps equals ``sigmoid_fixed`` (Verilator; the
    stream rules checked on every clock)."""
    assert SigmoidPipeline(reuse=reuse, multiplier_width=width).params.order == 5
    check_every_input("pipeline", dict(reuse=reuse, multiplier_width=width), stall=0.2,
                      gap=0.1, seed=reuse, count=65536)


@pytest.mark.parametrize("reuse", [1, 2, 3, 5])
def test_one_word_every_reuse_clocks(reuse):
    """A producer that always offers: accepted exactly every R clocks (i.ready low R-1 of
    R), the outputs R clocks apart, the latency unchanged."""
    dut = SigmoidPipeline(reuse=reuse)
    assert dut.initiation_interval == reuse and dut.latency == 10
    words = 12
    xs = list(range(-3000, 3000, 6000 // words))[:words]
    readies, taken, outs = offer_every_clock(dut, xs, reuse)
    assert readies == ([1] + [0] * (reuse - 1)) * (words - 1) + [1]
    assert [y for _, y in outs] == [int(v) for v in sigmoid_fixed(np.array(xs), dut.params)]
    assert taken == [reuse * k for k in range(words)]
    assert [c for c, _ in outs] == [dut.latency + reuse * k for k in range(words)]


def test_latency_is_measured():
    dut = SigmoidPipeline(reuse=5)
    latency, y = first_output(dut, 4096, limit=40)
    assert latency == dut.latency == 10 and y == sigmoid_fixed(4096)


def test_groups_and_multipliers():
    assert reuse_groups(5, 1) == (1,) * 5
    assert reuse_groups(5, 2) == (1, 2, 2)
    assert reuse_groups(5, 3) == (2, 3)
    assert reuse_groups(5, 5) == (5,)
    plan = plan_for(derive_params())
    widths = plan.horner.acc_width
    for reuse in (2, 3, 5):
        horner = dict(SigmoidPipeline(reuse=reuse).stages)["horner"]
        assert isinstance(horner, SharedHornerEvaluator)
        assert len(horner.multipliers) == -(-5 // reuse)
        # each multiplier as wide as its widest step's acc_(k+1); with R = K the widest of all
        assert horner.multipliers[-1] == (plan.reduction.d_width, max(widths[1:]))
    assert dict(SigmoidPipeline(reuse=5).stages)["horner"].multipliers == ((12, 22),)


def test_register_map_has_one_valid_per_clock():
    dut = SigmoidPipeline(reuse=3)
    valids = sorted(r.stage for r in dut.registers if r.name == "valid")
    assert valids == list(range(1, dut.latency + 1))


@pytest.mark.slow
@pytest.mark.parametrize("options", [
    dict(input_format=SQ(4, 8), output_bits=12, coefficients="derived", reuse=3),
    dict(input_format=SQ(4, 8), output_bits=12, rounding="correct", reuse=4),
    dict(rounding="correct", reuse=5),
    dict(coefficients="minimax", reuse=2),
], ids=["derived-R3", "correct-8bit-R4", "correct-R5", "minimax-R2"])
def test_other_configurations_equal_model(options):
    dut = SigmoidPipeline(**options)
    fmt = dut.params.input_format
    xs = fmt.raw_range() if fmt.width <= 12 else _edges(dut.params, 1500, 3)
    out, _ = run_stream(dut, [int(x) for x in xs], stall=0.2, gap=0.1, seed=4)
    assert np.array_equal(np.array(out), sigmoid_fixed(xs, dut.params))


@pytest.mark.parametrize("cls,reuse", [(TanhPipeline, 5), (SiLUPipeline, 3)],
                         ids=["tanh-R5", "silu-R3"])
def test_functions_equal_model(cls, reuse):
    dut = cls(reuse=reuse)
    assert dut.initiation_interval == reuse
    xs = _edges(dut.core.params, 300, 5)
    out, _ = run_stream(dut, [int(x) for x in xs], stall=0.2, gap=0.1, seed=6)
    assert np.array_equal(np.array(out), function_fixed(xs, dut.params))


def test_one_16_bit_multiplier():
    """12 x 22 does not fit a 16 x 16 port: with multiplier_width=16 the two widest steps
    take two passes each, 7 in all, and R = 7 puts them on one 12 x 16 multiplier."""
    dut = SigmoidPipeline(reuse=7, multiplier_width=16)
    horner = dict(dut.stages)["horner"]
    assert [(p.k, p.lo, p.hi) for p in horner.passes] == [
        (4, 0, 8), (3, 0, 11), (2, 0, 14), (1, 0, 15), (1, 15, 17), (0, 0, 15), (0, 15, 22)]
    assert horner.multipliers == ((12, 16),)
    assert dut.latency == 12 and dut.initiation_interval == 7
    with pytest.raises(ValueError, match=r"^reuse must be between 1 and 7, not 8$"):
        SigmoidPipeline(reuse=8, multiplier_width=16)


@pytest.mark.parametrize("reuse", [2, 5])
def test_multiplier_width_equals_model(reuse):
    """Steps wider than a 16-bit DSP port in two passes: the same results."""
    dut = SigmoidPipeline(reuse=reuse, multiplier_width=16)
    xs = _edges(dut.params, 300, 8)
    out, _ = run_stream(dut, [int(x) for x in xs], stall=0.2, gap=0.1, seed=9)
    assert np.array_equal(np.array(out), sigmoid_fixed(xs, dut.params))


def test_multiplier_width_is_checked():
    with pytest.raises(ValueError, match=r"^multiplier_width must be at least 2, not 1$"):
        SigmoidPipeline(reuse=2, multiplier_width=1)
    with pytest.raises(TypeError, match=r"^multiplier_width must be an integer, not '16'$"):
        SigmoidPipeline(reuse=2, multiplier_width="16")
    with pytest.raises(ValueError, match=r"^multiplier_width is for reuse > 1 \(the shared "
                                         r"multipliers\), not 16 with reuse 1$"):
        SigmoidPipeline(multiplier_width=16)


def test_design_option():
    assert make_design("pipeline", reuse=5).initiation_interval == 5
    assert make_design("pipeline-cr", reuse=2).initiation_interval == 2
    assert make_design("tanh", reuse=5).initiation_interval == 5
    assert make_design("silu").initiation_interval == 1
    assert make_design("pipeline", reuse=5, multiplier_width=16).initiation_interval == 5


@pytest.mark.parametrize("reuse,error,message", [
    (0, ValueError, r"^reuse must be between 1 and 5, not 0$"),
    (6, ValueError, r"^reuse must be between 1 and 5, not 6$"),
    (2.0, TypeError, r"^reuse must be an integer, not 2\.0$"),
    (True, TypeError, r"^reuse must be an integer, not True$"),
    ("2", TypeError, r"^reuse must be an integer, not '2'$"),
])
def test_reuse_is_checked(reuse, error, message):
    with pytest.raises(error, match=message):
        SigmoidPipeline(reuse=reuse)


def test_reuse_refused_with_target_or_registered_products():
    with pytest.raises(ValueError, match=r"^reuse must be 1 with target_mhz \(.*\), not 2$"):
        SigmoidPipeline(reuse=2, target_mhz=100)
    with pytest.raises(ValueError, match=r"^reuse must be 1 with register_product \(.*\), "
                                         r"not 3$"):
        SigmoidPipeline(reuse=3, register_product=True)
    with pytest.raises(ValueError, match=r"^reuse must be between 1 and 5, not 7$"):
        TanhPipeline(reuse=7)


def test_command_line_options():
    import argparse
    from sigmoid_hw.scripts.options import add_design_arguments, design_options_from_args
    parser = argparse.ArgumentParser()
    add_design_arguments(parser)
    args = parser.parse_args(["--function", "tanh", "--reuse", "5", "--multiplier-width", "16"])
    options = design_options_from_args(args)
    assert options["reuse"] == 5 and options["multiplier_width"] == 16
    dut = make_design(args.design, **options)
    assert isinstance(dut, TanhPipeline) and dut.initiation_interval == 5
    assert design_options_from_args(parser.parse_args([]))["reuse"] is None
