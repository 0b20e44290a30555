"""A small UART, 8N1: a transmitter and a receiver with stream interfaces.

Both sides count ``divisor = round(clk_freq / baud)`` clock cycles per bit.
The receiver samples each bit once, in its middle, after a two-stage
synchronizer, so it needs ``divisor >= 4``; it checks the start bit again in
its middle (a shorter low pulse is a glitch, ignored) and the stop bit (a low
stop bit is a framing error: the byte is delivered with ``framing_error``
set, and the receiver waits for the line to go high before looking for the
next start bit, so a break is one error, not a stream of zero bytes).

The receiver cannot be stalled: a byte that completes while the previous
one still waits on ``o`` is dropped, and the next byte delivered carries
``overrun``, so a loss is always reported.
"""

from amaranth import *
from amaranth.lib import wiring, stream, data
from amaranth.lib.cdc import FFSynchronizer
from amaranth.lib.wiring import In, Out

__all__ = ["UARTTx", "UARTRx", "RxByte", "baud_divisor"]

# The receiver's output payload.
RxByte = data.StructLayout({
    "data": unsigned(8),
    "framing_error": unsigned(1),  # the stop bit of this byte was low
    "overrun": unsigned(1),        # at least one byte before this one was dropped
})


def baud_divisor(clk_freq, baud):
    """Clock cycles per bit, ``round(clk_freq / baud)``, checked.

    Raises
    ------
    TypeError
        If ``clk_freq`` or ``baud`` is not a positive number.
    ValueError
        If the divisor is below 4, or the rate it gives is more than 2 % off ``baud``.
    """
    for name, value in (("Clock frequency", clk_freq), ("Baud rate", baud)):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
            raise TypeError("{} must be a positive number, not {!r}".format(name, value))
    divisor = round(clk_freq / baud)
    if divisor < 4:
        raise ValueError("Baud rate {!r} is too high for a {!r} Hz clock: the UART needs at "
                         "least 4 clock cycles per bit".format(baud, clk_freq))
    error = abs(clk_freq / divisor - baud) / baud
    if error > 0.02:
        raise ValueError("Baud rate {!r} is {:.1%} off with a {!r} Hz clock (divisor {}); "
                         "at most 2 % is allowed".format(baud, error, clk_freq, divisor))
    return divisor


class UARTTx(wiring.Component):
    """UART transmitter, 8N1.

    Parameters
    ----------
    clk_freq : float
        Frequency of the ``sync`` domain, in Hz.
    baud : float
        Bit rate; 115200 by default.

    Members
    -------
    i : In(stream.Signature(8))
        Bytes to send. A byte is taken while the line is idle or at the end of
        the previous stop bit, so back-to-back bytes leave no gap.
    tx : Out(1)
        The line, idle high; driven by a register.
    """

    i: In(stream.Signature(8))
    tx: Out(1, init=1)

    def __init__(self, clk_freq, baud=115200):
        self._divisor = baud_divisor(clk_freq, baud)
        super().__init__()

    @property
    def divisor(self):
        return self._divisor

    def elaborate(self, platform):
        m = Module()
        timer = Signal(range(self._divisor))
        bits_left = Signal(range(10))   # bits still to go after the current one
        shreg = Signal(9)               # data bits, then the stop bit
        busy = Signal()

        bit_done = timer == 0
        m.d.comb += self.i.ready.eq(~busy | (bit_done & (bits_left == 0)))

        with m.If(busy & ~bit_done):
            m.d.sync += timer.eq(timer - 1)
        with m.If(self.i.valid & self.i.ready):
            m.d.sync += [
                self.tx.eq(0),  # start bit
                shreg.eq(Cat(self.i.payload, C(1, 1))),
                bits_left.eq(9),
                timer.eq(self._divisor - 1),
                busy.eq(1),
            ]
        with m.Elif(busy & bit_done):
            with m.If(bits_left == 0):
                m.d.sync += busy.eq(0)
            with m.Else():
                m.d.sync += [
                    self.tx.eq(shreg[0]),
                    shreg.eq(shreg >> 1),
                    bits_left.eq(bits_left - 1),
                    timer.eq(self._divisor - 1),
                ]
        return m


class UARTRx(wiring.Component):
    """UART receiver, 8N1, with framing-error and overrun detection.

    Parameters
    ----------
    clk_freq : float
        Frequency of the ``sync`` domain, in Hz.
    baud : float
        Bit rate; 115200 by default.

    Members
    -------
    rx : In(1)
        The line, idle high (asynchronous: synchronized inside).
    o : Out(stream.Signature(RxByte))
        Received bytes, ``data`` with the ``framing_error`` and ``overrun``
        flags. Held until taken, as amaranth.lib.stream requires; see the
        module docstring for what happens if it is not taken in time.
    """

    rx: In(1, init=1)
    o: Out(stream.Signature(RxByte))

    def __init__(self, clk_freq, baud=115200):
        self._divisor = baud_divisor(clk_freq, baud)
        super().__init__()

    @property
    def divisor(self):
        return self._divisor

    def elaborate(self, platform):
        m = Module()
        rx = Signal(init=1)
        m.submodules.sync_rx = FFSynchronizer(self.rx, rx, init=1)

        timer = Signal(range(self._divisor))
        bits_left = Signal(range(9))
        shreg = Signal(8)
        dropped = Signal()  # a byte was lost since the last one delivered

        with m.If(self.o.valid & self.o.ready):
            m.d.sync += self.o.valid.eq(0)

        def deliver(framing_error):
            with m.If(self.o.valid & ~self.o.ready):
                m.d.sync += dropped.eq(1)
            with m.Else():
                m.d.sync += [
                    self.o.valid.eq(1),
                    self.o.payload.data.eq(shreg),
                    self.o.payload.framing_error.eq(framing_error),
                    self.o.payload.overrun.eq(dropped),
                    dropped.eq(0),
                ]

        with m.If(timer != 0):
            m.d.sync += timer.eq(timer - 1)

        with m.FSM():
            with m.State("IDLE"):
                with m.If(~rx):
                    m.d.sync += timer.eq(self._divisor // 2 - 1)
                    m.next = "START"
            with m.State("START"):
                with m.If(timer == 0):
                    with m.If(rx):
                        m.next = "IDLE"  # too short for a start bit: a glitch
                    with m.Else():
                        m.d.sync += [timer.eq(self._divisor - 1), bits_left.eq(8)]
                        m.next = "DATA"
            with m.State("DATA"):
                with m.If(timer == 0):
                    m.d.sync += [
                        shreg.eq(Cat(shreg[1:], rx)),
                        bits_left.eq(bits_left - 1),
                        timer.eq(self._divisor - 1),
                    ]
                    with m.If(bits_left == 1):
                        m.next = "STOP"
            with m.State("STOP"):
                with m.If(timer == 0):
                    deliver(~rx)
                    with m.If(rx):
                        m.next = "IDLE"
                    with m.Else():
                        m.next = "BREAK"
            with m.State("BREAK"):
                with m.If(rx):
                    m.next = "IDLE"
        return m
