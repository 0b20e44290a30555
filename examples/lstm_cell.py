# amaranth: UnusedElaboratable=no
"""An LSTM cell whose gates go through ``hw.ActivationUnit`` in simulation, against float64.

Run ``python -m examples.lstm_cell [--steps N] [--hidden H]``. The input is a
generated signal (two sines with noise, numpy only). Each step the cell's
pre-activations are computed in float64, quantized to SQ(4, 12), and sent as
one burst of words to one ``ActivationUnit(("sigmoid", "tanh"))``: the
input, forget and output gates (sigmoid) and the candidate (tanh) mixed in
one stream, then tanh of the new cell state. Everything else (the matrix
products, c = f c + i g, h = o tanh(c)) is float64, as in the reference cell.
The largest deviations of the hidden state h and of the readout y = w . h
from the float64 cell are printed in ulp of SQ(1, 15) (2^-15).
"""

import argparse

import numpy as np
from amaranth.sim import Simulator

from sigmoid_hw.hw import ActivationUnit

__all__ = ["run", "main"]

ULP = 2.0 ** -15


def _sigmoid(v):
    return 1 / (1 + np.exp(-v))


class _Weights:
    def __init__(self, hidden, inputs, rng):
        scale = 0.6
        self.W = rng.normal(0, scale, (4 * hidden, inputs))
        self.U = rng.normal(0, scale, (4 * hidden, hidden))
        self.b = rng.normal(0, 0.2, 4 * hidden)
        self.w_out = rng.normal(0, 0.5, hidden)


def _float_step(wt, x, h, c):
    z = wt.W @ x + wt.U @ h + wt.b
    i, f, o, g = np.split(z, 4)
    c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    h = _sigmoid(o) * np.tanh(c)
    return h, c


def _signal(steps, rng):
    t = np.arange(steps)
    return np.stack([np.sin(0.3 * t), np.cos(0.17 * t) * 0.8], axis=1) \
        + rng.normal(0, 0.05, (steps, 2))


def run(steps=40, hidden=8, seed=0):
    """Simulate ``steps`` steps; returns ``(max_h_ulp, max_y_ulp, words)``."""
    rng = np.random.default_rng(seed)
    wt = _Weights(hidden, 2, rng)
    xs = _signal(steps, rng)
    unit = ActivationUnit(("sigmoid", "tanh"))
    fmt = unit.input_format
    sig_fmt, tanh_fmt = unit.output_formats
    SIG, TANH = unit.functions.index("sigmoid"), unit.functions.index("tanh")
    result = {}

    def to_value(word, function):
        out = unit.output_formats[function]
        raw = word & ((1 << out.width) - 1)
        if out.signed and raw >> (out.width - 1):
            raw -= 1 << out.width
        return raw * 2.0 ** -out.f_bits

    async def exchange(ctx, values, functions):
        """Send the words, take every result, one per clock: their values."""
        words = [{"x": int(fmt.from_float(v, overflow="saturate")), "function": f}
                 for v, f in zip(values, functions)]
        out, k = [], 0
        ctx.set(unit.o.ready, 1)
        while len(out) < len(words):
            ctx.set(unit.i.valid, k < len(words))
            if k < len(words):
                ctx.set(unit.i.payload, words[k])
            taken = k < len(words) and ctx.get(unit.i.ready)
            if ctx.get(unit.o.valid):
                y = ctx.get(unit.o.payload)
                out.append(to_value(int(y.y), int(y.function)))
            await ctx.tick()
            k += bool(taken)
        ctx.set(unit.i.valid, 0)
        return np.array(out)

    async def testbench(ctx):
        h_hw, c_hw = np.zeros(hidden), np.zeros(hidden)
        h_fl, c_fl = np.zeros(hidden), np.zeros(hidden)
        dh = dy = 0.0
        for x in xs:
            z = wt.W @ x + wt.U @ h_hw + wt.b
            functions = [SIG] * (3 * hidden) + [TANH] * hidden
            a = await exchange(ctx, z, functions)
            i, f, o, g = np.split(a, 4)
            c_hw = f * c_hw + i * g
            h_hw = o * await exchange(ctx, c_hw, [TANH] * hidden)
            h_fl, c_fl = _float_step(wt, x, h_fl, c_fl)
            dh = max(dh, float(np.max(np.abs(h_hw - h_fl))) / ULP)
            dy = max(dy, abs(float(wt.w_out @ h_hw - wt.w_out @ h_fl)) / ULP)
        result.update(h=dh, y=dy)

    sim = Simulator(unit)
    sim.add_clock(1e-8)
    sim.add_testbench(testbench)
    sim.run()
    return result["h"], result["y"], steps * 5 * hidden


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--hidden", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    dh, dy, words = run(args.steps, args.hidden, args.seed)
    print("LSTM cell, hidden {}, {} steps, {} activations on one ActivationUnit "
          "(sigmoid and tanh mixed per word)".format(args.hidden, args.steps, words))
    print("  largest deviation from the float64 cell: hidden state {:.1f} ulp, output "
          "{:.1f} ulp (ulp = 2^-15)".format(dh, dy))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
