# amaranth: UnusedElaboratable=no
"""The narrow Horner terms (``sigmoid_hw.hw.terms``): read as their value modulo 2^W."""

import dataclasses

from amaranth import *
from amaranth.sim import Simulator

from sigmoid_hw.hw import timing
from sigmoid_hw.hw.pipeline import SigmoidPipeline
from sigmoid_hw.hw.terms import bits, drop, mod


def _evaluate(pairs):
    """The values of ``(input signal, expression)`` pairs for every input value."""
    m = Module()
    outs = []
    for sig, expr in pairs:
        out = Signal(Value.cast(expr).shape())
        m.d.comb += out.eq(expr)
        outs.append((sig, out))
    got = []

    async def bench(ctx):
        for sig, out in outs:
            shape = sig.shape()
            lo, hi = (-(1 << (len(sig) - 1)), 1 << (len(sig) - 1)) if shape.signed else (
                0, 1 << len(sig))
            for v in range(lo, hi):
                ctx.set(sig, v)
                got.append((v, ctx.get(out)))
    sim = Simulator(m)
    sim.add_testbench(bench)
    sim.run()
    return got


def test_bits_drop_mod_are_the_value_modulo_a_power_of_two():
    cases = []
    for width in (1, 3, 4):
        for signed_ in (False, True):
            for lo, hi in ((0, 2), (0, 6), (1, 5), (3, 8)):
                cases.append(("bits", width, signed_, lo, hi))
            for size in (0, 1, 2, 5):
                cases.append(("drop", width, signed_, size, None))
            cases.append(("mod", width, signed_, 7, None))
    pairs = []
    for kind, width, signed_, a, b in cases:
        sig = Signal(signed(width) if signed_ else unsigned(width))
        expr = {"bits": lambda: bits(sig, a, b), "drop": lambda: drop(sig, a),
                "mod": lambda: mod(sig, a)}[kind]()
        pairs.append((sig, expr))
    got = _evaluate(pairs)
    index = 0
    for kind, width, signed_, a, b in cases:
        count = 1 << width
        for v, out in got[index:index + count]:
            # expected from the integer: bits of v's two's complement, v >> size
            if kind == "bits":
                assert out == (v >> a) % (1 << (b - a)), (kind, width, signed_, a, b, v)
            elif kind == "drop":
                assert out == v >> a, (kind, width, signed_, a, v)
            else:
                assert out == v % (1 << a), (kind, width, signed_, a, v)
        index += count


def _horner_register_bits(pipeline):
    return sum(len(r.value) for r in pipeline.registers
               if r.group == "horner" and r.name != "valid")


def test_narrow_terms_register_fewer_bits_on_the_hx8k(monkeypatch):
    narrow = SigmoidPipeline(target_mhz=100, family="ice40-hx")
    assert all(h.narrow for h in narrow.schedule.horner)
    wide_family = dataclasses.replace(timing.FAMILIES["ice40-hx"], narrow=False)
    monkeypatch.setitem(timing.FAMILIES, "ice40-hx", wide_family)
    wide = SigmoidPipeline(target_mhz=100, family="ice40-hx")
    assert wide.latency == narrow.latency
    # the sign copies of the partial products are no longer registers
    assert _horner_register_bits(narrow) < _horner_register_bits(wide)
