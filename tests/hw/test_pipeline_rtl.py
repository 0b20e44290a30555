# amaranth: UnusedElaboratable=no
"""The whole pipeline in Amaranth's simulator equals the integer model bit for bit."""

import numpy as np
import pytest

from sigmoid_hw.hw import SigmoidPipeline
from sigmoid_hw.hw.streamsim import run_stream
from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.pipeline import sigmoid_fixed, plan_for


@pytest.mark.slow
def test_default_pipeline_exhaustive_equals_model():
    dut = SigmoidPipeline()
    xs = dut.params.input_format.raw_range()
    out, cycles = run_stream(dut, [int(x) for x in xs])
    assert len(out) == 65536
    mismatch = np.flatnonzero(np.array(out) != sigmoid_fixed(xs, dut.params))
    assert mismatch.size == 0, "first mismatch at raw x = {}".format(int(xs[mismatch[0]]))
    # one result per clock: 65,536 words need 65,536 cycles plus the pipeline's fill
    assert cycles == 65536 + dut.latency


def test_default_interface_and_latency():
    dut = SigmoidPipeline()
    assert dut.i.payload.shape().signed and dut.i.payload.shape().width == 16
    assert not dut.o.payload.shape().signed and dut.o.payload.shape().width == 16
    assert dut.latency == 10
    assert dut.params.order == 5 and dut.params.coefficients == "table"


def test_latency_is_measured_cycles_from_input_to_output():
    from sigmoid_hw.hw.streamsim import first_output
    dut = SigmoidPipeline()
    latency, y = first_output(dut, 4096, limit=40)
    assert latency == dut.latency
    assert y == sigmoid_fixed(4096)


CONFIGS = [
    (SQ(4, 8), 8, "table"), (SQ(4, 8), 12, "table"), (SQ(5, 15), 20, "table"),
    (SQ(5, 19), 24, "table"), (SQ(4, 12), 16, "derived"), (SQ(4, 8), 12, "derived"),
    (SQ(4, 12), 16, "minimax"),
]


@pytest.mark.slow
@pytest.mark.parametrize("fmt,bits,coefficients", CONFIGS,
                         ids=["{}-{}-{}".format(f, b, c) for f, b, c in CONFIGS])
def test_other_widths_rtl_equals_model(fmt, bits, coefficients):
    dut = SigmoidPipeline(fmt, bits, coefficients=coefficients)
    plan = plan_for(dut.params)
    rng = np.random.default_rng(bits)
    if fmt.width <= 12:
        xs = fmt.raw_range()
    else:
        edges = [fmt.min, fmt.min + 1, -1, 0, 1, fmt.max]
        for t in plan.reduction.thresholds:
            edges += [t - 1, t, -t, 1 - t]
        xs = np.concatenate([np.array(edges), rng.integers(fmt.min, fmt.max + 1, 10_000)])
    out, _ = run_stream(dut, [int(x) for x in xs], stall=0.1, seed=bits)
    assert np.array_equal(np.array(out), sigmoid_fixed(xs, dut.params))
