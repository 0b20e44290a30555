"""``sigmoid_hw.hw.streamsim.run_stream``: its stall and gap checks and its patience under heavy stalls."""

import math

import numpy as np
import pytest

from sigmoid_hw.hw.pipeline import SigmoidPipeline
from sigmoid_hw.hw.streamsim import GIVE_UP_CHANCE, patience, run_stream
from sigmoid_hw.model.pipeline import sigmoid_fixed


@pytest.fixture(scope="module")
def dut_inputs():
    xs = list(range(-32768, 32768, 1009))
    return xs, [int(v) for v in sigmoid_fixed(np.array(xs))]


@pytest.mark.parametrize("kwargs, message", [
    ({"stall": 1.0}, r"^stall must be in \[0, 1\), not 1\.0$"),
    ({"stall": 2}, r"^stall must be in \[0, 1\), not 2$"),
    ({"stall": -0.1}, r"^stall must be in \[0, 1\), not -0\.1$"),
    ({"stall": math.nan}, r"^stall must be a finite number, not nan$"),
    ({"gap": 1.0}, r"^gap must be in \[0, 1\), not 1\.0$"),
    ({"gap": math.inf}, r"^gap must be a finite number, not inf$"),
])
def test_probabilities_outside_0_1_are_refused(kwargs, message):
    """A stall or gap probability of 1 never moves the stream: refused before simulating."""
    dut = SigmoidPipeline()
    with pytest.raises(ValueError, match=message):
        run_stream(dut, [0, 1], **kwargs)
    run_stream(dut, [0, 1])   # the component is still good for a run (and is used)


@pytest.mark.parametrize("latency, stall, words", [
    (10, 0.95, 65), (10, 0.95, 65536), (13, 0.5, 1000), (4, 0.999, 10), (10, 0.3, 1)])
def test_patience_is_the_least_that_meets_the_chance(latency, stall, words):
    """words * stall^k <= 1e-9 for k = patience - latency - 16, and not for k - 1."""
    k = patience(latency, stall, words) - latency - 16
    assert words * stall ** k <= GIVE_UP_CHANCE < words * stall ** (k - 1)


def test_patience_without_stalls_is_the_latency_and_a_margin():
    assert patience(10, 0.0, 65536) == 26


def test_heavy_stalls_collect_every_word(dut_inputs):
    """At stall 0.95 a word waits 20 cycles on average; the old patience (latency + 16 idle
    cycles) gave up before the end, the patience from the stall probability does not."""
    xs, want = dut_inputs
    for seed in range(3):
        got, cycles = run_stream(SigmoidPipeline(), xs, stall=0.95, seed=seed)
        assert got == want, seed
        assert cycles > 10 * len(xs)
    early, _ = run_stream(SigmoidPipeline(), xs, stall=0.95, seed=0, max_idle=10 + 16)
    assert len(early) < len(xs) and early == want[:len(early)]


def test_stream_put_and_get_carry_words_through_a_pipeline():
    # the documented helpers, one producer and one consumer testbench
    from amaranth.sim import Simulator
    from sigmoid_hw.hw import SigmoidPipeline
    from sigmoid_hw.hw.streamsim import stream_get, stream_put
    from sigmoid_hw.model.pipeline import sigmoid_fixed
    import oracle
    dut = SigmoidPipeline()
    xs = [-32768, -4096, 0, 1, 4096, 32767]
    got = []

    async def producer(ctx):
        for x in xs:
            await stream_put(ctx, dut.i, x)

    async def consumer(ctx):
        for _ in xs:
            got.append(await stream_get(ctx, dut.o))

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(producer)
    sim.add_testbench(consumer)
    sim.run()
    assert got == [int(v) for v in sigmoid_fixed(xs)]
    assert all(abs(y - oracle.sigmoid_scaled(x, 12, 16)) < 1 for x, y in zip(xs, got))
