"""Checks every method's unit model must pass, against the exact function (not the method).

``check_unit(name, fmt, y, rounding)``: ``y`` (raw outputs for every input of
``fmt``, in order) is faithful (< 1 ulp) or correctly rounded (equal to the
certified ``round(f 2^f_out)``, saturated) on every input, non-decreasing
where the function's record says it is monotonic, and symmetric as the record
says wherever no saturation is involved. Returns the error metrics.
"""

import numpy as np

from sigmoid_hw.model.exact import Symmetry, function
from sigmoid_hw.model.function_exact import function_error_metrics, rounded_reference

__all__ = ["check_unit", "check_rtl", "offer_every_clock"]


def check_unit(name, fmt, out_fmt, y, rounding):
    rec = function(name)
    x = fmt.raw_range()
    y = np.asarray(y, dtype=np.int64)
    lo, hi = rec.saturation(out_fmt)
    assert y.min() >= lo and y.max() <= hi
    metrics = function_error_metrics(name, y, x, fmt, out_fmt)
    if str(rounding) == "correct":
        r, _ = rounded_reference(name, x, fmt, out_fmt)
        wrong = np.flatnonzero(y != np.clip(r, lo, hi))
        assert wrong.size == 0, "{} not correctly rounded at x = {}".format(name, x[wrong[:5]])
    else:
        assert metrics["max_ulp"] < 1, "{}: {} ulp at x = {}".format(
            name, metrics["max_ulp"], metrics["worst_x"])
    if rec.monotonic:
        assert (np.diff(y) >= 0).all(), "{} not monotonic".format(name)
    # symmetry: pairs x, -x with both outputs inside the saturation range
    pos = np.arange(1, -fmt.min)
    yp, yn = y[pos - fmt.min], y[-pos - fmt.min]
    inner = (yp > lo) & (yp < hi) & (yn > lo) & (yn < hi)
    shift = out_fmt.f_bits - fmt.f_bits
    sym = rec.symmetry
    if sym is Symmetry.COMPLEMENT:
        ok = yp + yn == 1 << out_fmt.f_bits
    elif sym is Symmetry.ODD:
        ok = yn == -yp
    elif sym is Symmetry.EVEN:
        ok = yn == yp
    elif sym is Symmetry.MINUS_X and shift >= 0:
        ok = yn == yp - (pos << shift)
    else:
        ok = np.ones(pos.shape, dtype=bool)
    if str(rounding) == "correct" or sym is not Symmetry.NONE:
        assert ok[inner].all(), "{} breaks its {} symmetry at x = {}".format(
            name, sym, pos[inner & ~ok][:5])
    return metrics


def check_rtl(dut, evaluate, *, stall, gap, seed):
    """Every input of ``dut`` (a method unit) through its gateware under random stalls and
    gaps equals ``sigmoid_hw.model.methods.spec.unit_model`` of ``evaluate``, the method's core model."""
    from sigmoid_hw.hw.streamsim import run_stream
    from sigmoid_hw.model.methods.spec import unit_model
    x = dut.input_format.raw_range()
    out, _ = run_stream(dut, [int(v) for v in x], stall=stall, gap=gap, seed=seed)
    expected = unit_model(dut.plan, evaluate, x)
    assert len(out) == len(x)
    wrong = np.flatnonzero(np.array(out, dtype=np.int64) != expected)
    assert wrong.size == 0, "RTL != model at x = {}".format(x[wrong[:5]])


def offer_every_clock(dut, xs, reuse):
    """A producer that offers ``xs`` on every clock to ``dut``, its consumer always ready.

    Returns ``(readies, taken, outs)``: ``i.ready`` on each clock while words
    remain, the clocks on which a word was accepted, and ``(clock, payload)``
    of every output. A unit with initiation interval ``reuse`` must show
    ``i.ready`` high one clock in ``reuse``.
    """
    from amaranth.sim import Simulator
    words = len(xs)
    readies, taken, outs = [], [], []

    async def bench(ctx):
        ctx.set(dut.o.ready, 1)
        sent = 0
        for cycle in range(words * reuse + dut.latency + 3):
            ctx.set(dut.i.valid, sent < words)
            ctx.set(dut.i.payload, xs[min(sent, words - 1)])
            if sent < words:
                readies.append(ctx.get(dut.i.ready))
            if ctx.get(dut.o.valid):
                outs.append((cycle, ctx.get(dut.o.payload)))
            if ctx.get(dut.i.valid) and ctx.get(dut.i.ready):
                taken.append(cycle)
                sent += 1
            await ctx.tick()

    sim = Simulator(dut)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    return readies, taken, outs
