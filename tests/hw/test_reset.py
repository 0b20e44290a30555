"""A synchronous reset in the middle of a stream.

The components are simulated under an explicit ``sync`` clock domain whose
reset the testbench drives (``ctx.set(domain.rst, 1)``; Amaranth 0.5 does not
let a testbench assign ``ResetSignal()`` of an implicit domain). Stalls and
gaps are random and seeded, as in ``test_stress.py``, and resets of 1 to 3
cycles fall at random cycles, also while the output is stalled with words in
flight.

The behaviour checked (and written down in ``docs/reliability.md``):

* every word accepted before a reset and not yet taken is discarded; the
  outputs taken before the reset (including one taken in the reset cycle
  itself, which the consumer really receives) are a prefix of the model's
  answers for the words accepted in that stretch, in order;
* a word offered in a reset cycle is not taken, even though ``i.ready`` may
  be high in that cycle (the register loads are overridden by the reset);
* in the cycle after the reset ``o.valid`` is low and ``i.ready`` is high;
* afterwards the outputs are exactly the model applied to the words accepted
  after the reset: no stale word appears, nothing is lost.
"""

import random
import zlib

import numpy as np
import pytest
from amaranth import *
from amaranth.sim import Simulator, DomainReset

from sigmoid_hw.model.fixed import SQ
from sigmoid_hw.model.pipeline import derive_params, sigmoid_fixed
from sigmoid_hw.hw.pipeline import SigmoidPipeline
from sigmoid_hw.hw.score_filter import ScoreFilter
from sigmoid_hw.hw.threshold import ThresholdComparator
from sigmoid_hw.link.gateware import SigmoidLink
from sigmoid_hw.hw.streamsim import plain
import oracle


def limit_mp(t, f_bits=12):
    return oracle.limit(t, f_bits)


def run_with_resets(dut, inputs, model, *, resets, stall, gap, seed, max_cycles=200_000,
                    setup=None):
    """Stream ``inputs`` through ``dut`` while the ``sync`` reset is asserted at ``resets``.

    ``resets`` maps a cycle number to the reset's length in cycles; ``stall``
    is a probability or a function of the cycle number giving one. Returns a
    dict with, per stretch between resets, the accepted inputs and the taken
    outputs; the words offered during resets; how many resets found a word on
    ``o``; and ``(cycle, o.valid, i.ready)`` right after every reset cycle.
    """
    top = Module()
    top.domains.sync = domain = ClockDomain("sync")
    top.submodules.dut = dut
    rng = random.Random(seed)
    stall_at = stall if callable(stall) else (lambda cycle: stall)
    last_reset = max((c + n for c, n in resets.items()), default=0)
    result = {"stretches": [([], [])], "offered_in_reset": [], "busy_at_reset": 0,
              "after_reset": []}

    async def testbench(ctx):
        if setup is not None:
            setup(ctx)
        sent, cycle, reset_left, tail = 0, 0, 0, None
        while True:
            if cycle in resets:
                reset_left = resets[cycle]
                result["busy_at_reset"] += ctx.get(dut.o.valid)
            in_reset = reset_left > 0
            ctx.set(domain.rst, in_reset)
            if sent < len(inputs):
                valid = rng.random() >= gap
                if valid:
                    ctx.set(dut.i.payload, inputs[sent])
                ctx.set(dut.i.valid, valid)
            else:
                ctx.set(dut.i.valid, 0)
            ctx.set(dut.o.ready, tail is not None or rng.random() >= stall_at(cycle))
            _, _, i_valid, i_ready, o_valid, o_ready, o_payload = await ctx.tick().sample(
                dut.i.valid, dut.i.ready, dut.o.valid, dut.o.ready, dut.o.payload)
            cycle += 1
            accepted, outputs = result["stretches"][-1]
            if i_valid and i_ready:
                (result["offered_in_reset"] if in_reset else accepted).append(inputs[sent])
                sent += 1
            if o_valid and o_ready:
                outputs.append(plain(o_payload))
            if in_reset:
                reset_left -= 1
                result["after_reset"].append((cycle, ctx.get(dut.o.valid), ctx.get(dut.i.ready)))
                if reset_left == 0:
                    result["stretches"].append(([], []))
            if tail is None and sent == len(inputs) and cycle >= last_reset:
                accepted, outputs = result["stretches"][-1]
                if len(outputs) >= len(model(accepted)):
                    tail = 0     # then o.ready high: nothing more may come out
            if tail is not None:
                tail += 1
                if tail > getattr(dut, "latency", 8) + 8:
                    break
            if cycle >= max_cycles:
                raise AssertionError("no end after {} cycles (seed {})".format(cycle, seed))

    sim = Simulator(top)
    sim.add_clock(1e-6)
    sim.add_testbench(testbench)
    sim.run()
    return result


