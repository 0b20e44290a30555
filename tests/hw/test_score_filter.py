# amaranth: UnusedElaboratable=no
"""sigmoid_hw.hw.score_filter.ScoreFilter: only passing items come out, in order, with the pipeline's sigmoid.

The pass decision expected here comes from mpmath (bisection for the exact
boundary, as in test_threshold_model); the sigmoid from the bit-exact model
``sigmoid_hw.model.pipeline.sigmoid_fixed``. Tags are unique, so comparing the whole
output list catches any item lost, duplicated or reordered.
"""

from fractions import Fraction
import math
import random

import numpy as np
import pytest
from amaranth import *
from amaranth.sim import Simulator

from sigmoid_hw.hw.pipeline import SigmoidPipeline
from sigmoid_hw.hw.score_filter import ScoreFilter
from sigmoid_hw.hw.streamsim import run_stream
from oracle import mp_boundary
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.pipeline import derive_params, sigmoid_fixed
from sigmoid_hw.model.threshold import threshold_limit

FMT = SQ(4, 12)


def _items(count, boundary, seed):
    """Logits spread over the whole range, a third of them close to the boundary."""
    rng = random.Random(seed)
    logits = []
    for _ in range(count):
        if rng.random() < 1 / 3:
            x = boundary + rng.randrange(-40, 40)
        else:
            x = rng.randrange(FMT.min, FMT.max + 1)
        logits.append(min(max(x, FMT.min), FMT.max))
    return [{"logit": x, "tag": k} for k, x in enumerate(logits)]


def _expected_with_sigmoid(items, boundary):
    passed = [it for it in items if it["logit"] >= boundary]
    ys = sigmoid_fixed(np.array([it["logit"] for it in passed], dtype=np.int64),
                       derive_params(input_format=FMT, output_bits=16))
    return [{"tag": it["tag"], "sigmoid": int(y)} for it, y in zip(passed, ys)]


def test_ten_thousand_items_under_backpressure():
    t = Fraction(7, 10)
    boundary = mp_boundary(t, FMT)
    items = _items(10_000, boundary, seed=1)
    expected = _expected_with_sigmoid(items, boundary)
    assert 3000 < len(expected) < 7000          # both kinds are well represented
    dut = ScoreFilter(FMT, tag_bits=16, threshold=t)
    outputs, _ = run_stream(dut, items, stall=0.35, gap=0.15, seed=2,
                            expected_count=len(expected))
    assert outputs == expected


def test_heavy_stalls_and_everything_passing():
    # t = 0: every item goes through the pipeline, o.ready mostly low: the tag
    # FIFO runs as full as the pipeline can be.
    items = _items(1500, 0, seed=3)
    expected = _expected_with_sigmoid(items, FMT.min)
    dut = ScoreFilter(FMT, tag_bits=16, threshold=0)
    outputs, _ = run_stream(dut, items, stall=0.8, gap=0.0, seed=4,
                            expected_count=len(expected))
    assert outputs == expected


def test_full_throughput_when_not_stalled():
    items = _items(400, 0, seed=5)
    dut = ScoreFilter(FMT, tag_bits=16, threshold=0)
    outputs, cycles = run_stream(dut, items, expected_count=len(items))
    assert outputs == _expected_with_sigmoid(items, FMT.min)
    # One item per clock, plus the latency, plus the harness's final wait.
    assert cycles <= len(items) + 2 * dut.latency + 8


def _accepted_while_output_stalled(sequence, cycles=80):
    """How many items of ``sequence`` the filter takes while ``o.ready`` stays low."""
    dut = ScoreFilter(FMT, tag_bits=8, threshold=0.5)   # raw >= 1 passes
    accepted = []

    async def testbench(ctx):
        ctx.set(dut.o.ready, 0)                          # the consumer never takes anything
        sent = 0
        for _ in range(cycles):
            if sent < len(sequence):
                ctx.set(dut.i.payload, {"logit": sequence[sent], "tag": sent % 256})
            ctx.set(dut.i.valid, sent < len(sequence))
            _, _, valid, ready = await ctx.tick().sample(dut.i.valid, dut.i.ready)
            if valid and ready:
                sent += 1
        accepted.append(sent)

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(testbench)
    sim.run()
    return accepted[0]


