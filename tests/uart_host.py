"""The tests' host on the two UART lines of ``sigmoid_hw.link.gateware.SigmoidLink``: one 8N1 line model.

Written from the definition of 8N1 (start bit 0, eight data bits LSB first,
stop bit 1), not from ``sigmoid_hw.link.uart``: it sends requests of ``sigmoid_hw.link.protocol``
and reads the board's responses bit by bit, as two testbenches of one
simulation. Gaps and the number of requests in flight are fixed numbers, or
``(lo, hi)`` ranges drawn from a seeded generator.
"""

import random

from amaranth.sim import Simulator

from sigmoid_hw.link.protocol import Ledger

__all__ = ["UARTHost", "byte_levels", "ledger_of"]


def byte_levels(byte, stop=1):
    """The line levels of one 8N1 byte (``stop=0`` gives a framing error)."""
    return [0] + [(byte >> k) & 1 for k in range(8)] + [stop]


def ledger_of(responses, count):
    """The ``sigmoid_hw.link.protocol.Ledger`` of ``count`` requests, finished."""
    ledger = Ledger(count)
    for r in responses:
        ledger.add(r)
    return ledger.finish()


class UARTHost:
    """Sends ``words`` to a ``SigmoidLink`` and collects its responses.

    Parameters
    ----------
    dut : SigmoidLink
    words : list of int
    div : int
        Clock cycles per bit.
    clk : float
        Clock frequency (Hz) of the simulation.
    window : None, int or (int, int)
        Requests in flight before waiting for an answer (``None``: never wait);
        a range is redrawn now and then.
    gap_bits, byte_gap : int or (int, int)
        Idle bits after each request and between the bytes of a request.
    seed : int
    corrupt : dict, optional
        Word index -> function(frame levels) -> levels.
    extra : dict, optional
        Word index -> line levels sent before that word.
    """

    def __init__(self, dut, words, *, div, clk, window=None, gap_bits=0, byte_gap=0, seed=0,
                 corrupt=None, extra=None):
        self.dut = dut
        self.words = words
        self.div = div
        self.clk = clk
        self.window = window
        self.gap_bits = gap_bits
        self.byte_gap = byte_gap
        self.rng = random.Random(seed)
        self.corrupt = corrupt or {}
        self.extra = extra or {}
        self.protocol = dut.protocol
        self.decoder = self.protocol.decoder()
        self.responses = []
        self.rx_bytes = bytearray()
        self.sent_all = False

    def _draw(self, value):
        return self.rng.randint(*value) if isinstance(value, tuple) else value

    def answered(self):
        return sum(1 for r in self.responses if not r.report)

    async def drive(self, ctx):
        div = self.div
        ctx.set(self.dut.rx, 1)
        await ctx.tick().repeat(4 * div)
        window = None
        for k, x in enumerate(self.words):
            if self.window is not None:
                if window is None or (isinstance(self.window, tuple) and self.rng.random() < 0.1):
                    window = self._draw(self.window)
                while k - self.answered() >= window:
                    await ctx.tick().repeat(div)
            frame = []
            for byte in self.protocol.encode_request(k % 256, x):
                frame += byte_levels(byte) + [1] * self._draw(self.byte_gap)
            if k in self.corrupt:
                frame = self.corrupt[k](frame)
            levels = list(self.extra.get(k, [])) + frame + [1] * self._draw(self.gap_bits)
            for level in levels:
                ctx.set(self.dut.rx, level)
                await ctx.tick().repeat(div)
        ctx.set(self.dut.rx, 1)
        self.sent_all = True

    async def read(self, ctx):
        tx, div = self.dut.tx, self.div
        quiet = 0
        # Until everything is sent and the line has then been idle for 40 bit times.
        while not (self.sent_all and quiet > 40 * div):
            if ctx.get(tx):
                await ctx.tick()
                quiet += self.sent_all   # idle time counts from the last request on
                continue
            await ctx.tick().repeat(div // 2)
            levels = [ctx.get(tx)]
            for _ in range(9):          # ends in the middle of the stop bit
                await ctx.tick().repeat(div)
                levels.append(ctx.get(tx))
            assert levels[0] == 0 and levels[9] == 1, "bad byte from the board: {}".format(levels)
            byte = sum(b << k for k, b in enumerate(levels[1:9]))
            self.rx_bytes.append(byte)
            self.responses += self.decoder.feed(bytes([byte]))
            quiet = 0

    def run(self):
        """Simulate; return the responses in the order they came."""
        sim = Simulator(self.dut)
        sim.add_clock(1 / self.clk)
        sim.add_testbench(self.drive)
        sim.add_testbench(self.read)
        sim.run()
        return self.responses
