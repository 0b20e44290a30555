"""Drive a component's input stream and collect its output stream in Amaranth's simulator.

One testbench does both sides, one clock per loop, so a 65,536-word run stays
fast. It checks the amaranth.lib.stream rules on the output as it goes: once
``o.valid`` is high it must stay high, with the same payload, until taken.

Stalls on ``o.ready`` and gaps on ``i.valid`` come from a seeded random
generator; the seed is part of every error message so a failure can be
replayed.
"""

import math
import random

from amaranth.lib import data
from amaranth.sim import Simulator

from sigmoid_hw.model.validate import check_real

__all__ = ["StreamRuleError", "run_stream", "patience", "GIVE_UP_CHANCE", "plain",
           "stream_put", "stream_get", "first_output"]

GIVE_UP_CHANCE = 1e-9
_MARGIN = 16   # idle cycles beyond the latency that a design without stalls may take


class StreamRuleError(AssertionError):
    """The component broke an amaranth.lib.stream rule."""


def plain(value):
    """A sampled payload as plain Python: ints, and dicts for struct payloads."""
    if isinstance(value, data.Const):
        return {name: plain(value[name]) for name, _ in value.shape()}
    return value


def patience(latency, stall, words, chance=GIVE_UP_CHANCE):
    """Idle cycles to wait for the next output after the last input (``max_idle``).

    Once every input is sent, the next word still in flight reaches the
    output within ``latency`` cycles without a transfer (bubbles ahead of it
    move on whenever ``o.valid`` is low); there it waits while ``o.ready`` is
    low, which is an independent draw with probability ``stall`` in every
    cycle, so it waits ``k`` cycles or more with probability ``stall**k``.
    Giving up on a working design therefore needs one of the at most
    ``words`` outputs still to come to wait ``k = max_idle + 1 - latency``
    cycles: by the union bound the chance is at most ``words * stall**k``.
    The patience is ``latency + 16 + ceil(ln(chance / words) / ln(stall))``
    (16 cycles of margin, as without stalls), so that chance is below
    ``chance`` (1e-9 by default): 647 cycles for the default pipeline at
    ``stall=0.95`` with 65,536 words, where a word waits 20 cycles on average.
    """
    extra = 0
    if stall > 0:
        extra = math.ceil(math.log(chance / max(1, words)) / math.log(stall))
    return latency + _MARGIN + max(0, extra)