def test_rejected_items_never_occupy_the_pipeline():
    # Passing items alone fill the pipeline, then one waits in the comparator.
    held = _accepted_while_output_stalled([1000] * 60) - 1
    assert 1 <= held < 60
    # With the pipeline exactly full, rejected items still flow through and vanish.
    assert _accepted_while_output_stalled([1000] * held + [-1000] * 50) == held + 50


def test_runtime_limit():
    t = 0.25
    boundary = mp_boundary(t, FMT)
    items = _items(2000, boundary, seed=6)
    expected = _expected_with_sigmoid(items, boundary)
    dut = ScoreFilter(FMT, tag_bits=16, threshold=None)

    async def program(ctx):
        ctx.set(dut.limit, threshold_limit(t, FMT))

    outputs, _ = run_stream(dut, items, stall=0.3, gap=0.2, seed=7, extra=program,
                            expected_count=len(expected))
    assert outputs == expected


def test_without_sigmoid_passes_logits():
    t = 1 / (1 + math.exp(1))                          # the seed's float formula errs here
    boundary = mp_boundary(t, FMT)
    assert boundary == -4096
    items = _items(3000, boundary, seed=8)
    expected = [{"tag": it["tag"], "logit": it["logit"]} for it in items
                if it["logit"] >= boundary]
    dut = ScoreFilter(FMT, tag_bits=12, threshold=t, with_sigmoid=False)
    assert dut.latency == 1
    outputs, _ = run_stream(dut, [{"logit": it["logit"], "tag": it["tag"] % 4096}
                                  for it in items],
                            stall=0.4, gap=0.2, seed=9, expected_count=len(expected))
    assert outputs == [{"tag": e["tag"] % 4096, "logit": e["logit"]} for e in expected]


def test_ports_and_latency():
    dut = ScoreFilter()
    assert dut.latency == 1 + SigmoidPipeline(input_format=FMT).latency
    assert dut.tag_fifo_depth >= dut.latency
    assert dut.limit_value == 1 and dut.params.output_bits == 16
    assert set(name for name, _ in dut.i.payload.shape()) == {"logit", "tag"}
    assert set(name for name, _ in dut.o.payload.shape()) == {"tag", "sigmoid"}
    assert not hasattr(dut, "limit")
    assert ScoreFilter(threshold=None).limit.shape() == signed(17)
    plain = ScoreFilter(with_sigmoid=False)
    assert plain.params is None and plain.tag_fifo_depth == 0
    assert set(name for name, _ in plain.o.payload.shape()) == {"tag", "logit"}


def test_parameter_errors():
    with pytest.raises(TypeError, match=r"^tag_bits must be an integer, not 'x'$"):
        ScoreFilter(tag_bits="x")
    with pytest.raises(TypeError, match=r"^tag_bits must be an integer, not True$"):
        ScoreFilter(tag_bits=True)
    with pytest.raises(ValueError, match=r"^tag_bits must be at least 1, not 0$"):
        ScoreFilter(tag_bits=0)
    with pytest.raises(TypeError, match=r"^with_sigmoid must be True or False, not 1$"):
        ScoreFilter(with_sigmoid=1)
    with pytest.raises(TypeError, match=r"^input_format must be a fixed-point format"):
        ScoreFilter(input_format=16)
    with pytest.raises(ValueError, match=r"^Threshold must be a real number other than NaN, "
                                         r"not nan$"):
        ScoreFilter(threshold=math.nan)
    with pytest.raises(TypeError, match=r"^Threshold must be a real number, not '0\.5'$"):
        ScoreFilter(threshold="0.5")