def check_resets(result, model, name, seed):
    """The behaviour in the module docstring, stretch by stretch."""
    stretches = result["stretches"]
    assert len(stretches) >= 2, "no reset happened ({}, seed {})".format(name, seed)
    for cycle, o_valid, i_ready in result["after_reset"]:
        assert (o_valid, i_ready) == (0, 1), \
            "{}: after the reset cycle {}: o.valid={}, i.ready={} (seed {})".format(
                name, cycle, o_valid, i_ready, seed)
    for index, (accepted, outputs) in enumerate(stretches):
        want = model(accepted)
        if index == len(stretches) - 1:
            ok, what = outputs == want, ""
        else:
            ok, what = outputs == want[:len(outputs)], "a prefix of "
        assert ok, ("{}: stretch {} of {} (between resets): {} words accepted, {} outputs, "
                    "expected {}the model's {}; first outputs {!r}, expected {!r} (seed {})"
                    .format(name, index, len(stretches), len(accepted), len(outputs), what,
                            len(want), outputs[:4], want[:4], seed))


def _resets(seed, count, span):
    rng = random.Random(seed ^ 0x5EED)
    cycles = sorted(rng.sample(range(20, span), count))
    return {c: rng.randint(1, 3) for c in cycles}


def _seed(name):
    return zlib.crc32(name.encode())


def _stimulus(fmt, count, seed):
    rng = random.Random(seed)
    return [rng.randint(fmt.min, fmt.max) for _ in range(count)]


def pipeline_model(params):
    return lambda xs: [int(y) for y in sigmoid_fixed(np.array(xs, dtype=np.int64), params)]


@pytest.mark.parametrize("kwargs,stall,gap", [
    ({}, 0.3, 0.3),
    ({}, 0.8, 0.05),          # mostly stalled: the pipeline is full when the reset comes
    ({"coefficients": "derived"}, 0.5, 0.2),
    ({"register_product": True}, 0.5, 0.3),
    ({"input_format": SQ(2, 7), "output_bits": 9}, 0.4, 0.4),
])
def test_pipeline_reset_mid_stream(kwargs, stall, gap):
    name = "pipeline {} stall {} gap {}".format(kwargs, stall, gap)
    seed = _seed(name)
    dut = SigmoidPipeline(**kwargs)
    model = pipeline_model(dut.params)
    xs = _stimulus(dut.params.input_format, 1_200, seed)
    result = run_with_resets(dut, xs, model, resets=_resets(seed, 5, 1_500), stall=stall,
                             gap=gap, seed=seed)
    check_resets(result, model, name, seed)
    # the reset hit words in flight: stale results would have had something to show
    assert result["busy_at_reset"] >= 1, seed
    assert sum(len(a) for a, _ in result["stretches"]) > 0


def test_pipeline_reset_while_full():
    """o.ready held low until the pipeline is full (one word per stage register), then a
    3-cycle reset with a word offered all along: none of the words in flight ever comes
    out, the two words that see i.ready high during the reset are not taken, and the words
    after it are answered."""
    dut = SigmoidPipeline()
    model = pipeline_model(dut.params)
    xs = list(range(-3000, 3000, 97))
    result = run_with_resets(dut, xs, model, resets={30: 3},
                             stall=lambda cycle: 1.0 if cycle < 40 else 0.3, gap=0.0, seed=3)
    (before, out_before), (after, out_after) = result["stretches"]
    D = dut.latency
    assert before == xs[:D] and out_before == []
    # first reset cycle: full, i.ready low; the next two: empty, i.ready high, yet not taken
    assert result["offered_in_reset"] == xs[D:D + 2]
    assert after == xs[D + 2:]
    check_resets(result, model, "reset while full", 3)


@pytest.mark.parametrize("threshold", [0.5, 0.9, None])
def test_comparator_reset_mid_stream(threshold):
    name = "comparator {}".format(threshold)
    seed = _seed(name)
    fmt = SQ(4, 12)
    dut = ThresholdComparator(fmt, threshold)
    L = limit_mp(0.3 if threshold is None else threshold)
    setup = (lambda ctx: ctx.set(dut.limit, L)) if threshold is None else None
    model = lambda xs: [int(x >= L) for x in xs]
    xs = _stimulus(fmt, 3_000, seed)
    result = run_with_resets(dut, xs, model, resets=_resets(seed, 6, 4_000), stall=0.5,
                             gap=0.3, seed=seed, setup=setup)
    check_resets(result, model, name, seed)


@pytest.mark.parametrize("with_sigmoid", [True, False])
def test_score_filter_reset_mid_stream(with_sigmoid):
    """The tag FIFO beside the pipeline is reset with it: tags stay matched afterwards."""
    name = "score filter {}".format(with_sigmoid)
    seed = _seed(name)
    fmt = SQ(4, 12)
    dut = ScoreFilter(fmt, tag_bits=12, threshold=0.4, with_sigmoid=with_sigmoid)
    L = limit_mp(0.4)

    def model(items):
        keep = [it for it in items if it["logit"] >= L]
        if not with_sigmoid:
            return [{"tag": it["tag"], "logit": it["logit"]} for it in keep]
        ys = sigmoid_fixed(np.array([it["logit"] for it in keep], dtype=np.int64), dut.params)
        return [{"tag": it["tag"], "sigmoid": int(y)} for it, y in zip(keep, ys)]

    items = [{"logit": x, "tag": k % 4096} for k, x in enumerate(_stimulus(fmt, 1_500, seed))]
    result = run_with_resets(dut, items, model, resets=_resets(seed, 5, 2_000), stall=0.6,
                             gap=0.2, seed=seed)
    check_resets(result, model, name, seed)