def run_stream(dut, inputs, *, in_port="i", out_port="o", stall=0.0, gap=0.0,
               seed=0, expected_count=None, max_idle=None, vcd=None, gtkw=None,
               traces=(), extra=None, deadline=None, progress=None):
    """Send ``inputs`` through ``dut`` and return ``(outputs, cycles)``.

    Parameters
    ----------
    dut : wiring.Component
        Has a ``stream.Signature`` input port and output port.
    inputs : sequence
        Payloads (ints, or dicts for struct payloads), sent in order.
    stall : float
        Probability that ``o.ready`` is low in a cycle, in [0, 1).
    gap : float
        Probability that ``i.valid`` is low in a cycle where a word is waiting,
        in [0, 1). (A probability of 1 would never move the stream.)
    seed : int
        Seed of the stall and gap generator.
    expected_count : int or None
        Outputs to wait for; ``len(inputs)`` by default (a filter passes fewer).
    max_idle : int or None
        Cycles without any output after the last input before giving up; by
        default ``patience(dut.latency, stall, expected outputs)`` (latency 48
        if the component has none), which gives up on a working design with
        a chance below 1e-9. An output that never came is missing from
        ``outputs``: the caller compares their number with the inputs.
    vcd, gtkw : str or None
        Write a waveform (and a GTKWave save file listing ``traces``).
    extra : callable or None
        ``async def extra(ctx)``, run as a second testbench (e.g. to program a
        runtime threshold or assert a reset).
    deadline : int or None
        Hard limit on simulated cycles.
    progress : callable or None
        Called as ``progress(outputs_so_far)`` every 1,024 outputs.

    Returns
    -------
    outputs : list
    cycles : int
        Clock cycles from the start to the last expected output (all cycles
        simulated if that output never came).

    Raises
    ------
    ValueError
        If ``stall`` or ``gap`` is not a probability in [0, 1).
    """
    stall = float(check_real("stall", stall, 0, 1, open_hi=True))
    gap = float(check_real("gap", gap, 0, 1, open_hi=True))
    inputs = list(inputs)
    i = getattr(dut, in_port)
    o = getattr(dut, out_port)
    rng = random.Random(seed)
    want = len(inputs) if expected_count is None else expected_count
    if max_idle is None:
        max_idle = patience(getattr(dut, "latency", 48), stall, want)
    outputs = []
    state = {}

    async def testbench(ctx):
        sent = 0
        idle = 0
        held = None  # payload offered but not yet taken at the last edge
        cycles = 0
        while True:
            if sent < len(inputs):
                valid = rng.random() >= gap
                if valid:
                    ctx.set(i.payload, inputs[sent])
                ctx.set(i.valid, valid)
            else:
                ctx.set(i.valid, 0)
            ctx.set(o.ready, rng.random() >= stall)
            _, _, i_valid, i_ready, o_valid, o_ready, o_payload = \
                await ctx.tick().sample(i.valid, i.ready, o.valid, o.ready, o.payload)
            cycles += 1
            payload = plain(o_payload)
            if held is not None:
                if not o_valid:
                    raise StreamRuleError(
                        "o.valid fell before the payload was taken (cycle {}, seed {})"
                        .format(cycles, seed))
                if payload != held:
                    raise StreamRuleError(
                        "o.payload changed from {!r} to {!r} while not taken (cycle {}, seed {})"
                        .format(held, payload, cycles, seed))
            if i_valid and i_ready:
                sent += 1
            if o_valid and o_ready:
                outputs.append(payload)
                if progress is not None and len(outputs) % 1024 == 0:
                    progress(len(outputs))
                held = None
                idle = 0
            else:
                held = payload if o_valid else None
                if sent == len(inputs):
                    idle += 1
            if len(outputs) > want:
                raise StreamRuleError("more outputs ({}) than expected ({}), seed {}"
                                      .format(len(outputs), want, seed))
            if sent == len(inputs) and len(outputs) == want:
                state["cycles"] = cycles   # up to and including the last output
                # Wait a little longer: nothing more may come out.
                for _ in range(max(4, getattr(dut, "latency", 4) + 2)):
                    ctx.set(o.ready, 1)
                    _, _, o_valid = await ctx.tick().sample(o.valid)
                    cycles += 1
                    if o_valid:
                        raise StreamRuleError("an output beyond the expected {} appeared, seed {}"
                                              .format(want, seed))
                break
            if idle > max_idle:
                break
            if deadline is not None and cycles >= deadline:
                break
        state.setdefault("cycles", cycles)

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(testbench)
    if extra is not None:
        sim.add_testbench(extra, background=True)
    if vcd is not None:
        with sim.write_vcd(vcd, gtkw, traces=list(traces)):
            sim.run()
    else:
        sim.run()
    return outputs, state["cycles"]


async def stream_put(ctx, stream, payload):
    """Offer ``payload`` on ``stream`` (a testbench drives it) until it is taken.

    The helper of Amaranth's stream documentation: ``valid`` rises at once (a
    producer never waits for ``ready``) and falls after the transfer.
    """
    ctx.set(stream.valid, 1)
    ctx.set(stream.payload, payload)
    await ctx.tick().until(stream.ready)
    ctx.set(stream.valid, 0)


async def stream_get(ctx, stream):
    """Take one word from ``stream`` (a testbench is its consumer); return its payload."""
    ctx.set(stream.ready, 1)
    payload, = await ctx.tick().sample(stream.payload).until(stream.valid)
    ctx.set(stream.ready, 0)
    return plain(payload)


def first_output(dut, payload, limit=200):
    """Offer one word for one cycle, consumer always ready: ``(cycles, output)``.

    ``cycles`` counts from the accepting clock edge to the first cycle with
    ``o.valid`` high (the latency); ``(None, None)`` if nothing came within
    ``limit`` cycles.
    """
    seen = {}

    async def bench(ctx):
        ctx.set(dut.o.ready, 1)
        ctx.set(dut.i.payload, payload)
        ctx.set(dut.i.valid, 1)
        await ctx.tick()
        ctx.set(dut.i.valid, 0)
        for cycle in range(1, limit):
            if ctx.get(dut.o.valid):
                seen["cycle"], seen["y"] = cycle, plain(ctx.get(dut.o.payload))
                return
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    return seen.get("cycle"), seen.get("y")