# --------------------------------------------------------------------------- board top

def test_board_link_reset_mid_stream():
    """Reset the whole UART board top while requests are queued and a response is on the
    line: no response that starts after the reset answers a word sent before it, and every
    word sent after it is answered, in order, equal to the model."""
    div, baud = 4, 1_000_000
    clk = div * baud
    fmt = SQ(4, 12)
    dut = SigmoidLink(SigmoidPipeline(), ThresholdComparator(fmt, 0.75), clk_freq=clk, baud=baud)
    proto = dut.protocol
    top = Module()
    top.domains.sync = domain = ClockDomain("sync")
    top.submodules.dut = dut
    rng = random.Random(11)
    before = [rng.randint(fmt.min, fmt.max) for _ in range(12)]   # SEQ 0 .. 11
    after = [rng.randint(fmt.min, fmt.max) for _ in range(20)]    # SEQ 100 .. 119
    decoder = proto.decoder()
    frames = []            # (cycle the frame's first byte started, Response)
    byte_starts = []       # cycle each byte fed to the decoder started
    state = {"cycle": 0, "reset_cycle": None, "done": False}

    def levels(byte):
        return [0] + [(byte >> k) & 1 for k in range(8)] + [1]

    async def send(ctx, seq, x):
        for byte in proto.encode_request(seq, x):
            for level in levels(byte):
                ctx.set(dut.rx, level)
                await ctx.tick().repeat(div)

    async def host(ctx):
        ctx.set(dut.rx, 1)
        await ctx.tick().repeat(4 * div)
        for k, x in enumerate(before):          # back to back: the queue fills
            await send(ctx, k, x)
        ctx.set(dut.rx, 1)
        # wait until a response is on the line, then reset in the middle of it
        while not (frames and not ctx.get(dut.tx)):
            await ctx.tick()
        await ctx.tick().repeat(3 * div)
        state["reset_cycle"] = state["cycle"]
        ctx.set(domain.rst, 1)
        await ctx.tick()
        ctx.set(domain.rst, 0)
        await ctx.tick().repeat(30 * div)      # let the host's line reader resynchronise
        for k, x in enumerate(after):
            while k - sum(1 for _, r in frames if r.seq >= 100) >= 3:
                await ctx.tick().repeat(div)
            await send(ctx, 100 + k, x)
        ctx.set(dut.rx, 1)
        while sum(1 for _, r in frames if r.seq >= 100) < len(after) and state["cycle"] < 60_000:
            await ctx.tick().repeat(div)
        await ctx.tick().repeat(40 * div)
        state["done"] = True

    async def reader(ctx):
        tx = dut.tx
        while not state["done"]:
            if ctx.get(tx):
                await ctx.tick()
                state["cycle"] += 1
                continue
            start = state["cycle"]
            try:
                await ctx.tick().repeat(div // 2)
                bits = [ctx.get(tx)]
                for _ in range(9):
                    await ctx.tick().repeat(div)
                    bits.append(ctx.get(tx))
            except DomainReset:
                # a byte cut by the reset (repeat() stops at a reset): drop it; the
                # decoder finds the next frame by itself
                state["cycle"] = state["reset_cycle"] + 1
                continue
            state["cycle"] += div // 2 + 9 * div
            if bits[0] != 0 or bits[9] != 1:
                continue
            byte_starts.append(start)
            byte = sum(b << k for k, b in enumerate(bits[1:9]))
            for r in decoder.feed(bytes([byte])):
                # a frame is the last response_length bytes fed
                frames.append((byte_starts[-proto.response_length], r))

    sim = Simulator(top)
    sim.add_clock(1 / clk)
    sim.add_testbench(host)
    sim.add_testbench(reader)
    sim.run()

    reset = state["reset_cycle"]
    assert reset is not None
    stale = [r for start, r in frames if start > reset and r.seq < 100 and not r.report]
    assert stale == [], "answers to words sent before the reset came after it: {}".format(stale)
    fresh = [r for _, r in frames if r.seq >= 100]
    assert [r.seq for r in fresh] == [100 + k for k in range(len(after))]
    ys = sigmoid_fixed(np.array(after, dtype=np.int64), derive_params())
    L = limit_mp(0.75)
    for k, r in enumerate(fresh):
        assert (r.y, r.decision) == (int(ys[k]), after[k] >= L), (k, after[k], r)
    # some words were answered before the reset, some were cut off by it
    early = [r.seq for start, r in frames if start < reset and not r.report]
    assert 0 < len(early) < len(before)
